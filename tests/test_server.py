"""The server backend against a real server: llama.cpp's OpenAI-compatible server (`llama-cpp-python[server]`) on the
embedded default model's GGUF file, started here on 127.0.0.1 on a free port. No mocks: every log-prob comes from llama.cpp.

Tolerance. The in-process model is the same GGUF dequantized to float32; llama.cpp multiplies the Q4_K weights by
activations it quantizes to 8 bits and keeps an F16 key/value cache, so the two disagree slightly. Measured on 32
review claims (zero-shot and with 8 demos): mean |Δ log p(True)| 0.05-0.07 nats, max 0.22, the larger label differs
on 1 claim of 32 (zero-shot on 4 of 16, all with log-odds within ±0.4). The tests allow mean < 0.15, max < 0.5, and the
larger label agreeing on at least 90% of the claims the in-process model decides by more than 0.5 nats (a flip needs a
margin within twice the measured error). llama.cpp is not batch-invariant: it reuses the key/values of the
previous request's common prefix, so the same prompt sent after other requests differs by up to 0.13 nats (0.017 on
average; 32 prompts in three orders). The server's two request forms (top: the next token's top log-probs; echo: the
prompt's own log-probs) are the same computation: sent in the same order they differ by at most 0.025 nats (mean
0.001); the test allows max 0.1, mean 0.02.

Transient failures are injected by `FlakyProxy`, a local HTTP proxy in front of the real server that answers chosen
completion requests with an error status, a dropped connection, a body cut in half, or a body without log-probs."""
import json, socket, subprocess, sys, threading, time, urllib.error, urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
import pytest

pytest.importorskip("llama_cpp.server", reason="needs llama-cpp-python[server] (.ci/run installs it)")
from icm.synthetic import create_synthetic_dataset
from icm.model import load_model
from icm.scoring import MutualPredictability, demo_text
from icm.server import LlamaCppServer, ServerCapabilityError, ServerError, ServerModel
from icm.callbacks import Callback
from icm.search import ICMSearcher
from test_cli import ICM, clean_env, icm

@pytest.fixture(scope="module")
def server():
    with LlamaCppServer(n_ctx=2048) as srv: yield srv

@pytest.fixture(scope="module")
def lm(): return load_model(device="cpu")

@pytest.fixture(scope="module")
def claims(): return create_synthetic_dataset("review_comparison", 16, seed=0)

def compare(a:list, b:list, margin:float=0.5):
    "Mean and max |Δ| of the first label's log-prob, and the share of rows the reference decides by > `margin` nats whose larger label agrees."
    d = [abs(x[0] - y[0]) for x, y in zip(a, b)]
    decided = [(x, y) for x, y in zip(a, b) if abs(y[0] - y[1]) > margin]  # a flip needs a margin within the measured error
    agree = sum((x[0] >= x[1]) == (y[0] >= y[1]) for x, y in decided) / max(len(decided), 1)
    return sum(d) / len(d), max(d), agree

@pytest.mark.parametrize("form", ["echo", "auto"])
def test_zero_shot_logprobs_agree(server, lm, claims, form):
    sm = ServerModel(server.base_url, logprobs_form=form)
    prompts = [e.input_text for e in claims]
    mean, mx, agree = compare([list(r.values()) for r in sm.label_logprobs(prompts)], [list(r.values()) for r in lm.label_logprobs(prompts)])
    print(f"zero-shot, {sm.form} form: mean |Δ| {mean:.3f}, max {mx:.3f}, agree {agree:.0%}; {sm.echoed} of {len(prompts)} prompts read by echo")
    assert mean < 0.15 and mx < 0.5 and agree >= 0.9
    if form == "echo": assert sm.forward_calls == 2 + 2 * len(prompts) and sm.tokens > 0  # the probe, then one request per prompt and label
    else:  # llama.cpp's top log-probs agree with its echoed ones: the probe (2 echo, 1 top, 2 echo), one top request per prompt, two echo where a label is missing
        assert sm.form == "top" and sm.forward_calls == 5 + len(prompts) + 2 * sm.echoed

