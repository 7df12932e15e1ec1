"""Draw the lecture's figures (SVG) with NumPy and matplotlib: ``python -m tools.figures [DIR]``.

Each figure is computed, not drawn by hand: the straight line is fitted to notebook 00's
three points, the learning-rate curves are real gradient descent on them, the
convolutions are computed with :func:`numpy.convolve`, over-fitting and its cures are
gradient descent on a small seeded toy problem (:func:`toy_regression`), and Adam is run
against plain gradient descent on a seeded two-input line (:func:`optimiser_race`).
``tools/slides.py`` calls :func:`draw_all` when it builds the deck; nothing is written into
the repository.
"""

from __future__ import annotations

import argparse
import itertools
from collections.abc import Callable
from pathlib import Path

import numpy as np

from tools.command_line import output_folder, run

# Notebook 00's data.
X = np.array([1.0, 2.0, 3.0])
Y = np.array([2.1, 3.9, 6.2])
LEARNING_RATES = (0.01, 0.1, 0.19)
COLOURS = ("tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple")


def _figure(width: float = 6.4, height: float = 3.6):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"font.size": 13, "svg.fonttype": "none", "axes.spines.top": False})
    plt.rcParams["axes.spines.right"] = False
    return plt.subplots(figsize=(width, height), layout="constrained")


def gradient_descent(learning_rate: float, num_steps: int = 60) -> np.ndarray:
    """Return the MSE at each step of gradient descent on notebook 00's points, from m = c = 0."""
    m = c = 0.0
    losses = []
    for _ in range(num_steps):
        residual = Y - (m * X + c)
        losses.append(np.mean(residual**2))
        m -= learning_rate * (-2 * np.mean(X * residual))
        c -= learning_rate * (-2 * np.mean(residual))
    return np.array(losses)


def straight_line(path: Path) -> None:
    """The three points, the least-squares line and the residuals."""
    m, c = np.polyfit(X, Y, deg=1)
    fig, ax = _figure(5.5, 3.6)
    grid = np.linspace(0.5, 3.5, 2)
    ax.plot(grid, m * grid + c, color=COLOURS[0], label=f"y = {m:.4f} x {c:+.4f}")
    ax.vlines(X, Y, m * X + c, colors=COLOURS[3], linestyles="dotted", label="residuals")
    ax.plot(X, Y, "o", color="black", label="data")
    ax.set(xlabel="x", ylabel="y")
    ax.legend(frameon=False)
    fig.savefig(path)


def learning_rates(path: Path) -> None:
    """Loss against step for a slow, a good and a diverging learning rate."""
    fig, ax = _figure(6.4, 3.6)
    for learning_rate, colour, style in zip(
        LEARNING_RATES, COLOURS, ("-", "--", ":"), strict=False
    ):
        ax.plot(
            gradient_descent(learning_rate), style, color=colour, label=f"l_r = {learning_rate}"
        )
    ax.set(xlabel="step", ylabel="MSE (log scale)", yscale="log")
    ax.legend(frameon=False)
    fig.savefig(path)


def activations(path: Path) -> None:
    """Sigmoid, tanh and ReLU."""
    z = np.linspace(-4, 4, 200)
    fig, ax = _figure(5.5, 3.2)
    curves = {"sigmoid": 1 / (1 + np.exp(-z)), "tanh": np.tanh(z), "ReLU": np.maximum(z, 0)}
    for (name, values), colour, style in zip(
        curves.items(), COLOURS, ("-", "--", ":"), strict=False
    ):
        ax.plot(z, values, style, color=colour, label=name, linewidth=2)
    ax.set(xlabel="z", ylabel="σ(z)", ylim=(-1.2, 2.2))
    ax.legend(frameon=False)
    fig.savefig(path)


def network(path: Path) -> None:
    """A fully-connected network: 4 inputs, two hidden layers of 6, 3 outputs."""
    fig, ax = _figure(6.4, 3.6)
    sizes = (4, 6, 6, 3)
    names = ("input a₀", "hidden a₁", "hidden a₂", "output a₃")
    positions = [
        [(layer, (size - 1) / 2 - row) for row in range(size)] for layer, size in enumerate(sizes)
    ]
    for left, right in itertools.pairwise(positions):
        for x0, y0 in left:
            for x1, y1 in right:
                ax.plot([x0, x1], [y0, y1], color="0.75", linewidth=0.6, zorder=1)
    for layer, nodes in enumerate(positions):
        ax.scatter(
            *zip(*nodes, strict=True), s=260, color=COLOURS[layer], zorder=2, edgecolor="black"
        )
        ax.text(layer, -3.6, names[layer], ha="center")
    ax.set_axis_off()
    fig.savefig(path)


