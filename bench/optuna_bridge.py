#!/usr/bin/python3
"""Optuna as a peer for hyperzone's benchmarks, driven over JSON lines on stdin/stdout.

Requests (one JSON object a line) and replies ({"ok": true, ...} or {"ok": false, "error": "..."}):
  {"op": "create", "sampler": "random"|"tpe"|"tpe-multivariate", "seed": 1, "direction": "minimize",
   "distributions": {"name": {"type": "categorical", "choices": [...]}
                            | {"type": "float", "low": 0, "high": 1, "log": false}
                            | {"type": "int", "low": 1, "high": 9, "step": 1, "log": false}}}
  {"op": "ask"}                          -> {"ok": true, "number": 0, "params": {...}}
  {"op": "tell", "number": 0, "value": 0.5}
  {"op": "tell", "number": 0, "state": "pruned"}   (a pruned trial; Optuna keeps its last reported value)
  {"op": "report", "number": 0, "step": 1, "value": 0.5} -> {"ok": true, "prune": false}
     (trial.report then trial.should_prune: the pruner's decision after this step)
"create" also takes "pruner": null | {"type": "median"} | {"type": "successive-halving", "min_resource": 1, "reduction_factor": 3}
  | {"type": "hyperband", "min_resource": 1, "max_resource": 52, "reduction_factor": 3}.
  Multi-objective: "create" with "directions": ["minimize", "maximize"] (instead of "direction") and sampler
  "nsga2" (NSGAIISampler; "population" sets population_size, default 50) or "motpe" (MOTPESampler); then
  {"op": "tell", "number": 0, "values": [0.5, 12]}
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


def make_sampler(name, seed, req=None):
    req = req or {}
    if name == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    if name == "tpe":
        return optuna.samplers.TPESampler(seed=seed)
    if name == "tpe-multivariate":
        return optuna.samplers.TPESampler(seed=seed, multivariate=True)
    if name == "nsga2":
        return optuna.samplers.NSGAIISampler(seed=seed, population_size=int(req.get("population", 50)))
    if name == "motpe":
        return optuna.samplers.MOTPESampler(seed=seed)
    raise ValueError("unknown sampler %r" % (name,))


def make_pruner(spec):
    if spec is None:
        return None
    kind = spec["type"]
    if kind == "median":
        return optuna.pruners.MedianPruner()
    if kind == "successive-halving":
        return optuna.pruners.SuccessiveHalvingPruner(min_resource=spec.get("min_resource", 1), reduction_factor=spec.get("reduction_factor", 3))
    if kind == "hyperband":
        return optuna.pruners.HyperbandPruner(min_resource=spec.get("min_resource", 1), max_resource=spec["max_resource"], reduction_factor=spec.get("reduction_factor", 3))
    raise ValueError("unknown pruner %r" % (kind,))


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
                sampler = make_sampler(req["sampler"], req.get("seed"), req)
                # A name from the seed, not Optuna's random one: HyperbandPruner picks a trial's bracket by
                # crc32(study name + trial number), so an unnamed study prunes differently on every run.
                name = "hz-bench-seed-{}".format(req.get("seed"))
                if "directions" in req:
                    study = optuna.create_study(study_name=name, directions=req["directions"], sampler=sampler)
                else:
                    study = optuna.create_study(study_name=name, direction=req.get("direction", "minimize"), sampler=sampler, pruner=make_pruner(req.get("pruner")))
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
                t = trials.pop(req["number"])
                if req.get("state") == "pruned":
                    study.tell(t, state=optuna.trial.TrialState.PRUNED)
                elif "values" in req:
                    study.tell(t, [float(v) for v in req["values"]])
                else:
                    study.tell(t, float(req["value"]))
                reply = {"ok": True}
            elif op == "report":
                t = trials[req["number"]]
                t.report(float(req["value"]), int(req["step"]))
                reply = {"ok": True, "prune": bool(t.should_prune())}
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
