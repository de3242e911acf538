#!/usr/bin/env python
"""Render nbs/index.ipynb to README.md with nbdev's own notebook processing (nbdev_readme needs Quarto, which is not
available offline). Hidden cells and directives are removed by nbdev's processors; saved outputs are kept.
`--check` exits 1, changing nothing, when README.md is stale."""
import sys
from pathlib import Path
from nbdev.process import NBProcessor
from nbdev.processors import clean_magics, filter_stream_, hide_, hide_line, rm_export, rm_header_dash, strip_ansi

ROOT = Path(__file__).resolve().parents[1]
HEADER = "<!-- Generated from nbs/index.ipynb by .ci/make_readme.py: edit the notebook, not this file. -->\n\n"

def output_text(out) -> str:
    "The text of one saved cell output (streams, plain text, markdown or an image reference)."
    if out.get("output_type") == "stream": return "".join(out.get("text", ""))
    data = out.get("data", {})
    if "application/vnd.jupyter.widget-view+json" in data: return ""  # live widgets (progress bars) have no static text
    if "text/markdown" in data: return "".join(data["text/markdown"])
    if "text/plain" in data: return "".join(data["text/plain"])
    return ""

def render(nb_path) -> str:
    "Markdown for a processed notebook: markdown cells verbatim, code cells as python blocks, outputs as text blocks."
    nb = NBProcessor(nb_path, procs=[clean_magics, rm_header_dash, hide_, hide_line, filter_stream_, rm_export, strip_ansi], process=True).nb
    parts = []
    for cell in nb.cells:
        if cell.cell_type == "markdown": parts.append(cell.source.strip())
        elif cell.cell_type == "code" and cell.source.strip():
            lang = "sh" if cell.source.lstrip().startswith("!") else "python"
            parts.append(f"```{lang}\n{cell.source.strip().lstrip('!') if lang == 'sh' else cell.source.strip()}\n```")
            outs = "".join(output_text(o) for o in cell.get("outputs", [])).rstrip()
            if outs: parts.append(f"```\n{outs}\n```")
    return HEADER + "\n\n".join(p for p in parts if p) + "\n"

if __name__ == "__main__":
    text, readme = render(ROOT/"nbs"/"index.ipynb"), ROOT/"README.md"
    if "--check" in sys.argv[1:]:
        if not readme.exists() or readme.read_text(encoding="utf-8") != text:
            sys.exit("README.md is stale: run `python .ci/make_readme.py` and commit it")
    else: readme.write_text(text, encoding="utf-8")
