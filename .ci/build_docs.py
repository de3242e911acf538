#!/usr/bin/env python
"""Build the documentation site offline: `python .ci/build_docs.py` (Quarto, which `nbdev_docs` needs, is not available).

1. Each notebook in nbs/ and its section folders (`SECTIONS`) goes through nbdev's own processors (directives,
   `#| hide`, exported cells removed, `add_show_docs` for every exported symbol); the `show_doc` cells are rendered
   with `nbdev.showdoc.show_doc` on the exported module (no notebook cell is executed: pages show the outputs saved in
   the notebooks). Saved outputs become markdown: images as files, HTML (tables) as is, widgets statically from the
   notebook's saved widget state.
   Relative links to notebooks (`[the algorithm page](explanations/algorithm.ipynb)`, which work in Jupyter) become
   links to their pages.
2. The nav is built from the notebooks present; the build fails if one of `EXPECTED` is missing.
3. `mkdocs build --strict` (mkdocs-material, mkdocs.yml) into `--site-dir` (default `_docs`), then every internal
   link and image of the built HTML is checked (file and #anchor).
"""
from __future__ import annotations
import argparse, ast, base64, html, importlib, os, re, shutil, subprocess, sys, time, warnings
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit
from nbdev.process import Processor

ROOT = Path(__file__).resolve().parents[1]
NBS = ROOT/"nbs"
# Pages the site must have (notebook paths under nbs/, without .ipynb): the build fails if one is missing.
EXPECTED = ["index", "00_data", "00a_synthetic", "00b_records", "01_model", "01a_scoring", "01b_server", "01c_baselines",
            "01d_metrics", "02_consistency", "02a_results", "02b_callbacks", "02c_checkpoint", "03_search", "03a_monitor", "04_export",
            "04a_storage", "04b_commands", "05_cli", "05a_settings", "06_train", "06a_iterative",
            "tutorials/01_quick_start", "tutorials/02_truthfulqa", "tutorials/03_your_own_data", "tutorials/04_finetune",
            "explanations/algorithm"]
SECTIONS = {"": "API", "tutorials": "Tutorials", "explanations": "Explanations"}  # folder under nbs/ -> nav section (index.ipynb is Home)
COLAB_BADGE = "https://colab.research.google.com/assets/colab-badge.svg"
BADGE_SVG = """<svg xmlns="http://www.w3.org/2000/svg" width="120" height="20" role="img" aria-label="Open in Colab">
<rect width="120" height="20" rx="3" fill="#f9ab00"/><rect width="44" height="20" rx="3" fill="#555"/><rect x="40" width="4" height="20" fill="#555"/>
<g font-family="Verdana,DejaVu Sans,sans-serif" font-size="11"><text x="22" y="14" fill="#fff" text-anchor="middle">Open</text>
<text x="82" y="14" fill="#222" text-anchor="middle">in Colab</text></g></svg>
"""
CSS = """.nb-output { margin: 0 0 1em; overflow-x: auto; }
.nb-output img { max-width: 100%; height: auto; }
.nb-output table { font-size: .75rem; border-collapse: collapse; }
.nb-output th, .nb-output td { padding: .2em .6em; border-bottom: 1px solid var(--md-default-fg-color--lightest); }
.nb-widget { display: flex; gap: .5em; align-items: center; flex-wrap: wrap; }
.nb-widget.nb-vbox { flex-direction: column; align-items: flex-start; }
.nb-widget img { max-width: 100%; height: auto; }
"""

def page_name(rel:str) -> str:
    "Page path (no suffix) for a notebook path under nbs/: nbdev's names, number prefix dropped (`03a_monitor` -> `monitor`)."
    parts = rel.split("/")
    return "/".join([*parts[:-1], re.sub(r"^\d+[a-z]?_", "", parts[-1])])

def find_notebooks(nbs:Path=NBS) -> list[str]:
    "Notebook paths under nbs/ (relative, no suffix) that become pages: nbs/*.ipynb and one level of sections."
    found = []
    for folder in SECTIONS:
        for p in sorted((Path(nbs)/folder).glob("*.ipynb")):
            if not p.name.startswith(("_", ".")): found.append(p.relative_to(Path(nbs)).with_suffix("").as_posix())
    return found

