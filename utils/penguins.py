"""The Palmer penguins table as a PyTorch ``Dataset``, with a fixed train/validation/test split.

The table ships with the ``palmerpenguins`` package, so nothing is downloaded.
Rows with a missing value are dropped. The validation split holds
``VALIDATION_PER_GROUP`` penguins of each species and sex (10 females and 10
males of each of the three species, 60 in all), the test split another
``TEST_PER_GROUP`` of each (60 more); the other 213 are for training.

Example::

    from utils.penguins import PenguinDataset

    features = ["bill_length_mm", "bill_depth_mm"]
    train_set = PenguinDataset(features, ["species"], split="train")
    x, y = train_set[0]  # float32 tensor of shape (2,), int64 class index
    train_set.class_names[int(y)]  # "Adelie", "Chinstrap" or "Gentoo"
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, TypeAlias

import numpy as np
import pandas as pd
import torch
from palmerpenguins import load_penguins
from torch import Tensor
from torch.utils.data import Dataset

CATEGORICAL_COLUMNS = ("species", "island", "sex")
NUMERIC_COLUMNS = ("bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g", "year")
COLUMNS = CATEGORICAL_COLUMNS + NUMERIC_COLUMNS
SPLITS = ("train", "validation", "test")
VALIDATION_PER_GROUP = 10
TEST_PER_GROUP = 10
SPLIT_SEED = 123  # the original course's seed
MAX_SEED = 2**32 - 1  # NumPy's RandomState takes seeds up to this
Index: TypeAlias = int | slice


def _check_seed(seed: object) -> int:
    """Return ``seed`` as an int if NumPy's legacy generator takes it; raise naming it."""
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise TypeError(f"seed should be an int, got {type(seed).__name__} ({seed!r}).")
    if not 0 <= seed <= MAX_SEED:
        raise ValueError(f"seed should be between 0 and 2**32 - 1, got {seed}.")
    return int(seed)


def load_penguin_table() -> pd.DataFrame:
    """Return the penguins table without the rows that have a missing value.

    The index keeps each penguin's row number in the original table of 344, so
    rows can be traced back to it.
    """
    return load_penguins().dropna()


def split_rows(table: pd.DataFrame, seed: int = SPLIT_SEED) -> dict[str, pd.DataFrame]:
    """Split the table into training, validation and test rows, stratified by species and sex.

    ``VALIDATION_PER_GROUP`` penguins of each species and sex are held out for
    validation. With the default seed these are the same 60 penguins that the
    original ICCS course held out, so results can be compared with it. Then
    ``TEST_PER_GROUP`` more of each are held out for the test, drawn by the same
    generator once every validation penguin is chosen.

    Parameters
    ----------
    table
        The penguins table, as returned by :func:`load_penguin_table`.
    seed
        Seeds the draw of the validation penguins.

    Returns
    -------
    dict[str, pandas.DataFrame]
        ``{"train": ..., "validation": ..., "test": ...}``, each in the table's row order.

    Raises
    ------
    TypeError
        If ``table`` is not a DataFrame or ``seed`` not an int.
    ValueError
        If ``table`` lacks the species or sex column, has too few penguins of a
        species and sex, or ``seed`` is outside 0 .. 2**32 - 1.
    """
    if not isinstance(table, pd.DataFrame):
        raise TypeError(
            f"table should be a pandas DataFrame, as load_penguin_table() returns, got "
            f"{type(table).__name__}."
        )
    missing = [column for column in ("species", "sex") if column not in table.columns]
    if missing:
        raise ValueError(f"table has no column {missing[0]!r}; it needs 'species' and 'sex'.")
    seed = _check_seed(seed)
    # Order the rows by their values alone, then draw with NumPy's legacy
    # generator, whose numbers are frozen across NumPy versions: the split is
    # the same on every machine.
    ordered = table.sort_values(sorted(table.columns), kind="stable")
    generator = np.random.RandomState(seed)
    groups = list(ordered.groupby(["species", "sex"], sort=True))
    held_out = VALIDATION_PER_GROUP + TEST_PER_GROUP
    for (species, sex), group in groups:
        if len(group) <= held_out:
            raise ValueError(
                f"table has {len(group)} {sex} {species} penguins; the split holds out "
                f"{held_out} of each species and sex and trains on the rest, so it needs more."
            )
    # Validation first, exactly as the original course drew it; then the test penguins
    # from those left, with the same generator.
    validation: list[int] = []
    for _, group in groups:
        chosen = generator.choice(len(group), size=VALIDATION_PER_GROUP, replace=False)
        validation.extend(group.index[chosen])
    test: list[int] = []
    for _, group in groups:
        left = group.index[~group.index.isin(validation)]
        test.extend(left[generator.choice(len(left), size=TEST_PER_GROUP, replace=False)])
    is_validation, is_test = table.index.isin(validation), table.index.isin(test)
    return {
        "train": table[~is_validation & ~is_test],
        "validation": table[is_validation],
        "test": table[is_test],
    }


