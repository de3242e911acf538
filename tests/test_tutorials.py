"""The quick start tutorial runs in a real Jupyter kernel (ipykernel, through nbclient) with the embedded default model:
the live monitor attaches itself, the search finishes (the ICMResult summary is shown), and the monitor leaves its final
state behind as static outputs, so that the saved notebook shows it without widget state (JupyterLab saves none by
default). Takes a few minutes on CPU; `IN_TEST` keeps the tutorial small, as under `nbdev_test`."""
import base64, re
from pathlib import Path
import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
WIDGET_STATE, WIDGET_VIEW = "application/vnd.jupyter.widget-state+json", "application/vnd.jupyter.widget-view+json"

def test_quick_start_runs_in_a_kernel_and_leaves_the_monitor_static(tmp_path, monkeypatch):
    monkeypatch.setenv("IN_TEST", "1")  # the kernel inherits the environment
    nb = nbformat.read(ROOT/"nbs"/"tutorials"/"01_quick_start.ipynb", as_version=4)
    nb.metadata.pop("widgets", None)  # the widget state saved with the docs outputs
    NotebookClient(nb, kernel_name="python3", timeout=900, store_widget_state=False,  # as JupyterLab saves by default
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    out_dir = ROOT/".ci"/"artifacts"/"tutorials"
    out_dir.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, out_dir/"01_quick_start.executed.ipynb")  # for a look at what ran (not the saved docs outputs)
    nb = nbformat.read(out_dir/"01_quick_start.executed.ipynb", as_version=4)  # as saved, and reopened

    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    errors = [o for o in outputs if o.get("output_type") == "error"]
    assert not errors, "\n".join(f"{e['ename']}: {e['evalue']}" for e in errors)
    bars = [c.source.splitlines()[0] for c in nb.cells if c.cell_type == "code"
            if any("Loading weights" in str(o) for o in c.get("outputs", []))]
    assert not bars, f"transformers' loading bar left in the cells starting {bars}"
    assert WIDGET_STATE not in nb.metadata.get("widgets", {})
    # The search cell: the monitor's widget was shown (a VBox), and at the end it was replaced, in place, by its
    # final numbers as HTML, followed by its plots as a PNG.
    search = next(c for c in nb.cells if c.cell_type == "code" and "searcher.search(" in c.source)
    data = [o.get("data", {}) for o in search.outputs]
    monitor_views = [d for d in data if WIDGET_VIEW in d and d.get("text/plain", "").startswith("VBox(")]
    assert not monitor_views, "the monitor's widget is still in the saved output (no widget state: 'model not found')"
    html = next((d["text/html"] for d in data if "<progress" in d.get("text/html", "")), None)
    done = r"<progress value='(\d+)' max='\1'></progress> \d+/\d+ · done \((max_iterations|converged)\)"
    assert html and re.search(done, html), data
    for name in ("iteration", "score U (P, I)", "accuracy vs gold", "elapsed"): assert f"<b>{name}</b>" in html
    at = next(i for i, d in enumerate(data) if d.get("text/html") == html)
    png = data[at + 1].get("image/png") if at + 1 < len(data) else None
    assert png and base64.b64decode(png)[:8] == b"\x89PNG\r\n\x1a\n", "no PNG of the plots after the numbers"
    # The run finished: the ICMResult summary of the 16 claims is shown, and result.plot() gave a PNG.
    texts = [o.get("data", {}).get("text/plain", "") for o in outputs]
    summary = next((t for t in texts if t.startswith("ICMResult(")), None)
    assert summary and re.search(r"examples=16, labeled=\d+, .*stopped=(max_iterations|converged)", summary), texts
    assert any("<caption>ICMResult</caption>" in o.get("data", {}).get("text/html", "") for o in outputs)
    assert sum("image/png" in o.get("data", {}) for o in outputs) >= 2, "result.plot() showed no figure"

MONITOR_CELL = '''
from types import SimpleNamespace
from icm.monitor import ICMMonitor
from icm.data import ICMExample
m = ICMMonitor()  # in a kernel: displays itself
ex = [ICMExample(f"claim {i}", dict(consistency_id=i, gold_label="True" if i % 2 else "False")) for i in range(6)]
state = SimpleNamespace(examples=ex, labels=[None] * 6, batch=0, n_batches=1, max_iterations=6, iteration=0)
m.on_search_start(None, state)
for n in range(1, 7):
    state.labels[n - 1], state.iteration = ex[n - 1].gold_label, n
    m.on_iteration(None, state, dict(iteration=n, batch=0, temperature=1 / n, U=-n, P=-0.5, I=0, accepted=True,
                                     example=n - 1, proposed="True", n_changed=1, labeled=n, n_examples=6,
                                     tokens=100 * n, elapsed=0.1 * n, accuracy=1.0, label_counts={"True": 1}))
m.on_search_end(None, SimpleNamespace(score=-6.0, iterations=6, convergence_info=dict(reason="max_iterations")))
'''

def test_monitor_leaves_static_outputs_in_a_kernel():
    "A few seconds, no model: the monitor, driven as a search drives it, ends as an HTML output and a PNG, no widget."
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(MONITOR_CELL)])
    NotebookClient(nb, kernel_name="python3", timeout=120, store_widget_state=False).execute()
    outs = nb.cells[0].outputs
    assert [sorted(o.get("data", {})) for o in outs] == [["text/html", "text/plain"], ["image/png", "text/plain"]], outs
    assert "<progress value='6' max='6'></progress> 6/6 · done (max_iterations): U = -6.000" in outs[0].data["text/html"]
    assert base64.b64decode(outs[1].data["image/png"])[:8] == b"\x89PNG\r\n\x1a\n"