# --- nbdev processing -------------------------------------------------------------------------------------------------

def _showdoc_calls(source:str) -> list[str]:
    try: tree = ast.parse(source)
    except SyntaxError: return []
    return [ast.get_source_segment(source, s) for s in tree.body if isinstance(s, ast.Expr) and isinstance(s.value, ast.Call)
            and getattr(s.value.func, "id", None) == "show_doc"]

def _anchor_headings(md:str) -> str:
    "Give show_doc's headings nbdev's anchors (`ICMResult.plot` -> `#icmresult.plot`), as `_modidx` links them."
    return re.sub(r"^(#{2,6}) +([\w.]+) *$", lambda m: f"{m[1]} {m[2]} {{ #{m[2].lower()} }}", md, flags=re.MULTILINE)

class render_show_docs(Processor):
    "nbdev processor: `show_doc(...)` cells get nbdev's markdown documentation, evaluated in the exported module."
    def __init__(self, nb):
        super().__init__(nb)  # before any processor runs: `rm_export` drops the `default_exp` cell
        self.mod = next((c.directives_["default_exp"][0] for c in nb.cells if "default_exp" in (c.directives_ or {})), None)
    def begin(self):
        from nbdev.showdoc import show_doc
        from nbdev.config import get_config
        mod = self.mod
        self.ns = dict(vars(importlib.import_module(f"{get_config(path=ROOT).lib_path.name}.{mod}"))) if mod else {}
        self.ns["show_doc"] = show_doc
    def __call__(self, cell):
        if cell.cell_type != "code" or not (calls := _showdoc_calls(cell.source)): return
        try:
            with warnings.catch_warnings():  # fastcore's docstring parser on numpydoc sections it doesn't know
                warnings.filterwarnings("ignore", "Unknown section", UserWarning)
                docs = [eval(c, self.ns)._repr_markdown_() for c in calls]
        except Exception as e: raise RuntimeError(f"show_doc failed in cell {cell.idx_}:\n{cell.source}") from e
        cell.showdoc_md = _anchor_headings("\n\n".join(docs))

def process(nb_path:Path):
    "The notebook after nbdev's processors (plus `render_show_docs`)."
    from nbdev.process import NBProcessor
    from nbdev.processors import (add_show_docs, clean_magics, filter_stream_, hide_, hide_line, populate_language,
                                  rm_export, rm_header_dash, strip_ansi)
    procs = [populate_language, add_show_docs, strip_ansi, hide_line, filter_stream_, rm_header_dash, rm_export,
             clean_magics, hide_, render_show_docs]
    return NBProcessor(nb_path, procs=procs, process=True).nb

# --- outputs to markdown ---------------------------------------------------------------------------------------------

_ANSI = re.compile(r"\x1B(?:[@-Z\\-_]|\[[0-?]*[ -/]*[@-~])")
def _text(x) -> str: return "".join(x) if isinstance(x, list) else str(x)
def _plain(s:str) -> str:
    "Terminal text as it ends up on screen: ANSI codes gone, carriage-return overwrites applied."
    s = _ANSI.sub("", s)
    return "\n".join(line.rsplit("\r", 1)[-1] if "\r" in line.rstrip("\r") else line.rstrip("\r") for line in s.split("\n"))

def _fence(text:str, lang:str="text") -> str:
    ticks = "`" * max(3, 1 + max((len(m) for m in re.findall(r"`+", text)), default=0))
    return f"{ticks}{lang}\n{text.rstrip()}\n{ticks}"

