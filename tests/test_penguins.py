"""Tests for utils.penguins: the split, the encoding, the standardisation and the errors."""

from __future__ import annotations

import pandas as pd
import pytest
import torch
from torch.utils.data import DataLoader

from utils.penguins import (
    COLUMNS,
    TEST_PER_GROUP,
    VALIDATION_PER_GROUP,
    PenguinDataset,
    load_penguin_table,
    split_rows,
)

MEASUREMENTS = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"]


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return load_penguin_table()


@pytest.fixture(scope="module")
def classification() -> dict[str, PenguinDataset]:
    features = [*MEASUREMENTS, "sex"]
    return {
        split: PenguinDataset(features, ["species"], split=split)
        for split in ("train", "validation", "test")
    }


@pytest.fixture(scope="module")
def regression() -> dict[str, PenguinDataset]:
    features = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "sex"]
    return {
        split: PenguinDataset(features, ["body_mass_g"], split=split)
        for split in ("train", "validation")
    }


def test_rows_with_missing_values_are_dropped(table):
    assert len(table) == 333
    assert not table.isna().any().any()


def test_split_sizes_add_up_to_the_table(table, classification):
    groups = table.groupby(["species", "sex"]).ngroups
    assert len(classification["validation"]) == groups * VALIDATION_PER_GROUP == 60
    assert len(classification["test"]) == groups * TEST_PER_GROUP == 60
    assert sum(len(dataset) for dataset in classification.values()) == len(table)
    assert len(classification["train"]) == 213


@pytest.mark.parametrize(("split", "per_group"), [("validation", 10), ("test", 10)])
def test_held_out_splits_hold_ten_of_each_species_and_sex(classification, split, per_group):
    counts = classification[split].frame.groupby(["species", "sex"]).size()
    assert len(counts) == 6
    assert (counts == per_group).all()


def test_splits_do_not_overlap(classification):
    rows = [set(dataset.frame.index) for dataset in classification.values()]
    assert rows[0].isdisjoint(rows[1])
    assert rows[0].isdisjoint(rows[2])
    assert rows[1].isdisjoint(rows[2])


def test_split_is_fixed_by_the_seed(table):
    first, again = split_rows(table, seed=123), split_rows(table, seed=123)
    other = split_rows(table, seed=7)
    for split in ("validation", "test"):
        assert first[split].index.equals(again[split].index)
        assert not first[split].index.equals(other[split].index)


def test_split_does_not_depend_on_row_order(table):
    shuffled = table.sample(frac=1.0, random_state=0)
    for split in ("validation", "test"):
        assert set(split_rows(shuffled)[split].index) == set(split_rows(table)[split].index)


def test_default_split_is_the_original_courses(classification):
    # The first rows held out by the original course (seed 123, same recipe).
    assert sorted(classification["validation"].frame.index)[:5] == [2, 13, 16, 37, 39]
    # Drawing a test split afterwards leaves these 60 as they were.
    assert len(classification["validation"]) == 60


def test_items_are_float32_features_and_int64_class_index(classification):
    x, y = classification["train"][0]
    assert x.dtype == torch.float32
    assert x.shape == (len(MEASUREMENTS) + 2,)  # sex is one-hot: female, male
    assert y.dtype == torch.int64
    assert y.shape == ()


def test_numeric_targets_are_float32_vectors(regression):
    x, y = regression["validation"][0]
    assert x.dtype == y.dtype == torch.float32
    assert y.shape == (1,)


def test_item_is_a_pure_function_of_the_index(classification):
    dataset = classification["train"]
    x_first, y_first = dataset[5]
    _ = dataset[17]
    x_again, y_again = dataset[5]
    assert torch.equal(x_first, x_again)
    assert torch.equal(y_first, y_again)
    assert not torch.equal(dataset[5][0], dataset[6][0])


