"""Self-checks for notebook 07: the same training on many processes, with DDP and torchrun.

The learner writes the training script's pieces into files (``%%writefile``); each check
imports the file afresh and runs its functions in this process, without starting a process
group: ``torch.distributed.init_process_group`` and ``DistributedDataParallel`` are replaced,
for the duration of the check only, by stand-ins that record how they were called. A wrong
answer is compared with what typical slips give, and the slip it matches is named.
"""

from __future__ import annotations

import contextlib
import importlib.util
import itertools
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import torch
import torch.distributed as dist
from torch import nn
from torch.utils.data import DataLoader, RandomSampler, TensorDataset
from torch.utils.data.distributed import DistributedSampler

from utils.checks._core import as_float, call_learner_function, fail, passed, require_answer

_module_numbers = itertools.count()


def load_script(folder: object, file_name: str) -> ModuleType:
    """Import ``folder/file_name`` afresh (a new module each time) and return it."""
    require_answer("script_folder", folder)
    path = Path(str(folder)) / file_name
    if not path.is_file():
        fail(
            f"there is no {file_name} in {folder}.",
            f"run the %%writefile cell that writes {file_name} first.",
        )
    name = f"_course_script_{path.stem}_{next(_module_numbers)}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(path.parent))  # the scripts import each other, as under torchrun
    try:
        spec.loader.exec_module(module)
    except Exception as error:  # a learner's file can raise anything while it is imported
        fail(
            f"importing {file_name} raised {type(error).__name__}: {error}",
            "run the file's code in a cell of its own to see where it breaks.",
        )
    finally:
        sys.path.remove(str(path.parent))
    return module


def _function(module: ModuleType, name: str, file_name: str) -> object:
    if not hasattr(module, name):
        fail(f"{file_name} defines no function {name}.", f"keep the line `def {name}(...)`.")
    return getattr(module, name)


@contextlib.contextmanager
def _replaced(owner: object, name: str, value: object) -> Iterator[None]:
    previous = getattr(owner, name)
    setattr(owner, name, value)
    try:
        yield
    finally:
        setattr(owner, name, previous)


@contextlib.contextmanager
def _environment(variables: dict[str, str]) -> Iterator[None]:
    previous = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


# What torchrun would set for the fourth process of a job, the second one on its node.
PROBE_ENVIRONMENT = {"RANK": "3", "WORLD_SIZE": "4", "LOCAL_RANK": "1", "LOCAL_WORLD_SIZE": "2"}


def _probe_process_group(folder: object, with_gpus: bool) -> tuple[list[Any], object]:
    """Run start_process_group as process 3 of 4 (local rank 1); return (init calls, result)."""
    calls: list[Any] = []

    def init_process_group(backend: str | None = None, *args: Any, **kwargs: Any) -> None:
        calls.append(backend if backend is not None else kwargs.get("backend"))

    with contextlib.ExitStack() as stack:
        stack.enter_context(_environment(PROBE_ENVIRONMENT))
        stack.enter_context(_replaced(dist, "init_process_group", init_process_group))
        stack.enter_context(_replaced(dist, "is_initialized", lambda: bool(calls)))
        stack.enter_context(_replaced(torch.cuda, "is_available", lambda: with_gpus))
        stack.enter_context(_replaced(torch.cuda, "set_device", lambda device: None))
        module = load_script(folder, "distributed.py")
        function = _function(module, "start_process_group", "distributed.py")
        result = call_learner_function("start_process_group", function)
    return calls, result


class _ProbeNet(nn.Linear):
    """A model that records when it is moved (and never really moves)."""

    def __init__(self, events: list[str]) -> None:
        super().__init__(3, 2)
        self.events = events

    def to(self, *args: Any, **kwargs: Any) -> _ProbeNet:  # type: ignore[override]
        self.events.append("model.to")
        return self

    def cuda(self, *args: Any, **kwargs: Any) -> _ProbeNet:  # type: ignore[override]
        self.events.append("model.to")
        return self


