#!/usr/bin/env python
"""How much of the in-context signal to keep over the zero-shot one, measured without a search (a diagnostic for #16).

For each `task:size` (seed 0): anchored calibration's log-odds split into z − m (each claim's zero-shot log-odds minus
their mean over its wording) and the residual r the contexts add (`calibration="anchor"` uses z − m + r). With the
contexts labeled by gold, by the wording labeling (paired claims) or by the centred zero-shot signs, print for a
weight w on r and a centring (mean or two-group split per wording): AUROC, balanced accuracy and share True of
sign(z − m + w·r), and the accuracy of one decision per consistency pair (the higher of the pair True).

    python benchmarks/anchor_weight.py paired_sentiment:256 review_comparison:128 sentiment_imbalanced:256
"""
import sys, statistics, time
from collections import defaultdict
from icm.metrics import auroc, balanced_accuracy
from icm.model import load_model
from icm.scoring import MutualPredictability, two_group_split
from baselines import load_task
from objective import wording_labels

lm = load_model(None)
def pair_acc(s, ds, gold):
    groups = defaultdict(list)
    for i, e in enumerate(ds): groups[e.metadata.get('consistency_id')].append(i)
    pred = [None]*len(ds)
    for g, idx in groups.items():
        if len(idx) == 2:
            a, b = idx
            if s[a] > s[b]: pred[a], pred[b] = 'True', 'False'
            else: pred[a], pred[b] = 'False', 'True'
        else:
            for i in idx: pred[i] = 'True' if s[i] > 0 else 'False'
    return sum(p == g for p, g in zip(pred, gold)) / len(gold)

for task, size in [(a, int(b)) for a, b in (x.split(':') for x in sys.argv[1:])]:
    ds = load_task(task, size, 0); gold = [e.gold_label for e in ds]
    t0 = time.time()
    mp = MutualPredictability(lm, ds, context_size=8, seed=0, calibration='anchor')
    z = zz = mp.zero_shot_odds(); _, keys, means = mp._anchor  # one zero-shot pass per task
    for labname in ['gold', 'wording', 'zs']:
        # split-centred per wording
        byk = defaultdict(list)
        for k, v in zip(keys, zz): byk[k].append(v)
        sp = {k: two_group_split(v) for k, v in byk.items()}
        zhat_m = [v - means[k] for k, v in zip(keys, zz)]
        zhat_s = [v - sp[k] for k, v in zip(keys, zz)]
        if labname == 'gold': labs = gold
        elif labname == 'wording':
            labs = wording_labels(ds)
            if labs is None: continue
        else: labs = ['True' if v > 0 else 'False' for v in zhat_m]
        mp.set_labels(labs)
        anc = mp.confidences()
        resid = [a - zm for a, zm in zip(anc, zhat_m)]
        print(f'## {task} {size} contexts={labname}  zero-shot auroc {auroc(z, gold):.3f}  resid sd {statistics.pstdev(resid):.2f} zhat sd {statistics.pstdev(zhat_m):.2f}  ({time.time()-t0:.0f}s)')
        for w in [1, 0.5, 0.25, 0.1, 0]:
            for cname, zh in [('mean', zhat_m), ('split', zhat_s)]:
                s = [a + w*r for a, r in zip(zh, resid)]
                pred = ['True' if x > 0 else 'False' for x in s]
                print(f'  w={w} centre={cname}: auroc {auroc(s, gold):.3f} bal {balanced_accuracy(pred, gold):.3f} share {pred.count("True")/len(pred):.2f} pair {pair_acc(s, ds, gold):.3f}')
        sys.stdout.flush()