def test_features_are_standardised_with_training_statistics(classification, table):
    train, validation = classification["train"], classification["validation"]
    train_rows = table.loc[train.frame.index]
    for position, column in enumerate(MEASUREMENTS):
        assert train.feature_mean[position].item() == pytest.approx(train_rows[column].mean())
        assert train.feature_std[position].item() == pytest.approx(train_rows[column].std(ddof=0))
    # The validation split reuses the training statistics: no leakage.
    assert torch.equal(validation.feature_mean, train.feature_mean)
    assert torch.equal(validation.feature_std, train.feature_std)
    numeric = train.x[:, : len(MEASUREMENTS)]
    assert torch.allclose(numeric.mean(dim=0), torch.zeros(len(MEASUREMENTS)), atol=1e-5)
    assert torch.allclose(numeric.std(dim=0, unbiased=False), torch.ones(len(MEASUREMENTS)))


def test_validation_statistics_would_differ(classification):
    # Guards the test above: if the splits had equal statistics, it would prove nothing.
    validation = classification["validation"]
    validation_mean = torch.tensor(validation.frame[MEASUREMENTS].mean().to_numpy())
    assert not torch.allclose(validation_mean.float(), validation.feature_mean[:4])


def test_class_indices_decode_to_species_names(classification):
    dataset = classification["validation"]
    assert dataset.class_names == ["Adelie", "Chinstrap", "Gentoo"]
    decoded = [dataset.class_names[int(index)] for index in dataset.y]
    assert decoded == list(dataset.frame["species"])


def test_one_hot_columns_round_trip(classification):
    dataset = classification["train"]
    assert dataset.feature_names[-2:] == ["sex=female", "sex=male"]
    one_hot = dataset.x[:, -2:]
    assert torch.equal(one_hot.sum(dim=1), torch.ones(len(dataset)))
    decoded = [dataset.categories["sex"][int(index)] for index in one_hot.argmax(dim=1)]
    assert decoded == list(dataset.frame["sex"])


def test_standardised_targets_convert_back_to_grams(regression):
    dataset = regression["validation"]
    grams = dataset.y * dataset.target_std + dataset.target_mean
    expected = torch.tensor(dataset.frame["body_mass_g"].to_numpy(), dtype=torch.float32)
    assert torch.allclose(grams[:, 0], expected, atol=0.05)


def test_transform_features_matches_the_items(classification):
    dataset = classification["validation"]
    assert torch.allclose(dataset.transform_features(dataset.frame.iloc[:3]), dataset.x[:3])


def test_works_with_worker_processes(classification):
    dataset = classification["train"]
    loader = DataLoader(dataset, batch_size=64, num_workers=2)
    x, y = torch.cat([x for x, _ in loader]), torch.cat([y for _, y in loader])
    assert torch.equal(x, dataset.x)
    assert torch.equal(y, dataset.y)


@pytest.mark.parametrize(
    ("features", "targets", "bad"),
    [
        (["bill_length"], ["species"], "'bill_length'"),
        (["bill_length_mm"], ["specie"], "'specie'"),
        ([], ["species"], "features is empty"),
        (["bill_length_mm"], [], "targets is empty"),
        (["bill_length_mm", "sex"], ["sex"], "'sex'"),
        (["bill_length_mm", "bill_length_mm"], ["species"], "twice"),
        (["bill_length_mm"], ["species", "body_mass_g"], "'species'"),
    ],
)
def test_bad_column_selection_names_the_problem_and_the_valid_columns(features, targets, bad):
    with pytest.raises(ValueError, match=bad) as error:
        PenguinDataset(features, targets)
    assert str(list(COLUMNS)) in str(error.value)


def test_a_single_string_instead_of_a_list_is_a_type_error():
    with pytest.raises(TypeError, match=r"\['species'\]"):
        PenguinDataset(["bill_length_mm"], "species")  # type: ignore[arg-type]


def test_unknown_split_is_rejected():
    with pytest.raises(ValueError, match=r"'valid'.*'train', 'validation'"):
        PenguinDataset(["bill_length_mm"], ["species"], split="valid")  # type: ignore[arg-type]


