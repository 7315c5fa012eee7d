#!/usr/bin/python3
"""Optuna's side of bench/proposal-latency.ts: milliseconds of study.ask() (every param sampled) after N trials.

stdin: {"trials": N, "warmup": W, "proposals": P, "cases": [{"sampler": "random"|"qmc"|"tpe"|"tpe-multivariate"|"nsga2"
  |"motpe", "space": key, "directions": 1|2, "distributions": {name: bridge distribution}, "history": [{"params", "values"}]}]}
stdout: {key: [wall ms of each of the P timed proposals]}.
The study holds the first N trials of the history (added with add_trials; QMC and NSGA-II, which keep their own state
in system attrs, propose them themselves and are told the history's values), then after each ask() the asked trial is
told FAIL (ignored by every sampler) and the next history trial is added, so the study grows by one complete trial per
proposal, as on the hyperzone side. W untimed proposals first.
"""
import json
import sys
import time
import warnings

import optuna
from optuna.trial import TrialState, create_trial

optuna.logging.set_verbosity(optuna.logging.WARNING)
warnings.filterwarnings("ignore")


def distribution(spec):
    kind = spec["type"]
    if kind == "categorical":
        return optuna.distributions.CategoricalDistribution(spec["choices"])
    if kind == "float":
        return optuna.distributions.FloatDistribution(spec["low"], spec["high"], log=bool(spec.get("log", False)))
    return optuna.distributions.IntDistribution(spec["low"], spec["high"], log=bool(spec.get("log", False)), step=int(spec.get("step", 1)))


def sampler_of(name):
    if name == "random":
        return optuna.samplers.RandomSampler(seed=0)
    if name == "qmc":
        return optuna.samplers.QMCSampler(seed=0)
    if name == "tpe":
        return optuna.samplers.TPESampler(seed=0)
    if name == "tpe-multivariate":
        return optuna.samplers.TPESampler(seed=0, multivariate=True)
    if name == "nsga2":
        return optuna.samplers.NSGAIISampler(seed=0)
    if name == "motpe":
        return optuna.samplers.MOTPESampler(seed=0)
    raise ValueError("unknown sampler %r" % (name,))


def frozen(h, dists, multi):
    params = {k: v for k, v in h["params"].items() if k in dists}
    if multi:
        return create_trial(params=params, distributions=dists, values=h["values"])
    return create_trial(params=params, distributions=dists, value=h["values"][0])


def run(case, n, warmup, proposals):
    dists = {k: distribution(v) for k, v in case["distributions"].items()}
    multi = case["directions"] > 1
    study = optuna.create_study(directions=["minimize"] * case["directions"], sampler=sampler_of(case["sampler"]))
    hist = case["history"]
    own = case["sampler"] in ("qmc", "nsga2")

    def tell(trial, h):
        study.tell(trial, h["values"] if multi else h["values"][0])

    if own:
        for h in hist[:n]:
            tell(study.ask(dists), h)
    else:
        study.add_trials([frozen(h, dists, multi) for h in hist[:n]])
    times = []
    for i in range(-warmup, proposals):
        h = hist[n + warmup + i]
        t0 = time.perf_counter()
        trial = study.ask(dists)
        dt = (time.perf_counter() - t0) * 1000
        if own:
            tell(trial, h)
        else:
            study.tell(trial, state=TrialState.FAIL)
            study.add_trial(frozen(h, dists, multi))
        if i >= 0:
            times.append(dt)
    return times


def main():
    req = json.load(sys.stdin)
    out = {}
    for case in req["cases"]:
        out[case["space"]] = run(case, req["trials"], req["warmup"], req["proposals"])
        print("  Optuna %s: done" % case["space"], file=sys.stderr, flush=True)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
