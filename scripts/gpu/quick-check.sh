#!/usr/bin/env bash
# A short GPU check of train.py before the full grid: single-trial epoch times at the grid's corners,
# then the python-only grid at GRID_EPOCHS (default 1) under a time limit. Results under $OUT.
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-$PWD/.device/out}; mkdir -p "$OUT"
PY=${PYTHON:-python3}
DATA=${MNIST_DIR:-.device/mnist}
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv
"$PY" -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, torch.cuda.get_device_name(0))'
for cfg in '{"units": 128, "batch_size": 16}' '{"units": 8192, "batch_size": 16}' '{"units": 8192, "batch_size": 1024}' '{"units": 1024, "batch_size": 128}'; do
  echo "== single trial $cfg, 2 epochs"
  t0=$(date +%s.%N)
  timeout 120 "$PY" examples/torch/train.py --device cuda --data-dir "$DATA" --epochs 2 --params "$cfg" --evaluate-test 2>&1 | tee -a "$OUT/single.jsonl"
  "$PY" -c "print('wall %.2f s' % ($(date +%s.%N) - $t0))"
done
echo "== python-only grid, ${GRID_EPOCHS:-1} epoch(s), limit ${GRID_LIMIT_S:-240} s"
GRID_EPOCHS=${GRID_EPOCHS:-1} MNIST_DIR="$DATA" timeout "${GRID_LIMIT_S:-240}" scripts/gpu/run-grid.sh --python-only 2>&1 | tail -30
echo "rc=$?"
