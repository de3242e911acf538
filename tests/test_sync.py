"The library is what the notebooks export, the notebooks are clean, and README.md is what index.ipynb renders to."
import hashlib, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def _snapshot():
    files = [*ROOT.glob("icm/**/*.py"), *ROOT.glob("nbs/**/*.ipynb"), ROOT/"README.md"]
    return {str(p.relative_to(ROOT)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files if ".ipynb_checkpoints" not in p.parts}

def _changed_by(*cmd):
    before = _snapshot()
    subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True)
    after = _snapshot()
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))

def test_nbdev_export_leaves_library_unchanged(): assert _changed_by("nbdev_export") == []
def test_nbdev_clean_leaves_notebooks_unchanged(): assert _changed_by("nbdev_clean") == []
def test_readme_is_rendered_from_index():
    res = subprocess.run([sys.executable, ".ci/make_readme.py", "--check"], cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
