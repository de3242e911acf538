#!/usr/bin/env python
"""Every baseline of `icm.baselines` on one task with one model, as `icm.metrics.compare` tables them: accuracy,
balanced accuracy, AUROC, True share, PGR, and the tokens and seconds each took.

    python benchmarks/baselines.py --task sentiment --size 32
    python benchmarks/baselines.py --task truthfulqa --size 64 --k 8
    python benchmarks/baselines.py --task sentiment --size 256 --methods zero-shot golden
"""
import argparse
from icm.data import find_shared_data, load_icm_dataset
from icm.synthetic import SYNTHETIC_KINDS, create_synthetic_dataset, synthetic_sentiment
from icm.baselines import METHODS, BaselineConfig, run_baselines
from icm.metrics import compare
from icm.model import load_model

PAPER_FILES = {"truthfulqa": "train_truthfulqa.json", "gsm8k": "test_gsm8k.json", "alpaca": "test_alpaca.json"}

def load_task(task, size, seed):
    "A synthetic task (`sentiment@0.1`: single sentiment claims, that share True), or a slice of a paper's claim file."
    if task.startswith("sentiment@"): return synthetic_sentiment(size, seed, true_share=float(task.split("@")[1]))
    if task in PAPER_FILES: return load_icm_dataset(find_shared_data("paper", PAPER_FILES[task]), max_examples=size, seed=seed)
    return create_synthetic_dataset(task, size // 2 if task == "math" else size, seed=seed)

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=None, help="model name or path (default: the embedded Gemma 3 270M)")
    ap.add_argument("--task", default="sentiment", help=f"one of {[*SYNTHETIC_KINDS, *PAPER_FILES]}, or sentiment@SHARE")
    ap.add_argument("--size", type=int, default=32, help="number of claims")
    ap.add_argument("--k", type=int, default=8, help="demos per few-shot prompt")
    ap.add_argument("--rounds", type=int, default=3, help="bootstrapped: relabeling rounds")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--methods", nargs="+", default=list(METHODS), choices=METHODS, help="which baselines (default: all)")
    args = ap.parse_args()
    lm = load_model(args.model)
    ds = load_task(args.task, args.size, args.seed)
    print(f"model {lm.name}, task {args.task}: {ds.get_stats()}")
    results = run_baselines(lm, ds, BaselineConfig(tuple(args.methods), k=args.k, rounds=args.rounds, seed=args.seed),
                            progress=lambda m: print(f"  {m} ...", flush=True))
    print(compare(results))

if __name__ == "__main__": main()