def test_transform_features_rejects_unknown_categories_and_missing_columns(classification):
    dataset = classification["train"]
    row = dataset.frame.iloc[:1].copy()
    with pytest.raises(ValueError, match=r"'Male'.*'female', 'male'"):
        dataset.transform_features(row.assign(sex="Male"))
    with pytest.raises(ValueError, match="flipper_length_mm"):
        dataset.transform_features(row.drop(columns="flipper_length_mm"))


def test_transform_features_names_the_column_and_row_of_a_missing_measurement(classification):
    dataset = classification["train"]
    rows = dataset.frame.iloc[:3].copy()
    rows.loc[rows.index[1], "bill_depth_mm"] = float("nan")
    with pytest.raises(ValueError, match=rf"bill_depth_mm in row {rows.index[1]} is missing"):
        dataset.transform_features(rows)
    rows = dataset.frame.iloc[:3].copy()
    rows.loc[rows.index[2], "sex"] = None
    with pytest.raises(ValueError, match=rf"sex in row {rows.index[2]} is missing"):
        dataset.transform_features(rows)


def test_transform_features_names_an_infinite_measurement(classification):
    dataset = classification["train"]
    rows = dataset.frame.iloc[:2].copy()
    rows.loc[rows.index[0], "flipper_length_mm"] = float("inf")
    with pytest.raises(ValueError, match=rf"flipper_length_mm in row {rows.index[0]} is inf"):
        dataset.transform_features(rows)


@pytest.mark.parametrize(
    ("features", "message"),
    [
        (None, r"features must be a list of column names \(in order\).*got NoneType"),
        ({"bill_length_mm"}, "got set"),
        (["bill_length_mm", 3], r"features must hold column names \(str\), got 3"),
    ],
    ids=["None", "a set", "a number"],
)
def test_columns_that_are_not_a_list_of_names_are_a_type_error(features, message):
    with pytest.raises(TypeError, match=message):
        PenguinDataset(features, ["species"])


@pytest.mark.parametrize(
    ("seed", "error", "message"),
    [
        (1.5, TypeError, r"seed should be an int, got float \(1\.5\)"),
        (-1, ValueError, r"seed should be between 0 and 2\*\*32 - 1, got -1"),
        (2**32, ValueError, "got 4294967296"),
    ],
)
def test_bad_seed_is_named(seed, error, message):
    with pytest.raises(error, match=message):
        PenguinDataset(["bill_length_mm"], ["species"], seed=seed)


def test_split_rows_refuses_something_that_is_not_a_table():
    with pytest.raises(TypeError, match=r"table should be a pandas DataFrame.*got list"):
        split_rows([1, 2, 3])  # type: ignore[arg-type]


def test_split_rows_names_a_missing_column(table):
    with pytest.raises(ValueError, match="table has no column 'sex'"):
        split_rows(table.drop(columns="sex"))


def test_split_rows_says_when_a_group_is_too_small(table):
    with pytest.raises(ValueError, match=r"table has 3 female Adelie penguins; .* holds out 20"):
        split_rows(table.drop(table.query("species == 'Adelie' and sex == 'female'").index[3:]))


def test_split_rows_needs_a_training_penguin_in_every_group(table):
    group = table.query("species == 'Chinstrap' and sex == 'male'").index
    with pytest.raises(ValueError, match=r"table has 20 male Chinstrap .* trains on the rest"):
        split_rows(table.drop(group[20:]))


def test_an_index_out_of_range_names_the_range(classification):
    dataset = classification["validation"]
    with pytest.raises(IndexError, match=r"index 60 is out of range .* 60 penguins .* \(0 to 59\)"):
        dataset[60]
    assert torch.equal(dataset[-1][0], dataset[59][0])


def test_an_index_that_is_not_an_int_is_a_type_error(classification):
    with pytest.raises(TypeError, match=r"index should be an int, got float \(1\.0\)"):
        classification["train"][1.0]


def test_transform_features_refuses_something_that_is_not_a_table(classification):
    with pytest.raises(TypeError, match=r"rows should be a pandas DataFrame .* got dict"):
        classification["train"].transform_features({"bill_length_mm": 40.0})
