"""The documentation site: built offline from the notebooks (`python .ci/build_docs.py`: mkdocs --strict, every internal
link checked), then served on 127.0.0.1 and loaded in a real headless Chromium, whose screenshots are kept in
.ci/artifacts/docs/ (gitignored; CI keeps them as artefacts)."""
import base64, functools, http.server, importlib.util, io, json, os, re, shutil, signal, subprocess, tempfile, threading
from pathlib import Path
from types import SimpleNamespace
import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT/".ci"/"artifacts"/"docs"
_spec = importlib.util.spec_from_file_location("build_docs", ROOT/".ci"/"build_docs.py")
bd = importlib.util.module_from_spec(_spec); _spec.loader.exec_module(bd)

# --- helpers ----------------------------------------------------------------------------------------------------------

def chromium_binary() -> str:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    assert exe, "headless Chromium is needed: `apt-get install chromium` (.ci/run installs it)"
    return exe

def chromium(url:str, *args:str, timeout:float=120) -> str:
    "Run headless Chromium once on `url` (fresh profile, no network features); its stdout. Kills all it started."
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        cmd = [chromium_binary(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--disable-quic", "--disable-dev-shm-usage", "--hide-scrollbars",
               f"--user-data-dir={profile}", "--window-size=1280,2000", *args, url]
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
        try: out, err = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL); p.communicate()
            pytest.fail(f"Chromium took more than {timeout} s on {url}")
        finally:
            try: os.killpg(p.pid, signal.SIGKILL)  # helpers (zygote, GPU, renderers) left in its process group
            except ProcessLookupError: pass
    assert p.returncode == 0, f"Chromium failed on {url} ({p.returncode}):\n{err[-3000:]}"
    return out

def dump_dom(url:str) -> str: return chromium(url, "--dump-dom")

def screenshot(url:str, name:str) -> Path:
    "A 1280x2000 screenshot of `url`, saved as .ci/artifacts/docs/<name>.png; checked to show more than a blank page."
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS/f"{name}.png"
    path.unlink(missing_ok=True)
    chromium(url, f"--screenshot={path}")
    assert path.exists() and path.stat().st_size > 10_000, f"no screenshot of {url}"
    from PIL import Image
    with Image.open(path) as im:
        assert im.size == (1280, 2000)
        assert len(im.convert("RGB").resize((320, 500)).getcolors(maxcolors=1_000_000)) > 50, f"{path} looks blank"
    return path

@pytest.fixture(scope="module")
def serve():
    "serve(dir) -> base URL of an HTTP server on 127.0.0.1 (a free port) for `dir`; all stopped at the end."
    servers = []
    def start(directory):
        class Quiet(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args): pass
        srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(directory)))
        t = threading.Thread(target=srv.serve_forever, kwargs=dict(poll_interval=0.1), daemon=True)
        t.start(); servers.append((srv, t))
        return f"http://127.0.0.1:{srv.server_address[1]}/"
    yield start
    for srv, t in servers:
        srv.shutdown(); srv.server_close(); t.join(10)

def fetch(url:str) -> bytes:
    import urllib.request
    with urllib.request.urlopen(url, timeout=30) as r: return r.read()

def img_srcs(dom:str) -> list[str]: return re.findall(r'<img\b[^>]*\bsrc="([^"]+)"', dom)

def png_bytes(base:str, page:str, src:str) -> bytes:
    "The bytes of an <img src> of `page`: a data: URI decoded, else fetched from the server."
    if src.startswith("data:"): return base64.b64decode(src.split(",", 1)[1])
    from urllib.parse import urljoin
    return fetch(urljoin(base + page, src))

def assert_plots(base:str, page:str, dom:str, folder:str):
    "The page shows at least one PNG output (a file under `folder` or a data: URI) that is a real, non-empty image."
    srcs = [s for s in img_srcs(dom) if s.startswith("data:image/png") or (s.startswith(f"{folder}/") and s.endswith(".png"))]
    assert srcs, f"no PNG output in {page}: images are {img_srcs(dom)}"
    for s in srcs:
        data = png_bytes(base, page, s)
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 1000, f"{page}: {s[:80]} is not a PNG of nonzero size"

