#!/usr/bin/env bash
# The zone strategy stage by stage from a result set (`hyperzone stage` → `evaluate` → `merge`, repeated until each
# stage's plan is empty), on one GPU: how a study continues from results made elsewhere, e.g. stage 1 of an earlier run.
#   scripts/gpu/run-stages.sh SPEC IN.json      (stages refine, schedules, confirm; IN holds at least stage 1's results)
# Env: OUT (default .device/out), PYTHON, PARALLEL (14), STUDY_LIMIT_S (520), ZONES_SMOKE=1 (CPU smoke device),
# MNIST_DIR / HZ_CLI as in run-grid.sh. Writes $OUT/current.json (every result so far, after each evaluation),
# $OUT/{2-refine,3-schedules,4-confirm}.json, $OUT/report.txt, $OUT/timing.txt; trial logs go to /tmp/hz-logs.
set -uo pipefail
cd "$(dirname "$0")/../.."
SPEC_IN=${1:?spec}; IN=${2:?input result set}
source scripts/gpu/lib.sh
PARALLEL=${PARALLEL:-14}
DEVICE=cuda; SMOKE_ARGS=()
[[ "${ZONES_SMOKE:-0}" == 1 ]] && DEVICE=cpu && SMOKE_ARGS=(--train-limit 2000 --threads 1)
log "spec=$SPEC_IN in=$IN device=$DEVICE parallel=$PARALLEL out=$OUT"
device_info
smoke "$DEVICE" "${SMOKE_ARGS[@]}"
start_gpu_usage
unpack_node
spec_for_device "$SPEC_IN" "$OUT/spec.yaml"
cp "$IN" "$OUT/current.json"
START=$(date +%s.%N)
DEADLINE=$(( $(date +%s) + ${STUDY_LIMIT_S:-520} ))
hz() { "$NODE" "$CLI" "$@"; }
RC=0
n=2
for stage in refine schedules confirm; do
  while :; do
    hz stage "$stage" --in "$OUT/current.json" --spec "$OUT/spec.yaml" --out "$OUT/$n-$stage.json" 2>&1 | tee -a "$OUT/report.txt"
    [[ ${PIPESTATUS[0]} == 0 ]] || { RC=2; break 2; }
    planned=$("$NODE" -e "console.log((JSON.parse(require('fs').readFileSync(process.argv[1], 'utf8')).plan ?? []).length)" "$OUT/$n-$stage.json")
    [[ $planned == 0 ]] && break
    left=$(( DEADLINE - $(date +%s) ))
    (( left > 10 )) || { log "out of time before $stage's $planned trials"; RC=124; break 2; }
    log "$stage: $planned trial(s), $left s left"
    t0=$(date +%s.%N)
    timeout --kill-after=15 "$left" "$NODE" "$CLI" evaluate --in "$OUT/$n-$stage.json" --spec "$OUT/spec.yaml" --parallel "$PARALLEL" \
      --log-dir /tmp/hz-logs --quiet --out "/tmp/hz-new.json"
    rc=$?
    echo "$stage: $planned trials, rc=$rc, $(seconds_since "$t0") s" | tee -a "$OUT/timing.txt"
    [[ $rc == 0 ]] || { RC=$rc; break 2; }
    hz merge "$OUT/current.json" /tmp/hz-new.json --out "$OUT/current.json" || { RC=2; break 2; }
  done
  n=$((n + 1))
done
echo "rc=$RC wall_seconds=$(seconds_since "$START")" | tee -a "$OUT/timing.txt"
exit "$RC"