def _probe_wrap(folder: object, device: torch.device) -> tuple[list[str], object, object]:
    """Run wrap_model on a probe model; return (events, the wrapper seen, the result)."""
    events: list[str] = []
    wrappers: list[Any] = []

    class RecordingDDP(nn.Module):
        def __init__(self, module: nn.Module, device_ids: Any = None, **kwargs: Any) -> None:
            super().__init__()
            events.append("wrap")
            self.module, self.device_ids = module, device_ids
            wrappers.append(self)

        def to(self, *args: Any, **kwargs: Any) -> RecordingDDP:  # type: ignore[override]
            events.append("wrapper.to")
            return self

    model = _ProbeNet(events)
    with contextlib.ExitStack() as stack:
        for owner in (torch.nn.parallel, torch.nn.parallel.distributed):
            stack.enter_context(_replaced(owner, "DistributedDataParallel", RecordingDDP))
        module = load_script(folder, "distributed.py")
        function = _function(module, "wrap_model", "distributed.py")
        result = call_learner_function("wrap_model", function, model, device)
    return events, (wrappers[0] if wrappers else None), (model, result)


def check_distributed(script_folder: object) -> None:
    """Check start_process_group and wrap_model in ``script_folder/distributed.py``."""
    for with_gpus in (False, True):
        calls, result = _probe_process_group(script_folder, with_gpus)
        if not calls:
            fail(
                "start_process_group never calls dist.init_process_group.",
                "without it this process is alone: no gradient is ever averaged, and DDP "
                "refuses to start. Call dist.init_process_group(backend) once.",
            )
        if len(calls) > 1:
            fail(
                f"start_process_group calls dist.init_process_group {len(calls)} times.",
                "a process joins its group once; a second call raises 'trying to initialize "
                "the default process group twice'.",
            )
        expected_backend = "nccl" if with_gpus else "gloo"
        if calls[0] not in (expected_backend, None):
            where = "with GPUs" if with_gpus else "on a computer without a GPU"
            fail(
                f"{where}, start_process_group chose the backend {calls[0]!r}.",
                "gloo talks between CPUs; nccl between NVIDIA GPUs: choose with "
                "torch.cuda.is_available().",
            )
        if not isinstance(result, tuple) or len(result) != 3:
            fail("start_process_group should return (rank, world_size, device).")
        rank, world_size, device = result
        ranks = {"RANK": 3, "LOCAL_RANK": 1}
        if rank != ranks["RANK"]:
            hint = (
                "LOCAL_RANK counts the processes of one machine; the rank is the global RANK."
                if rank == ranks["LOCAL_RANK"]
                else "read it from the environment torchrun sets: int(os.environ['RANK'])."
            )
            fail(f"as process 3 of 4, start_process_group says its rank is {rank!r}.", hint)
        if world_size != 4:
            fail(
                f"in a job of 4 processes, start_process_group says world_size is {world_size!r}.",
                "read it from the environment: int(os.environ['WORLD_SIZE']).",
            )
        expected_device = torch.device("cuda", 1) if with_gpus else torch.device("cpu")
        if not isinstance(device, torch.device) or device != expected_device:
            hint = (
                "each process of a node takes the GPU numbered by its LOCAL_RANK, not its RANK."
                if with_gpus
                else "without a GPU the device is torch.device('cpu')."
            )
            fail(f"start_process_group chose the device {device!r}, not {expected_device}.", hint)
    for device, device_ids in ((torch.device("cpu"), None), (torch.device("cuda", 1), [1])):
        events, wrapper, (model, result) = _probe_wrap(script_folder, device)
        if wrapper is None or result is model:
            fail(
                "wrap_model returns the model itself, not wrapped in DistributedDataParallel.",
                "without DDP nothing averages the gradients: every process trains its own model.",
            )
        if result is not wrapper:
            fail("wrap_model should return the DistributedDataParallel wrapper.")
        if wrapper.module is not model:
            fail("wrap_model wraps something other than the model it was given.")
        if "model.to" not in events or events.index("model.to") > events.index("wrap"):
            fail(
                "wrap_model wraps the model before moving it to the device.",
                "move first, model.to(device), then wrap: DDP copies rank 0's parameters to "
                "every process and sets up the gradient buckets on the device they are on.",
            )
        if device_ids != wrapper.device_ids and not (device_ids is None and not wrapper.device_ids):
            fail(
                f"on {device}, wrap_model passes device_ids={wrapper.device_ids!r}.",
                "on a GPU, device_ids=[device.index]; on the CPU, leave device_ids out (None).",
            )
    passed("start_process_group joins once, with the right backend, rank and device; wrap_model")
    print("  moves the model, then wraps it in DistributedDataParallel")


