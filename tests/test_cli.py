"""End-to-end tests of the `icm` command line: every command runs as a subprocess, on small synthetic data and a tiny
local model checkpoint built here. The Hub is a fake HTTP server on localhost (no network). `test_run_default_model`
runs the embedded default model; skip it with `pytest -k "not default_model"` for a quick run."""
import base64, http.server, json, os, shutil, signal, socket, subprocess, sys, threading, time
from pathlib import Path
import pytest

_script = Path(sys.executable).parent/"icm"
ICM = [str(_script)] if _script.exists() else [sys.executable, "-c", "import sys; from icm.cli import main; sys.exit(main())"]
TINY_ARGS = ["--max-iterations", "30", "--context-size", "4", "--initial-examples", "4", "--seed", "0"]

def clean_env(**extra) -> dict:
    "The environment of a test command: offline, no user ICM_* settings or Hub token, plus `extra`."
    env = {k: v for k, v in os.environ.items() if not k.startswith("ICM_") and k not in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN")}
    env.update(HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1", TRANSFORMERS_OFFLINE="1", PYTHONUNBUFFERED="1")
    env.update({k: str(v) for k, v in extra.items()})
    return {k: v for k, v in env.items() if v != "<unset>"}

def icm(*args, env=None, cmd=None, timeout=300, cwd=None):
    "Run `icm ARGS` as a subprocess; the completed process (text output)."
    return subprocess.run((cmd or ICM) + [str(a) for a in args], capture_output=True, text=True, env=env or clean_env(), timeout=timeout, cwd=cwd)

def assert_user_error(res, contains):
    "Exit code 2, one line on stderr that says what is wrong, no traceback."
    assert res.returncode == 2, (res.returncode, res.stdout, res.stderr)
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    assert contains in lines[0], res.stderr
    assert "Traceback" not in res.stderr

def read_result(path):
    lines = [json.loads(l) for l in Path(path).read_text().splitlines()]
    return lines[0], lines[1:]

@pytest.fixture(scope="module")
def work(tmp_path_factory): return tmp_path_factory.mktemp("cli")

@pytest.fixture(scope="module")
def tiny(work):
    "A tiny random Gemma 3 checkpoint folder, as `load_model` reads it."
    from icm.synthetic import create_synthetic_dataset
    from icm.model import make_tiny_model
    texts = [e.input_text for kind in ("math", "sentiment", "comparison") for e in create_synthetic_dataset(kind, 8, seed=0)]
    m = make_tiny_model(texts)
    m.model.save_pretrained(work/"tiny"); m.tokenizer.save_pretrained(work/"tiny")
    return work/"tiny"

@pytest.fixture(scope="module")
def run(work, tiny):
    "One `icm run` on synthetic math; model from --model, device and log level from the environment."
    out = work/"results"
    res = icm("run", "--model", tiny, "--synthetic", "math", "--synthetic-size", 4, *TINY_ARGS, "--output-dir", out, "--plot", work/"fig.png",
              env=clean_env(ICM_DEVICE="cpu", ICM_LOG_LEVEL="INFO"))
    assert res.returncode == 0, res.stderr
    files = list(out.glob("*.jsonl"))
    assert len(files) == 1, files
    return res, files[0]

# ---- help

def test_help_lists_commands_and_upstream_flags():
    res = icm("--help")
    assert res.returncode == 0
    for c in ["run", "export", "push", "list", "analyze", "clean"]: assert c in res.stdout
    flags = {"run": ["--model", "--dataset", "--task-type", "--config", "--split", "--max-examples", "--synthetic", "--synthetic-size",
                     "--alpha", "--initial-temperature", "--final-temperature", "--cooling-rate", "--initial-examples", "--max-iterations",
                     "--generation-temperature", "--generation-top-p", "--generation-max-tokens", "--device", "--seed", "--log-level",
                     "--log-file", "--output-dir", "--context-size", "--batch-size", "--resume", "--plot", "--config-file"],
             "export": ["--input-path", "--output-path", "--format", "--include-stats", "--include-examples", "--create-pairs",
                        "--hf-push", "--hf-repo-id", "--private"],
             "push": ["--input-path", "--hf-repo-id", "--file-name", "--private"]}
    for command, names in flags.items():
        res = icm(command, "--help")
        assert res.returncode == 0, res.stderr
        for f in names: assert f in res.stdout, (command, f)

# ---- run

def test_run_saves_result_and_prints_summary(run, work, tiny):
    res, path = run
    header, examples = read_result(path)
    assert header["record"] == "header" and header["format"] == "icm-result"
    assert len(examples) == 8 == header["summary"]["n_examples"] and all(e["record"] == "example" for e in examples)
    counts = header["summary"]["labels"]
    assert f"Results saved to {path}" in res.stdout
    assert "Labels: " + ", ".join(f"{l} {c}" for l, c in counts.items()) in res.stdout
    assert f"Accuracy vs gold: {header['summary']['accuracy']:.1%}" in res.stdout
    assert "Score U = " in res.stdout
    assert "Calibration: split" in res.stdout  # `auto` on addition claims: no pairs of opposite labels
    assert "ICM" in res.stderr and "it/s" in res.stderr  # the progress bar
    assert "INFO: Settings" in res.stderr  # log level from $ICM_LOG_LEVEL
    assert (work/"fig.png").stat().st_size > 1000
    assert not list((path.parent/".checkpoints").glob("*.json"))  # a finished run leaves no checkpoint
    cli = header["metadata"]["cli"]
    assert (cli["settings"]["device"], cli["sources"]["device"]) == ("cpu", "env")
    assert (cli["settings"]["max_iterations"], cli["sources"]["max_iterations"]) == (30, "flag")
    # the flags reached the search: the same search in this process gives the same labels
    from icm.synthetic import create_synthetic_dataset
    from icm.model import load_model
    from icm.search import ICMSearcher
    direct = ICMSearcher(load_model(tiny, "cpu"), max_iterations=30, context_size=4, initial_examples=4, seed=0, verbose=False).search(
        create_synthetic_dataset("math", 4, seed=0))
    assert [e["label"] for e in examples] == direct.labels

def test_settings_precedence_flag_config_env_default(work, tiny):
    "alpha: flag > config; initial_temperature: config > default; device: config > env; model: env > default; log level: flag > env."
    cfg = work/"config.json"
    cfg.write_text(json.dumps({"search_params": {"alpha": 7.0, "initial_temperature": 4.0, "max_iterations": 20},
                               "model_params": {"generation_temperature": 0.8}, "system_params": {"device": "cpu", "seed": 3}}))
    out = work/"precedence"
    res = icm("run", "--synthetic", "math", "--synthetic-size", 3, "--alpha", 3, "--context-size", 4, "--config-file", cfg,
              "--log-level", "WARNING", "--output-dir", out, env=clean_env(ICM_MODEL=tiny, ICM_DEVICE="cuda:7", ICM_LOG_LEVEL="DEBUG"))
    assert res.returncode == 0, res.stderr
    assert "DEBUG" not in res.stderr and "INFO" not in res.stderr
    header, _ = read_result(next(out.glob("*.jsonl")))
    meta, cli = header["metadata"], header["metadata"]["cli"]
    assert meta["params"]["alpha"] == 3.0 and cli["sources"]["alpha"] == "flag"
    assert meta["params"]["initial_temperature"] == 4.0 and cli["sources"]["initial_temperature"] == "config"
    assert meta["params"]["max_iterations"] == 20 and meta["seed"] == 3
    assert meta["params"]["final_temperature"] == cli["settings"]["final_temperature"] and cli["sources"]["final_temperature"] == "default"
    assert (cli["settings"]["device"], cli["sources"]["device"]) == ("cpu", "config")
    assert (cli["settings"]["model"], cli["sources"]["model"]) == (str(tiny), "env") and meta["model"] == str(tiny)
    assert (cli["settings"]["log_level"], cli["sources"]["log_level"]) == ("WARNING", "flag")
    assert (cli["settings"]["generation_temperature"], cli["sources"]["generation_temperature"]) == (0.8, "config")

def test_gsm8k_generates_candidate_solutions(work, tiny):
    rows = [{"question": f"What is 2 + {i}?", "answer": f"2 + {i} = {2 + i}\n#### {2 + i}"} for i in range(3)]
    data = work/"gsm.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = work/"gsm"
    res = icm("run", "--model", tiny, "--dataset", data, "--task-type", "gsm8k", "--generate-solutions", 1, "--generation-max-tokens", 6,
              "--generation-temperature", 0.7, "--generation-top-p", 0.95, *TINY_ARGS, "--output-dir", out)
    assert res.returncode == 0, res.stderr
    header, examples = read_result(next(out.glob("*.jsonl")))
    assert header["metadata"]["task_type"] == "gsm8k"
    groups = {}
    for e in examples: groups.setdefault(e["metadata"]["consistency_id"], []).append(e["input"])
    assert len(groups) == 3
    assert all(len(g) == 4 for g in groups.values()), groups  # reference, 2 perturbed, 1 generated by the model

# ---- interruption, resume, failures

_INTERRUPT_AT_12 = """import sys
from icm.search import ICMSearcher
from icm.callbacks import Callback
class InterruptAt(Callback):
    def on_iteration(self, searcher, state, record):
        if record["iteration"] == 12: raise KeyboardInterrupt  # as Ctrl-C would, at a known point
_callbacks = ICMSearcher._callbacks
ICMSearcher._callbacks = lambda self: _callbacks(self) + [InterruptAt()]
from icm.cli import main
sys.exit(main())
"""

def test_interrupted_run_saves_nothing_and_resumes(work, tiny):
    args = ["--model", tiny, "--synthetic", "math", "--synthetic-size", 6, *TINY_ARGS, "--device", "cpu"]
    out = work/"resume"
    res = icm("run", *args, "--output-dir", out, cmd=[sys.executable, "-c", _INTERRUPT_AT_12])
    assert res.returncode == 130, res.stderr
    assert "Interrupted after 12 iterations; no result saved" in res.stderr and "--resume" in res.stderr
    assert not list(out.glob("*.jsonl")) and not list(out.glob(".*.tmp"))
    assert len(list((out/".checkpoints").glob("*.json"))) == 1
    resumed = icm("run", *args, "--output-dir", out, "--resume")
    assert resumed.returncode == 0, resumed.stderr
    straight = icm("run", *args, "--output-dir", work/"straight")
    assert straight.returncode == 0, straight.stderr
    (h1, e1), (h2, e2) = read_result(next(out.glob("*.jsonl"))), read_result(next((work/"straight").glob("*.jsonl")))
    assert [e["label"] for e in e1] == [e["label"] for e in e2]
    assert h1["iterations"] == h2["iterations"]
    assert not list((out/".checkpoints").glob("*.json"))

def test_ctrl_c_leaves_no_result_file(work, tiny):
    "A real SIGINT during the search: exit 130, a checkpoint, no result file."
    out = work/"sigint"
    proc = subprocess.Popen(ICM + ["run", "--model", str(tiny), "--synthetic", "sentiment", "--synthetic-size", "400", "--max-iterations", "100000",
                                   "--patience", "100000",  # never converges: the SIGINT cannot come after the end
                                   "--context-size", "4", "--device", "cpu", "--output-dir", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=clean_env())
    deadline = time.time() + 120
    while not list((out/".checkpoints").glob("*.json")) and proc.poll() is None and time.time() < deadline: time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    try: stdout, stderr = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:  # show where it was when the SIGINT was lost (it has failed once, under load)
        proc.kill(); stdout, stderr = proc.communicate()
        pytest.fail(f"still running 120 s after SIGINT (checkpoint seen: {bool(list((out/'.checkpoints').glob('*.json')))}); "
                    f"stderr tail: {stderr[-2000:]}")
    assert proc.returncode == 130, (stdout, stderr)
    assert "Interrupted" in stderr and "Traceback" not in stderr
    assert not list(out.glob("*.jsonl")) and not list(out.glob(".*.tmp"))

@pytest.mark.parametrize("args,contains", [
    (["--dataset", "no_such_dataset_xyz"], "Could not load dataset 'no_such_dataset_xyz'"),
    (["--dataset", "{work}/missing.jsonl"], "Dataset file not found"),
    (["--dataset", "{work}/malformed.jsonl"], "line 2 is not valid JSON"),
    (["--synthetic", "math", "--initial-temperature", "-1"], "initial_temperature must be > 0, got -1.0 (from --initial-temperature)"),
    (["--synthetic", "math", "--alpha", "-1"], "alpha must be a finite number ≥ 0, got -1.0 (from --alpha)"),
    (["--synthetic", "math", "--config-file", "{work}/malformed.json"], "not valid JSON"),
    (["--model", "{work}/no-model-here", "--synthetic", "math"], "Could not load model"),
    (["--synthetic", "math", "--alpha", "inf"], "alpha must be a finite number ≥ 0, got inf (from --alpha)"),
    (["--synthetic", "math", "--alpha", "nan"], "alpha must be a finite number ≥ 0, got nan (from --alpha)"),
    (["--synthetic", "math", "--backend", "server", "--base-url", "not-a-url"],
     "base_url must be an http(s) URL such as http://localhost:8000/v1, got 'not-a-url' (from --base-url)"),
    (["--synthetic", "math", "--config-file", "{work}"], "is a directory; give a JSON file"),
    (["--synthetic", "math", "--output-dir", "{work}/malformed.json/out"], "--output-dir {work}/malformed.json/out: cannot write there"),
    (["--synthetic", "math", "--plot", "{work}/malformed.json/fig.png"], "--plot {work}/malformed.json/fig.png: its folder"),
    (["--synthetic", "math", "--plot", "{work}"], "is a directory; give a file name"),
], ids=["unknown-dataset", "missing-file", "malformed-file", "negative-temperature", "negative-alpha", "malformed-config", "missing-model",
        "alpha-inf", "alpha-nan", "malformed-url", "config-dir", "output-dir-under-file", "plot-under-file", "plot-dir"])
def test_run_user_errors_exit_2(work, tiny, args, contains):
    (work/"malformed.jsonl").write_text('{"text": "fine"}\n{"text": broken\n')
    (work/"malformed.json").write_text('{"search_params": {"alpha": }')
    out = work/"failed"
    own_out = [] if "--output-dir" in args else ["--output-dir", out]
    res = icm("run", *[a.format(work=work) for a in args], *own_out, *([] if "--model" in args else ["--model", tiny]))
    assert_user_error(res, contains.format(work=work))
    assert not list(out.glob("*.jsonl"))

def test_resume_after_a_finished_run_says_where_its_result_is(work, tiny):
    args = ["--model", tiny, "--synthetic", "math", "--synthetic-size", 4, *TINY_ARGS, "--device", "cpu", "--output-dir", work/"twice"]
    assert icm("run", *args).returncode == 0
    again = icm("run", *args, "--resume")
    assert again.returncode == 0, again.stderr
    results = list((work/"twice").glob("*.jsonl"))
    assert len(results) == 1 and f"already finished: its result is {results[0].resolve()}" in again.stdout
    assert icm("run", *args).returncode == 0 and len(list((work/"twice").glob("*.jsonl"))) == 2  # asked to: runs again

def test_debug_shows_traceback_and_bugs_exit_1(work, tiny):
    res = icm("run", "--synthetic", "math", "--alpha", "-1", "--log-level", "DEBUG")
    assert res.returncode == 2 and "Traceback" in res.stderr
    broken = """import sys
from icm.search import ICMSearcher
def search(self, *a, **k): raise RuntimeError("disk on fire")
ICMSearcher.search = search
from icm.cli import main
sys.exit(main())
"""
    out = work/"bug"
    res = icm("run", "--model", tiny, "--synthetic", "math", "--output-dir", out, cmd=[sys.executable, "-c", broken])
    assert res.returncode == 1, res.stderr
    assert res.stderr.strip().splitlines()[-1] == "icm run: unexpected error: RuntimeError: disk on fire (rerun with --log-level DEBUG for the traceback)"
    assert "Traceback" not in res.stderr and not list(out.glob("*.jsonl"))

# ---- export

def test_export_formats(run, work):
    _, path = run
    _, examples = read_result(path)
    res = icm("export", "--input-path", path, "--output-path", work/"e.json", "--format", "json", "--include-stats")
    assert res.returncode == 0, res.stderr
    doc = json.loads((work/"e.json").read_text())
    assert len(doc["examples"]) == len(examples) and "statistics" in doc and doc["source"]["n_examples"] == len(examples)
    res = icm("export", "--input-path", path, "--output-path", work/"e.csv", "--format", "csv")
    assert res.returncode == 0, res.stderr
    import pandas as pd
    frame = pd.read_csv(work/"e.csv", dtype=str)
    assert list(frame.label) == [e["label"] for e in examples] and "gold_label" in frame and "consistency_id" in frame
    res = icm("export", "--input-path", path, "--output-path", work/"a.json", "--format", "analysis", "--include-examples")
    assert res.returncode == 0, res.stderr
    report = json.loads((work/"a.json").read_text())
    for key in ["label_distribution", "confidence", "consistency", "search", "gold", "examples"]: assert key in report, key
    assert report["gold"]["n_gold"] == len(examples) and "calibration" in report["gold"] and "histogram" in report["confidence"]

def test_export_dpo_pairs_and_reports_unpaired(work, tiny):
    "On comparison claims, and on math claims with one pair per group or all pairs (--create-pairs)."
    from icm.data import question_claim
    from icm.results import ICMResult, LabeledExample
    from icm.storage import ICMStorage
    def ex(q, claim, label, conf, gid):
        c = question_claim(q, claim, consistency_id=gid, task="math", gold_label=None)
        return LabeledExample(c.input_text, label, conf, c.metadata)
    examples = [ex("1+1?", "2", "True", 2.0, 0), ex("1+1?", "3", "False", 1.0, 0), ex("1+1?", "4", "False", 3.0, 0),
                ex("2+2?", "4", "True", 1.0, 1), ex("2+2?", "5", "True", 1.0, 1), ex("3+3?", "6", "True", 1.0, 2)]
    path = ICMStorage(work/"dpo").save_result(ICMResult(examples, 0.0, 0, [], {"reason": "max_iterations"}, {"task_type": "math", "model": "m"}), "hand")
    res = icm("export", "--input-path", path, "--output-path", work/"one.jsonl", "--format", "dpo")
    assert res.returncode == 0, res.stderr
    rows = [json.loads(l) for l in (work/"one.jsonl").read_text().splitlines()]
    assert rows == [{"prompt": "1+1?", "chosen": "2", "rejected": "4"}]  # the most confident False claim
    assert "3 examples without a partner" in res.stdout and "all labeled True" in res.stdout and "alone in their group" in res.stdout
    res = icm("export", "--input-path", path, "--output-path", work/"all.jsonl", "--format", "dpo", "--create-pairs")
    assert [json.loads(l)["rejected"] for l in (work/"all.jsonl").read_text().splitlines()] == ["4", "3"]
    none = ICMStorage(work/"dpo").save_result(ICMResult(examples[3:], 0.0, 0, [], {}, {}), "none")
    res = icm("export", "--input-path", none, "--output-path", work/"none.jsonl", "--format", "dpo")
    assert res.returncode == 0 and "warning: No DPO pairs" in res.stderr
    assert (work/"none.jsonl").read_text() == ""

def test_export_user_errors(run, work):
    _, path = run
    assert_user_error(icm("export", "--input-path", work/"nope.jsonl", "--output-path", work/"x.json", "--format", "json"), "Result file not found")
    assert_user_error(icm("export", "--input-path", path, "--output-path", work/"x.xml", "--format", "xml"), "invalid choice: 'xml'")
    (work/"not-result.jsonl").write_text('{"prompt": "a", "chosen": "b"}\n')
    assert_user_error(icm("export", "--input-path", work/"not-result.jsonl", "--output-path", work/"x.json", "--format", "json"), "not an ICM result file")

# ---- list, analyze, clean

def test_list_analyze_clean(run, work):
    from icm.storage import ICMStorage
    _, path = run
    d = work/"many"
    store = ICMStorage(d)
    saved = [store.save_result(ICMStorage(path.parent).load_result(path), f"r{i}") for i in range(3)]
    (d/"notes.jsonl").write_text('{"note": "not a result"}\n')
    res = icm("list", "--results-dir", d)
    assert res.returncode == 0, res.stderr
    shown = [l.split()[0] for l in res.stdout.splitlines()[2:]]
    assert shown == [p.name for p in saved[::-1]]  # newest first; notes.jsonl is no result
    res = icm("analyze", "--results-dir", d, "--result-file", saved[0])
    assert res.returncode == 0 and "Gold labels: accuracy" in res.stdout and "Consistency:" in res.stdout and "Confidence" in res.stdout
    res = icm("analyze", "--results-dir", d, "--json")
    assert res.returncode == 0 and json.loads(res.stdout)["n_results"] == 3
    res = icm("clean", "--results-dir", d, "--keep-latest", 1)
    assert res.returncode == 0 and "Removed 2 old results" in res.stdout
    assert sorted(p.name for p in d.glob("*.jsonl")) == sorted([saved[2].name, "notes.jsonl"])
    assert_user_error(icm("clean", "--results-dir", d, "--keep-latest", -1), "keep_latest must be ≥ 0")

# ---- push

class FakeHub:
    "A local HTTP server that answers like the Hugging Face Hub and records the requests."
    def __init__(self):
        self.requests = []
        hub = self
        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a): pass
            def _body(self):
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    data = b""
                    while True:
                        size = int(self.rfile.readline().strip(), 16)
                        if not size: self.rfile.readline(); return data
                        data += self.rfile.read(size); self.rfile.readline()
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))
            def _reply(self, status, obj):
                body = json.dumps(obj).encode()
                self.send_response(status); self.send_header("Content-Type", "application/json"); self.send_header("Content-Length", str(len(body)))
                self.end_headers(); self.wfile.write(body)
            def do_GET(self): hub.requests.append(("GET", self.path, b"")); self._reply(404, {"error": "not found"})
            def do_POST(self):
                body = self._body(); hub.requests.append(("POST", self.path, body))
                if self.path == "/api/repos/create":
                    r = json.loads(body); return self._reply(200, {"url": f"{hub.url}/datasets/{r.get('organization')}/{r['name']}"})
                if self.path == "/api/validate-yaml": return self._reply(200, {})
                if "/preupload/" in self.path:
                    return self._reply(200, {"files": [{"path": f["path"], "uploadMode": "regular", "shouldIgnore": False} for f in json.loads(body)["files"]]})
                if "/commit/" in self.path:
                    repo = self.path.split("/api/datasets/")[1].split("/commit/")[0]
                    return self._reply(200, {"commitUrl": f"{hub.url}/datasets/{repo}/commit/{'a' * 40}", "commitOid": "a" * 40, "success": True})
                self._reply(404, {"error": "not found"})
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
    def posts(self, part): return [json.loads(b) if part == "/api/repos/create" else b for m, p, b in self.requests if m == "POST" and part in p]
    def committed(self) -> dict:
        "`{path: bytes}` of the files in the last commit."
        ops = [json.loads(l) for l in self.posts("/commit/")[-1].decode().splitlines() if l.strip()]
        return {o["value"]["path"]: base64.b64decode(o["value"]["content"]) for o in ops if o["key"] == "file"}