def _check_columns(features: Sequence[str], targets: Sequence[str]) -> None:
    """Raise a clear error for a column selection the dataset cannot use."""
    for role, columns in (("features", features), ("targets", targets)):
        if isinstance(columns, str):
            raise TypeError(f"{role} must be a list of column names, e.g. [{columns!r}].")
        if not isinstance(columns, Sequence):
            raise TypeError(
                f"{role} must be a list of column names (in order), e.g. ['bill_length_mm'], "
                f"got {type(columns).__name__}; valid columns are {list(COLUMNS)}."
            )
        if len(columns) == 0:
            raise ValueError(f"{role} is empty; choose at least one of {list(COLUMNS)}.")
        for column in columns:
            if not isinstance(column, str):
                raise TypeError(
                    f"{role} must hold column names (str), got {column!r}; valid columns are "
                    f"{list(COLUMNS)}."
                )
            if column not in COLUMNS:
                raise ValueError(
                    f"Unknown column {column!r} in {role}; valid columns are {list(COLUMNS)}."
                )
        if len(set(columns)) != len(columns):
            raise ValueError(
                f"{role} lists a column twice: {list(columns)}; valid columns are {list(COLUMNS)}."
            )
    for column in features:
        if column in targets:
            raise ValueError(
                f"Column {column!r} is both a feature and a target; a model must not be "
                f"given the answer. Valid columns are {list(COLUMNS)}."
            )
    categorical_targets = [column for column in targets if column in CATEGORICAL_COLUMNS]
    if categorical_targets and len(targets) > 1:
        raise ValueError(
            f"A categorical target ({categorical_targets[0]!r}) must be the only target, "
            f"got {list(targets)}. Valid columns are {list(COLUMNS)}."
        )


