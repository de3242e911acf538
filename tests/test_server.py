"""The server backend against a real server: llama.cpp's OpenAI-compatible server (`llama-cpp-python[server]`) on the
embedded default model's GGUF file, started here on 127.0.0.1 on a free port. No mocks: every log-prob comes from llama.cpp.

Tolerance. The in-process model is the same GGUF dequantized to float32; llama.cpp multiplies the Q4_K weights by
activations it quantizes to 8 bits and keeps an F16 key/value cache, so the two disagree slightly. Measured on 32
review claims (zero-shot and with 8 demos): mean |Δ log p(True)| 0.05-0.07 nats, max 0.22, the larger label differs
on 1 claim of 32 (zero-shot on 4 of 16, all with log-odds within ±0.4). The tests allow mean < 0.15, max < 0.5, and the
larger label agreeing on at least 90% of the claims the in-process model decides by more than 0.5 nats (a flip needs a
margin within twice the measured error)."""
import json, subprocess, sys, time
from pathlib import Path
import pytest

pytest.importorskip("llama_cpp.server", reason="needs llama-cpp-python[server] (.ci/run installs it)")
from icm.data import create_synthetic_dataset
from icm.scoring import LlamaCppServer, MutualPredictability, ServerError, ServerModel, load_model
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

def test_zero_shot_logprobs_agree(server, lm, claims):
    sm = ServerModel(server.base_url)
    prompts = [e.input_text for e in claims]
    mean, mx, agree = compare([list(r.values()) for r in sm.label_logprobs(prompts)], [list(r.values()) for r in lm.label_logprobs(prompts)])
    print(f"zero-shot: mean |Δ| {mean:.3f}, max {mx:.3f}, agree {agree:.0%}")
    assert mean < 0.15 and mx < 0.5 and agree >= 0.9
    assert sm.forward_calls == 2 + 2 * len(prompts) and sm.tokens > 0  # the probe, then one request per prompt and label

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
    assert same >= 0.75
    assert "127.0.0.1" in remote.metadata["model"]

def test_capability_and_reachability_errors(server):
    with pytest.raises(ServerError, match="does not serve 'nope'"): ServerModel(server.base_url, model="nope").label_logprobs(["x"])
    with pytest.raises(ServerError, match="unreachable"): ServerModel("http://127.0.0.1:9/v1", max_retries=1, timeout=2).label_logprobs(["x"])
    with pytest.raises(ValueError, match="base_url"): ServerModel(None)

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
        done = json.loads(ckpts[0].read_text())["state"]["iteration"]
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