@pytest.fixture()
def hub():
    h = FakeHub()
    yield h
    h.server.shutdown()

def hub_env(hub, **extra): return clean_env(HF_ENDPOINT=hub.url, HF_TOKEN="hf_test", HF_HUB_OFFLINE="<unset>", TRANSFORMERS_OFFLINE="<unset>", **extra)

def test_push_result_creates_private_dataset_with_card(run, hub):
    _, path = run
    res = icm("push", "--input-path", path, "--hf-repo-id", "me/icm-math", "--private", env=hub_env(hub))
    assert res.returncode == 0, res.stderr
    assert f"{hub.url}/datasets/me/icm-math" in res.stdout
    [create] = hub.posts("/api/repos/create")
    assert (create["organization"], create["name"], create["type"]) == ("me", "icm-math", "dataset")
    assert create.get("private") is True or create.get("visibility") == "private"
    files = hub.committed()
    assert sorted(files) == ["README.md", "data/train.parquet"]
    card = files["README.md"].decode()
    for part in ["configs:", "path: data/train.parquet", "task: `math`", "model: `", "## Labels", "Against the gold labels", "wen2025unsupervised"]:
        assert part in card, part
    assert any(p.endswith("/api/datasets/me/icm-math/preupload/main") for m, p, b in hub.requests)

