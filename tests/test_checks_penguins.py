"""The notebook 01 and 02 self-checks: right answers pass, wrong ones fail with a hint."""

import numpy as np
import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader

from utils.checks.penguins import (
    check_accuracy,
    check_classification_datasets,
    check_epoch_metrics,
    check_least_squares,
    check_loaders,
    check_loss,
    check_mean_baseline,
    check_model,
    check_network_mae,
    check_probabilities,
    check_regression_datasets,
    check_to_grams,
)
from utils.penguins import PenguinDataset

CLASSIFICATION_FEATURES = [
    "bill_length_mm",
    "bill_depth_mm",
    "flipper_length_mm",
    "body_mass_g",
    "sex",
]
REGRESSION_FEATURES = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "sex"]


@pytest.fixture(scope="module")
def species_sets():
    return [
        PenguinDataset(CLASSIFICATION_FEATURES, ["species"], split=split)
        for split in ("train", "validation")
    ]


@pytest.fixture(scope="module")
def mass_sets():
    return [
        PenguinDataset(REGRESSION_FEATURES, ["body_mass_g"], split=split)
        for split in ("train", "validation")
    ]


def grams(dataset):
    return dataset.frame["body_mass_g"].to_numpy(dtype=float)


def least_squares_mae(train, validation, intercept=True, fit_on=None):
    def design(dataset):
        columns = [dataset.x.double().numpy()]
        if intercept:
            columns.append(np.ones((len(dataset), 1)))
        return np.hstack(columns)

    fit_on = fit_on or train
    weights, *_ = np.linalg.lstsq(design(fit_on), grams(fit_on), rcond=None)
    return float(np.mean(np.abs(design(validation) @ weights - grams(validation))))


def make_model(n_inputs, n_outputs):
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Linear(n_inputs, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, n_outputs)
    )


def test_right_answers_pass_and_say_so(capsys, species_sets, mass_sets):
    train, validation = species_sets
    check_classification_datasets(train, validation)
    check_regression_datasets(*mass_sets)
    check_loaders(
        DataLoader(train, batch_size=16, shuffle=True, drop_last=True),
        DataLoader(validation, batch_size=64),
    )
    model = make_model(len(train.feature_names), 3)
    check_model(model, len(train.feature_names), 3)
    x, y = train[:16]
    check_loss(nn.functional.cross_entropy(model(x), y))
    check_epoch_metrics({"loss": 0.1, "accuracy": 0.9})
    check_probabilities(torch.softmax(torch.randn(4, 3), dim=1), 4, 3)
    check_accuracy(59 / 60)
    mass_train, mass_validation = mass_sets
    check_to_grams(lambda y: y * mass_train.target_std + mass_train.target_mean, mass_validation)
    check_mean_baseline(np.mean(np.abs(grams(mass_validation) - grams(mass_train).mean())))
    check_least_squares(least_squares_mae(*mass_sets), *mass_sets)
    check_network_mae(300.0, 336.0)
    assert capsys.readouterr().out.count("✓") == 12


def test_swapped_splits_are_caught(species_sets):
    train, validation = species_sets
    with pytest.raises(AssertionError, match="did you pass split='train'"):
        check_classification_datasets(validation, train)


def test_a_dataframe_is_not_a_dataset(species_sets):
    with pytest.raises(AssertionError, match="should be a PenguinDataset, got DataFrame"):
        check_classification_datasets(species_sets[0].frame, species_sets[1])


def test_wrong_target_is_named(mass_sets, species_sets):
    with pytest.raises(AssertionError, match="target should be 'species'"):
        check_classification_datasets(*mass_sets)
    with pytest.raises(AssertionError, match="target should be 'body_mass_g'"):
        check_regression_datasets(*species_sets)


def test_validation_set_with_other_features_is_caught(species_sets):
    other = PenguinDataset(["bill_length_mm"], ["species"], split="validation")
    with pytest.raises(AssertionError, match="other columns"):
        check_classification_datasets(species_sets[0], other)


def test_unshuffled_training_loader_is_caught(species_sets):
    train, validation = species_sets
    with pytest.raises(AssertionError, match="shuffle=True"):
        check_loaders(DataLoader(train, batch_size=16, drop_last=True), DataLoader(validation))


def test_keeping_the_batch_of_one_is_caught(species_sets):
    train, validation = species_sets
    with pytest.raises(AssertionError, match="drop_last=True"):
        check_loaders(DataLoader(train, batch_size=16, shuffle=True), DataLoader(validation))


def test_shuffled_validation_loader_is_caught(species_sets):
    train, validation = species_sets
    with pytest.raises(AssertionError, match="shuffle=False"):
        check_loaders(
            DataLoader(train, batch_size=16, shuffle=True, drop_last=True),
            DataLoader(validation, shuffle=True),
        )


