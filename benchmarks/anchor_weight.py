#!/usr/bin/env python
"""How much of the in-context signal to keep over the zero-shot one, measured without a search (a diagnostic for #16).

For each `task:size` (seed 0): anchored calibration's log-odds split into z − m (each claim's zero-shot log-odds minus
their mean over its wording) and the residual r the contexts add (`calibration="anchor"` uses z − m + r). With the
contexts labeled by gold, by the wording labeling (paired claims) or by the centred zero-shot signs, print for a
weight w on r and a centring (mean or two-group split of z per wording, or the mean then the two-group
split of the weighted sum over the batch, `mean+cut`): AUROC, balanced accuracy and share True of
sign(z − m + w·r), and the accuracy of one decision per consistency pair (the higher of the pair True); and how well r repeats
under another context order (the correlation of r across two orders, same labels): a label-free reading of how
much of r is the claim rather than its demos.

    python benchmarks/anchor_weight.py paired_sentiment:256 review_comparison:128 sentiment_imbalanced:256
"""
import sys, statistics, time
from collections import defaultdict
from icm.metrics import auroc, balanced_accuracy
from icm.model import load_model
from icm.scoring import MutualPredictability, two_group_split
from baselines import load_task
from objective import wording_labels

def pair_acc(s:list[float], ds, gold:list[str]) -> float:
    "Accuracy of one decision per two-claim consistency group (the higher True), else of each claim's sign."
    groups = defaultdict(list)
    for i, e in enumerate(ds): groups[e.metadata.get('consistency_id')].append(i)
    pred = [None] * len(ds)
    for idx in groups.values():
        if len(idx) == 2:
            a, b = idx
            pred[a], pred[b] = ('True', 'False') if s[a] > s[b] else ('False', 'True')
        else:
            for i in idx: pred[i] = 'True' if s[i] > 0 else 'False'
    return sum(p == g for p, g in zip(pred, gold)) / len(gold)

def main():
    lm = load_model(None)
    for task, size in [(a, int(b)) for a, b in (x.split(':') for x in sys.argv[1:])]:
        ds = load_task(task, size, 0); gold = [e.gold_label for e in ds]
        t0 = time.time()
        mp = MutualPredictability(lm, ds, context_size=8, seed=0, calibration='anchor')
        z = mp.zero_shot_odds(); _, keys, means = mp._anchor  # one zero-shot pass per task
        other = MutualPredictability(lm, ds, context_size=8, seed=1, calibration='anchor')
        byk = defaultdict(list)
        for k, v in zip(keys, z): byk[k].append(v)
        splits = {k: two_group_split(v) for k, v in byk.items()}
        zhat_m = [v - means[k] for k, v in zip(keys, z)]   # centred per wording at the mean
        zhat_s = [v - splits[k] for k, v in zip(keys, z)]  # ... at the two-group split
        wording = wording_labels(ds)
        for labname, labs in [('gold', gold), ('wording', wording),
                              ('zs', ['True' if v > 0 else 'False' for v in zhat_m])]:
            if labs is None: continue
            mp.set_labels(labs); other.set_labels(labs)
            resid = [a - zm for a, zm in zip(mp.confidences(), zhat_m)]
            resid2 = [a - zm for a, zm in zip(other.confidences(), zhat_m)]  # the same labels, other contexts
            print(f'## {task} {size} contexts={labname}  zero-shot auroc {auroc(z, gold):.3f}  '
                  f'resid sd {statistics.pstdev(resid):.2f} zhat sd {statistics.pstdev(zhat_m):.2f}  '
                  f'resid across two orders r {statistics.correlation(resid, resid2):.2f}  ({time.time()-t0:.0f}s)')
            for w in [1, 0.5, 0.25, 0.1, 0]:
                for cname, zh in [('mean', zhat_m), ('split', zhat_s), ('mean+cut', zhat_m)]:
                    s = [a + w * r for a, r in zip(zh, resid)]
                    if cname == 'mean+cut': t = two_group_split(s); s = [x - t for x in s]
                    pred = ['True' if x > 0 else 'False' for x in s]
                    print(f'  w={w} centre={cname}: auroc {auroc(s, gold):.3f} bal {balanced_accuracy(pred, gold):.3f} '
                          f'share {pred.count("True") / len(pred):.2f} pair {pair_acc(s, ds, gold):.3f}', flush=True)

if __name__ == "__main__": main()
