"""The probe engine: each slip in a learner's epoch is named, and a right epoch passes.

Every wrong function here is written out by hand, independently of the engine's own
reference epoch, so a test cannot pass by construction: it passes only if the engine
tells this slip apart from a right epoch, and names it.
"""

from __future__ import annotations

import pytest
import torch
from torch import nn

from utils.checks._core import CheckFailed
from utils.checks.engine import (
    ACCURACY,
    Probe,
    describe_difference,
    diagnose_mean,
    predict,
    probe_evaluate,
    probe_train_one_epoch,
)

PROBE = Probe("classification", (1, 2, 2), 3, scheduler=True, augment=True)

RIGHT_EPOCH = """
def train_one_epoch(
    model, loader, loss_function, optimizer, device, *, scheduler=None, augment=None
):
    model.train()
    total = 0.0
    for inputs, labels in loader:
        inputs, labels = inputs.to(device), labels.to(device)
        if augment is not None:
            inputs = augment(inputs)
        optimizer.zero_grad()
        loss = loss_function(model(inputs), labels)
        loss.backward()
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        total += loss.item() * len(labels)
    return total / len(loader.dataset)
"""

RIGHT_EVALUATE = """
def evaluate(model, loader, loss_function, device):
    model.eval()
    total, correct = 0.0, 0
    with torch.no_grad():
        for inputs, labels in loader:
            inputs, labels = inputs.to(device), labels.to(device)
            scores = model(inputs)
            total += loss_function(scores, labels).item() * len(labels)
            correct += (scores.argmax(dim=1) == labels).sum().item()
    return {"loss": total / len(loader.dataset), "accuracy": correct / len(loader.dataset)}
"""


def _define(source: str, old: str = "", new: str = "") -> object:
    if old:
        assert source.count(old) == 1, f"{old!r} must occur once"
        source = source.replace(old, new)
    namespace: dict[str, object] = {"torch": torch, "nn": nn}
    exec(source, namespace)
    return next(
        value for name, value in namespace.items() if name in ("train_one_epoch", "evaluate")
    )


def _failure(check, function) -> str:
    with pytest.raises(CheckFailed) as caught:
        check(function)
    return f"{caught.value.message} {caught.value.hint}".lower()


def test_a_right_epoch_passes_and_returns_its_mean_loss():
    loss = probe_train_one_epoch(_define(RIGHT_EPOCH), PROBE)
    assert isinstance(loss, float)
    assert loss > 0


def test_the_notebooks_random_numbers_are_left_alone():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    probe_train_one_epoch(_define(RIGHT_EPOCH), PROBE)
    assert torch.equal(torch.rand(3), expected)


EPOCH_SLIPS = [
    ("no-train-mode", "    model.train()\n", "", ("evaluation mode", "model.train()")),
    ("no-zero-grad", "        optimizer.zero_grad()\n", "", ("zero_grad",)),
    ("ascent", "loss.backward()", "(-loss).backward()", ("uphill",)),
    ("summed-backward", "loss.backward()", "(loss * len(labels)).backward()", ("too large",)),
    ("no-backward", "        loss.backward()\n", "", ("backward",)),
    ("no-step", "        optimizer.step()\n", "", ("optimizer.step()",)),
    (
        "zero-grad-between-backward-and-step",
        "        loss.backward()\n        optimizer.step()",
        "        loss.backward()\n        optimizer.zero_grad()\n        optimizer.step()",
        ("wiped",),
    ),
    (
        "step-before-backward",
        "        loss.backward()\n        optimizer.step()",
        "        optimizer.step()\n        loss.backward()",
        ("before loss.backward()",),
    ),
    ("softmax", "model(inputs), labels", "torch.softmax(model(inputs), 1), labels", ("softmax",)),
    (
        "labels-not-moved",
        "inputs, labels = inputs.to(device), labels.to(device)",
        "inputs = inputs.to(device)",
        ("targets", "device"),
    ),
    (
        "inputs-not-moved",
        "inputs, labels = inputs.to(device), labels.to(device)",
        "labels = labels.to(device)",
        ("inputs", "device"),
    ),
    (
        "global-loss",
        "loss_function(model(inputs)",
        "nn.CrossEntropyLoss()(model(inputs)",
        ("loss_function",),
    ),
    (
        "scheduler-per-epoch",
        "        if scheduler is not None:\n            scheduler.step()\n",
        "",
        ("never steps the scheduler",),
    ),
    ("no-augment", "            inputs = augment(inputs)", "            pass", ("augment",)),
    (
        "early-return",
        "    return total / len(loader.dataset)",
        "        return total / len(loader.dataset)",
        ("1 of 3 batches", "return"),
    ),
    ("no-item", "loss.item() * len(labels)", "loss * len(labels)", ("python float", "tensor")),
    ("mean-of-batch-means", "loss.item() * len(labels)", "loss.item() * 10 / 3", ("batch means",)),
    ("divided-by-batches", "len(loader.dataset)", "len(loader)", ("len(loader.dataset)",)),
]


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [case[1:] for case in EPOCH_SLIPS],
    ids=[case[0] for case in EPOCH_SLIPS],
)
def test_a_slip_in_the_epoch_is_named(old, new, words):
    failure = _failure(lambda f: probe_train_one_epoch(f, PROBE), _define(RIGHT_EPOCH, old, new))
    assert all(word.lower() in failure for word in words), failure