class PenguinDataset(Dataset[tuple[Tensor, Tensor]]):
    """Palmer penguins, one penguin per item: ``(features, target)``.

    Categorical features (species, island, sex) are one-hot encoded, one column
    per category. Numeric features are standardised, ``(value - mean) / std``,
    with the mean and (population) standard deviation of the *training* split,
    whichever split this is, so that nothing leaks from the validation or test data.

    A categorical target (e.g. ``["species"]``) comes out as a class index
    (int64, shape ``()``), ready for ``nn.CrossEntropyLoss``. Numeric targets
    come out standardised like the features (float32, shape ``(len(targets),)``);
    undo that with ``y * target_std + target_mean``.

    Parameters
    ----------
    features
        Columns to feed the model, from ``COLUMNS``.
    targets
        Columns to predict: one categorical column, or one or more numeric ones.
    split
        ``"train"``, ``"validation"`` or ``"test"``. Keep the test split for one
        final measurement, after every choice has been made with the validation split.
    seed
        Seeds the choice of validation and test penguins; keep the default to
        compare results with others.

    Attributes
    ----------
    features, targets : list[str]
        The chosen columns.
    frame : pandas.DataFrame
        This split's rows of the table, unencoded, for exploring.
    x, y : Tensor
        Every item's features and target at once, stacked along the first axis.
    feature_names : list[str]
        The name of each entry of a feature vector, e.g. ``"sex=male"``.
    feature_mean, feature_std : Tensor
        Training statistics used to standardise each feature (0 and 1 for
        one-hot columns); :meth:`transform_features` applies them to new rows.
    categories : dict[str, list[str]]
        The categories of each categorical column, in encoding order.
    class_names : list[str]
        The categories of a categorical target, in class-index order (empty for
        numeric targets).
    target_mean, target_std : Tensor
        Training statistics of numeric targets (empty for a categorical target).

    Raises
    ------
    ValueError
        If a column is unknown, a selection is empty or repeats a column, a
        column is both a feature and a target, a categorical target is not the
        only target, ``split`` is unknown, or ``seed`` is outside 0 .. 2**32 - 1.
    TypeError
        If ``features`` or ``targets`` is a single string or not a list of strings,
        or ``seed`` is not an int.
    """

    def __init__(
        self,
        features: Sequence[str],
        targets: Sequence[str],
        split: Literal["train", "validation", "test"] = "train",
        seed: int = SPLIT_SEED,
    ) -> None:
        _check_columns(features, targets)
        if not isinstance(split, str) or split not in SPLITS:
            raise ValueError(f"Unknown split {split!r}; valid splits are {list(SPLITS)}.")
        seed = _check_seed(seed)
        table = load_penguin_table()
        splits = split_rows(table, seed)
        self.features, self.targets, self.split = list(features), list(targets), split
        self.frame = splits[split]
        self.categories = {column: sorted(table[column].unique()) for column in CATEGORICAL_COLUMNS}

        train_x, self.feature_names = _encode(splits["train"], self.features, self.categories)
        self.feature_mean, self.feature_std = _statistics(train_x, self.feature_names)
        self.x = self.transform_features(self.frame)

        self.class_names: list[str] = []
        if self.targets[0] in CATEGORICAL_COLUMNS:
            self.class_names = self.categories[self.targets[0]]
            codes = pd.Categorical(self.frame[self.targets[0]], categories=self.class_names).codes
            self.y = torch.tensor(codes, dtype=torch.int64)
            self.target_mean = self.target_std = torch.zeros(0)
        else:
            train_y, _ = _encode(splits["train"], self.targets, self.categories)
            self.target_mean, self.target_std = _statistics(train_y, self.targets)
            y, _ = _encode(self.frame, self.targets, self.categories)
            self.y = ((torch.tensor(y) - self.target_mean) / self.target_std).float()

    def __len__(self) -> int:
        """Return the number of penguins in this split."""
        return len(self.frame)

    def __getitem__(self, index: Index) -> tuple[Tensor, Tensor]:
        """Return the features and target of penguin number ``index`` of this split.

        Raises
        ------
        TypeError
            If ``index`` is not an int (or a slice).
        IndexError
            If ``index`` is out of range.
        """
        if isinstance(index, bool) or not isinstance(index, int | np.integer | slice):
            raise TypeError(f"index should be an int, got {type(index).__name__} ({index!r}).")
        if not isinstance(index, slice) and not -len(self) <= index < len(self):
            raise IndexError(
                f"index {index} is out of range for the {len(self)} penguins of the "
                f"{self.split} split (0 to {len(self) - 1})."
            )
        return self.x[index], self.y[index]

    def transform_features(self, rows: pd.DataFrame) -> Tensor:
        """Encode and standardise the feature columns of ``rows``, as for the items.

        Use it to feed a trained model new measurements: a ``DataFrame`` with
        one row per penguin and (at least) the feature columns.

        Raises
        ------
        TypeError
            If ``rows`` is not a DataFrame.
        ValueError
            If a feature column is missing, a measurement is missing (NaN) or not finite,
            or a categorical value is unknown. The message names the column and the row.
        """
        if not isinstance(rows, pd.DataFrame):
            raise TypeError(
                f"rows should be a pandas DataFrame with the columns {self.features}, got "
                f"{type(rows).__name__}; e.g. pd.DataFrame([{{...}}]) for one penguin."
            )
        missing = [column for column in self.features if column not in rows.columns]
        if missing:
            raise ValueError(f"rows lacks the feature column(s) {missing}; needs {self.features}.")
        for column in self.features:
            if column in self.categories:
                bad = rows[column].isna()
            else:
                numbers = pd.to_numeric(rows[column], errors="coerce").to_numpy(dtype=np.float64)
                bad = pd.Series(~np.isfinite(numbers), index=rows.index)
            if bad.any():
                row = bad[bad].index[0]
                value = rows.at[row, column]
                # pandas stores a missing value as None or NaN, depending on its version.
                shown = "missing" if pd.isna(value) else repr(float(value))
                row = row.item() if isinstance(row, np.generic) else row
                raise ValueError(
                    f"{column} in row {row!r} is {shown}; every feature needs "
                    "a finite value (drop or fill incomplete rows first, e.g. rows.dropna())."
                )
        values, _ = _encode(rows, self.features, self.categories)
        return ((torch.tensor(values) - self.feature_mean) / self.feature_std).float()


def _encode(
    rows: pd.DataFrame, columns: list[str], categories: dict[str, list[str]]
) -> tuple[np.ndarray, list[str]]:
    """Return ``columns`` of ``rows`` as numbers (one-hot for categories) and their names."""
    blocks, names = [], []
    for column in columns:
        if column in categories:
            unknown = sorted(set(rows[column]) - set(categories[column]))
            if unknown:
                raise ValueError(
                    f"Unknown {column} {unknown[0]!r}; valid values are {categories[column]}."
                )
            for category in categories[column]:
                blocks.append(rows[column] == category)
                names.append(f"{column}={category}")
        else:
            blocks.append(rows[column])
            names.append(column)
    return pd.concat(blocks, axis=1).to_numpy(dtype=np.float64), names


def _statistics(values: np.ndarray, names: list[str]) -> tuple[Tensor, Tensor]:
    """Return the mean and population std of each column; 0 and 1 for one-hot columns."""
    numeric = np.array([name in NUMERIC_COLUMNS for name in names])
    mean = np.where(numeric, values.mean(axis=0), 0.0)
    std = np.where(numeric, values.std(axis=0), 1.0)
    return torch.tensor(mean, dtype=torch.float32), torch.tensor(std, dtype=torch.float32)