def saved_images(nb_rel:str) -> bool:
    "Whether nbs/<nb_rel>.ipynb has saved image outputs (a PNG output, or an image in its saved widget state)."
    nb = json.loads((bd.NBS/f"{nb_rel}.ipynb").read_text(encoding="utf-8"))
    if any("image/png" in o.get("data", {}) for c in nb["cells"] for o in c.get("outputs", [])): return True
    state = nb.get("metadata", {}).get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {}).get("state", {})
    return any(m.get("model_name") == "ImageModel" and m.get("buffers") for m in state.values())

# --- the real site ----------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def site(tmp_path_factory):
    "A fresh build of the site (the same function `python .ci/build_docs.py` runs), in a temporary folder."
    d = tmp_path_factory.mktemp("docs")
    pages = bd.build(d/"site", d/"proc", quiet=True)
    return SimpleNamespace(dir=d/"site", pages=pages)

def test_every_notebook_has_a_page_in_the_nav(site):
    rels = [p["rel"] for p in site.pages]
    assert rels == bd.find_notebooks() and set(bd.EXPECTED) <= set(rels)
    index = (site.dir/"index.html").read_text(encoding="utf-8")
    for section in ("Home", "Tutorials", "Explanations", "API"): assert re.search(rf">\s*{section}\s*<", index), f"no {section} in the nav"
    for p in site.pages:
        assert (site.dir/f"{p['name']}.html").stat().st_size > 0
        if p["rel"] != "index": assert f'href="{p["name"]}.html"' in index, f"{p['name']} is not in the nav"
    assert not bd.check_links(site.dir, "/icm/")

def test_api_pages_have_show_doc_for_exported_functions_and_classes(site):
    "Every public function and class the notebooks export has its show_doc section, at the anchor `_modidx` links to."
    from icm._modidx import d
    missing = []
    for mod in d["syms"].values():
        for full, (url, _) in mod.items():
            name = full.split(".", 2)[2]
            if "." in name or name.startswith("_"): continue  # methods are documented with their class
            page, _, anchor = url.partition(".html#")
            if f'id="{anchor}"' not in (site.dir/f"{page}.html").read_text(encoding="utf-8"): missing.append(f"{page}.html#{anchor}")
    assert not missing, f"no show_doc for: {missing}"

def test_links_to_notebooks_point_to_their_pages():
    "A relative link to a notebook (right in Jupyter) becomes a link to its page; other links stay as they are."
    md = "[a](explanations/algorithm.ipynb), [b](../03a_monitor.ipynb#callbacks), [c](https://x.org/nbs/01_quick_start.ipynb)"
    assert bd.notebook_links(md) == "[a](explanations/algorithm.md), [b](../monitor.md#callbacks), [c](https://x.org/nbs/01_quick_start.ipynb)"

def test_a_missing_expected_page_fails_the_build(tmp_path):
    with pytest.raises(SystemExit, match="06_missing"): bd.build(tmp_path/"site", tmp_path/"proc", expected=[*bd.EXPECTED, "06_missing"])

def test_broken_internal_links_are_found(tmp_path):
    (tmp_path/"sub").mkdir()
    (tmp_path/"index.html").write_text('<a id="top" href="sub/a.html#here">ok</a><a href="sub/a.html#nowhere">bad anchor</a>'
                                       '<img src="missing.png"><a href="https://example.org/x">external</a><a href="#top">self</a>')
    (tmp_path/"sub"/"a.html").write_text('<h2 id="here">x</h2><a href="../index.html">up</a><a href="../nope.html">bad</a>')
    assert sorted(bd.check_links(tmp_path)) == ["index.html: missing.png (no such file)", "index.html: sub/a.html#nowhere (no such anchor)",
                                               "sub/a.html: ../nope.html (no such file)"]

API_PAGES = {"search": ["Simulated annealing", 'id="icmsearcher"', "ICMSearcher.search", 'id="temperature"'],
             "scoring": ["Scoring", 'id="mutualpredictability"', 'id="labelscorer"'],
             "model": ["Model", 'id="load_model"', 'id="icmmodel"']}

