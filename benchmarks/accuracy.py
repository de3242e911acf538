#!/usr/bin/env python
"""ICM beside every baseline of `icm.baselines`, on the default model (or `--model`), mean over seeds.

For each task and seed: the baselines (`run_baselines`: zero-shot, calibrated zero-shot, random-label,
golden, golden many-shot, bootstrapped few-shot) and one ICM run label the same claims; `icm.metrics.compare`
scores them. Printed: accuracy, balanced accuracy and AUROC tables (task × method), and each method's cost
in model tokens and in zero-shot passes.

    python benchmarks/accuracy.py                                   # all tasks, 3 seeds, 32 claims (over an hour on 2 CPU cores)
    python benchmarks/accuracy.py --sizes 32 256                    # and at the paper's batch size (many hours on 2 CPU cores)
    python benchmarks/accuracy.py --tasks review_comparison --seeds 0 --sizes 16 --max-iterations 40   # a quick look

Every `SearchConfig` field is a flag (`--alpha`, `--context-size`, `--reshuffle-every`, ...), with the library's
default, but 100 iterations on batches of up to 32 claims (the library's 1,000 above); the few-shot baselines use
`--context-size` demos, as ICM's contexts do.

Tasks: `review_comparison` (our own: a positive and a negative review, "Review B is more positive than Review A",
both orders), `sentiment` (our own: one review, "This review is positive."; no logical structure), `comparison` and
`paired_sentiment` (one review claimed both "positive" and "negative": exactly one True), `sentiment_imbalanced`
(a quarter True), `comparison` and `math` (the upstream synthetic tasks), `truthfulqa`, `gsm8k`, `alpaca` (seeded slices of whole groups of the
paper's claim files).
"""
import argparse, json, statistics
from dataclasses import fields, replace
from icm.baselines import BaselineConfig, run_baselines
from icm.metrics import compare
from icm.results import atomic_write_text
from icm.model import load_model
from icm.search import ICMSearcher, SearchConfig
from baselines import load_task  # benchmarks/baselines.py: synthetic tasks and slices of the paper's claim files

def iterations_for(size, flag=None) -> int:
    "`--max-iterations` if given; else 100 up to 32 claims (the README's table), the library's default above."
    return flag if flag is not None else 100 if size <= 32 else SearchConfig().max_iterations

def search_config(args, seed, size) -> SearchConfig:
    "The `SearchConfig` the flags describe, for one seed and batch size."
    given = {f.name: getattr(args, f.name) for f in fields(SearchConfig) if f.name not in ("seed", "labels")}
    return replace(SearchConfig(), **dict(given, seed=seed, max_iterations=iterations_for(size, args.max_iterations)))

def run_seed(lm, task, size, seed, args) -> list[dict]:
    "The comparison rows of every method on one task, size and seed."
    ds = load_task(task, size, seed)
    methods = run_baselines(lm, ds, BaselineConfig(k=args.context_size or 8, seed=seed))
    result = ICMSearcher(lm, search_config(args, seed, size), verbose=False).search(ds)
    table = compare({**methods, "ICM": result})
    print(f"  {task} seed {seed}: n={len(ds)}; ICM {result.iterations} it, "
          f"{result.convergence_info['reason']}\n" + "\n".join("    " + l for l in str(table).splitlines()), flush=True)
    return [dict(r, task=task, size=size, seed=seed) for r in table.rows]

def _mean(xs):
    xs = [x for x in xs if x is not None]
    return statistics.mean(xs) if xs else None

def markdown(rows, metric, methods, tasks, fmt="{:.3f}") -> str:
    "A task × method markdown table of the mean of `metric` over seeds ('–': undefined in every seed)."
    lines = ["| task | " + " | ".join(methods) + " |", "|---" * (len(methods) + 1) + "|"]
    for task in tasks:
        cells = [_mean([r[metric] for r in rows if r["task"] == task and r["method"] == m]) for m in methods]
        lines.append(f"| {task} | " + " | ".join("–" if c is None else fmt.format(c) for c in cells) + " |")
    return "\n".join(lines)

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=None)
    ap.add_argument("--tasks", nargs="+", default=["review_comparison", "paired_sentiment", "sentiment",
                                                   "sentiment_imbalanced", "comparison", "math", "truthfulqa", "gsm8k",
                                                   "alpaca"])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--sizes", type=int, nargs="+", default=[32], help="claims per task (e.g. `--sizes 32 256`)")
    ap.add_argument("--json", metavar="PATH", help="also write every row (task, seed, method, metrics, cost) here, after each run")
    for f in fields(SearchConfig):  # every search setting, with the library's default (iterations: see iterations_for)
        if f.name in ("seed", "labels"): continue
        default = None if f.name == "max_iterations" else f.default
        kind = type(f.default) if f.default is not None else int
        ap.add_argument(f"--{f.name.replace('_', '-')}", type=kind, default=default)
    args = ap.parse_args()
    lm = load_model(args.model)
    print(f"model {lm.name}; {len(args.seeds)} seeds; sizes {args.sizes}; ICM: {search_config(args, 0, max(args.sizes))}", flush=True)
    rows = []
    for size in args.sizes:
        for task in args.tasks:
            for seed in args.seeds:
                rows += run_seed(lm, task, size, seed, args)
                if args.json: atomic_write_text(args.json, json.dumps(rows, indent=1, default=str))  # after every run: an interrupted benchmark keeps its rows
    for size in args.sizes:
        sized = [r for r in rows if r["size"] == size]
        methods = list(dict.fromkeys(r["method"] for r in sized))
        print(f"\n## {size} claims per task")
        for metric, title in [("accuracy", "Accuracy"), ("balanced_accuracy", "Balanced accuracy"), ("auroc", "AUROC"),
                              ("true_share", "Share labeled True"), ("pgr", "PGR (of the zero-shot → many-shot gap)")]:
            print(f"\n{title}, mean of {len(args.seeds)} seeds:\n" + markdown(sized, metric, methods, args.tasks))
        print(f"\nModel tokens per run (mean):\n" + markdown(sized, "tokens", methods, args.tasks, "{:,.0f}"))
        print(f"\nCost in zero-shot passes (mean):\n" + markdown(sized, "cost", methods, args.tasks, "{:.1f}"))
        print(f"\nSeconds per run (mean):\n" + markdown(sized, "seconds", methods, args.tasks, "{:.0f}"))

if __name__ == "__main__": main()
