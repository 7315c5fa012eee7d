#!/usr/bin/python3
"""Optuna as a peer for hyperzone's benchmarks, driven over JSON lines on stdin/stdout.

Requests (one JSON object a line) and replies ({"ok": true, ...} or {"ok": false, "error": "..."}):
  {"op": "create", "sampler": "random"|"tpe"|"tpe-multivariate", "seed": 1, "direction": "minimize",
   "distributions": {"name": {"type": "categorical", "choices": [...]}
                            | {"type": "float", "low": 0, "high": 1, "log": false}
                            | {"type": "int", "low": 1, "high": 9, "step": 1, "log": false}}}
  {"op": "ask"}                          -> {"ok": true, "number": 0, "params": {...}}
  {"op": "tell", "number": 0, "value": 0.5}
  {"op": "version"}                      -> {"ok": true, "optuna": "3.1.0"}
  {"op": "close"}
A new "create" replaces the current study, so one process serves many runs.
"""
import json
import sys
import warnings

import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)
warnings.filterwarnings("ignore")


def make_distribution(spec):
    kind = spec["type"]
    if kind == "categorical":
        return optuna.distributions.CategoricalDistribution(spec["choices"])
    if kind == "float":
        return optuna.distributions.FloatDistribution(spec["low"], spec["high"], log=bool(spec.get("log", False)))
    if kind == "int":
        return optuna.distributions.IntDistribution(spec["low"], spec["high"], log=bool(spec.get("log", False)), step=int(spec.get("step", 1)))
    raise ValueError("unknown distribution type %r" % (kind,))


def make_sampler(name, seed):
    if name == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    if name == "tpe":
        return optuna.samplers.TPESampler(seed=seed)
    if name == "tpe-multivariate":
        return optuna.samplers.TPESampler(seed=seed, multivariate=True)
    raise ValueError("unknown sampler %r" % (name,))


def main():
    study = None
    dists = None
    trials = {}
    out = sys.stdout
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            req = json.loads(line)
            op = req.get("op")
            if op == "create":
                dists = {k: make_distribution(v) for k, v in req["distributions"].items()}
                study = optuna.create_study(direction=req.get("direction", "minimize"), sampler=make_sampler(req["sampler"], req.get("seed")))
                trials = {}
                reply = {"ok": True}
            elif op == "ask":
                if study is None:
                    raise ValueError("ask before create")
                t = study.ask(fixed_distributions=dists)
                trials[t.number] = t
                reply = {"ok": True, "number": t.number, "params": t.params}
            elif op == "tell":
                if study is None:
                    raise ValueError("tell before create")
                study.tell(trials.pop(req["number"]), float(req["value"]))
                reply = {"ok": True}
            elif op == "version":
                reply = {"ok": True, "optuna": optuna.__version__}
            elif op == "close":
                out.write(json.dumps({"ok": True}) + "\n")
                out.flush()
                return
            else:
                raise ValueError("unknown op %r" % (op,))
        except Exception as e:  # the reply carries the error; the process keeps serving
            reply = {"ok": False, "error": "%s: %s" % (type(e).__name__, e)}
        out.write(json.dumps(reply) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