def test_model_with_wrong_number_of_outputs_fails():
    with pytest.raises(AssertionError, match=r"shape \(8, 2\), expected \(8, 3\)"):
        check_model(make_model(4, 2), 4, 3)


def test_model_with_wrong_number_of_inputs_gets_a_hint():
    with pytest.raises(AssertionError, match="first Linear layer takes 5 inputs"):
        check_model(make_model(4, 3), 5, 3)


def test_model_ending_in_softmax_gets_the_logits_hint():
    model = nn.Sequential(make_model(4, 3), nn.Softmax(dim=1))
    with pytest.raises(AssertionError, match="logits"):
        check_model(model, 4, 3)


def test_model_check_keeps_training_mode():
    model = make_model(4, 3)
    check_model(model, 4, 3)
    assert model.training


def test_a_class_instead_of_an_instance_is_caught():
    with pytest.raises(AssertionError, match=r"should be an nn\.Module"):
        check_model(nn.Linear, 4, 3)


def test_loss_as_python_float_is_caught():
    with pytest.raises(AssertionError, match=r"loss should be a torch.Tensor, got float"):
        check_loss(0.5)


def test_detached_loss_is_caught():
    with pytest.raises(AssertionError, match="not connected"):
        check_loss(torch.tensor(0.5))


def test_metrics_holding_tensors_get_the_item_hint():
    with pytest.raises(AssertionError, match=r"\.item\(\)"):
        check_epoch_metrics({"loss": torch.tensor(0.1), "accuracy": 0.9})


def test_missing_metric_is_named():
    with pytest.raises(AssertionError, match=r"lacks \['accuracy'\]"):
        check_epoch_metrics({"loss": 0.1})


def test_accuracy_as_count_is_caught():
    with pytest.raises(AssertionError, match="more than 1"):
        check_epoch_metrics({"loss": 0.1, "accuracy": 59.0})


def test_logits_are_not_probabilities():
    with pytest.raises(AssertionError, match="softmax along the class dimension"):
        check_probabilities(torch.tensor([[2.0, -1.0, 0.5]]), 1, 3)


def test_softmax_over_the_wrong_dimension_is_caught():
    with pytest.raises(AssertionError, match="dim=1"):
        check_probabilities(torch.softmax(torch.randn(4, 3), dim=0), 4, 3)


def test_accuracy_as_percentage_is_caught():
    with pytest.raises(AssertionError, match="fraction"):
        check_accuracy(98.3)


def test_low_accuracy_fails_without_the_answer():
    with pytest.raises(AssertionError, match="below 98%") as error:
        check_accuracy(0.95)
    assert "train for more epochs" in str(error.value)


def test_to_grams_without_the_mean_gets_the_offset_hint(mass_sets):
    train, validation = mass_sets
    with pytest.raises(AssertionError, match="add the training mean"):
        check_to_grams(lambda y: y * train.target_std, validation)


def test_to_grams_the_wrong_way_round_fails(mass_sets):
    train, validation = mass_sets
    with pytest.raises(AssertionError, match="multiply by the training std first"):
        check_to_grams(lambda y: (y - train.target_mean) / train.target_std, validation)


def test_mean_baseline_from_validation_mean_is_called_a_leak(mass_sets):
    validation_grams = grams(mass_sets[1])
    with pytest.raises(AssertionError, match="validation mean"):
        check_mean_baseline(np.mean(np.abs(validation_grams - validation_grams.mean())))


def test_standardised_mean_baseline_gets_the_grams_hint(mass_sets):
    validation = mass_sets[1]
    with pytest.raises(AssertionError, match="looks standardised"):
        check_mean_baseline(validation.y.abs().mean())


def test_least_squares_in_grams_without_intercept_fails():
    # Without a one-hot column to stand in for it, the intercept is missed.
    numeric = [
        PenguinDataset(["flipper_length_mm"], ["body_mass_g"], split=split)
        for split in ("train", "validation")
    ]
    value = least_squares_mae(*numeric, intercept=False)
    with pytest.raises(AssertionError, match="column of ones"):
        check_least_squares(value, *numeric)


def test_least_squares_fitted_on_validation_is_suspected(mass_sets):
    train, validation = mass_sets
    value = least_squares_mae(train, validation, fit_on=validation)
    with pytest.raises(AssertionError, match="given validation penguins"):
        check_least_squares(value, train, validation)


def test_network_worse_than_least_squares_fails():
    with pytest.raises(AssertionError, match=r"worse than 1\.05 × least squares"):
        check_network_mae(400.0, 336.0)