@pytest.mark.parametrize("page", API_PAGES)
def test_api_page_renders_in_chromium(site, serve, page):
    base = serve(site.dir)
    dom = dump_dom(base + f"{page}.html")
    for text in API_PAGES[page] + ['href="tutorials/quick_start.html"', 'href="data.html"']: assert text in dom, f"{page}.html lacks {text!r}"
    assert "#| export" not in dom and "#| hide" not in dom  # directives and exported source are not shown
    screenshot(base + f"{page}.html", page)

def test_tutorial_renders_in_chromium(site, serve):
    base = serve(site.dir)
    dom = dump_dom(base + "tutorials/quick_start.html")
    for text in ("Quick start", "Export as DPO pairs", "ICMSearcher", "colab.research.google.com/github/icm-research/icm/blob/main/nbs/tutorials/01_quick_start.ipynb",
                 'src="../assets/colab-badge.svg"'):
        assert text in dom, f"quick_start.html lacks {text!r}"
    screenshot(base + "tutorials/quick_start.html", "tutorial_quick_start")

PLOT_PAGES = [("03_search", "search"), ("tutorials/01_quick_start", "tutorials/quick_start")]

@pytest.mark.parametrize("nb_rel,page", [pytest.param(nb, page, id=page, marks=pytest.mark.skipif(
    not saved_images(nb), reason=f"nbs/{nb}.ipynb has no saved image outputs yet (execute it and save it with its outputs)")) for nb, page in PLOT_PAGES])
def test_saved_plots_render_in_chromium(site, serve, nb_rel, page):
    base = serve(site.dir)
    dom = dump_dom(base + f"{page}.html")
    assert_plots(base, f"{page}.html", dom, f"{Path(page).name}_files")
    screenshot(base + f"{page}.html", f"plots_{page.replace('/', '_')}")

# --- outputs: a notebook with saved outputs of every kind, built into a small site ---------------------------------------

def _png(color="tab:blue") -> str:
    import matplotlib; matplotlib.use("Agg")
    from matplotlib.figure import Figure
    fig = Figure(figsize=(4, 2), dpi=72); fig.add_subplot().plot([0, 1, 2], [0, 2, 1], color=color)
    buf = io.BytesIO(); fig.savefig(buf, format="png")
    return base64.b64encode(buf.getvalue()).decode()

def _outputs_notebook() -> dict:
    code = lambda src, outs: dict(cell_type="code", execution_count=1, id=f"c{abs(hash(src)) % 10**8}", metadata={}, source=src, outputs=outs)
    md = lambda src: dict(cell_type="markdown", id=f"m{abs(hash(src)) % 10**8}", metadata={}, source=src)
    state = {"box": {"model_name": "VBoxModel", "state": {"children": ["IPY_MODEL_bar", "IPY_MODEL_html", "IPY_MODEL_img"]}},
             "bar": {"model_name": "IntProgressModel", "state": {"value": 40, "max": 40, "description": "ICM"}},
             "html": {"model_name": "HTMLModel", "state": {"value": "<b>done (max_iterations)</b>"}},
             "img": {"model_name": "ImageModel", "state": {}, "buffers": [{"encoding": "base64", "path": ["value"], "data": _png("tab:red")}]}}
    cells = [md("# Outputs\n> Every kind of saved output."),
             md("## A plot"), code("fig", [dict(output_type="display_data", metadata={}, data={"image/png": _png(), "text/plain": "<Figure>"})]),
             md("## A table"), code("df", [dict(output_type="execute_result", execution_count=1, metadata={}, data={
                 "text/html": '<div>\n<table class="dataframe">\n<thead><tr><th></th><th>accuracy</th></tr></thead>\n\n'
                              '<tbody><tr><th>ICM</th><td>0.875</td></tr></tbody>\n</table>\n</div>', "text/plain": "accuracy"})]),
             md("## A widget"), code("monitor.widget", [dict(output_type="display_data", metadata={}, data={
                 "application/vnd.jupyter.widget-view+json": {"model_id": "box", "version_major": 2, "version_minor": 0}, "text/plain": "VBox(...)"})]),
             md("## Printed"), code("print('hello')", [dict(output_type="stream", name="stdout", text="hello\r\x1b[32mworld\x1b[0m\n")]),
             code("#| hide\nsecret = 1", []), md("The `ICMSearcher` in prose links to the API.")]
    return dict(cells=cells, metadata={"kernelspec": {"display_name": "python3", "language": "python", "name": "python3"},
                "widgets": {"application/vnd.jupyter.widget-state+json": {"state": state, "version_major": 2, "version_minor": 0}}},
                nbformat=4, nbformat_minor=5)

