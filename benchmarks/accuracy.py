#!/usr/bin/env python
"""ICM against the evaluation protocol's baselines, on the default model (or `--model`), mean over seeds:
zero-shot, calibrated zero-shot, random-label ICL, ICM and golden-label ICL accuracy vs gold, with the model
tokens and wall seconds of one ICM run.

    python benchmarks/accuracy.py                                   # all tasks, 3 seeds (about 45 minutes on 2 CPU cores)
    python benchmarks/accuracy.py --tasks review_comparison --seeds 0 --size 16 --max-iterations 40   # a quick look

Every `SearchConfig` field is a flag (`--alpha`, `--context-size`, `--reshuffle-every`, ...), with the library's default.

Tasks: `review_comparison` (our own: a positive and a negative review, "Review B is more positive than Review A",
both orders), `sentiment` (our own: one review, "This review is positive."; no logical structure), `comparison` and
`math` (the upstream synthetic tasks), `truthfulqa` (a seeded slice of whole groups of the paper's TruthfulQA claims).
"""
import argparse, statistics, time
from dataclasses import fields, replace
from icm.baselines import icl_accuracy, zero_shot_accuracy
from icm.model import load_model
from icm.search import ICMSearcher, SearchConfig
from baselines import load_task  # benchmarks/baselines.py: synthetic tasks and slices of the paper's claim files

def search_config(args, seed) -> SearchConfig:
    "The `SearchConfig` the flags describe, for one seed."
    return replace(SearchConfig(), seed=seed, **{f.name: getattr(args, f.name) for f in fields(SearchConfig)
                                                 if f.name not in ("seed", "labels")})

def run_task(lm, task, args):
    "Accuracy of every method on `task` for each seed, plus ICM's tokens and seconds per run."
    rows = {m: [] for m in ("zero-shot", "zero-shot calibrated", "random ICL", "ICM", "golden ICL")}
    cost = {"tokens": [], "seconds": []}
    for seed in args.seeds:
        ds = load_task(task, args.size, seed)
        rows["zero-shot"].append(zero_shot_accuracy(lm, ds))
        rows["zero-shot calibrated"].append(zero_shot_accuracy(lm, ds, calibrated=True))
        rows["random ICL"].append(icl_accuracy(lm, ds, "random", k=args.context_size, seed=seed))
        rows["golden ICL"].append(icl_accuracy(lm, ds, "gold", k=args.context_size, seed=seed))
        searcher = ICMSearcher(lm, search_config(args, seed), verbose=False)
        tokens, t = lm.tokens, time.perf_counter()
        result = searcher.search(ds)
        cost["tokens"].append(lm.tokens - tokens); cost["seconds"].append(time.perf_counter() - t)
        rows["ICM"].append(result.accuracy)
        print(f"  {task} seed {seed}: n={len(ds)} " + ", ".join(f"{m} {v[-1]:.3f}" for m, v in rows.items())
              + f"; ICM labeled {len(result.labeled_examples)}, {result.iterations} it, {result.convergence_info['reason']}, "
              f"{cost['tokens'][-1]:,} tokens, {cost['seconds'][-1]:.0f} s", flush=True)
    return {m: statistics.mean(v) for m, v in rows.items()}, {k: statistics.mean(v) for k, v in cost.items()}

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=None)
    ap.add_argument("--tasks", nargs="+", default=["review_comparison", "sentiment", "comparison", "math", "truthfulqa"])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--size", type=int, default=32, help="claims per task")
    for f in fields(SearchConfig):  # every search setting, with the library's default (but 100 iterations)
        if f.name in ("seed", "labels"): continue
        default = 100 if f.name == "max_iterations" else f.default
        kind = type(f.default) if f.default is not None else int
        ap.add_argument(f"--{f.name.replace('_', '-')}", type=kind, default=default)
    args = ap.parse_args()
    lm = load_model(args.model)
    print(f"model {lm.name}; {len(args.seeds)} seeds; size {args.size}; ICM: {search_config(args, 0)}", flush=True)
    table = []
    for task in args.tasks: table.append((task, *run_task(lm, task, args)))
    methods = list(table[0][1])
    print("\n| task | " + " | ".join(methods) + " | ICM tokens | ICM seconds |")
    print("|---" * (len(methods) + 3) + "|")
    for task, accs, cost in table:
        print(f"| {task} | " + " | ".join(f"{accs[m]:.3f}" for m in methods) + f" | {cost['tokens']:,.0f} | {cost['seconds']:.0f} |")

if __name__ == "__main__": main()