def test_export_dpo_with_hf_push_and_file_name(run, work, hub):
    _, path = run
    res = icm("export", "--input-path", path, "--output-path", work/"pushed.jsonl", "--format", "dpo", "--hf-push", "--hf-repo-id", "me/icm-dpo",
              env=hub_env(hub))
    assert res.returncode == 0, res.stderr
    files = hub.committed()
    assert files["pushed.jsonl"] == (work/"pushed.jsonl").read_bytes() and "README.md" in files
    create = hub.posts("/api/repos/create")[-1]
    assert create.get("private") in (False, None) and create.get("visibility") in (None, "public")
    res = icm("push", "--input-path", work/"pushed.jsonl", "--hf-repo-id", "me/icm-dpo2", "--file-name", "data/train.jsonl", env=hub_env(hub))
    assert res.returncode == 0, res.stderr
    files = hub.committed()
    assert files["data/train.jsonl"] == (work/"pushed.jsonl").read_bytes() and "path: data/train.jsonl" in files["README.md"].decode()

def test_push_without_token_or_hub_is_a_clear_error(run, work):
    _, path = run
    no_token = clean_env(HF_HOME=work/"empty-hf-home", HF_TOKEN_PATH=work/"no-token", HF_HUB_OFFLINE="<unset>", TRANSFORMERS_OFFLINE="<unset>")
    assert_user_error(icm("push", "--input-path", path, "--hf-repo-id", "me/x", env=no_token), "No Hugging Face token found")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]  # a port nobody listens on once closed
    unreachable = clean_env(HF_ENDPOINT=f"http://127.0.0.1:{port}", HF_TOKEN="hf_test", HF_HUB_OFFLINE="<unset>", TRANSFORMERS_OFFLINE="<unset>")
    assert_user_error(icm("push", "--input-path", path, "--hf-repo-id", "me/x", env=unreachable), "could not reach the Hugging Face Hub")
    assert_user_error(icm("push", "--input-path", work/"nope.jsonl", "--hf-repo-id", "me/x", env=unreachable), "File not found")