@pytest.fixture(scope="module")
def outputs_site(tmp_path_factory):
    d = tmp_path_factory.mktemp("outputs")
    (d/"nbs"/"tutorials").mkdir(parents=True)
    (d/"nbs"/"index.ipynb").write_text(json.dumps(dict(cells=[dict(cell_type="markdown", id="i", metadata={}, source="# Home\nSee the outputs.")],
                                                       metadata={}, nbformat=4, nbformat_minor=5)))
    (d/"nbs"/"tutorials"/"01_outputs.ipynb").write_text(json.dumps(_outputs_notebook()))
    bd.build(d/"site", d/"proc", nbs=d/"nbs", expected=["index", "tutorials/01_outputs"], quiet=True)
    return SimpleNamespace(dir=d/"site", md=(d/"proc"/"docs"/"tutorials"/"outputs.md").read_text())

def test_saved_outputs_become_markdown(outputs_site):
    md = outputs_site.md
    assert md.count('<img src="outputs_files/output_') == 2  # the plot and the widget's image, as files next to the page
    assert '<table class="dataframe">' in md and "<progress" in md and "done (max_iterations)" in md
    assert "VBox(...)" not in md and "<Figure>" not in md  # the richest representation only
    assert "```text\nworld\n```" in md  # the terminal's view: \r overwrites, no ANSI codes
    assert "secret" not in md and "#|" not in md
    assert "[`ICMSearcher`](../search.md#icmsearcher)" not in md  # no such page in this small site: no link

def test_saved_outputs_render_in_chromium(outputs_site, serve):
    base = serve(outputs_site.dir)
    dom = dump_dom(base + "tutorials/outputs.html")
    assert "0.875" in dom and "<progress" in dom and "done (max_iterations)" in dom and "world" in dom
    assert_plots(base, "tutorials/outputs.html", dom, "outputs_files")
    assert len([s for s in img_srcs(dom) if s.startswith("outputs_files/")]) == 2
    screenshot(base + "tutorials/outputs.html", "saved_outputs")

# --- the live monitor's table, laid out by a real browser -----------------------------------------------------------------

def test_monitor_numbers_wrap_to_fit_a_narrow_output(tmp_path, serve):
    "The monitor's numbers wrap onto more lines: in a 500-pixel output nothing sticks out (one long row was cut off)."
    from icm.monitor import _html_table
    nums = {"iteration": "37/200", "batch": "1/1", "temperature": "2.19", "score U (P, I)": "-3.525 (-0.705, 0)",
            "acceptance": "78% of last 32 scored", "labeled": "28/32", "labels": "True 14 (50%) · False 14 (50%)",
            "accuracy vs gold": "0.500", "label changes": "29 in last 37 it.", "tokens/s": "892",
            "elapsed": "1 min 03 s", "time left": "about 1 min 12 s"}
    (tmp_path/"table.html").write_text(
        "<!doctype html><html><head><meta charset='utf-8'></head><body style='margin:0'><div id='out' style='width:500px;overflow:hidden'>"
        f"{_html_table(nums)}</div><script>const o = document.getElementById('out');"
        "document.body.dataset.overflow = o.scrollWidth - o.clientWidth; document.body.dataset.height = o.scrollHeight;"
        "</script></body></html>", encoding="utf-8")
    dom = dump_dom(serve(tmp_path) + "table.html")
    overflow, height = (int(re.search(rf'data-{k}="(-?\d+)"', dom).group(1)) for k in ("overflow", "height"))
    assert overflow <= 0, f"the table sticks out {overflow} px past a 500-pixel output"
    assert height > 60, "the table did not wrap onto more lines"  # each line of cells is about 34 px high
    for k, v in nums.items(): assert f"<b>{k}</b><br>{v}</div>" in dom