class Page:
    "Renders one processed notebook to markdown, writing its images next to it."
    def __init__(self, name:str, out_dir:Path, widget_state:dict):
        self.name, self.out_dir, self.state, self.n_img = name, out_dir, widget_state, 0
        self.files = f"{Path(name).name}_files"
        self.up = "../" * name.count("/")

    def image(self, data:str, ext:str) -> str:
        "Save a base64 image (or SVG text) under `<page>_files/`; its path relative to the page."
        self.n_img += 1
        path = self.out_dir/Path(self.name).parent/self.files/f"output_{self.n_img}.{ext}"
        path.parent.mkdir(parents=True, exist_ok=True)
        if ext == "svg": path.write_text(_text(data), encoding="utf-8")
        else: path.write_bytes(base64.b64decode(_text(data)))
        return f"{self.files}/{path.name}"

    def widget(self, model_id:str, depth:int=0) -> str:
        "Static HTML for a widget and its children, from the saved widget state ('' if not saved)."
        m = self.state.get(model_id)
        if not m or depth > 20: return ""
        name, s = m.get("model_name", ""), m.get("state", {})
        desc = f"<span>{html.escape(s['description'])}</span>" if s.get("description") else ""
        if name in ("VBoxModel", "HBoxModel", "BoxModel", "GridBoxModel", "AccordionModel", "TabModel"):
            kids = "".join(self.widget(str(c).removeprefix("IPY_MODEL_"), depth + 1) for c in s.get("children", []))
            return f'<div class="nb-widget{" nb-vbox" if name != "HBoxModel" else ""}">{kids}</div>'
        if name in ("HTMLModel", "HTMLMathModel"): return f"<div>{desc}{s.get('value', '')}</div>"
        if name == "LabelModel": return f"<div>{html.escape(str(s.get('value', '')))}</div>"
        if name in ("IntProgressModel", "FloatProgressModel"):
            return f'<div>{desc}<progress value="{s.get("value", 0)}" max="{s.get("max", 100)}"></progress></div>'
        if name == "ImageModel":
            buf = next((b for b in m.get("buffers", []) if b.get("path") == ["value"]), None)
            data = buf["data"] if buf else s.get("value")
            if not data or not isinstance(data, str): return ""
            fmt = s.get("format", "png")
            return f'<img src="{self.image(data, "svg" if fmt.startswith("svg") else fmt)}" alt="widget image">'
        if "value" in s and isinstance(s["value"], (str, int, float)): return f"<div>{desc}{html.escape(str(s['value']))}</div>"
        return ""

    def output(self, o) -> str:
        kind = o.get("output_type")
        if kind == "stream": return _fence(_plain(_text(o.get("text", ""))))
        if kind == "error": return _fence(_plain("\n".join(o.get("traceback", [])) or f"{o.get('ename')}: {o.get('evalue')}"))
        data = o.get("data", {})
        if "application/vnd.jupyter.widget-view+json" in data:
            w = self.widget(data["application/vnd.jupyter.widget-view+json"].get("model_id", ""))
            if w: return f'<div class="nb-output" markdown="0">{w}</div>'
            data = {k: v for k, v in data.items() if k != "text/plain"}  # a widget's repr says nothing
        for mime, ext in (("image/png", "png"), ("image/jpeg", "jpg"), ("image/gif", "gif"), ("image/svg+xml", "svg")):
            if mime in data: return f'<div class="nb-output" markdown="0"><img src="{self.image(data[mime], ext)}" alt="output"></div>'
        if "text/html" in data: return f'<div class="nb-output" markdown="0">\n{_text(data["text/html"]).strip()}\n</div>'
        if "text/markdown" in data: return _text(data["text/markdown"])
        if "text/plain" in data: return _fence(_plain(_text(data["text/plain"])))
        return ""

    def outputs(self, outs) -> list[str]:
        "Rendered outputs, consecutive stream outputs of one stream merged (as Jupyter shows them)."
        merged = []
        for o in outs:
            if o.get("output_type") == "stream" and merged and merged[-1].get("output_type") == "stream" and merged[-1].get("name") == o.get("name"):
                merged[-1] = {**merged[-1], "text": _text(merged[-1]["text"]) + _text(o.get("text", ""))}
            else: merged.append(dict(o))
        return [r for r in map(self.output, merged) if r.strip()]

# --- links to the API, in markdown -----------------------------------------------------------------------------------

def symbol_pages(lib:str="icm") -> dict:
    "`{'ICMSearcher': ('search', 'icmsearcher'), 'ICMResult.plot': ...}` for every public symbol in `_modidx`."
    syms = importlib.import_module(f"{lib}._modidx").d["syms"]
    out = {}
    for mod in syms.values():
        for full, (url, _) in mod.items():
            short = full.split(".", 2)[2]
            if any(part.startswith("_") and not part.startswith("__") for part in short.split(".")): continue
            page, _, anchor = url.partition(".html#")
            out[short] = (page, anchor)
    return out