# ---- the embedded default model (slow the first time: converts the GGUF once into the cache)

def test_run_default_model(work):
    "`icm run` with no --model and no $ICM_MODEL labels with the embedded Gemma 3 270M."
    out = work/"default"
    res = icm("run", "--synthetic", "sentiment", "--synthetic-size", 8, "--max-iterations", 10, "--context-size", 4, "--output-dir", out,
              timeout=1800)
    assert res.returncode == 0, res.stderr
    header, examples = read_result(next(out.glob("*.jsonl")))
    assert "gemma" in header["metadata"]["model"].lower() and header["metadata"]["cli"]["settings"]["model"] is None
    assert len(examples) >= 1 and "Results saved to" in res.stdout

# ---- baselines

def test_baselines_table_file_and_icm_row(run, work, tiny):
    "The same claims as the `run` fixture's result, which becomes the ICM row."
    _, path = run
    res = icm("baselines", "--model", tiny, "--synthetic", "math", "--synthetic-size", 4, "--seed", 0, "--k", 2,
              "--rounds", 1, "--result", path, "--output", work/"base.json")
    assert res.returncode == 0, res.stderr
    for method in ["zero-shot", "calibrated", "random", "golden", "many-shot", "bootstrapped", "ICM"]:
        assert f"\n{method} " in res.stdout, method
    doc = json.loads((work/"base.json").read_text())
    header, examples = read_result(path)
    assert doc["rows"][-1]["method"] == "ICM" and doc["rows"][-1]["n"] == len(examples)
    assert doc["n_examples"] == len(doc["claims"]) == len(doc["methods"]["bootstrapped"]["labels"])
    assert all(isinstance(s, float) for s in doc["methods"]["zero-shot"]["scores"])

