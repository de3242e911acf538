#!/usr/bin/env python
"""The evaluation protocol's baselines on one task with one model: zero-shot (raw and median-calibrated),
random-label ICL and golden-label ICL (leave-one-out, k demos), with the tokens and seconds each took.

    python benchmarks/baselines.py --task sentiment --size 32
    python benchmarks/baselines.py --task truthfulqa --size 64 --k 8
"""
import argparse, time
from icm.data import create_synthetic_dataset, find_shared_data, load_icm_dataset
from icm.baselines import icl_accuracy, zero_shot_accuracy
from icm.model import load_model

PAPER_FILES = {"truthfulqa": "train_truthfulqa.json", "gsm8k": "test_gsm8k.json", "alpaca": "test_alpaca.json"}

def load_task(task, size, seed):
    "A synthetic task, or a seeded sample of whole groups from one of the paper's claim files."
    if task in PAPER_FILES: return load_icm_dataset(find_shared_data("paper", PAPER_FILES[task]), max_examples=size, seed=seed)
    return create_synthetic_dataset(task, size // 2 if task == "math" else size, seed=seed)

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=None, help="model name or path (default: the embedded Gemma 3 270M)")
    ap.add_argument("--task", default="sentiment", choices=["review_comparison", "sentiment", "math", "comparison", *PAPER_FILES])
    ap.add_argument("--size", type=int, default=32, help="number of claims")
    ap.add_argument("--k", type=int, default=8, help="demos per ICL prompt")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    lm = load_model(args.model)
    ds = load_task(args.task, args.size, args.seed)
    print(f"model {lm.name}, task {args.task}: {ds.get_stats()}")
    runs = {"zero-shot": lambda: zero_shot_accuracy(lm, ds),
            "zero-shot (calibrated)": lambda: zero_shot_accuracy(lm, ds, calibrated=True),
            f"random-label ICL (k={args.k})": lambda: icl_accuracy(lm, ds, "random", k=args.k, seed=args.seed),
            f"golden-label ICL (k={args.k})": lambda: icl_accuracy(lm, ds, "gold", k=args.k, seed=args.seed)}
    print(f"{'method':<26} {'accuracy':>8} {'tokens':>9} {'seconds':>8}")
    for name, run in runs.items():
        tokens, t = lm.tokens, time.perf_counter()
        acc = run()
        print(f"{name:<26} {acc:>8.3f} {lm.tokens - tokens:>9,} {time.perf_counter() - t:>8.1f}", flush=True)

if __name__ == "__main__": main()
