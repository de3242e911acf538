#!/usr/bin/env python
"""Which labeling does ICM's objective prefer? P(D) of named labelings, under each calibration.

For each task, seed and context order, P(D) (the mean label log-prob, `MutualPredictability.score`) is computed
for a few complete labelings of the same claims:

- `gold`: the true labels;
- `all True`, `all False`: the constant labelings;
- `wording`: each claim labeled by its wording (the commonest template True, the others False), only where claims
  share templates (paired claims);
- `zero-shot`: each claim's own answer with no context (the model's label-free judgement);
- `random`: a random labeling with the gold share of True.

A search can only find the truth if its objective ranks `gold` above the degenerate labelings. The contexts are
those a search would use (`--context-size`, `--block-size`); each calibration is computed from the same model rows,
so the table costs one model pass per labeling and order.

    python benchmarks/objective.py                                      # the default tasks, 256 claims, 2 orders
    python benchmarks/objective.py --tasks paired_sentiment --size 64 --orders 1
"""
import argparse, random, statistics
from collections import Counter
from icm.baselines import zero_shot
from icm.model import load_model
from icm.scoring import CALIBRATIONS, MutualPredictability, shared_templates
from icm.metrics import accuracy
from baselines import load_task  # benchmarks/baselines.py: synthetic tasks and slices of the paper's claim files

def wording_labels(ds) -> list|None:
    "Each claim labeled by its wording (the commonest template True, the others False); `None` without templates."
    templates = shared_templates(ds)
    if len(set(templates)) < 2: return None
    common = Counter(templates).most_common(1)[0][0]
    return ["True" if t == common else "False" for t in templates]

def named_labelings(ds, lm, rng:random.Random) -> dict:
    "The labelings to score, by name."
    gold = [e.gold_label for e in ds]
    out = {"gold": gold, "all True": ["True"] * len(ds), "all False": ["False"] * len(ds)}
    if wording_labels(ds): out["wording"] = wording_labels(ds)
    out["zero-shot"] = zero_shot(lm, ds).labels
    share = gold.count("True") / len(gold)
    out["random"] = ["True" if rng.random() < share else "False" for _ in gold]
    return out

def scores(lm, ds, labelings:dict, args, order:int) -> dict:
    "`{(calibration, name): P}` for one context order."
    mp = MutualPredictability(lm, ds, context_size=args.context_size, block_size=args.block_size, seed=order,
                              calibration="template")
    out = {}
    for name, labels in labelings.items():
        mp.set_labels(labels)
        for c in CALIBRATIONS:  # the same memoised model rows, read each way
            mp.calibration = c
            out[c, name] = mp.score()
    return out

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=None)
    ap.add_argument("--tasks", nargs="+", default=["sentiment", "sentiment_imbalanced", "paired_sentiment",
                                                   "review_comparison", "truthfulqa"])
    ap.add_argument("--size", type=int, default=256)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--orders", type=int, default=2, help="context orders (cyclic shuffles) to average over")
    ap.add_argument("--context-size", type=int, default=8)
    ap.add_argument("--block-size", type=int, default=None)
    args = ap.parse_args()
    lm = load_model(args.model)
    for task in args.tasks:
        ds = load_task(task, args.size, args.seed)
        tokens0 = lm.tokens
        labelings = named_labelings(ds, lm, random.Random(args.seed))
        runs = [scores(lm, ds, labelings, args, order) for order in range(args.orders)]
        gold = [e.gold_label for e in ds]
        print(f"\n{task}: n={len(ds)}, True share {gold.count('True') / len(gold):.2f}, "
              f"{args.orders} orders, {lm.tokens - tokens0:,} tokens")
        names = list(labelings)
        print("| calibration | " + " | ".join(f"{n} ({accuracy(labelings[n], gold):.2f})" for n in names) + " |")
        print("|---" * (len(names) + 1) + "|")
        for c in CALIBRATIONS:
            means = {n: statistics.mean(r[c, n] for r in runs) for n in names}
            top = max(means, key=means.get)
            print(f"| {c} | " + " | ".join(f"**{means[n]:.3f}**" if n == top else f"{means[n]:.3f}" for n in names)
                  + " |", flush=True)

if __name__ == "__main__": main()
