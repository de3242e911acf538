"Every notebook under nbs/ runs through nbdev's test runner, one pytest test per notebook."
import subprocess
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p for p in (ROOT/"nbs").rglob("*.ipynb") if not any(part.startswith((".", "_")) for part in p.relative_to(ROOT/"nbs").parts))

def test_there_are_notebooks(): assert len(NOTEBOOKS) >= 2, NOTEBOOKS

@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT/"nbs")))
def test_notebook(nb):
    res = subprocess.run(["nbdev_test", "--path", str(nb)], cwd=ROOT, capture_output=True, text=True, timeout=1500)
    assert res.returncode == 0, f"{nb.name} failed:\n{res.stdout[-4000:]}\n{res.stderr[-8000:]}"