def test_the_scheduler_stepped_once_per_epoch_is_counted():
    source = RIGHT_EPOCH.replace(
        "        if scheduler is not None:\n            scheduler.step()\n", ""
    )
    source = source.replace("    return total", "    scheduler.step()\n    return total")
    failure = _failure(lambda f: probe_train_one_epoch(f, PROBE), _define(source))
    assert "1 time(s) in an epoch of 3 batches" in failure


def test_a_probe_without_scheduler_or_augment_passes_neither():
    plain = Probe("regression", (3,), 1)
    source = RIGHT_EPOCH.replace(", *, scheduler=None, augment=None", "")
    source = source.replace(
        "        if augment is not None:\n            inputs = augment(inputs)\n", ""
    )
    source = source.replace("        if scheduler is not None:\n            scheduler.step()\n", "")
    assert probe_train_one_epoch(_define(source), plain) > 0


def test_a_right_evaluate_passes():
    probe_evaluate(_define(RIGHT_EVALUATE), PROBE, {"accuracy": ACCURACY})


EVALUATE_SLIPS = [
    ("train-mode", "    model.eval()\n", "", ("training mode", "model.eval()")),
    ("gradients-on", "with torch.no_grad():", "if True:", ("no_grad",)),
    (
        "a-tuple",
        'return {"loss": total / len(loader.dataset), "accuracy": correct / len(loader.dataset)}',
        "return total / len(loader.dataset), correct / len(loader.dataset)",
        ("tuple", "dict"),
    ),
    ("a-percentage", '"accuracy": correct /', '"accuracy": 100 * correct /', ("100", "percentage")),
    ("unweighted-batches", ".item() * len(labels)", ".item()", ("size",)),
    (
        "labels-not-moved",
        "inputs, labels = inputs.to(device), labels.to(device)",
        "inputs = inputs.to(device)",
        ("targets", "device"),
    ),
    ("loss-as-tensor", ").item() * len(labels)", ") * len(labels)", ("python float",)),
    (
        "only-the-last-batch",
        "            total += loss_function",
        "            total = 2.5 * loss_function",
        ("order",),
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [case[1:] for case in EVALUATE_SLIPS],
    ids=[case[0] for case in EVALUATE_SLIPS],
)
def test_a_slip_in_evaluate_is_named(old, new, words):
    failure = _failure(
        lambda f: probe_evaluate(f, PROBE, {"accuracy": ACCURACY}),
        _define(RIGHT_EVALUATE, old, new),
    )
    assert all(word.lower() in failure for word in words), failure


def test_predict_restores_the_mode_and_tracks_no_gradient():
    model = nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.5)).train()
    outputs = predict(model, torch.ones(3, 2))
    assert model.training
    assert not outputs.requires_grad
    assert torch.equal(outputs, predict(model, torch.ones(3, 2)))  # no dropout: eval mode


def test_diagnose_mean_names_each_wrong_reduction():
    batches = [(1.0, 4), (2.0, 4), (4.0, 2)]  # right: (4 + 8 + 8) / 10 = 2.0
    assert diagnose_mean(2.0, batches, "the loss") is None
    assert "mean of the batch means" in diagnose_mean(7 / 3, batches, "the loss")
    assert "never divided" in diagnose_mean(20.0, batches, "the loss")
    assert "len(loader)" in diagnose_mean(20 / 3, batches, "the loss")
    assert "last batch" in diagnose_mean(4.0, batches, "the loss")


def test_describe_difference_names_factors_and_says_when_it_knows_none():
    assert "100" in describe_difference(30.0, 0.3, {"100": 100.0})
    assert "square" in describe_difference(4.0, 2.0, {})
    assert "off by the mean" in describe_difference(5.5, 1.5, {"the mean": 4.0})
    assert "matches no slip" in describe_difference(1.37, 1.0, {})
