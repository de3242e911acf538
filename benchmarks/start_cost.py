#!/usr/bin/env python
"""What one evaluation of P costs at the start of a search, per calibration, in model tokens and seconds.

A search starts with K claims labeled (`initial_labels`), and its first ConsistencyFix evaluates P once for
each repair it tries. While so few claims are labeled, every block's context is made of the same few demos, so a
change to one label changes every context; how much of the batch must then be re-scored depends on the
calibration (`split` reads the log-odds of every block that holds a labeled claim for its cut; it once read the
whole batch's). Printed per calibration: the first scoring (nothing cached) and one flip of an initial label
after it.

    python benchmarks/start_cost.py --task gsm8k --size 256 batch split anchor
"""
import argparse, random, time
from icm.model import load_model
from icm.scoring import MutualPredictability
from icm.search import SearchConfig, initial_labels
from baselines import load_task  # benchmarks/baselines.py

def cost(lm, fn) -> tuple[int, float]:
    "Model tokens and seconds that `fn()` takes."
    t0, k0 = time.perf_counter(), lm.tokens
    fn()
    return lm.tokens - k0, time.perf_counter() - t0

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("calibrations", nargs="+", help="e.g. none batch split anchor")
    ap.add_argument("--task", default="gsm8k")
    ap.add_argument("--size", type=int, default=256)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--model", default=None)
    args = ap.parse_args()
    lm, ds, c = load_model(args.model), load_task(args.task, args.size, args.seed), SearchConfig()
    init = initial_labels([e.consistency_id for e in ds], c.initial_examples, random.Random(args.seed), c.labels)
    first = next(iter(init))
    flip = {**init, first: c.labels[1] if init[first] == c.labels[0] else c.labels[0]}
    print(f"{args.task}, {len(ds)} claims, {len(init)} labeled, contexts of {c.context_size}")
    print("| calibration | first scoring: tokens | seconds | one flip: tokens | seconds |\n|---|---|---|---|---|")
    for cal in args.calibrations:
        mp = MutualPredictability(lm, ds, context_size=c.context_size, block_size=c.block_size, seed=args.seed,
                                  labels=c.labels, calibration=cal)
        (t1, s1), (t2, s2) = cost(lm, lambda: mp.score(init)), cost(lm, lambda: mp.score(flip))
        print(f"| {cal} | {t1:,} | {s1:.0f} | {t2:,} | {s2:.0f} |", flush=True)

if __name__ == "__main__": main()
