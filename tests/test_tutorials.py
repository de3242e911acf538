"""The quick start tutorial runs in a real Jupyter kernel (ipykernel, through nbclient) with the embedded default model:
the live monitor attaches itself (widget state is saved) and the search finishes (the ICMResult summary is shown).
Takes a few minutes on CPU; `IN_TEST` keeps the tutorial small, as under `nbdev_test`."""
import re
from pathlib import Path
import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
WIDGET_STATE, WIDGET_VIEW = "application/vnd.jupyter.widget-state+json", "application/vnd.jupyter.widget-view+json"

def test_quick_start_runs_in_a_kernel_with_the_live_monitor(tmp_path, monkeypatch):
    monkeypatch.setenv("IN_TEST", "1")  # the kernel inherits the environment
    nb = nbformat.read(ROOT/"nbs"/"tutorials"/"01_quick_start.ipynb", as_version=4)
    NotebookClient(nb, kernel_name="python3", timeout=900, resources={"metadata": {"path": str(tmp_path)}}).execute()
    out_dir = ROOT/".ci"/"artifacts"/"tutorials"
    out_dir.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, out_dir/"01_quick_start.executed.ipynb")  # for a look at what ran (not the saved docs outputs)

    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    errors = [o for o in outputs if o.get("output_type") == "error"]
    assert not errors, "\n".join(f"{e['ename']}: {e['evalue']}" for e in errors)
    # The monitor attached itself: a widget view was displayed, and its state (progress, numbers, plots) was saved.
    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    views = [o["data"][WIDGET_VIEW]["model_id"] for o in outputs if WIDGET_VIEW in o.get("data", {})]
    assert views and state, f"no live monitor: {len(views)} widget views, {len(state)} widget models"
    assert all(v in state for v in views)
    kinds = {m["model_name"] for m in state.values()}
    assert {"VBoxModel", "IntProgressModel", "ImageModel"} <= kinds, kinds
    bar = next(m["state"] for m in state.values() if m["model_name"] == "IntProgressModel")
    assert bar.get("value") == bar.get("max") and bar.get("bar_style") == "success", bar
    assert any(m["model_name"] == "ImageModel" and m.get("buffers") for m in state.values()), "the monitor drew no plot"
    # The run finished: the ICMResult summary of the 16 claims is shown, and result.plot() gave a PNG.
    texts = [o.get("data", {}).get("text/plain", "") for o in outputs]
    summary = next((t for t in texts if t.startswith("ICMResult(")), None)
    assert summary and re.search(r"examples=16, labeled=\d+, .*stopped=(max_iterations|converged)", summary), texts
    assert any("<caption>ICMResult</caption>" in o.get("data", {}).get("text/html", "") for o in outputs)
    assert any("image/png" in o.get("data", {}) for o in outputs), "result.plot() showed no figure"