def linkify(md:str, up:str, syms:dict, anchors:dict) -> str:
    "Backticked documented names (outside code blocks and headings) become links to their API page."
    def link(m):
        target = syms.get(m[1])
        if not target or target[1] not in anchors.get(target[0], ()): return m[0]
        return f"[{m[0]}]({up}{target[0]}.md#{target[1]})"
    out, fence = [], None
    for line in md.split("\n"):
        if (f := re.match(r"^\s*(`{3,}|~{3,})", line)) and (fence is None or f[1].startswith(fence)):
            fence = None if fence else f[1]
        elif fence is None and not line.lstrip().startswith("#"):
            line = re.sub(r"(?<![\[`])`([A-Za-z_][\w.]*)`(?![`\]])", link, line)
        out.append(line)
    return "\n".join(out)

# --- a notebook to a page --------------------------------------------------------------------------------------------

_NB_LINK = re.compile(r"(\]\()([^()\s:#]+)\.ipynb(#[^()\s]*)?\)")
def notebook_links(md:str) -> str:
    "Relative markdown links to notebooks (`[x](explanations/algorithm.ipynb)`, right in Jupyter) point to their pages (`.md`)."
    return _NB_LINK.sub(lambda m: f"{m[1]}{page_name(m[2])}.md{m[3] or ''})", md)

def _title(cells) -> str|None:
    "The title of nbdev's `# Title` + `> description` first markdown cell."
    first = next((c.source.strip() for c in cells if c.cell_type == "markdown" and c.source.strip()), "")
    return m[1].strip() if (m := re.match(r"#\s+(.+)", first)) else None

def render_page(rel:str, out_dir:Path, nbs:Path=NBS) -> dict:
    "Render `nbs/<rel>.ipynb` to markdown (its images written under `out_dir`); returns the page's name, title, markdown and anchors."
    nb = process(Path(nbs)/f"{rel}.ipynb")
    name = page_name(rel)
    state = ((nb.metadata.get("widgets") or {}).get("application/vnd.jupyter.widget-state+json") or {}).get("state", {})
    page = Page(name, out_dir, state)
    title, parts = _title(nb.cells), []
    for c in nb.cells:
        d = c.directives_ or {}
        flag = lambda k: (d.get(f"{k}:") or [""])[0].lower() == "false"
        if flag("include"): continue
        if c.cell_type == "markdown":
            if c.source.strip(): parts.append(notebook_links(c.source.strip().replace(COLAB_BADGE, f"{page.up}assets/colab-badge.svg")))
        elif c.cell_type == "code":
            if getattr(c, "showdoc_md", None): parts.append(c.showdoc_md); continue
            if c.source.strip() and not flag("echo"): parts.append(_fence(c.source.strip(), "python"))
            if not flag("output"): parts.extend(page.outputs(c.get("outputs", [])))
    md = "\n\n".join(parts) + "\n"
    anchors = set(re.findall(r"\{ #([\w.]+) \}", md))
    return dict(rel=rel, name=name, title=title or name, md=md, up=page.up, anchors=anchors)

def write_pages(out_dir:Path, nbs:Path=NBS) -> list[dict]:
    "Render every notebook under `nbs` to `out_dir` (emptied first), linkify backticked API names, write the site's assets."
    out_dir = Path(out_dir)
    if out_dir.exists(): shutil.rmtree(out_dir)
    (out_dir/"assets").mkdir(parents=True)
    (out_dir/"assets"/"colab-badge.svg").write_text(BADGE_SVG)
    (out_dir/"assets"/"notebook.css").write_text(CSS)
    pages = [render_page(rel, out_dir, nbs) for rel in find_notebooks(nbs)]
    syms, anchors = symbol_pages(), {p["name"]: p["anchors"] for p in pages}
    for p in pages:
        path = out_dir/f"{p['name']}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(linkify(p["md"], p["up"], syms, anchors), encoding="utf-8")
    return pages

def nav(pages:list[dict]) -> list:
    "Home, then one section per folder (Tutorials, Explanations, API: `SECTIONS` order, API last), in notebook order."
    by_folder = {}
    for p in pages:
        if p["rel"] == "index": continue
        folder = p["rel"].rpartition("/")[0]
        by_folder.setdefault(folder, []).append({p["title"]: f"{p['name']}.md"})
    out = [{"Home": "index.md"}] if any(p["rel"] == "index" for p in pages) else []
    for folder in [*(f for f in SECTIONS if f), ""]:
        if by_folder.get(folder): out.append({SECTIONS[folder]: by_folder[folder]})
    return out

