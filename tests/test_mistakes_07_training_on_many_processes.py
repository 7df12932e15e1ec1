"""Notebook 07's mistake catalogue: each typical slip is caught by the check after its TODO.

Every case puts one slip into a learner region of the solution and runs the notebook up to
the check right after it (tests/mistakes.py). Notebook 07's learner regions sit in
``%%writefile`` cells, which plain ``exec`` cannot run: the case is applied to the
solution first, then each such cell becomes the Python that writes the same file, in a copy
of the notebook (``_notebook_with``). No case reaches a ``torchrun`` launch.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from tests.mistakes import catch_mistake
from utils.torchrun import WRITEFILE

NOTEBOOK = (
    Path(__file__).resolve().parent.parent / "solutions" / "07_training_on_many_processes.ipynb"
)
MUTATED = "# the mistake is in this cell"
INIT = "    dist.init_process_group(backend)  # torchrun's environment says where everyone meets"
WRAP = (
    "    model = model.to(device)\n"
    '    device_ids = [device.index] if device.type == "cuda" else None\n'
    "    return DistributedDataParallel(model, device_ids=device_ids)"
)
SAMPLER = (
    "    sampler = DistributedSampler(\n"
    "        dataset, num_replicas=world_size, rank=rank, shuffle=True, seed=seed\n"
    "    )\n"
    "    loader = DataLoader(dataset, batch_size=batch_size, sampler=sampler)"
)
SET_EPOCH = "        sampler.set_epoch(epoch)  # a new shuffle each epoch, the same on every rank\n"
SAVE = "        if rank == 0:\n            save_progress(folder, model, architecture, epoch + 1)"

MISTAKES = [
    # ---- task 1: start_process_group and wrap_model ---------------------------------------
    ("init-process-group-forgotten", INIT, "    pass", "check_distributed", ("never calls",)),
    (
        "init-process-group-called-twice",
        INIT,
        f"{INIT}\n    dist.init_process_group(backend)",
        "check_distributed",
        ("2 times", "twice"),
    ),
    (
        "nccl-on-the-cpu",
        'backend = "gloo"',
        'backend = "nccl"',
        "check_distributed",
        ("gloo talks between CPUs",),
    ),
    (
        "local-rank-taken-for-the-rank",
        'rank = int(os.environ["RANK"])',
        'rank = int(os.environ["LOCAL_RANK"])',
        "check_distributed",
        ("LOCAL_RANK counts",),
    ),
    (
        "rank-hard-coded",
        'rank = int(os.environ["RANK"])',
        "rank = 0",
        "check_distributed",
        ("os.environ['RANK']",),
    ),
    (
        "world-size-hard-coded",
        'world_size = int(os.environ["WORLD_SIZE"])',
        "world_size = 2",
        "check_distributed",
        ("WORLD_SIZE",),
    ),
    (
        "gpu-chosen-by-global-rank",
        'device = torch.device("cuda", local_rank)',
        'device = torch.device("cuda", rank)',
        "check_distributed",
        ("numbered by its LOCAL_RANK",),
    ),
    (
        "wrapped-before-moved-to-the-device",
        WRAP,
        '    device_ids = [device.index] if device.type == "cuda" else None\n'
        "    return DistributedDataParallel(model, device_ids=device_ids).to(device)",
        "check_distributed",
        ("before moving",),
    ),
    (
        "model-not-wrapped",
        "    return DistributedDataParallel(model, device_ids=device_ids)",
        "    return model",
        "check_distributed",
        ("not wrapped",),
    ),
    (
        "device-ids-on-the-cpu",
        'device_ids = [device.index] if device.type == "cuda" else None',
        "device_ids = [device.index]",
        "check_distributed",
        ("leave device_ids out",),
    ),
    # ---- task 2: make_loader --------------------------------------------------------------
    (
        "no-distributed-sampler",
        SAMPLER,
        "    sampler = None\n    loader = DataLoader(dataset, batch_size=batch_size, shuffle=True)",
        "check_make_loader",
        ("whole data set",),
    ),
    (
        "rank-not-given-to-the-sampler",
        "world_size, rank=rank,",
        "world_size, rank=0,",
        "check_make_loader",
        ("same share",),
    ),
    (
        "sampler-seed-per-rank",
        "shuffle=True, seed=seed",
        "shuffle=True, seed=seed + rank",
        "check_make_loader",
        ("same seed",),
    ),
    (
        "global-batch-per-process",
        "batch_size=batch_size, sampler=sampler",
        "batch_size=batch_size * world_size, sampler=sampler",
        "check_make_loader",
        ("per process",),
    ),
    (
        "sampler-not-shuffled",
        "shuffle=True, seed=seed",
        "shuffle=False, seed=seed",
        "check_make_loader",
        ("not shuffled",),
    ),
    # ---- task 3: fit ----------------------------------------------------------------------
    ("set-epoch-forgotten", SET_EPOCH, "", "check_fit", ("never calls sampler.set_epoch",)),
    (
        "set-epoch-always-zero",
        SET_EPOCH,
        SET_EPOCH.replace("set_epoch(epoch)", "set_epoch(0)"),
        "check_fit",
        ("not [0, 1]",),
    ),
    (
        "every-rank-saves",
        SAVE,
        "        save_progress(folder, model, architecture, epoch + 1)",
        "check_fit",
        ("rank 1 writes",),
    ),
    (
        "resume-ignored",
        "for epoch in range(start_epoch, num_epochs):",
        "for epoch in range(num_epochs):",
        "check_fit",
        ("start_epoch",),
    ),
]


def _notebook_with(old: str, new: str, folder: Path) -> Path:
    """A copy of the solution with ``old`` replaced by ``new`` and no cell magic left."""
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    sources = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    count = sum(source.count(old) for source in sources)
    assert count == 1, f"{old!r} occurs {count} times in the code cells; it must occur once"
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        mutated = old in cell.source
        source = cell.source.replace(old, new)
        match = WRITEFILE.match(source)
        if match:
            body = source[match.end() :].rstrip() + "\n"
            source = f'Path(f"{match.group(1)}").write_text({body!r})'
        cell.source = f"{MUTATED}\n{source}" if mutated else source
    path = folder / NOTEBOOK.name
    nbformat.write(notebook, path)
    return path


@pytest.mark.parametrize(
    ("old", "new", "check", "cause_words"),
    [pytest.param(*case[1:], id=case[0]) for case in MISTAKES],
)
def test_mistake_is_named_by_the_check_after_its_todo(old, new, check, cause_words, tmp_path):
    notebook = _notebook_with(old, new, tmp_path)
    error = catch_mistake(notebook, MUTATED, MUTATED + " (the copy)", check)
    said = f"{error.message}\n{error.hint or ''}"
    assert any(word in said for word in cause_words), f"{check} said:\n{said}"


def test_the_catalogue_has_a_dozen_cases_with_distinct_names():
    names = [case[0] for case in MISTAKES]
    assert len(names) >= 12
    assert len(set(names)) == len(names)
