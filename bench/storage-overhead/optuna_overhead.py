"""Optuna 3.1 RDB-storage per-trial overhead: ask + 10 report + tell, on PostgreSQL.

Usage: /usr/bin/python3 optuna_overhead.py POSTGRES_URL PREFILL TRIALS
Prints one JSON line: {"prefill": P, "trials": N, "per_trial_ms": ..., "prefill_s": ...}.
Optuna's tables go into a fresh schema (search_path), dropped at the end.
"""
import json
import os
import sys
import time
import uuid

import optuna
import psycopg2

optuna.logging.set_verbosity(optuna.logging.WARNING)


def main() -> None:
    url, prefill, trials = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    schema = "hz_optuna_" + uuid.uuid4().hex[:10]
    conn = psycopg2.connect(url)
    conn.autocommit = True
    conn.cursor().execute(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in url else "?"
    sa_url = url.replace("postgres://", "postgresql+psycopg2://", 1).replace("postgresql://", "postgresql+psycopg2://", 1)
    sa_url += f"{sep}options=-csearch_path%3D{schema}"
    try:
        storage = optuna.storages.RDBStorage(sa_url)
        study = optuna.create_study(storage=storage, study_name="overhead", direction="maximize",
                                    sampler=optuna.samplers.RandomSampler(seed=0))
        dist = {"x": optuna.distributions.FloatDistribution(0.0, 1.0)}
        t0 = time.perf_counter()
        if prefill > 0:
            study.add_trials([
                optuna.trial.create_trial(params={"x": (i % 997) / 997}, distributions=dist, value=i / max(prefill, 1),
                                          intermediate_values={s: s / 10 for s in range(10)})
                for i in range(prefill)
            ])
        prefill_s = time.perf_counter() - t0
        if prefill > 0:
            # Same as the hyperzone side: autovacuum must not run inside the timed part.
            cur = conn.cursor()
            cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s", (schema,))
            for (table,) in cur.fetchall():
                cur.execute(f'VACUUM ANALYZE "{schema}"."{table}"')
        t0 = time.perf_counter()
        for _ in range(trials):
            trial = study.ask(dist)
            x = trial.params["x"]
            for step in range(10):
                trial.report(x * step / 10, step)
            study.tell(trial, x)
        per_trial_ms = (time.perf_counter() - t0) * 1000 / trials
        print(json.dumps({"prefill": prefill, "trials": trials, "per_trial_ms": per_trial_ms, "prefill_s": prefill_s}))
    finally:
        conn.cursor().execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        conn.close()


if __name__ == "__main__":
    main()
