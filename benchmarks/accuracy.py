#!/usr/bin/env python
"""ICM against the evaluation protocol's baselines, on the default model (or `--model`), mean over seeds:
zero-shot, calibrated zero-shot, random-label ICL, ICM and golden-label ICL accuracy vs gold, with the model
tokens and wall seconds of one ICM run.

    python benchmarks/accuracy.py                                   # all tasks, 3 seeds (about 45 minutes on 2 CPU cores)
    python benchmarks/accuracy.py --tasks review_comparison --seeds 0 --size 16 --max-iterations 40   # a quick look

Tasks: `review_comparison` (our own: a positive and a negative review, "Review B is more positive than Review A",
both orders), `sentiment` (our own: one review, "This review is positive."; no logical structure), `comparison` and
`math` (the upstream synthetic tasks), `truthfulqa` (a seeded slice of whole groups of the paper's TruthfulQA claims).
"""
import argparse, statistics, time
from icm.scoring import icl_accuracy, load_model, zero_shot_accuracy
from icm.search import ICMSearcher
from baselines import load_task  # benchmarks/baselines.py: synthetic tasks and slices of the paper's claim files

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
        searcher = ICMSearcher(lm, alpha=args.alpha, initial_temperature=args.t0, final_temperature=args.tmin, cooling_rate=args.beta,
                               initial_examples=args.k0, max_iterations=args.max_iterations, context_size=args.context_size,
                               seed=seed, verbose=False)
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
    ap.add_argument("--max-iterations", type=int, default=100)
    ap.add_argument("--context-size", type=int, default=8)
    ap.add_argument("--alpha", type=float, default=5.0)
    ap.add_argument("--t0", type=float, default=10.0)
    ap.add_argument("--tmin", type=float, default=0.01)
    ap.add_argument("--beta", type=float, default=0.99)
    ap.add_argument("--k0", type=int, default=8, help="initial randomly labeled examples")
    args = ap.parse_args()
    lm = load_model(args.model)
    print(f"model {lm.name}; {len(args.seeds)} seeds; size {args.size}; ICM: alpha {args.alpha}, T0 {args.t0}, Tmin {args.tmin}, "
          f"beta {args.beta}, K {args.k0}, k {args.context_size}, {args.max_iterations} iterations", flush=True)
    table = []
    for task in args.tasks: table.append((task, *run_task(lm, task, args)))
    methods = list(table[0][1])
    print("\n| task | " + " | ".join(methods) + " | ICM tokens | ICM seconds |")
    print("|---" * (len(methods) + 3) + "|")
    for task, accs, cost in table:
        print(f"| {task} | " + " | ".join(f"{accs[m]:.3f}" for m in methods) + f" | {cost['tokens']:,.0f} | {cost['seconds']:.0f} |")

if __name__ == "__main__": main()
