#!/usr/bin/env python3
"""Fallback grid runner without Node: a small process pool launching examples/torch/train.py per configuration.

Writes <out>/python-grid.csv (one row per trial) and <out>/python-grid-summary.json (wall time, counts).
"""
import argparse
import concurrent.futures as cf
import csv
import json
import os
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def series(lo, hi, midpoints):
    out, v = [], lo
    while v <= hi:
        out.append(v)
        if midpoints and v * 2 <= hi:
            out.append(v * 3 // 2)
        v *= 2
    return out


def run_trial(number, params, args, train_args):
    logs = os.path.join(args.out, 'logs')
    pfile = os.path.join(logs, f'trial-{number}.params.json')
    with open(pfile, 'w') as f:
        json.dump(params, f)
    env = dict(os.environ, HZ_PARAMS_FILE=pfile, HZ_SEED=str(number), HZ_BUDGET=str(args.epochs),
               HZ_TRIAL_NUMBER=str(number), HZ_TRIAL_ID=str(number), PYTHONUNBUFFERED='1')
    if args.device == 'cuda':
        env.setdefault('CUDA_VISIBLE_DEVICES', '0')
    t0 = time.time()
    steps, final = [], {}
    with open(os.path.join(logs, f'trial-{number}.log'), 'w') as log:
        try:
            p = subprocess.Popen([args.python, os.path.join(REPO, 'examples/torch/train.py'), *train_args],
                                 cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=log, text=True)
            for line in p.stdout:
                if line.startswith('{"'):
                    obj = json.loads(line)
                    if 'final' in obj:
                        final.update(obj['final'])
                    else:
                        steps.append(obj)
                else:
                    log.write(line)
            code = p.wait(timeout=args.timeout)
        except Exception as e:  # one bad trial must not stop the grid
            log.write(f'grid.py: {e!r}\n')
            code = -1
    wall = time.time() - t0
    row = dict(number=number, **params, state='complete' if code == 0 and steps else 'failed', exit_code=code,
               wall_seconds=round(wall, 3), epochs=len(steps))
    if steps:
        best = max(steps, key=lambda s: s.get('val_accuracy', -1))
        train_s = sum(s['epoch_seconds'] for s in steps)
        row.update(val_accuracy=best.get('val_accuracy'), val_loss=best.get('val_loss'), best_epoch=best['step'],
                   last_val_accuracy=steps[-1].get('val_accuracy'), train_seconds=round(train_s, 3),
                   startup_seconds=round(wall - train_s, 3),
                   images_per_second=round(sum(s['images_per_second'] for s in steps) / len(steps), 1))
    row.update({k: v for k, v in final.items() if k not in row})
    return row


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--out', required=True)
    ap.add_argument('--python', default=sys.executable)
    ap.add_argument('--units', default='128:8192', help='lo:hi powers of two with midpoints, or a comma list')
    ap.add_argument('--batch', default='16:1024', help='lo:hi powers of two, or a comma list')
    ap.add_argument('--epochs', type=int, default=20)
    ap.add_argument('--parallel', type=int, default=12)
    ap.add_argument('--device', default='cuda')
    ap.add_argument('--timeout', type=float, default=1200)
    ap.add_argument('train_args', nargs='*', help='extra arguments for train.py (after --)')
    args = ap.parse_args()
    parse = lambda s, mid: [int(x) for x in s.split(',')] if ',' in s or ':' not in s else series(*map(int, s.split(':')), mid)
    units, batches = parse(args.units, True), parse(args.batch, False)
    os.makedirs(os.path.join(args.out, 'logs'), exist_ok=True)
    configs = [dict(units=u, batch_size=b, dropout=0, learning_rate=0.001, lr_schedule='none') for u in units for b in batches]
    train_args = ['--device', args.device, *args.train_args]
    print(f'grid.py: {len(units)} units x {len(batches)} batch sizes = {len(configs)} trials, {args.epochs} epochs, '
          f'{args.parallel} at a time on {args.device}', flush=True)
    t0 = time.time()
    rows = []
    with cf.ThreadPoolExecutor(args.parallel) as pool:
        futures = [pool.submit(run_trial, i, c, args, train_args) for i, c in enumerate(configs)]
        for f in cf.as_completed(futures):
            r = f.result()
            rows.append(r)
            print(f"  trial {r['number']:3d} units={r['units']:5d} batch={r['batch_size']:5d} {r['state']:8s} "
                  f"val_acc={r.get('val_accuracy')} wall={r['wall_seconds']}s ({len(rows)}/{len(configs)})", flush=True)
    wall = time.time() - t0
    rows.sort(key=lambda r: r['number'])
    keys = []
    for r in rows:
        keys += [k for k in r if k not in keys]
    with open(os.path.join(args.out, 'python-grid.csv'), 'w', newline='') as f:
        w = csv.DictWriter(f, fieldnames=keys)
        w.writeheader()
        w.writerows(rows)
    ok = [r for r in rows if r['state'] == 'complete']
    best = max(ok, key=lambda r: r['val_accuracy']) if ok else None
    summary = dict(trials=len(rows), complete=len(ok), failed=len(rows) - len(ok), wall_seconds=round(wall, 1),
                   epochs=args.epochs, parallel=args.parallel, device=args.device, best=best)
    with open(os.path.join(args.out, 'python-grid-summary.json'), 'w') as f:
        json.dump(summary, f, indent=2)
    print(f'grid.py: {len(ok)}/{len(rows)} complete in {wall:.1f} s; best {json.dumps(best)}', flush=True)
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