def test_baselines_without_gold_labels(work, tiny):
    (work/"nogold.jsonl").write_text("".join(json.dumps({"text": t}) + "\n" for t in
                                             ["What is 1 + 1? 2", "What is 2 + 2? 5", "What is 3 + 1? 4"]))
    res = icm("baselines", "--model", tiny, "--dataset", work/"nogold.jsonl", "--methods", "zero-shot", "golden",
              "bootstrapped", "--k", 1, "--rounds", 1, "--output", work/"nogold.csv")
    assert res.returncode == 0, res.stderr
    assert "Skipped golden" in res.stderr
    import pandas as pd
    table = pd.read_csv(work/"nogold.csv")
    assert list(table.method) == ["zero-shot", "bootstrapped"] and table.accuracy.isna().all()

@pytest.mark.parametrize("args,contains", [
    (["--methods", "oracle"], "invalid choice: 'oracle'"),
    (["--k", "0"], "k must be ≥ 1, got 0 (from --k)"),
    (["--true-share", "1.5"], "true_share must be in [0, 1], got 1.5 (from --true-share)"),
    (["--output", "{work}/table.txt"], "use a .json or .csv file"),
    (["--result", "{work}/nogold.jsonl"], "not an ICM result file"),
    (["--synthetic", "sentiment", "--result", "{result}"], "claims are not in the dataset"),
], ids=["unknown-method", "k-zero", "true-share", "output-kind", "result-not-result", "result-other-claims"])
def test_baselines_user_errors(run, work, tiny, args, contains):
    (work/"nogold.jsonl").write_text('{"text": "What is 1 + 1? 2"}\n')
    data = [] if "--synthetic" in args else ["--synthetic", "math", "--synthetic-size", "4"]
    res = icm("baselines", "--model", tiny, *data, *[a.format(work=work, result=run[1]) for a in args])
    assert_user_error(res, contains)
