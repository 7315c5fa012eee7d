#!/usr/bin/env bash
# Issue 4's study on one NVIDIA GPU: the four-stage zone strategy (scripts/gpu/mnist-zones.yaml) through hyperzone's
# CLI and the command runner, each trial trained by examples/torch/train.py on CUDA.
# Env: OUT (results, default .device/out), PYTHON (python3), PARALLEL (trials at once, default 14),
# STUDY_LIMIT_S (the study is stopped after this many seconds, default 520; rerunning resumes it from $OUT/zones.db),
# ZONES_SMOKE=1 (scripts/gpu/mnist-zones-smoke.yaml on the CPU: checks this script without a GPU),
# HZ_CLI / MNIST_DIR as in run-grid.sh. Writes $OUT/zones.db, $OUT/stages/{1-zones..4-confirm}.json,
# $OUT/report.txt (the CLI's report), $OUT/trials.csv, $OUT/gpu-usage.csv, $OUT/timing.txt.
set -uo pipefail
cd "$(dirname "$0")/../.."
source scripts/gpu/lib.sh
PARALLEL=${PARALLEL:-14}
if [[ "${ZONES_SMOKE:-0}" == 1 ]]; then
  DEVICE=cpu; YAML=scripts/gpu/mnist-zones-smoke.yaml; SMOKE_ARGS=(--train-limit 2000 --threads 1)
else
  DEVICE=cuda; YAML=scripts/gpu/mnist-zones.yaml; SMOKE_ARGS=()
fi
log "device=$DEVICE parallel=$PARALLEL data=$MNIST_DIR out=$OUT"
device_info
smoke "$DEVICE" "${SMOKE_ARGS[@]}"
start_gpu_usage
unpack_node
spec_for_device "$YAML" "$OUT/zones.yaml"
START=$(date +%s.%N)
log "zone study through $CLI: $OUT/zones.yaml (limit ${STUDY_LIMIT_S:-520} s)"
# --kill-after: the CLI gets SIGTERM first (it stops its trials and keeps what finished).
timeout --kill-after=20 "${STUDY_LIMIT_S:-520}" "$NODE" "$CLI" run "$OUT/zones.yaml" --storage "$OUT/zones.db" \
  --parallel "$PARALLEL" --per-gpu "$PARALLEL" --out-dir "$OUT/stages" --log-dir "$OUT/logs" 2>&1 | tee "$OUT/report.txt"
RC=${PIPESTATUS[0]}
echo "rc=$RC wall_seconds=$(seconds_since "$START")" | tee "$OUT/timing.txt"
"$NODE" "$CLI" export --storage "$OUT/zones.db" --format csv > "$OUT/trials.csv" || log "export failed"
"$NODE" "$CLI" status --storage "$OUT/zones.db" >> "$OUT/timing.txt" 2>&1 || true
exit "$RC"
