#!/bin/bash
# Notebook 07's training on every GPU of this machine: one process per GPU, NCCL.
#     python -m utils.torchrun solutions/07_training_on_many_processes.ipynb /tmp/ddp07
#     cluster/train_on_all_gpus.sh /tmp/ddp07 /tmp/ddp07/results
set -euo pipefail
SCRIPTS=${1:?usage: cluster/train_on_all_gpus.sh SCRIPT_FOLDER OUTPUT_FOLDER [ARGS...]}
OUTPUT=${2:?usage: cluster/train_on_all_gpus.sh SCRIPT_FOLDER OUTPUT_FOLDER [ARGS...]}
shift 2
PYTHON=${PYTHON:-python}
ROOT=$(cd "$(dirname "$0")/.." && pwd)   # the course folder, for the data
if ! "$PYTHON" -c "import torch, sys; sys.exit(0 if torch.cuda.device_count() else 1)"; then
    echo "no GPU on this machine: run the notebook's CPU version instead" >&2
    exit 2
fi
# --standalone: one machine, a free port of its own; --nproc-per-node=gpu: one process per GPU.
exec timeout 600 "$PYTHON" -m torch.distributed.run --standalone --nproc-per-node=gpu \
    "$SCRIPTS/train.py" --data "$ROOT/data/mnist_sample.npz" --output "$OUTPUT" "$@"