def convolution_1d(path: Path) -> None:
    """A signal, a smoothing kernel, and their convolution."""
    signal = np.array([0, 0, 1, 3, 1, 0, 0, 2, 2, 2, 0, 0], dtype=float)
    kernel = np.array([1, 2, 1]) / 4
    output = np.convolve(signal, kernel, mode="same")
    fig, ax = _figure(6.4, 3.2)
    positions = np.arange(len(signal))
    ax.bar(positions - 0.2, signal, width=0.4, color=COLOURS[0], label="input")
    ax.bar(positions + 0.2, output, width=0.4, color=COLOURS[1], hatch="//", label="output")
    ax.set(xlabel="position", ylabel="value", title="kernel [¼, ½, ¼]")
    ax.legend(frameon=False)
    fig.savefig(path)


def convolution_2d(path: Path) -> None:
    """A 6×6 image, a 3×3 edge kernel, and the 4×4 output, each number written in its cell."""
    image = np.zeros((6, 6), dtype=int)
    image[:, 3:] = 1
    kernel = np.array([[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]])
    output = np.array(
        [[np.sum(image[i : i + 3, j : j + 3] * kernel) for j in range(4)] for i in range(4)]
    )
    fig, axes = _figure(7.5, 3.0)
    fig.clear()
    axes = fig.subplots(1, 3, width_ratios=(6, 3, 4))
    for ax, array, title in zip(
        axes, (image, kernel, output), ("input", "kernel", "output"), strict=True
    ):
        ax.imshow(array, cmap="cividis")
        for (i, j), value in np.ndenumerate(array):
            ax.text(
                j, i, str(value), ha="center", va="center", color="white" if value < 1 else "black"
            )
        ax.set_title(title)
        ax.set_xticks([])
        ax.set_yticks([])
    axes[0].add_patch(_window(0.5, -0.5))
    fig.savefig(path)


def _window(x: float, y: float):
    from matplotlib.patches import Rectangle

    return Rectangle((x, y), 3, 3, fill=False, edgecolor="tab:red", linewidth=3)


def equivariance(path: Path) -> None:
    """Shift the input by three positions: the convolution's output shifts by three too."""
    signal = np.zeros(16)
    signal[3:6] = [1, 3, 1]
    kernel = np.array([1, 2, 1]) / 4
    fig, axes = _figure(6.4, 3.4)
    fig.clear()
    axes = fig.subplots(2, 1, sharex=True)
    for ax, shift in zip(axes, (0, 3), strict=True):
        shifted = np.roll(signal, shift)
        ax.step(np.arange(16), shifted, where="mid", color=COLOURS[0], label="input")
        ax.plot(np.convolve(shifted, kernel, mode="same"), "o--", color=COLOURS[1], label="output")
        ax.set_ylabel(f"shift {shift}")
    axes[0].legend(frameon=False, ncols=2)
    axes[1].set_xlabel("position")
    fig.savefig(path)


def cnn(path: Path) -> None:
    """A typical CNN: convolution and pooling blocks, then fully-connected layers."""
    from matplotlib.patches import FancyBboxPatch

    fig, ax = _figure(8.0, 2.6)
    blocks = (
        ("image\n1×28×28", COLOURS[0]),
        ("conv 3×3\n+ ReLU", COLOURS[1]),
        ("max-pool\n2×2", COLOURS[2]),
        ("conv 3×3\n+ ReLU", COLOURS[1]),
        ("max-pool\n2×2", COLOURS[2]),
        ("flatten", COLOURS[4]),
        ("linear\n→ 10 logits", COLOURS[3]),
    )
    for index, (label, colour) in enumerate(blocks):
        ax.add_patch(
            FancyBboxPatch(
                (index * 1.5, 0), 1.2, 1, boxstyle="round,pad=0.05", color=colour, alpha=0.35
            )
        )
        ax.text(index * 1.5 + 0.6, 0.5, label, ha="center", va="center", fontsize=11)
        if index:
            ax.annotate(
                "",
                (index * 1.5 - 0.05, 0.5),
                (index * 1.5 - 0.25, 0.5),
                arrowprops={"arrowstyle": "->"},
            )
    ax.set(xlim=(-0.2, len(blocks) * 1.5), ylim=(-0.2, 1.2))
    ax.set_axis_off()
    fig.savefig(path)