def test_top_and_echo_forms_agree(server, claims):
    "The two request forms give the same log-probs (one top request per prompt against two echo requests)."
    ctx = "".join(demo_text(e, e.gold_label) for e in claims[:6])
    prompts = [ctx + e.input_text for e in claims[6:]]
    top, echo = (ServerModel(server.base_url, logprobs_form=f, concurrency=1) for f in ("top", "echo"))
    a, b = top.label_logprobs(prompts), echo.label_logprobs(prompts)
    d = [abs(x["True"] - y["True"]) for x, y in zip(a, b)]
    print(f"top vs echo on {len(prompts)} prompts with 6 demos: mean |Δ| {sum(d) / len(d):.4f}, max {max(d):.4f}; "
          f"requests {top.forward_calls - 2} vs {echo.forward_calls - 2}; {top.echoed} read by echo")
    assert max(d) < 0.1 and sum(d) / len(d) < 0.02
    assert top.forward_calls - 2 == len(prompts) + 2 * top.echoed and echo.forward_calls - 2 == 2 * len(prompts)
    assert top.echoed < len(prompts)  # with demos in the prompt the labels are among the top 20

def test_in_context_logprobs_agree(server, lm, claims):
    sm = ServerModel(server.base_url, concurrency=4)
    mps = [MutualPredictability(m, claims, context_size=4, seed=0) for m in (lm, sm)]
    for mp in mps: mp.set_labels([e.gold_label for e in claims])
    rows = [mp._ensure(range(len(claims)), mp.labels) for mp in mps]
    mean, mx, agree = compare([rows[0][i] for i in range(len(claims))], [rows[1][i] for i in range(len(claims))])
    print(f"k=4: mean |Δ| {mean:.3f}, max {mx:.3f}, agree {agree:.0%}; P local {mps[0].score():.4f}, server {mps[1].score():.4f}")
    assert mean < 0.15 and mx < 0.5 and agree >= 0.9
    assert abs(mps[0].score() - mps[1].score()) < 0.1

def test_search_through_server_agrees(server, lm):
    data = create_synthetic_dataset("review_comparison", 8, seed=1)
    kw = dict(max_iterations=12, context_size=4, initial_examples=4, seed=0, verbose=False)
    local = ICMSearcher(lm, **kw).search(data)
    remote = ICMSearcher(ServerModel(server.base_url), **kw).search(data)
    same = sum(a == b for a, b in zip(local.labels, remote.labels)) / len(local.labels)
    print(f"labels agree on {same:.0%}; accuracy local {local.accuracy:.0%}, server {remote.accuracy:.0%}; {remote.metadata['tokens']:,} server tokens")
    assert len(remote.labels) == len(data) and remote.iterations == 12
    # An annealing run is chaotic in its inputs: llama.cpp's log-probs differ from the in-process ones by up to
    # 0.2 nats (see the top of this file), enough to tip one near-tied acceptance and send the two runs apart.
    # Measured on these 8 claims: the labels agreed on at least 75% in one run and on 50% (two pairs swapped, the same
    # 75% accuracy) in another. The search must run end to end and be as good, not take the same path.
    assert same >= 0.5 and abs(remote.accuracy - local.accuracy) <= 0.25
    assert "127.0.0.1" in remote.metadata["model"]

def test_capability_and_reachability_errors(server):
    with pytest.raises(ServerError, match="does not serve 'nope'"): ServerModel(server.base_url, model="nope").label_logprobs(["x"])
    with pytest.raises(ServerError, match="unreachable"): ServerModel("http://127.0.0.1:9/v1", max_retries=1, timeout=2).label_logprobs(["x"])
    with pytest.raises(ValueError, match="base_url"): ServerModel(None)

