"""Notebook 01's mistake catalogue: each typical slip is caught by the check after its TODO."""

from pathlib import Path

import pytest

from tests.mistakes import catch_mistake

NOTEBOOK = Path(__file__).resolve().parent.parent / "solutions" / "01_penguin_classification.ipynb"

# (id, old source, mutated source, check that must catch it, words its hint or message must hold)
MISTAKES = [
    (
        "island-as-a-feature",
        '"body_mass_g", "sex"]',
        '"body_mass_g", "sex", "island"]',
        "check_features",
        "where or when",
    ),
    (
        "sex-left-out",
        '"body_mass_g", "sex"]',
        '"body_mass_g"]',
        "check_features",
        "sex included",
    ),
    (
        "species-as-a-feature-leaks-the-target",
        '"body_mass_g", "sex"]',
        '"body_mass_g", "sex", "species"]',
        "check_features",
        "target",
    ),
    (
        "training-loader-not-shuffled",
        "    shuffle=True,\n    drop_last=True,\n    generator",
        "    drop_last=True,\n    generator",
        "check_loaders",
        "shuffle=True",
    ),
    (
        "validation-batches-of-one",
        "DataLoader(validation_set, batch_size=64)",
        "DataLoader(validation_set, batch_size=1)",
        "check_loaders",
        "one batch",
    ),
    (
        "hidden-width-not-carried-forward",
        "            width = size\n",
        "",
        "check_model",
        "as many inputs as the layer before",
    ),
    (
        "softmax-at-the-end-of-the-model",
        "layers.append(nn.Linear(width, num_outputs))",
        "layers += [nn.Linear(width, num_outputs), nn.Softmax(dim=1)]",
        "check_model",
        "logits",
    ),
    (
        "optimiser-over-another-models-parameters",
        "torch.optim.Adam(model.parameters(), lr=0.003)",
        "torch.optim.Adam(FCNet(num_features, num_classes).parameters(), lr=0.003)",
        "check_loss_and_optimizer",
        "same model",
    ),
    (
        "no-zero-grad",
        "        optimizer.zero_grad()\n        logits = model(x)",
        "        logits = model(x)",
        "check_train_one_epoch",
        "zero_grad()",
    ),
    (
        "loss-sign-flipped",
        "        loss = loss_function(logits, y)\n        loss.backward()",
        "        loss = loss_function(logits, y)\n        (-loss).backward()",
        "check_train_one_epoch",
        "negative of the loss",
    ),
    (
        "softmax-before-cross-entropy",
        "        logits = model(x)\n        loss = loss_function(logits, y)",
        "        logits = torch.softmax(model(x), dim=1)\n        loss = loss_function(logits, y)",
        "check_train_one_epoch",
        "raw scores (logits)",
    ),
    (
        "no-optimizer-step",
        "        loss.backward()\n        optimizer.step()\n        # END",
        "        loss.backward()\n        # END",
        "check_train_one_epoch",
        "optimizer.step()",
    ),
    (
        "validation-loss-without-batch-size",
        "total_loss += loss_function(batch_logits, y).item() * len(y)",
        "total_loss += loss_function(batch_logits, y).item()",
        "check_evaluate",
        "batch's size",
    ),
    (
        "evaluating-in-training-mode",
        "    # BEGIN SOLUTION: switch the model to evaluation mode\n    model.eval()",
        "    # BEGIN SOLUTION: switch the model to evaluation mode\n    model.train()",
        "check_evaluate",
        "model.eval()",
    ),
    (
        "accuracy-plotted-as-a-fraction",
        '{"validation": 100 * metrics["validation accuracy"]}',
        '{"validation": metrics["validation accuracy"]}',
        "check_accuracy_plot",
        "percent",
    ),
    (
        "argmax-over-the-penguins",
        "predicted = model(validation_set.x.to(device)).argmax(dim=1).cpu()",
        "predicted = model(validation_set.x.to(device)).argmax(dim=0).cpu()",
        "check_predictions",
        "dim=1",
    ),
    (
        "softmax-over-the-penguins",
        "probabilities = torch.softmax(new_logits, dim=1).cpu()",
        "probabilities = torch.softmax(new_logits, dim=0).cpu()",
        "check_probabilities",
        "dim=1",
    ),
    (
        "reloaded-without-loading-the-weights",
        "reloaded.load_state_dict("
        "torch.load(weights_path, map_location=device, weights_only=True))",
        "torch.load(weights_path, map_location=device, weights_only=True)",
        "check_reloaded",
        "load the saved weights",
    ),
    (
        "headline-accuracy-in-percent",
        'test_accuracy = evaluate(reloaded, test_loader, loss_function, device)["accuracy"]',
        'test_accuracy = 100 * evaluate(reloaded, test_loader, loss_function, device)["accuracy"]',
        "check_headline",
        "fraction",
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "check", "words"),
    [pytest.param(*case[1:], id=case[0]) for case in MISTAKES],
)
def test_mistake_is_named_by_the_check_after_it(old, new, check, words):
    error = catch_mistake(NOTEBOOK, old, new, check)
    assert words in str(error)


def test_an_unfilled_feature_list_says_fill_in_the_todo():
    error = catch_mistake(
        NOTEBOOK,
        'features = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g", "sex"]',
        "features = ...",
        "check_features",
    )
    assert "fill in the TODO above" in error.message