# --- the built site's links ------------------------------------------------------------------------------------------

class _Links(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids, self.links = set(), []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for k in ("id", "name") if tag == "a" else ("id",):
            if a.get(k): self.ids.add(a[k])
        for k in ("href", "src"):
            if a.get(k) and not (tag == "link" and a.get("rel") in ("canonical", "alternate")): self.links.append(a[k])

def check_links(site:Path, base_path:str="/") -> list[str]:
    "Broken internal links of the built site: `page.html: link (why)` for a missing file or #anchor."
    parsed = {}
    for f in site.rglob("*.html"):
        p = _Links(); p.feed(f.read_text(encoding="utf-8", errors="replace")); parsed[f] = p
    broken = []
    for f, p in parsed.items():
        for link in p.links:
            u = urlsplit(link)
            if u.scheme or u.netloc or link.startswith(("data:", "javascript:", "mailto:")): continue
            if u.path.startswith("/"):
                if not u.path.startswith(base_path): broken.append(f"{f.relative_to(site)}: {link} (outside the site)"); continue
                target = site/unquote(u.path[len(base_path):])
            else: target = (f.parent/unquote(u.path)) if u.path else f
            if target.is_dir(): target = target/"index.html"
            target = target.resolve()
            if not target.is_relative_to(site.resolve()) or not target.exists():
                broken.append(f"{f.relative_to(site)}: {link} (no such file)"); continue
            if u.fragment and target.suffix == ".html":
                ids = parsed[target].ids if target in parsed else set()
                if unquote(u.fragment) not in ids: broken.append(f"{f.relative_to(site)}: {link} (no such anchor)")
    return broken

# --- build -----------------------------------------------------------------------------------------------------------

def build(site_dir:Path, proc_dir:Path, nbs:Path=NBS, expected=EXPECTED, quiet:bool=False) -> list[dict]:
    "Render the notebooks, build the site with `mkdocs build --strict`, check its links; raises SystemExit on failure."
    site_dir, proc_dir, nbs = Path(site_dir).resolve(), Path(proc_dir).resolve(), Path(nbs)
    present = find_notebooks(nbs)
    if missing := [e for e in expected if e not in present]:
        raise SystemExit(f"docs: expected notebooks are missing: {', '.join(f'{nbs.name}/{m}.ipynb' for m in missing)}")
    pages = write_pages(proc_dir/"docs", nbs)
    import yaml
    cfg = {"INHERIT": str(ROOT/"mkdocs.yml"), "docs_dir": str(proc_dir/"docs"), "site_dir": str(site_dir), "nav": nav(pages)}
    (proc_dir/"mkdocs.yml").write_text(yaml.safe_dump(cfg, sort_keys=False, allow_unicode=True), encoding="utf-8")
    res = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--clean", "-f", str(proc_dir/"mkdocs.yml")],
                         cwd=ROOT, capture_output=True, text=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    if res.returncode: raise SystemExit(f"docs: mkdocs build --strict failed:\n{res.stdout}{res.stderr}")
    if not quiet: print(res.stderr.strip(), file=sys.stderr)
    base = urlsplit(yaml.safe_load((ROOT/"mkdocs.yml").read_text()).get("site_url", "/")).path or "/"
    if broken := check_links(site_dir, base if base.endswith("/") else base + "/"):
        raise SystemExit("docs: broken internal links:\n" + "\n".join(broken))
    return pages

if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--site-dir", default=str(ROOT/"_docs"), help="Where the site goes (default: _docs)")
    ap.add_argument("--proc-dir", default=str(ROOT/"_proc"), help="Where the rendered markdown and config go (default: _proc)")
    args = ap.parse_args()
    t0 = time.time()
    pages = build(Path(args.site_dir), Path(args.proc_dir))
    print(f"docs: {len(pages)} pages in {args.site_dir} ({time.time() - t0:.0f} s): " + ", ".join(f"{p['name']}.html" for p in pages))
