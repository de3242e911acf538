#!/usr/bin/env python
"""The paper's main comparison at our scale: zero-shot accuracy on held-out claims of the untrained default model, the
model fine-tuned on its own ICM labels, and the model fine-tuned on gold labels (mean over seeds), with wall times.

    python benchmarks/finetune.py                       # review_comparison, 32 training claims, 64 held out, 3 seeds
    python benchmarks/finetune.py --seeds 1 --iterations 50

Per seed: ICM labels the training claims (the accuracy benchmark's settings: k = 8, 100 iterations); SFT + LoRA
(`finetune` defaults unless flags say otherwise) on the ICM labels, and the same on the gold labels; then all three
models answer the held-out claims zero-shot (raw and calibrated at the median log-odds). Training and held-out claims
come from different seeds of the synthetic generator (different pairs of reviews; the review sentences share templates).
"""
import argparse, statistics, tempfile, time
from pathlib import Path
from icm.synthetic import create_synthetic_dataset
from icm.model import load_model
from icm.search import ICMSearcher
from icm.train import evaluate_model, finetune

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    p.add_argument("--task", default="review_comparison")
    p.add_argument("--train", type=int, default=32)
    p.add_argument("--heldout", type=int, default=64)
    p.add_argument("--seeds", type=int, default=3)
    p.add_argument("--iterations", type=int, default=100)
    p.add_argument("--epochs", type=float, default=3)
    p.add_argument("--learning-rate", type=float, default=None)
    p.add_argument("--lora-rank", type=int, default=16)
    a = p.parse_args()
    lm = load_model(device="cpu")
    rows, work = [], Path(tempfile.mkdtemp(prefix="icm-finetune-"))
    print(f"{a.task}: {a.train} training claims, {a.heldout} held out, {a.seeds} seeds; SFT + LoRA r={a.lora_rank}, "
          f"{a.epochs} epochs, lr {a.learning_rate or 'default (3e-4)'}\n")
    print("| seed | ICM label acc. | untrained | trained on ICM labels | trained on gold labels | untrained (cal.) | ICM (cal.) | gold (cal.) | ICM s | train s (each) |")
    print("|---|---|---|---|---|---|---|---|---|---|", flush=True)
    for seed in range(a.seeds):
        train = create_synthetic_dataset(a.task, a.train, seed=seed)
        heldout = create_synthetic_dataset(a.task, a.heldout, seed=1000 + seed)
        t = time.perf_counter()
        result = ICMSearcher(lm, max_iterations=a.iterations, context_size=8, seed=seed, verbose=False).search(train)
        icm_s = time.perf_counter() - t
        kw = dict(model=lm, epochs=a.epochs, learning_rate=a.learning_rate, lora_rank=a.lora_rank, seed=seed, device="cpu", progress=False)
        t = time.perf_counter()
        finetune(result, output_dir=work/f"icm-{seed}", **kw)
        finetune(train, labels="gold", output_dir=work/f"gold-{seed}", **kw)
        train_s = (time.perf_counter() - t) / 2
        evals = [evaluate_model(m, heldout, "cpu") for m in (lm, work/f"icm-{seed}", work/f"gold-{seed}")]
        row = dict(icm_acc=result.accuracy, **{f"{n}": e["accuracy"] for n, e in zip(("untrained", "icm", "gold"), evals)},
                   **{f"{n}_cal": e["calibrated_accuracy"] for n, e in zip(("untrained", "icm", "gold"), evals)}, icm_s=icm_s, train_s=train_s)
        rows.append(row)
        print(f"| {seed} | {row['icm_acc']:.3f} | {row['untrained']:.3f} | {row['icm']:.3f} | {row['gold']:.3f} | {row['untrained_cal']:.3f} | "
              f"{row['icm_cal']:.3f} | {row['gold_cal']:.3f} | {icm_s:.0f} | {train_s:.0f} |", flush=True)
    m = {k: statistics.mean(r[k] for r in rows) for k in rows[0]}
    print(f"| mean | {m['icm_acc']:.3f} | {m['untrained']:.3f} | {m['icm']:.3f} | {m['gold']:.3f} | {m['untrained_cal']:.3f} | "
          f"{m['icm_cal']:.3f} | {m['gold_cal']:.3f} | {m['icm_s']:.0f} | {m['train_s']:.0f} |")

if __name__ == "__main__": main()
