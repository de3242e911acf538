#!/usr/bin/env python
"""Where to put the zero of calibrated log-odds: label-free thresholds compared, balanced and imbalanced.

For each task and seed: every claim's log-odds with no demos (zero-shot), and in context (k = 8 demos before each
block of 8 queries, the demos labeled from the zero-shot log-odds, at their median or at 0 (`--demo-labels`): no
gold labels), raw and block-calibrated (minus their block's mean, as `calibration="batch"` does). Each set of
log-odds is cut at a few thresholds that need no labels: 0; the mean; the median (assumes half True);
`two_group_split` (Otsu: the cut of greatest between-group variance, what `calibration="split"` uses); a
two-Gaussian mixture fitted by EM (equal variances); Kittler and Illingworth's minimum-error cut (two Gaussians,
each its own size and variance); and Otsu's criterion weighted by how empty the cut's neighbourhood is (valley
emphasis, Ng 2006). Printed per row: AUROC, and for each threshold the share labeled True and the balanced accuracy.

    python benchmarks/thresholds.py                                   # sentiment at 25% and 50% True, 256 claims, seeds 0 1
    python benchmarks/thresholds.py --tasks sentiment@0.1 sentiment@0.75 --demo-labels sign
    python benchmarks/thresholds.py --tasks review_comparison --size 64
"""
import argparse, math, statistics
from icm.metrics import auroc, balanced_accuracy
from icm.model import load_model
from icm.scoring import MutualPredictability, two_group_split, zero_shot_scores
from baselines import load_task  # benchmarks/baselines.py: synthetic tasks and slices of the paper's claim files

def mixture_split(xs:list[float], steps:int=200) -> float|None:
    "The cut where a two-Gaussian mixture (equal variances, EM from the Otsu split) changes component; `None` if degenerate."
    t = two_group_split(xs)
    hi, lo = [x for x in xs if x > t], [x for x in xs if x <= t]
    if not hi or not lo: return None
    w, m1, m0, v = len(hi) / len(xs), statistics.mean(hi), statistics.mean(lo), statistics.pvariance(xs) / 4 or 1e-4
    for _ in range(steps):
        r = [w * math.exp(-(x - m1) ** 2 / (2 * v)) / (w * math.exp(-(x - m1) ** 2 / (2 * v))
             + (1 - w) * math.exp(-(x - m0) ** 2 / (2 * v)) + 1e-300) for x in xs]
        s = sum(r)
        if s < 1e-9 or s > len(xs) - 1e-9: return None
        w, m1, m0 = s / len(xs), sum(a * x for a, x in zip(r, xs)) / s, sum((1 - a) * x for a, x in zip(r, xs)) / (len(xs) - s)
        v = max(1e-4, sum(a * (x - m1) ** 2 + (1 - a) * (x - m0) ** 2 for a, x in zip(r, xs)) / len(xs))
    if m1 <= m0: return None
    return (m1 + m0) / 2 + v * math.log((1 - w) / w) / (m1 - m0)  # where the two weighted densities meet

def min_error_split(xs:list[float]) -> float|None:
    "Kittler and Illingworth's cut: two Gaussians, each with its own share and variance, of least error; groups of ≥ 2."
    v, n, floor = sorted(xs), len(xs), statistics.pvariance(xs) * 1e-3 + 1e-12
    best, cut = math.inf, None
    for j in range(2, n - 1):
        if v[j] <= v[j - 1]: continue
        lo, hi = v[:j], v[j:]
        p = j / n
        J = (p * math.log(max(statistics.pvariance(lo), floor)) + (1 - p) * math.log(max(statistics.pvariance(hi), floor))) / 2 \
            - p * math.log(p) - (1 - p) * math.log(1 - p)
        if J < best: best, cut = J, (v[j - 1] + v[j]) / 2
    return cut

def valley_split(xs:list[float]) -> float:
    "Otsu's criterion times (1 − the density at the cut, over its largest): prefers a cut in a valley (Ng 2006)."
    v, n = sorted(xs), len(xs)
    h = 1.06 * (statistics.pstdev(v) or 1.0) * n ** -0.2  # Silverman's bandwidth
    density = lambda t: sum(math.exp(-((t - x) / h) ** 2 / 2) for x in v)
    total, below, scored = sum(v), 0.0, []
    for j in range(1, n):
        below += v[j - 1]
        if v[j] > v[j - 1]: scored.append(((v[j - 1] + v[j]) / 2, j * (n - j) * (below / j - (total - below) / (n - j)) ** 2))
    if not scored: return 0.0
    dens = [density(t) for t, _ in scored]
    return max(zip(scored, dens), key=lambda sd: (1 - sd[1] / max(dens)) * sd[0][1])[0][0]

def cuts(xs:list[float]) -> dict:
    "Each label-free threshold by name."
    return {"0": 0.0, "mean": statistics.mean(xs), "median": statistics.median(xs), "split": two_group_split(xs),
            "mixture": mixture_split(xs), "min-error": min_error_split(xs), "valley": valley_split(xs)}

def row(name:str, xs:list[float], gold:list[str]) -> str:
    "AUROC, then share True and balanced accuracy at each threshold."
    cells = []
    for cut, t in cuts(xs).items():
        if t is None: cells.append(f"{cut}: –"); continue
        pred = ["True" if x > t else "False" for x in xs]
        cells.append(f"{cut}: {pred.count('True') / len(pred):.2f} True, {balanced_accuracy(pred, gold):.3f}")
    return f"| {name} | {auroc(xs, gold):.3f} | " + " | ".join(cells) + " |"

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=None)
    ap.add_argument("--tasks", nargs="+", default=["sentiment_imbalanced", "sentiment"])
    ap.add_argument("--size", type=int, default=256)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    ap.add_argument("--demo-labels", choices=["median", "sign"], default="median",
                    help="the demos' labels: zero-shot log-odds above their median, or above 0")
    args = ap.parse_args()
    lm = load_model(args.model)
    print("| task, seed, log-odds | AUROC | " + " | ".join(f"{c}: share True, balanced" for c in cuts([0.0, 1.0])) + " |")
    for task in args.tasks:
        for seed in args.seeds:
            ds = load_task(task, args.size, seed)
            gold = [e.gold_label for e in ds]
            z = zero_shot_scores(lm, ds)
            mp = MutualPredictability(lm, ds, context_size=8, seed=seed)
            t = statistics.median(z) if args.demo_labels == "median" else 0.0
            mp.set_labels(["True" if x > t else "False" for x in z])
            raw = mp.confidences()
            calibrated = [r - statistics.mean(raw[j] for j in mp.block_members(i)) for i, r in enumerate(raw)]
            for name, xs in [("zero-shot", z), ("in context", raw), ("in context, block-calibrated", calibrated)]:
                print(row(f"{task}, {seed}, {name}", xs, gold), flush=True)

if __name__ == "__main__": main()
