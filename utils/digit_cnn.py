"""The small MNIST CNN of notebook 03, ready to import: notebook 05 deploys it.

Notebook 03 has learners write this network themselves; notebook 05 is about
what happens *after* training, so it imports it from here. A checkpoint stores
only the constructor's arguments and the weights, and this class rebuilds the
model from them::

    from utils.digit_cnn import DigitCNN

    model = DigitCNN(channels=(16, 32), dropout=0.2)
"""

from __future__ import annotations

import torch
from torch import nn

IMAGE_SHAPE = (1, 28, 28)  # channels, height, width of one MNIST digit
NUMBER_OF_CLASSES = 10


def conv_block(in_channels: int, out_channels: int) -> nn.Sequential:
    """Return a 3 × 3 convolution that keeps height and width, then BatchNorm and ReLU.

    Parameters
    ----------
    in_channels, out_channels
        The number of feature maps in and out.

    Returns
    -------
    nn.Sequential
        ``Conv2d`` (no bias: BatchNorm adds its own), ``BatchNorm2d``, ``ReLU``.
    """
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1, bias=False),
        nn.BatchNorm2d(out_channels),
        nn.ReLU(),
    )


class DigitCNN(nn.Module):
    """Two convolutional blocks and a linear classifier for 28 × 28 greyscale digits.

    Each block is two ``conv_block`` s and a 2 × 2 max-pooling (28 → 14 → 7); the
    classifier flattens the feature maps, applies dropout and a ``Linear`` layer
    with one score (logit) per digit.

    Parameters
    ----------
    channels
        The number of feature maps in the first and the second block.
    dropout
        The probability of zeroing each feature before the ``Linear`` layer, in
        training mode only.

    Raises
    ------
    ValueError
        If ``channels`` is not two positive integers, or ``dropout`` is not in [0, 1).
    """

    def __init__(self, channels: tuple[int, int] = (16, 32), dropout: float = 0.2) -> None:
        super().__init__()
        channels = tuple(channels)
        if len(channels) != 2 or not all(
            isinstance(number, int) and number > 0 for number in channels
        ):
            raise ValueError(f"channels should be two positive integers, got {channels!r}.")
        if not 0 <= dropout < 1:
            raise ValueError(f"dropout should be a probability in [0, 1), got {dropout!r}.")
        first, second = channels
        self.features = nn.Sequential(
            conv_block(1, first),
            conv_block(first, first),
            nn.MaxPool2d(2),  # 28 × 28 -> 14 × 14
            conv_block(first, second),
            conv_block(second, second),
            nn.MaxPool2d(2),  # 14 × 14 -> 7 × 7
        )
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Dropout(dropout),
            nn.Linear(second * 7 * 7, NUMBER_OF_CLASSES),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return the scores (logits), shape (N, 10), of images of shape (N, 1, 28, 28)."""
        return self.classifier(self.features(x))
