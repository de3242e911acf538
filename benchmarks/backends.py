#!/usr/bin/env python
"""The in-process backend against the server backend on the same work, on this machine: labels per second and tokens
per second. The server is llama.cpp's OpenAI-compatible server (`llama-cpp-python[server]`) on the embedded default
model's GGUF, started here on 127.0.0.1 (the same weights the in-process model converts from).

    python benchmarks/backends.py              # 32 review claims; ICM run on 16 claims, 10 iterations
    python benchmarks/backends.py --quick      # 16 claims, no ICM run

Rows:
- zero-shot: every claim scored once with no demos (one label distribution per claim);
- k-demo P(D): every claim scored once given its context of k gold-labeled demos (one full P(D) evaluation);
- ICM run: a short search, both backends with the same seed; wall time, labels that agree.
"labels" = label distributions computed (ICM run: claims labeled), "labels/s" = those per second; "tokens" = tokens the backend ran
(in-process: with key/value reuse) or sent (server: prompt tokens of every request, as the server reports them;
llama.cpp reuses the previous request's prefix, so it computes fewer). The server is read in both request forms:
"top" (one request per claim, the next token's top-20 log-probs; a claim whose labels are not both among them is read
by echo, counted in the last column) and "echo" (two requests per claim, the prompt's own log-probs). "stock server"
is llama-cpp-python without our partial-sort patch (`LlamaCppServer(fast_logprobs=False)`), echo form: it sorts the
whole 262,144-token vocabulary in Python for every echoed token.
"""
import argparse, os, time
from icm.synthetic import create_synthetic_dataset
from icm.model import load_model
from icm.scoring import MutualPredictability
from icm.server import LlamaCppServer, ServerModel
from icm.search import ICMSearcher
from icm.results import match_claims

def timed(fn):
    t = time.perf_counter(); out = fn(); return out, time.perf_counter() - t

def zero_shot(m, claims):
    return m.label_logprobs([e.input_text for e in claims])

def k_demo(m, claims, k):
    mp = MutualPredictability(m, claims, context_size=k, seed=0)
    mp.set_labels([e.gold_label for e in claims])
    return mp._ensure(range(len(claims)), mp.labels)

def row(name, backend, n, secs, tokens, requests="–", echoed="–", rate=True):
    print(f"| {name} | {backend} | {n} | {secs:.1f} | {f'{n / secs:.2f}' if rate else '–'} | {tokens:,} | {tokens / secs:,.0f} | {requests} | {echoed} |", flush=True)

def measure(name, backend, m, fn, n=None):
    "Time `fn` on model `m` and print its row; `n`: label distributions computed (`None`: an ICM run, its labeled claims)."
    t0, r0, e0 = m.tokens, m.forward_calls, getattr(m, "echoed", 0)
    out, secs = timed(fn)
    server = isinstance(m, ServerModel)
    row(name, backend, len(out.labels) if n is None else n, secs, m.tokens - t0, f"{m.forward_calls - r0:,}" if server else "–",
        m.echoed - e0 if server else "–", rate=n is not None)
    return out

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    p.add_argument("--claims", type=int, default=32)
    p.add_argument("--k", type=int, default=8)
    p.add_argument("--run-claims", type=int, default=16)
    p.add_argument("--iterations", type=int, default=10)
    p.add_argument("--stock-claims", type=int, default=4, help="claims for the stock (unpatched) server's zero-shot row")
    p.add_argument("--quick", action="store_true")
    a = p.parse_args()
    if a.quick: a.claims, a.iterations = 16, 0
    claims = create_synthetic_dataset("review_comparison", a.claims, seed=0)
    lm = load_model(device="cpu")
    lm.label_logprobs([claims[0].input_text])  # warm-up
    print(f"{os.cpu_count()} CPU cores; {a.claims} review_comparison claims, {sum(len(lm.encode(e.input_text)) for e in claims) / len(claims):.1f} tokens each\n")
    print("| work | backend | labels | seconds | labels/s | tokens | tokens/s | requests | read by echo |\n|---|---|---|---|---|---|---|---|---|")
    measure("zero-shot", "in-process", lm, lambda: zero_shot(lm, claims), len(claims))
    measure(f"{a.k}-demo P(D)", "in-process", lm, lambda: k_demo(lm, claims, a.k), len(claims))
    runs, data = {}, create_synthetic_dataset("review_comparison", a.run_claims, seed=1)
    kw = dict(max_iterations=a.iterations, context_size=4, initial_examples=4, seed=0, verbose=False)
    if a.iterations: runs["in-process"] = measure(f"ICM run ({a.run_claims} claims, {a.iterations} it.)", "in-process", lm, lambda: ICMSearcher(lm, **kw).search(data))
    with LlamaCppServer() as server:
        for form in ("top", "echo"):
            sm = ServerModel(server.base_url, logprobs_form=form)
            sm.check()
            name = f"llama.cpp server, {form}"
            measure("zero-shot", name, sm, lambda: zero_shot(sm, claims), len(claims))
            measure(f"{a.k}-demo P(D)", name, sm, lambda: k_demo(sm, claims, a.k), len(claims))
            if a.iterations:
                runs[name] = measure(f"ICM run ({a.run_claims} claims, {a.iterations} it.)", name, sm, lambda: ICMSearcher(sm, **kw).search(data))
    if a.stock_claims:
        with LlamaCppServer(fast_logprobs=False) as stock:
            sm = ServerModel(stock.base_url, timeout=600, logprobs_form="echo")
            sm.check()
            measure("zero-shot", "stock llama-cpp-python server, echo", sm, lambda: zero_shot(sm, claims[:a.stock_claims]), a.stock_claims)
    if runs:
        local = runs.pop("in-process")
        mine, texts = local.labeled_examples, [e.input for e in local.labeled_examples]
        for name, res in runs.items():
            same = sum(m is not None and m.label == e.label for e, m in zip(mine, match_claims(res.labeled_examples, texts)))
            print(f"\nICM run, {name} form: labels agree with the in-process run on {same}/{len(mine)}; "
                  f"accuracy in-process {local.accuracy:.1%}, server {res.accuracy:.1%}")

if __name__ == "__main__": main()