def ellipse(path: Path) -> None:
    """One random ellipse image like notebook 04's, with its four targets marked."""
    rng = np.random.default_rng(4)
    size = 64
    x_c, y_c, r_x, r_y = 30.0, 34.0, 18.0, 10.0
    rows, columns = np.mgrid[:size, :size]
    inside = ((columns - x_c) / r_x) ** 2 + ((rows - y_c) / r_y) ** 2 <= 1
    background, foreground = rng.integers(0, 256, size=(2, 3))
    image = np.where(inside[..., None], foreground, background).astype(np.uint8)
    fig, ax = _figure(4.2, 3.6)
    ax.imshow(image)
    ax.plot([x_c], [y_c], "k+", markersize=14)
    ax.annotate(
        "", (x_c + r_x, y_c), (x_c, y_c), arrowprops={"arrowstyle": "<->", "color": "black"}
    )
    ax.annotate(
        "", (x_c, y_c - r_y), (x_c, y_c), arrowprops={"arrowstyle": "<->", "color": "black"}
    )
    ax.text(x_c + r_x / 2, y_c + 4, "r_x", ha="center")
    ax.text(x_c + 2, y_c - r_y / 2, "r_y")
    ax.text(x_c - 9, y_c + 6, "(x_c, y_c)", fontsize=10)
    ax.set(xlabel="x (pixels)", ylabel="y (pixels)")
    fig.savefig(path)


# A toy problem for over-fitting: y = sin(2πx) + noise, a model with many adjustable weights.
NOISE = 0.3
NUM_BUMPS = 50
BUMP_WIDTH = 0.1
NUM_TOY_TRAIN = 15
NUM_TOY_VALIDATION = 1000
TOY_EPOCHS = 20_000
WEIGHT_DECAY = 0.01
TOY_SIZES = (10, 20, 40, 80, 160, 320)
TOY_SEEDS = 5
ADAM_LEARNING_RATE = 0.1


def bumps(x: np.ndarray) -> np.ndarray:
    """Return the toy model's features: ``NUM_BUMPS`` Gaussian bumps over [0, 1], one per column."""
    centres = np.linspace(0, 1, NUM_BUMPS)
    return np.exp(-0.5 * ((x[:, None] - centres) / BUMP_WIDTH) ** 2)


