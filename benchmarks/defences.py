#!/usr/bin/env python
"""ICM with and without its defences against degenerate labelings, on one task: a row per setting.

Each setting is `name=field:value,field:value` over `SearchConfig` fields. Printed per run: accuracy, balanced
accuracy, share labeled True (and the gold share), the share of claims labeled by their wording (paired claims:
1.0 is the wording labeling), η (the share of the final log-odds' variance between the two groups of their
best split; 2/π ≈ 0.64 for one Gaussian; measured, it does not tell a good labeling from a bad one), model
tokens and seconds. Each claim takes its own label, repeated texts included. With `--save DIR` each run's
result is kept as an `icm` result file (`ICMStorage(DIR)`), so it can be scored again without searching again.

    python benchmarks/defences.py --task paired_sentiment --size 128 --max-iterations 400 \\
        plain=calibration:none batch=calibration:batch template=calibration:template
"""
import argparse, statistics, time, typing
from icm.metrics import accuracy, balanced_accuracy, true_share
from icm.model import load_model
from icm.results import match_claims
from icm.scoring import two_group_split
from icm.search import ICMSearcher, SearchConfig
from icm.storage import ICMStorage
from baselines import load_task
from objective import wording_labels  # benchmarks/objective.py

def parse_setting(text:str) -> tuple[str, dict]:
    "`name=field:value,...` as a name and `SearchConfig` overrides (values typed like the field's default)."
    name, _, body = text.partition("=")
    hints = typing.get_type_hints(SearchConfig)
    types = {k: next(t for t in typing.get_args(h) or (h,) if t is not type(None)) for k, h in hints.items()}
    pairs = [p.split(":", 1) for p in body.split(",") if p]
    return name, {k: types[k](v) for k, v in pairs}

def wording_share(ds, labels) -> float|None:
    "The share of claims labeled as their wording says (`objective.wording_labels`), or `None` without templates."
    wording = wording_labels(ds)
    return None if wording is None else sum(w == l for w, l in zip(wording, labels)) / len(labels)

def labels_in_order(ds, result) -> list:
    "The result's label of each claim of `ds`, in order; claims with the same text take their labels in turn."
    return [m and m.label for m in match_claims(result.labeled_examples, [e.input_text for e in ds])]

def separation(result, true_label:str) -> float|None:
    "Otsu's η of the claims' final True log-odds: the share of their variance between the two groups of the best split."
    xs = [c if r.label == true_label else -c for r in result.labeled_examples
          if (c := r.confidence) is not None]
    if len(xs) < 2 or statistics.pvariance(xs) == 0: return None
    t = two_group_split(xs); hi, lo = [x for x in xs if x > t], [x for x in xs if x <= t]
    if not hi or not lo: return None
    w = len(hi) / len(xs)
    return w * (1 - w) * (statistics.mean(hi) - statistics.mean(lo)) ** 2 / statistics.pvariance(xs)

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("settings", nargs="+")
    ap.add_argument("--task", default="paired_sentiment")
    ap.add_argument("--size", type=int, default=128)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0])
    ap.add_argument("--max-iterations", type=int, default=400)
    ap.add_argument("--model", default=None)
    ap.add_argument("--save", default=None, help="folder to keep each run's result file in")
    args = ap.parse_args()
    lm = load_model(args.model)
    storage = ICMStorage(args.save) if args.save else None
    print("| task | setting | seed | accuracy | balanced | True share (gold) | by wording | η | tokens | seconds |")
    print("|---|---|---|---|---|---|---|---|---|---|", flush=True)
    for text in args.settings:
        name, overrides = parse_setting(text)
        for seed in args.seeds:
            ds = load_task(args.task, args.size, seed)
            config = SearchConfig(seed=seed, max_iterations=args.max_iterations, **overrides)
            t0, tokens0 = time.perf_counter(), lm.tokens
            result = ICMSearcher(lm, config, verbose=False).search(ds)
            seconds, tokens = time.perf_counter() - t0, lm.tokens - tokens0
            if storage: storage.save_result(result, f"{args.task}_{args.size}_{name}_seed{seed}")
            labels = labels_in_order(ds, result)
            gold = [e.gold_label for e in ds]
            w, eta = wording_share(ds, labels), separation(result, config.labels[0])
            print(f"| {args.task} | {name} | {seed} | {accuracy(labels, gold):.3f} | "
                  f"{balanced_accuracy(labels, gold):.3f} | {true_share(labels):.2f} ({true_share(gold):.2f}) | "
                  f"{'–' if w is None else f'{w:.2f}'} | {'–' if eta is None else f'{eta:.2f}'} | {tokens:,} | {seconds:.0f} |",
                  flush=True)

if __name__ == "__main__": main()