def _shares(make_loader: object, world_size: int, seed: int, epoch: int) -> list[list[int]]:
    """Each rank's indices for ``epoch``, read through the loader the learner builds."""
    dataset = TensorDataset(torch.arange(PROBE_EXAMPLES))
    shares = []
    for rank in range(world_size):
        result = call_learner_function(
            "make_loader", make_loader, dataset, PROBE_BATCH, rank, world_size, seed
        )
        if not isinstance(result, tuple) or len(result) != 2:
            fail("make_loader should return (loader, sampler).")
        loader, sampler = result
        if not isinstance(loader, DataLoader):
            fail(f"make_loader's loader is a {type(loader).__name__}, not a DataLoader.")
        if isinstance(loader.sampler, RandomSampler) or sampler is None:
            fail(
                "make_loader's loader shuffles the whole data set in every process.",
                "each process should see only its share: "
                "DistributedSampler(dataset, num_replicas=world_size, rank=rank, seed=seed), "
                "passed to the DataLoader as sampler=.",
            )
        if not isinstance(sampler, DistributedSampler) or loader.sampler is not sampler:
            fail(
                "make_loader should return the DistributedSampler its loader draws from.",
                "the training loop calls sampler.set_epoch(epoch) on it.",
            )
        if loader.batch_size != PROBE_BATCH:
            hint = (
                "batch_size is per process: each of the world_size processes takes that many."
                if loader.batch_size == PROBE_BATCH * world_size
                else "pass batch_size=batch_size to the DataLoader."
            )
            fail(
                f"asked for batches of {PROBE_BATCH}, make_loader gives {loader.batch_size}.", hint
            )
        sampler.set_epoch(epoch)
        shares.append([int(index) for (batch,) in loader for index in batch])
    return shares


PROBE_EXAMPLES, PROBE_BATCH = 48, 4


def check_make_loader(script_folder: object) -> None:
    """Check make_loader in ``script_folder/data.py``: disjoint, shuffled, per-process shares."""
    module = load_script(script_folder, "data.py")
    make_loader = _function(module, "make_loader", "data.py")
    world_size, seed = 3, 5
    shares = _shares(make_loader, world_size, seed, epoch=0)
    flat = [index for share in shares for index in share]
    if all(share == shares[0] for share in shares):
        fail(
            "every rank gets the same share of the data.",
            "tell the sampler which process this is: num_replicas=world_size, rank=rank.",
        )
    if sorted(flat) != list(range(PROBE_EXAMPLES)):
        repeated = len(flat) - len(set(flat))
        fail(
            f"the {world_size} ranks' shares overlap: {repeated} examples are seen twice in one "
            "epoch, others never.",
            "every rank must shuffle with the same seed (seed=seed, not seed + rank), so that "
            "the shares of one shuffled order fit together.",
        )
    expected = DistributedSampler(range(PROBE_EXAMPLES), world_size, 0, shuffle=True, seed=seed)
    if shares[0] == sorted(shares[0]):
        fail(
            "rank 0's share comes in order, not shuffled.",
            "DistributedSampler shuffles by default; keep shuffle=True for training.",
        )
    if shares[0] != list(expected):
        fail(
            "the shares are shuffled with another seed than the one given.",
            "pass seed=seed to the DistributedSampler.",
        )
    passed(
        f"make_loader gives each of {world_size} ranks its own shuffled share, in batches of "
        f"{PROBE_BATCH}"
    )


class _RecordingSampler(DistributedSampler):
    def __init__(self, dataset: TensorDataset) -> None:
        super().__init__(dataset, num_replicas=1, rank=0, seed=0)
        self.epochs_set: list[int] = []

    def set_epoch(self, epoch: int) -> None:
        self.epochs_set.append(epoch)
        super().set_epoch(epoch)


def _run_fit(
    module: ModuleType, folder: Path, rank: int, num_epochs: int
) -> tuple[list[int], bool]:
    """Run the learner's fit on a tiny problem; return (epochs set, whether the model changed)."""
    torch.manual_seed(0)
    dataset = TensorDataset(torch.rand(16, 1, 28, 28), torch.randint(0, 10, (16,)))
    sampler = _RecordingSampler(dataset)
    loader = DataLoader(dataset, batch_size=8, sampler=sampler)
    architecture = {"hidden": 8, "batch_norm": False}
    model = module.DigitNet(**architecture)
    before = [parameter.detach().clone() for parameter in model.parameters()]
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    call_learner_function(
        "fit",
        module.fit,
        model,
        loader,
        sampler,
        nn.CrossEntropyLoss(),
        optimizer,
        torch.device("cpu"),
        rank=rank,
        num_epochs=num_epochs,
        folder=folder,
        architecture=architecture,
        allow_none=True,
    )
    changed = any(not torch.equal(a, b) for a, b in zip(before, model.parameters(), strict=True))
    return sampler.epochs_set, changed