def toy_data(num_points: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Return ``num_points`` noisy samples of sin(2πx): the features and the targets."""
    x = rng.uniform(0, 1, num_points)
    return bumps(x), np.sin(2 * np.pi * x) + NOISE * rng.normal(size=num_points)


def gradient_descent_weights(
    features: np.ndarray, targets: np.ndarray, epochs: np.ndarray, weight_decay: float = 0.0
) -> np.ndarray:
    """Return the weights after each number of ``epochs`` of full-batch gradient descent.

    The loss is the MSE plus ``weight_decay`` times the squared weights, from zero weights,
    with the learning rate 1 / (largest curvature). For this quadratic loss the weights after
    t steps have a closed form along each eigenvector of the curvature (step by step they are
    the same, to rounding): ``w_t = Σ (1 − (1 − l_r λ)^t) / λ · v (v · b)``.

    Returns
    -------
    numpy.ndarray
        One row of weights per entry of ``epochs``.
    """
    num_points, num_features = features.shape
    curvature = 2 * features.T @ features / num_points + 2 * weight_decay * np.eye(num_features)
    pull = 2 * features.T @ targets / num_points
    eigenvalues, eigenvectors = np.linalg.eigh(curvature)
    eigenvalues = np.clip(eigenvalues, 0, None)
    learning_rate = 1 / eigenvalues.max()
    steps = np.asarray(epochs, dtype=float)[:, None]
    flat = eigenvalues < 1e-12  # no curvature: each step adds l_r times the (zero) pull
    safe = np.where(flat, 1.0, eigenvalues)
    factor = np.where(flat, learning_rate * steps, (1 - (1 - learning_rate * safe) ** steps) / safe)
    return (factor * (eigenvectors.T @ pull)) @ eigenvectors.T


def toy_regression() -> dict[str, np.ndarray]:
    """Return the over-fitting run: training and validation MSE per epoch, with and without decay.

    Keys: ``"epochs"``, ``"training"``, ``"validation"``, ``"training, weight decay"``,
    ``"validation, weight decay"``; then the learning curve against the training-set size,
    ``"sizes"``, ``"training by size"``, ``"validation by size"`` (medians over
    ``TOY_SEEDS`` draws, after ``TOY_EPOCHS`` epochs without decay).
    """
    rng = np.random.default_rng(0)
    train_x, train_y = toy_data(NUM_TOY_TRAIN, rng)
    validation_x, validation_y = toy_data(NUM_TOY_VALIDATION, rng)
    epochs = np.unique(np.geomspace(1, TOY_EPOCHS, 200).astype(int))
    run = {"epochs": epochs}
    for suffix, decay in (("", 0.0), (", weight decay", WEIGHT_DECAY)):
        weights = gradient_descent_weights(train_x, train_y, epochs, decay)
        run["training" + suffix] = np.mean((weights @ train_x.T - train_y) ** 2, axis=1)
        run["validation" + suffix] = np.mean((weights @ validation_x.T - validation_y) ** 2, axis=1)
    by_size: dict[str, list[float]] = {"training by size": [], "validation by size": []}
    for size in TOY_SIZES:
        errors = []
        for seed in range(TOY_SEEDS):
            draw = np.random.default_rng(100 + seed)
            x, y = toy_data(size, draw)
            held_x, held_y = toy_data(NUM_TOY_VALIDATION, draw)
            (weights,) = gradient_descent_weights(x, y, np.array([TOY_EPOCHS]))
            errors.append(
                (np.mean((x @ weights - y) ** 2), np.mean((held_x @ weights - held_y) ** 2))
            )
        training, validation = np.median(np.array(errors), axis=0)
        by_size["training by size"].append(training)
        by_size["validation by size"].append(validation)
    run["sizes"] = np.array(TOY_SIZES)
    run.update({key: np.array(values) for key, values in by_size.items()})
    return run


def over_fitting(path: Path) -> None:
    """Training and validation loss per epoch on the toy problem; early stopping marked."""
    run = toy_regression()
    fig, ax = _figure(6.4, 3.6)
    ax.plot(run["epochs"], run["training"], color=COLOURS[0], label="training")
    ax.plot(run["epochs"], run["validation"], "--", color=COLOURS[1], label="validation")
    best = int(np.argmin(run["validation"]))
    ax.axvline(run["epochs"][best], color="0.5", linestyle=":", label="early stopping")
    ax.axhline(NOISE**2, color="0.75", linewidth=1, label="noise level")
    ax.set(xlabel="epoch (log scale)", ylabel="MSE (log scale)", xscale="log", yscale="log")
    ax.legend(frameon=False, fontsize=11)
    fig.savefig(path)


def over_fitting_cures(path: Path) -> None:
    """Weight decay against the same over-fitting run, and the learning curve against size."""
    run = toy_regression()
    fig, _ = _figure(8.8, 3.4)
    fig.clear()
    left, right = fig.subplots(1, 2)
    left.plot(run["epochs"], run["validation"], "--", color=COLOURS[1], label="no decay")
    left.plot(
        run["epochs"],
        run["validation, weight decay"],
        color=COLOURS[2],
        label=f"weight decay {WEIGHT_DECAY}",
    )
    left.set(xlabel="epoch (log scale)", ylabel="validation MSE", xscale="log", yscale="log")
    left.legend(frameon=False, fontsize=11)
    right.plot(run["sizes"], run["training by size"], "o-", color=COLOURS[0], label="training")
    right.plot(run["sizes"], run["validation by size"], "s--", color=COLOURS[1], label="validation")
    right.axhline(NOISE**2, color="0.75", linewidth=1, label="noise level")
    right.set(
        xlabel="training points (log scale)", ylabel="MSE (log scale)", xscale="log", yscale="log"
    )
    right.legend(frameon=False, fontsize=11)
    fig.savefig(path)


def optimiser_race(num_steps: int = 1000) -> dict[str, np.ndarray]:
    """Return the MSE per step of plain gradient descent and of Adam on a badly scaled line.

    The data: y = 2a + 3b + noise for 20 seeded points, with a in [0, 1] and b given in
    centimetres (0 to 100), so the weight of b is 100 times smaller and its gradient 100
    times larger. Keys: ``"gradient descent"`` (at 0.95 of the largest stable learning rate),
    ``"Adam"`` (learning rate ``ADAM_LEARNING_RATE``, PyTorch's default betas), ``"gradient
    descent, standardised"`` (the same data with both inputs standardised), ``"minimum"``
    (the least-squares MSE).
    """
    rng = np.random.default_rng(0)
    num_points = 20
    a, b = rng.uniform(0, 1, num_points), rng.uniform(0, 1, num_points)
    targets = 2 * a + 3 * b + 0.1 * rng.normal(size=num_points)
    in_centimetres = np.column_stack([a, 100 * b, np.ones(num_points)])
    standardised = np.column_stack(
        [(a - a.mean()) / a.std(), (b - b.mean()) / b.std(), np.ones(num_points)]
    )

    def descend(features: np.ndarray, adam: bool) -> np.ndarray:
        curvature = 2 * features.T @ features / num_points
        learning_rate = (
            ADAM_LEARNING_RATE if adam else 0.95 * 2 / np.linalg.eigvalsh(curvature).max()
        )
        weights = np.zeros(features.shape[1])
        mean, square = np.zeros_like(weights), np.zeros_like(weights)
        losses = []
        for step in range(1, num_steps + 1):
            residual = features @ weights - targets
            losses.append(np.mean(residual**2))
            gradient = 2 * features.T @ residual / num_points
            if not adam:
                weights = weights - learning_rate * gradient
                continue
            mean = 0.9 * mean + 0.1 * gradient
            square = 0.999 * square + 0.001 * gradient**2
            corrected_mean, corrected_square = mean / (1 - 0.9**step), square / (1 - 0.999**step)
            weights = weights - learning_rate * corrected_mean / (np.sqrt(corrected_square) + 1e-8)
        return np.array(losses)

    best, *_ = np.linalg.lstsq(in_centimetres, targets, rcond=None)
    return {
        "gradient descent": descend(in_centimetres, adam=False),
        "Adam": descend(in_centimetres, adam=True),
        "gradient descent, standardised": descend(standardised, adam=False),
        "minimum": np.array(np.mean((in_centimetres @ best - targets) ** 2)),
    }


def adam_against_sgd(path: Path) -> None:
    """MSE per step: gradient descent and Adam on a badly scaled input, and after standardising."""
    race = optimiser_race()
    fig, ax = _figure(6.4, 3.6)
    steps = np.arange(1, len(race["Adam"]) + 1)
    labels = {
        "gradient descent": "gradient descent, b in cm",
        "Adam": f"Adam (l_r = {ADAM_LEARNING_RATE}), b in cm",
        "gradient descent, standardised": "gradient descent, standardised",
    }
    for (key, label), colour, style in zip(labels.items(), COLOURS, ("-", "--", ":"), strict=False):
        excess = np.maximum(race[key] - race["minimum"], 1e-7)  # rounding can dip below zero
        ax.plot(steps, excess, style, color=colour, label=label, linewidth=2)
    ax.set(
        xlabel="step (log scale)",
        ylabel="MSE above its minimum",
        xscale="log",
        yscale="log",
        ylim=(1e-6, 30),
    )
    ax.legend(frameon=False, fontsize=11)
    fig.savefig(path)


FIGURES: dict[str, Callable[[Path], None]] = {
    "straight_line.svg": straight_line,
    "learning_rates.svg": learning_rates,
    "activations.svg": activations,
    "network.svg": network,
    "convolution_1d.svg": convolution_1d,
    "convolution_2d.svg": convolution_2d,
    "equivariance.svg": equivariance,
    "cnn.svg": cnn,
    "ellipse.svg": ellipse,
    "over_fitting.svg": over_fitting,
    "over_fitting_cures.svg": over_fitting_cures,
    "adam.svg": adam_against_sgd,
}


def draw_all(folder: Path) -> list[Path]:
    """Draw every figure into ``folder`` (created if missing) and return their paths.

    Raises
    ------
    ToolError
        If ``folder`` is a file.
    """
    import matplotlib.pyplot as plt

    output_folder(folder).mkdir(parents=True, exist_ok=True)
    paths = []
    for name, draw in FIGURES.items():
        draw(folder / name)
        plt.close("all")
        paths.append(folder / name)
    return paths


def main(argv: list[str] | None = None) -> int:
    """Command line: draw the figures into DIR (default ``slides/_build/figures``); returns 0."""
    parser = argparse.ArgumentParser(prog="python -m tools.figures", description=__doc__)
    parser.add_argument("folder", nargs="?", type=Path, default=Path("slides/_build/figures"))
    for written in draw_all(parser.parse_args(argv).folder):
        print(written)
    return 0


if __name__ == "__main__":
    run(main)
