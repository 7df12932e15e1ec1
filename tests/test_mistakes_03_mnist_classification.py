"""Notebook 03's mistake catalogue: each typical slip is caught by the check after its TODO.

Each case puts one slip into the solution and runs the notebook up to the check that
follows it (tests/mistakes.py). Every check comes before the first training, so no case
trains a network: each runs the data loading, the figures and the checks' probes only.
"""

from pathlib import Path

import pytest

from tests.mistakes import catch_mistake

NOTEBOOK = Path(__file__).resolve().parent.parent / "solutions" / "03_mnist_classification.ipynb"

EVALUATE_SUM = """\
            total_loss += loss_function(scores, labels).item() * len(labels)
            correct += (scores.argmax(dim=1) == labels).sum().item()
    num_images = len(loader.dataset)
    return {"loss": total_loss / num_images, "accuracy": correct / num_images}"""

SCHEDULER_PER_BATCH = """\
        if scheduler is not None:
            scheduler.step()  # one-cycle: after every batch, not every epoch
        total_loss += loss.item() * len(labels)
    return"""

SCHEDULER_PER_EPOCH = """\
        total_loss += loss.item() * len(labels)
    if scheduler is not None:
        scheduler.step()
    return"""

# (id, old, new, check, words the hint must contain)
MISTAKES = [
    (
        "bincount-without-minlength",
        "torch.bincount(labels, minlength=10)",
        "torch.bincount(labels)",
        "check_count_classes",
        "minlength",
    ),
    (
        "counts-as-fractions",
        "return torch.bincount(labels, minlength=10)",
        "return torch.bincount(labels, minlength=10) / len(labels)",
        "check_count_classes",
        "not fractions",
    ),
    (
        "baseline-chosen-on-validation-labels",
        "guess = count_classes(train_labels).argmax()",
        "guess = count_classes(validation_labels).argmax()",
        "check_majority_baseline",
        "leakage",
    ),
    (
        "baseline-as-a-percentage",
        "return (validation_labels == guess).float().mean().item()",
        "return 100 * (validation_labels == guess).float().mean().item()",
        "check_majority_baseline",
        "percentage",
    ),
    (
        "uint8-images-not-scaled",
        "dataset.data.unsqueeze(1).float() / 255",
        "dataset.data.unsqueeze(1).float()",
        "check_to_inputs",
        "divide by 255",
    ),
    (
        "uint8-integer-division",
        "dataset.data.unsqueeze(1).float() / 255",
        "dataset.data.unsqueeze(1) // 255",
        "check_to_inputs",
        "floating-point",
    ),
    (
        "no-channel-axis",
        "dataset.data.unsqueeze(1).float() / 255",
        "dataset.data.float() / 255",
        "check_to_inputs",
        "channel axis",
    ),
    (
        "conv1d-flipped-kernel",
        "(x[i : i + k] * kernel).sum()",
        "(x[i : i + k] * kernel.flip(0)).sum()",
        "check_conv1d",
        "cross-correlation",
    ),
    (
        "conv1d-output-one-too-short",
        "range(len(x) - k + 1)",
        "range(len(x) - k)",
        "check_conv1d",
        "len(x) - len(kernel) + 1",
    ),
    (
        "count-parameters-counts-buffers",
        "sum(parameter.numel() for parameter in model.parameters())",
        "sum(tensor.numel() for tensor in model.state_dict().values())",
        "check_count_parameters",
        "buffers",
    ),
    (
        "count-parameters-forgets-biases",
        "sum(parameter.numel() for parameter in model.parameters())",
        'sum(p.numel() for n, p in model.named_parameters() if "bias" not in n)',
        "check_count_parameters",
        "biases",
    ),
    (
        "model-ends-in-softmax",
        "nn.Linear(second * 7 * 7, 10),",
        "nn.Linear(second * 7 * 7, 10),\n            nn.Softmax(dim=1),",
        "check_model",
        "logits",
    ),
    (
        "linear-in-features-before-pooling",
        "nn.Linear(second * 7 * 7, 10)",
        "nn.Linear(second * 14 * 14, 10)",
        "check_model",
        "in_features",
    ),
    (
        "evaluate-without-eval-mode",
        "    model.eval()\n    total_loss, correct = 0.0, 0",
        "    total_loss, correct = 0.0, 0",
        "check_evaluate",
        "model.eval()",
    ),
    (
        "evaluate-without-no-grad",
        "    with torch.no_grad():\n        for images, labels in loader:",
        "    with torch.enable_grad():\n        for images, labels in loader:",
        "check_evaluate",
        "torch.no_grad()",
    ),
    (
        "evaluate-mean-of-batch-means",
        EVALUATE_SUM,
        EVALUATE_SUM.replace(".item() * len(labels)", ".item()").replace(
            '"loss": total_loss / num_images', '"loss": total_loss / len(loader)'
        ),
        "check_evaluate",
        "mean of the batch means",
    ),
    (
        "evaluate-batch-means-not-weighted",
        "total_loss += loss_function(scores, labels).item() * len(labels)",
        "total_loss += loss_function(scores, labels).item()",
        "check_evaluate",
        "added unweighted",
    ),
    (
        "evaluate-argmax-over-the-batch",
        "correct += (scores.argmax(dim=1) == labels)",
        "correct += (scores.argmax(dim=0) == labels)",
        "check_evaluate",
        "dim=1",
    ),
    (
        "no-zero-grad",
        "        optimizer.zero_grad()\n",
        "",
        "check_train_one_epoch",
        "optimizer.zero_grad()",
    ),
    (
        "no-optimizer-step",
        "        optimizer.step()\n",
        "",
        "check_train_one_epoch",
        "optimizer.step()",
    ),
    (
        "eval-mode-left-on",
        "    model.train()\n    total_loss = 0.0",
        "    total_loss = 0.0",
        "check_train_one_epoch",
        "model.train()",
    ),
    (
        "scheduler-stepped-per-epoch",
        SCHEDULER_PER_BATCH,
        SCHEDULER_PER_EPOCH,
        "check_train_one_epoch",
        "counts batches",
    ),
    (
        "softmax-before-cross-entropy",
        "loss = loss_function(model(images), labels)",
        "loss = loss_function(torch.softmax(model(images), dim=1), labels)",
        "check_train_one_epoch",
        "logits",
    ),
    (
        "augmentation-not-applied",
        "            images = augment(images)\n",
        "            pass\n",
        "check_train_one_epoch",
        "apply it to each batch",
    ),
    (
        "training-loss-batch-means-not-weighted",
        "total_loss += loss.item() * len(labels)",
        "total_loss += loss.item()",
        "check_train_one_epoch",
        "added unweighted",
    ),
    (
        "unfilled-todo",
        "return torch.bincount(labels, minlength=10)",
        "return ...",
        "check_count_classes",
        "fill in the TODO above",
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "check", "named"),
    [case[1:] for case in MISTAKES],
    ids=[case[0] for case in MISTAKES],
)
def test_mistake_is_named_by_the_check_after_its_todo(old, new, check, named):
    error = catch_mistake(NOTEBOOK, old, new, check)
    assert named in str(error), f"the failure does not say {named!r}:\n{error}"


def test_the_catalogue_has_at_least_eight_mistakes():
    assert len(MISTAKES) >= 8
