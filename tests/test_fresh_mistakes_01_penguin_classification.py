"""Notebook 01's fresh mistake catalogue: typical slips written before the shared probe engine.

Issue 15 asks for a yardstick that the self-check engine is measured against but never
tuned to: slips a learner makes inside the TODO regions that no case of
tests/test_mistakes_01_penguin_classification.py covers, written before the engine. Do not
edit a case to make a check pass; a case that turns out to be unrealistic is removed, with
the reason, in the commit that removes it.

Each case puts one slip into the solution and runs the notebook up to the check right
after its TODO (tests/mistakes.py). The check must fail there, and its message or hint
must name the true cause: one of ``cause_words`` (any, case-insensitive) must appear in
it. The words come from the cause itself, so that any honest diagnosis contains one.
"""

from pathlib import Path

import pytest

from tests.mistakes import assert_names_cause, catch_mistake, fresh_cases

NOTEBOOK = Path(__file__).resolve().parent.parent / "solutions" / "01_penguin_classification.ipynb"

ITEM = (".item()", "python float", "a tensor", "got tensor")

# (id, old source, mutated source, the check right after the TODO, words naming the cause)
MISTAKES = [
    # ---- the loaders ---------------------------------------------------------------------
    (
        "validation-loader-over-the-training-set",
        "validation_loader = DataLoader(validation_set, batch_size=64)",
        "validation_loader = DataLoader(train_set, batch_size=64)",
        "check_loaders",
        ("validation_set", "validation set", "training set", "train_set", "training penguins"),
    ),
    (
        # 273 training penguins: a last batch of one, which BatchNorm cannot train on.
        "training-loader-without-drop-last",
        "    shuffle=True,\n    drop_last=True,\n",
        "    shuffle=True,\n",
        "check_loaders",
        ("drop_last", "last batch", "batch of one", "batchnorm"),
    ),
    (
        "training-loader-without-a-seeded-generator",
        "    drop_last=True,\n    generator=torch.Generator().manual_seed(0),\n",
        "    drop_last=True,\n",
        "check_loaders",
        ("generator", "seed", "reproduc"),
    ),
    # ---- FCNet ---------------------------------------------------------------------------
    (
        "batchnorm-sized-by-the-layer's-input",
        "nn.BatchNorm1d(size)",
        "nn.BatchNorm1d(width)",
        "check_model",
        ("batchnorm", "batch norm"),
    ),
    (
        "relu-after-the-output-layer",
        "layers.append(nn.Linear(width, num_outputs))",
        "layers += [nn.Linear(width, num_outputs), nn.ReLU()]",
        "check_model",
        ("relu", "negative", "after the output layer", "after the last layer"),
    ),
    # ---- loss_function, optimizer, loss --------------------------------------------------
    (
        "nll-loss-on-logits",
        "loss_function = nn.CrossEntropyLoss()",
        "loss_function = nn.NLLLoss()",
        "check_loss_and_optimizer",
        ("nllloss", "crossentropyloss", "log_softmax", "log-probabilities", "log probabilities"),
    ),
    (
        "batch-never-moved-to-the-device",
        "loss = loss_function(model(x_batch.to(device)), y_batch.to(device))",
        "loss = loss_function(model(x_batch), y_batch)",
        "check_loss_and_optimizer",
        ("device",),
    ),
    # ---- the training step ---------------------------------------------------------------
    (
        "optimizer-step-before-backward",
        "        loss.backward()\n        optimizer.step()\n        # END",
        "        optimizer.step()\n        loss.backward()\n        # END",
        "check_train_one_epoch",
        (
            "order",
            "before loss.backward",
            "after loss.backward",
            "before backward",
            "after backward",
        ),
    ),
    # ---- evaluate ------------------------------------------------------------------------
    (
        "evaluate-loss-summed-as-a-tensor",
        "total_loss += loss_function(batch_logits, y).item() * len(y)",
        "total_loss += loss_function(batch_logits, y) * len(y)",
        "check_evaluate",
        ITEM,
    ),
    (
        "evaluate-overwrites-the-running-loss",
        "total_loss += loss_function(batch_logits, y).item() * len(y)",
        "total_loss = loss_function(batch_logits, y).item() * len(y)",
        "check_evaluate",
        ("+=", "last batch", "overwrit", "only the last", "accumulat"),
    ),
    # ---- the accuracy plot ---------------------------------------------------------------
    (
        "accuracy-curves-drawn-on-a-new-figure",
        '    ylabel="validation accuracy (%)",\n    ax=ax_accuracy,\n',
        '    ylabel="validation accuracy (%)",\n',
        "check_accuracy_plot",
        ("ax=ax_accuracy", "ax=", "empty", "no line", "nothing", "another figure", "new figure"),
    ),
    # ---- predictions and probabilities ---------------------------------------------------
    (
        "predictions-left-as-scores",
        "predicted = model(validation_set.x.to(device)).argmax(dim=1).cpu()",
        "predicted = model(validation_set.x.to(device)).cpu()",
        "check_predictions",
        ("argmax", "class index", "scores", "logits", "one number per penguin"),
    ),
    (
        "probabilities-by-sigmoid",
        "probabilities = torch.softmax(new_logits, dim=1).cpu()",
        "probabilities = torch.sigmoid(new_logits).cpu()",
        "check_probabilities",
        ("softmax", "sigmoid", "sum to 1", "add up to 1", "sum to one"),
    ),
    # ---- saving and reloading ------------------------------------------------------------
    (
        "reloaded-is-the-same-model",
        "reloaded = FCNet(num_features, num_classes).to(device)",
        "reloaded = model",
        "check_reloaded",
        ("same object", "new fcnet", "new model", "fresh", "is model", "the same model"),
    ),
    (
        "whole-model-saved-instead-of-its-state-dict",
        "torch.save(model.state_dict(), weights_path)",
        "torch.save(model, weights_path)",
        "check_reloaded",
        ("state_dict", "whole model", "weights_only"),
    ),
]


# Cases the checks do not name yet, and why: each must keep failing until a check names it.
NOT_NAMED_YET = {
    "training-loader-without-a-seeded-generator": (
        "check_loaders does not look at the loader's generator"
    ),
    "batchnorm-sized-by-the-layer's-input": (
        "check_model shows PyTorch's running_mean error with the hint on Linear widths"
    ),
    "relu-after-the-output-layer": (
        "check_model recognises probabilities at the output (rows summing to 1), not a last ReLU"
    ),
    "batch-never-moved-to-the-device": (
        "on a computer without a GPU the loss of the learner's own batch shows"
        " no sign of it; the engine's device marker covers the probed functions only"
    ),
    "whole-model-saved-instead-of-its-state-dict": (
        "saving or loading the whole model fails in the learner's own cell, "
        "before check_reloaded runs"
    ),
}


@pytest.mark.parametrize(
    ("old", "new", "check", "cause_words"), fresh_cases(MISTAKES, NOT_NAMED_YET)
)
def test_fresh_mistake_is_named_by_the_check_after_its_todo(old, new, check, cause_words):
    error = catch_mistake(NOTEBOOK, old, new, check)
    assert_names_cause(error, check, cause_words)


def test_the_fresh_catalogue_holds_at_least_six_mistakes():
    assert len(MISTAKES) >= 6
