"""utils.torchrun launches torchrun safely, and notebook 07's script trains alike on 1 and 2
processes: every run ends, leaves no process behind, and two runs at once do not collide."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import torch

from utils.mnist import SAMPLE_FILE
from utils.torchrun import (
    TorchrunFailed,
    TorchrunTimeout,
    run_torchrun,
    torchrun_command,
    write_scripts,
)

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "solutions" / "07_training_on_many_processes.ipynb"
ON_THE_CPU = {"OMP_NUM_THREADS": "1", "CUDA_VISIBLE_DEVICES": ""}  # one thread each, no GPU

# A worker that writes its process id, then waits for ever (for the timeout and Ctrl-C tests).
WAITING = """
import os, pathlib, time
folder = pathlib.Path(__file__).parent
(folder / f"pid_{os.environ['RANK']}").write_text(str(os.getpid()))
time.sleep(3600)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")  # a zombie is dead too, only not yet reaped
    return not (stat.exists() and stat.read_text().rsplit(")", 1)[-1].split()[0] == "Z")


def _worker_pids(folder: Path, num_processes: int, within: float = 60.0) -> list[int]:
    deadline = time.monotonic() + within
    while True:  # look at least once, even with within=0
        files = sorted(folder.glob("pid_*"))
        if len(files) == num_processes and all(path.read_text() for path in files):
            return [int(path.read_text()) for path in files]
        if time.monotonic() >= deadline:
            break
        time.sleep(0.1)
    raise AssertionError(f"the workers did not start within {within} s")


@pytest.mark.parametrize(
    ("keyword", "value", "message"),
    [
        ("num_processes", 0, "num_processes should be a whole number ≥ 1, got 0"),
        ("num_processes", 1.5, "num_processes should be a whole number ≥ 1, got 1.5"),
        ("max_restarts", -1, "max_restarts should be a whole number ≥ 0, got -1"),
    ],
)
def test_command_refuses_bad_counts_by_name(keyword, value, message):
    with pytest.raises(ValueError, match=message):
        torchrun_command("train.py", **{keyword: value})


def test_command_uses_this_python_and_a_port_of_its_own():
    command = torchrun_command("train.py", ["--seed", "1"], num_processes=3, max_restarts=2)
    assert command[:3] == [sys.executable, "-m", "torch.distributed.run"]
    assert "--standalone" in command
    assert command[-3:] == ["train.py", "--seed", "1"]
    assert "--nproc-per-node=3" in command
    assert "--max-restarts=2" in command


def test_a_string_of_arguments_is_refused():
    with pytest.raises(TypeError, match="list of strings"):
        torchrun_command("train.py", "--seed 1")


def test_a_missing_script_and_a_bad_timeout_are_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="no training script at"):
        run_torchrun(tmp_path / "missing.py")
    script = tmp_path / "train.py"
    script.write_text("pass\n")
    with pytest.raises(ValueError, match="timeout should be a positive number of seconds, got 0"):
        run_torchrun(script, timeout=0)


def test_a_failing_worker_raises_with_its_exit_status_and_message(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(
        "import os, sys\n"
        "print('store per attempt:', os.environ.get('TORCH_DISABLE_SHARE_RDZV_TCP_STORE'))\n"
        "print('worker says: the data is missing')\n"
        "sys.exit(3)\n"
    )
    with pytest.raises(TorchrunFailed, match="exit status 1") as caught:
        run_torchrun(script, num_processes=1, timeout=120, env=ON_THE_CPU)
    assert "worker says: the data is missing" in caught.value.output
    # after a restart, the workers must not meet in the store of the attempt before
    assert "store per attempt: 1" in caught.value.output
    assert "worker says: the data is missing" in str(caught.value)


def test_a_timeout_stops_the_agent_and_every_worker(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(WAITING)
    with pytest.raises(TorchrunTimeout, match="did not finish within 20 s"):
        run_torchrun(script, num_processes=2, timeout=20, env=ON_THE_CPU)
    pids = _worker_pids(tmp_path, 2, within=0)
    assert not [pid for pid in pids if _alive(pid)], "workers outlived the timeout"


def test_an_interrupted_run_leaves_no_process_behind(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(WAITING)
    ready = threading.Event()

    def interrupt_when_the_workers_run() -> None:
        _worker_pids(tmp_path, 2)
        ready.set()
        os.kill(os.getpid(), signal.SIGINT)  # what the notebook's stop button does

    threading.Thread(target=interrupt_when_the_workers_run, daemon=True).start()
    with pytest.raises(KeyboardInterrupt):
        run_torchrun(script, num_processes=2, timeout=120, env=ON_THE_CPU)
    assert ready.is_set()
    pids = _worker_pids(tmp_path, 2, within=0)
    assert not [pid for pid in pids if _alive(pid)], "workers outlived Ctrl-C"


def test_write_scripts_writes_each_writefile_cell_and_names_bad_input(tmp_path):
    written = write_scripts(NOTEBOOK, tmp_path)
    assert sorted(path.name for path in written) == [
        "data.py",
        "distributed.py",
        "train.py",
        "training.py",
    ]
    assert "def start_process_group" in (tmp_path / "distributed.py").read_text()
    with pytest.raises(FileNotFoundError, match="no folder at"):
        write_scripts(NOTEBOOK, tmp_path / "missing")
    with pytest.raises(FileNotFoundError, match="no notebook at"):
        write_scripts(tmp_path / "missing.ipynb", tmp_path)


def _train(folder: Path, num_processes: int, batch_size: int, results: dict) -> None:
    output = folder / f"results_{num_processes}"
    arguments = ["--data", str(SAMPLE_FILE), "--output", str(output)]
    arguments += ["--batch-size", str(batch_size)]
    results[num_processes] = run_torchrun(
        folder / "train.py", arguments, num_processes=num_processes, timeout=240, env=ON_THE_CPU
    )


def test_two_processes_of_32_train_like_one_of_64_and_two_runs_at_once_do_not_collide(
    tmp_path,
):
    write_scripts(NOTEBOOK, tmp_path)
    results: dict[int, object] = {}
    threads = [
        threading.Thread(target=_train, args=(tmp_path, 1, 64, results)),
        threading.Thread(target=_train, args=(tmp_path, 2, 32, results)),
    ]
    for thread in threads:  # at the same time, on the same computer
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [1, 2], "a run failed: see the captured log"
    one, two = (
        torch.load(tmp_path / f"results_{n}" / "parameters_mean.pt", weights_only=True)
        for n in (1, 2)
    )
    difference = (one - two).abs().max().item()
    print(f"largest parameter difference, 2 × 32 against 1 × 64: {difference:.2g}")
    assert difference < 1e-5, f"2 × 32 and 1 × 64 differ by {difference}"
    summary = json.loads((tmp_path / "results_2" / "results.json").read_text())
    assert summary["world_size"] == 2, summary


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a GPU (CUDA)")
def test_the_script_trains_on_every_gpu_of_this_machine(tmp_path):
    write_scripts(NOTEBOOK, tmp_path)
    shell = shutil.which("bash")
    completed = subprocess.run(
        [
            shell,
            str(ROOT / "cluster" / "train_on_all_gpus.sh"),
            str(tmp_path),
            str(tmp_path / "out"),
        ],
        env={**os.environ, "PYTHON": sys.executable},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    summary = json.loads((tmp_path / "out" / "results.json").read_text())
    assert summary["world_size"] == torch.cuda.device_count(), summary
    parameters = torch.load(tmp_path / "out" / "parameters_mean.pt", weights_only=True)
    assert torch.isfinite(parameters).all(), "training on the GPUs gave non-finite parameters"