class FlakyProxy:
    "A local HTTP proxy in front of the real server; `faults` lists what the next completion requests get instead of a plain answer."
    def __init__(self, target:str):
        self.target, self.faults, self.seen = target.rstrip("/"), [], []
        proxy = self
        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a): pass
            def do_GET(self): self._forward(None)
            def do_POST(self): self._forward(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            def _send(self, code, body):
                self.send_response(code); self.send_header("Content-Type", "application/json"); self.send_header("Content-Length", str(len(body)))
                self.end_headers(); self.wfile.write(body)
            def _forward(self, body):
                fault = proxy.faults.pop(0) if self.path.endswith("/completions") and proxy.faults else None
                proxy.seen.append((self.path, fault))
                if fault == "reset": self.connection.shutdown(socket.SHUT_RDWR); self.close_connection = True; return
                if isinstance(fault, int): return self._send(fault, json.dumps({"error": {"message": f"injected {fault}"}}).encode())
                req = urllib.request.Request(proxy.target + self.path, body, {"Content-Type": "application/json"}, method=self.command)
                try:
                    with urllib.request.urlopen(req, timeout=120) as r: code, out = r.status, r.read()
                except urllib.error.HTTPError as e: code, out = e.code, e.read()
                if fault == "truncated": out = out[:len(out) // 2]
                if fault == "no_logprobs":
                    d = json.loads(out)
                    for c in d["choices"]: c["logprobs"] = None
                    out = json.dumps(d).encode()
                self._send(code, out)
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
    @property
    def base_url(self): return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
    def __enter__(self): return self
    def __exit__(self, *exc): self.httpd.shutdown(); self.httpd.server_close()

PROMPTS = ["Review: A wonderful film.\nClaim: This review is positive.\nI think this claim is",
           "Review: A dreadful film.\nClaim: This review is positive.\nI think this claim is"]

@pytest.mark.parametrize("form", ["top", "echo"])
def test_transient_failures_are_retried(server, form):
    "503, a dropped connection, 429 and 500 (on one request) are retried with backoff; the answers are those of a server that never failed."
    want = ServerModel(server.base_url, logprobs_form=form, concurrency=1).label_logprobs(PROMPTS)  # one at a time: llama.cpp sees the same requests in the same order
    with FlakyProxy(server.base_url[:-3]) as proxy:
        sm = ServerModel(proxy.base_url, max_retries=4, logprobs_form=form, concurrency=1)
        sm.check()
        proxy.faults[:] = [503, "reset", 429, 500]
        got = sm.label_logprobs(PROMPTS)
        assert not proxy.faults and got == want
        proxy.faults[:] = [503] * 5  # one more than the retries: the first request fails for good
        with pytest.raises(ServerError, match=r"answered 503 \(after 4 retries\)"): sm.label_logprobs(PROMPTS)

@pytest.mark.parametrize("fault, error, text", [("truncated", ServerError, "unreadable response"),
                                                ("no_logprobs", ServerCapabilityError, "no top log-probs")])
def test_partial_response_is_an_error_not_a_label(server, fault, error, text):
    with FlakyProxy(server.base_url[:-3]) as proxy:
        sm = ServerModel(proxy.base_url, max_retries=0, concurrency=1, logprobs_form="top")
        sm.check()
        proxy.faults[:] = [fault]
        with pytest.raises(error, match=text): sm.label_logprobs(PROMPTS)

def test_server_failing_mid_search_keeps_a_checkpoint_then_resumes(server, tmp_path):
    "A server that answers 503 to everything from iteration 4 on: `ServerError`, the checkpoint keeps those iterations; resumed, the search finishes."
    # 16 claims, so later iterations still send new prompts: with 8, every prompt an iteration needs can already be
    # cached by iteration 4 (llama.cpp's log-probs vary by request order, so which flips are accepted varies too)
    # (claims never drawn by max_iterations are labeled after it, one iteration each: hence >= below)
    data = create_synthetic_dataset("review_comparison", 16, seed=2)
    kw = dict(max_iterations=16, context_size=2, initial_examples=4, seed=0, verbose=False, checkpoint_path=tmp_path/"run.json")
    with FlakyProxy(server.base_url[:-3]) as proxy:
        class FailFromIteration4(Callback):
            def on_iteration(self, searcher, state, record):
                if record["iteration"] == 4: proxy.faults[:] = [503] * 10_000
        with pytest.raises(ServerError, match=r"503 \(after 1 retries\)"):
            ICMSearcher(ServerModel(proxy.base_url, max_retries=1), callbacks=[FailFromIteration4()], **kw).search(data)
        saved = json.loads((tmp_path/"run.json").read_text())["snapshot"]["iteration"]
        assert saved >= 4, saved
        proxy.faults.clear()
        resumed = ICMSearcher(ServerModel(proxy.base_url), **kw).search(data, resume=True)
    assert resumed.iterations >= 16 and resumed.convergence_info["reason"] == "max_iterations" and resumed.labels
    print(f"failed after iteration {saved}; resumed to {resumed.iterations}")

def _completions(log:Path) -> int:
    return log.read_text(errors="replace").count("POST /v1/completions") if log.exists() else 0

def test_server_killed_mid_run_then_resume(tmp_path):
    "The server dies mid-run: exit 3, one line, a checkpoint; restarted on the same port, --resume finishes the run."
    srv = LlamaCppServer(log_file=tmp_path/"server.log").start()
    args = ["run", "--backend", "server", "--base-url", srv.base_url, "--synthetic", "sentiment", "--synthetic-size", 8,
            "--max-iterations", 12, "--context-size", 2, "--initial-examples", 4, "--seed", 0, "--output-dir", tmp_path/"out"]
    try:
        proc = subprocess.Popen(ICM + [str(a) for a in args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=clean_env())
        deadline = time.monotonic() + 240
        while _completions(srv.log_file) < 20 and proc.poll() is None and time.monotonic() < deadline: time.sleep(0.5)
        assert proc.poll() is None, proc.communicate()
        srv.stop()
        out, err = proc.communicate(timeout=180)
        assert proc.returncode == 3, (proc.returncode, out, err)
        lines = [l for l in err.strip().splitlines() if l.strip() and not l.startswith("ICM:")]  # all but the progress bar
        assert len(lines) == 1 and "Traceback" not in err, err
        assert "unreachable" in lines[0], err
        assert "server error" in err and "--resume" in err, err
        ckpts = list((tmp_path/"out"/".checkpoints").glob("*.json"))
        assert len(ckpts) == 1
        done = json.loads(ckpts[0].read_text())["snapshot"]["iteration"]
        srv.start()
        res = icm(*args, "--resume", timeout=600)
        assert res.returncode == 0, res.stderr
        assert "Labeled 8 of 8 examples" in res.stdout and "12 iterations" in res.stdout, res.stdout
        print(f"killed after iteration {done}; resumed to 12")
    finally: srv.stop()

def test_cli_server_settings_errors():
    assert_one = lambda res, text: (res.returncode == 2 and text in res.stderr and len(res.stderr.strip().splitlines()) == 1) or pytest.fail(res.stderr)
    assert_one(icm("run", "--backend", "server", "--synthetic", "math"), "--backend server needs --base-url")
    assert_one(icm("run", "--base-url", "http://x", "--synthetic", "math"), "--base-url needs --backend server")
    assert_one(icm("run", "--backend", "server", "--base-url", "http://x", "--concurrency", 0, "--synthetic", "math"), "concurrency must be ≥ 1")
    assert_one(icm("run", "--backend", "server", "--base-url", "http://x", "--logprobs-form", "all", "--synthetic", "math"), "argument --logprobs-form: invalid choice: 'all'")