def check_fit(script_folder: object) -> None:
    """Check fit in ``script_folder/training.py``: set_epoch, rank 0 saves, resumes."""
    module = load_script(script_folder, "training.py")
    _function(module, "fit", "training.py")
    with tempfile.TemporaryDirectory(prefix="check_fit_") as temporary:
        first, second, third = (Path(temporary) / name for name in ("rank0", "rank1", "resume"))
        for folder in (first, second, third):
            folder.mkdir()
        with contextlib.redirect_stdout(None):
            epochs, changed = _run_fit(module, first, rank=0, num_epochs=2)
        if not changed:
            fail("after fit the model's parameters are unchanged.", "call train_one_epoch(...).")
        if not epochs:
            fail(
                "fit never calls sampler.set_epoch.",
                "without it the sampler shuffles the same way every epoch: call "
                "sampler.set_epoch(epoch) at the start of each epoch.",
            )
        if epochs != [0, 1]:
            fail(
                f"over 2 epochs fit calls sampler.set_epoch with {epochs}, not [0, 1].",
                "pass the epoch's number, sampler.set_epoch(epoch): a new shuffle each epoch.",
            )
        saved = sorted(path.name for path in first.glob("epoch_*.pt"))
        if saved != ["epoch_001.pt", "epoch_002.pt"]:
            fail(
                f"after 2 epochs rank 0 saved {saved or 'nothing'}.",
                "after each epoch, rank 0 calls save_progress(folder, model, architecture, "
                "epoch + 1).",
            )
        with contextlib.redirect_stdout(None):
            _run_fit(module, second, rank=1, num_epochs=2)
        if any(second.iterdir()):
            fail(
                "rank 1 writes checkpoints too.",
                "every process holds the same model: let rank 0 alone write (if rank == 0), or "
                "the processes overwrite each other's files.",
            )
        for path in first.glob("epoch_*.pt"):
            (third / path.name).write_bytes(path.read_bytes())
        with contextlib.redirect_stdout(None):
            epochs, _ = _run_fit(module, third, rank=0, num_epochs=3)
        if epochs != [2]:
            fail(
                f"resuming after 2 of 3 epochs, fit trains the epochs {epochs}, not [2].",
                "start the loop at start_epoch, the number of epochs the latest checkpoint "
                "holds: range(start_epoch, num_epochs).",
            )
    passed("fit sets each epoch's shuffle, saves on rank 0 only, and resumes where it stopped")


def check_bytes_all_reduced(num_bytes: object, model: object) -> None:
    """Check the bytes of gradients all-reduced per step: every trainable parameter's."""
    value = as_float("num_bytes", num_bytes, tensor_ok=False)
    if not isinstance(model, nn.Module):
        fail(f"model should be the torch.nn.Module you measured, got {type(model).__name__}.")
    trainable = [parameter for parameter in model.parameters() if parameter.requires_grad]
    num_parameters = sum(parameter.numel() for parameter in trainable)
    expected = sum(parameter.numel() * parameter.element_size() for parameter in trainable)
    if value == expected:
        passed(f"{expected:,} bytes of gradients per step: one float32 per parameter")
        return
    slips = {
        num_parameters: "that is the number of parameters; each float32 gradient takes 4 bytes.",
        8 * expected: "that is bits; a byte is 8 bits.",
        2 * expected: "each process all-reduces one gradient per parameter, once per step.",
    }
    fail(f"num_bytes is {value:,.0f}, not the gradient's size.", slips.get(value))


def check_headline(max_difference: object, threshold: float = 1e-5) -> None:
    """Check the largest parameter difference between 2 processes × 32 and 1 process × 64."""
    value = as_float("max_difference", max_difference, tensor_ok=False)
    if value < 0:
        fail(f"max_difference is {value}; a largest absolute difference is ≥ 0.", "use .abs().")
    if value > threshold:
        fail(
            f"2 processes × 32 and 1 process × 64 differ by {value:.2g}, more than {threshold}.",
            "the same examples per step, averaged the same way, give the same step: check that "
            "both runs use the same seed, the mean loss, and no BatchNorm.",
        )
    passed(f"2 processes × 32 and 1 process × 64 agree within {threshold} after the same steps")
