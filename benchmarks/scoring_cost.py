#!/usr/bin/env python
"""What one label flip costs the scoring engine, in model tokens (a figure that does not depend on the machine),
and how fast the engine runs compared with a plain batched forward pass.

    python benchmarks/scoring_cost.py                      # default model, |D| = 32, 64, 128
    python benchmarks/scoring_cost.py --sizes 32 --flips 3  # quicker

Columns:
- naive: tokens a naive exact recompute runs after a flip (every labeled example re-scored with all others as
  context, one prompt each), counted from the tokenized prompts (running it at |D| = 128 would take hours);
- fast (k): tokens our fast mode ran per flip (measured: apply a random flip, rescore P(D));
- exact: tokens our exact mode ran per flip (measured where `--exact-max` allows), and whether its P(D) equals
  the naive definition (checked by running the naive method at the smallest size);
- engine / plain / body tok/s: throughput of a full fast-mode scoring (its first call, warm-up included) vs a plain
  batched `model()` call with full logits, and vs the transformer body alone (no output layer), over the same number
  of tokens; peak RSS of the process.
"""
import argparse, random, resource, time
import torch
from icm.data import LABELS
from icm.synthetic import create_synthetic_dataset
from icm.model import direct_label_logprobs, load_model
from icm.scoring import MutualPredictability, demo_text

def naive_tokens(lm, examples, labels):
    "Tokens of one naive full recompute: each labeled example once, with every other labeled example as a demo."
    demo = [len(lm.encode(demo_text(e, l))) if l else 0 for e, l in zip(examples, labels)]
    query = [len(lm.encode(e.input_text)) for e in examples]
    total = sum(demo)
    return sum(len(lm.bos) + total - demo[i] + query[i] for i, l in enumerate(labels) if l)

def flip_cost(mp, rng, flips):
    "Mean tokens per flip (apply one random flip, rescore P(D))."
    mp.score()
    start = mp.tokens
    for _ in range(flips):
        i = rng.randrange(len(mp))
        mp.apply({i: "False" if mp.labels[i] == "True" else "True"})
        mp.score()
    return (mp.tokens - start) / flips

@torch.no_grad()
def plain_throughput(lm, examples, n_tokens, batch=16, body_only=False):
    "Tokens/s of plain batched forward passes (full logits, or the transformer body alone) over about `n_tokens` tokens of the same claims."
    seqs, total = [], 0
    while total < n_tokens:
        for e in examples:
            ids = lm.bos + lm.encode(e.input_text)
            seqs.append(ids); total += len(ids)
            if total >= n_tokens: break
    t = time.perf_counter()
    for s in range(0, len(seqs), batch):
        chunk = seqs[s:s + batch]
        width = max(map(len, chunk))
        ids = torch.tensor([c + [0] * (width - len(c)) for c in chunk])
        mask = torch.tensor([[1] * len(c) + [0] * (width - len(c)) for c in chunk])
        (lm.body if body_only else lm.model)(input_ids=ids, attention_mask=mask)
    return total / (time.perf_counter() - t)

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=None, help="model name or path (default: the embedded Gemma 3 270M)")
    ap.add_argument("--sizes", type=int, nargs="+", default=[32, 64, 128])
    ap.add_argument("--context-size", type=int, default=16)
    ap.add_argument("--flips", type=int, default=4)
    ap.add_argument("--exact-max", type=int, default=32, help="largest |D| at which exact mode is run")
    ap.add_argument("--task", default="sentiment", choices=["sentiment", "math", "comparison"])
    args = ap.parse_args()
    lm = load_model(args.model)
    print(f"model {lm.name}, task synthetic {args.task}, k = g = {args.context_size}, {torch.get_num_threads()} threads")
    print(f"{'|D|':>5} {'tok/ex':>6} {'naive/flip':>11} {'fast/flip':>10} {'naive÷fast':>10} {'exact/flip':>11} "
          f"{'exact÷naive':>11} {'engine tok/s':>12} {'plain tok/s':>11} {'body tok/s':>10} {'peak RSS MB':>11}")
    for n in args.sizes:
        kind_size = n // 2 if args.task == "math" else n
        examples = list(create_synthetic_dataset(args.task, kind_size, seed=0))[:n]
        rng = random.Random(0)
        labels = [rng.choice(LABELS) for _ in examples]
        naive = naive_tokens(lm, examples, labels)
        fast = MutualPredictability(lm, examples, context_size=args.context_size, seed=0)
        fast.set_labels(labels)
        t = time.perf_counter(); fast.score(); secs = time.perf_counter() - t
        full_tokens = fast.tokens
        engine_tps = full_tokens / secs
        fast_flip = flip_cost(fast, random.Random(1), args.flips)
        exact_flip = "-"
        if n <= args.exact_max:
            exact = MutualPredictability(lm, examples, context_size=None, seed=0)
            exact.set_labels(labels)
            exact_flip = flip_cost(exact, random.Random(1), max(1, args.flips // 2))
        plain_tps = plain_throughput(lm, examples, full_tokens)
        body_tps = plain_throughput(lm, examples, full_tokens, body_only=True)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        ex_str = f"{exact_flip:>11,.0f} {exact_flip / naive:>11.2f}" if exact_flip != "-" else f"{'-':>11} {'-':>11}"
        tok_per_ex = sum(len(lm.encode(e.input_text)) for e in examples) / n
        print(f"{n:>5} {tok_per_ex:>6.1f} {naive:>11,} {fast_flip:>10,.0f} {naive / fast_flip:>10.1f} {ex_str} "
              f"{engine_tps:>12,.0f} {plain_tps:>11,.0f} {body_tps:>10,.0f} {rss:>11,.0f}", flush=True)
    n = min(args.sizes[0], 16)
    examples = list(create_synthetic_dataset(args.task, n, seed=0))[:n]
    rng = random.Random(2)
    labels = [rng.choice(LABELS) for _ in examples]
    exact = MutualPredictability(lm, examples, context_size=None, seed=0)
    exact.set_labels(labels)
    ref = []
    for i in exact.order:
        demos = [t for e in exact.order if e != i for t in lm.encode(demo_text(examples[e], labels[e]))]
        ref.append(direct_label_logprobs(lm, lm.bos + demos + lm.encode(examples[i].input_text))[LABELS.index(labels[i])])
    print(f"exact mode vs naive reference at |D| = {n}: P = {exact.score():.6f} vs {sum(ref) / len(ref):.6f}")

if __name__ == "__main__": main()
