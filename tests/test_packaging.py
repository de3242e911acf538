"""The distribution is `icm-elicit` (`icm` on PyPI is an unrelated project, Icestudio Collection Manager): installed, it
provides the package `icm` and the `icm` command, and settings.ini, setup.py, the README and the tutorials' Colab install
cells all say so."""
import configparser, importlib.metadata as md, json, re, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DIST, GIT = "icm-elicit", "git+https://github.com/icm-research/icm"

def _settings():
    cfg = configparser.ConfigParser(delimiters=["="]); cfg.read(ROOT/"settings.ini", encoding="utf-8")
    return cfg["DEFAULT"]

def test_settings_name_the_distribution_and_the_package():
    cfg = _settings()
    assert (cfg["lib_name"], cfg["lib_path"], cfg["console_scripts"].strip()) == (DIST, "icm", "icm=icm.cli:main")

def test_setup_py_builds_that_distribution():
    out = subprocess.run([sys.executable, "setup.py", "--name"], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == DIST

def test_the_installed_distribution_provides_icm_and_the_command():
    dist = md.distribution(DIST)
    assert dist.metadata["Name"] == DIST
    assert [(e.name, e.value) for e in dist.entry_points if e.group == "console_scripts"] == [("icm", "icm.cli:main")]
    assert set(md.packages_distributions().get("icm", [])) == {DIST}  # no other distribution provides `icm`
    import icm
    assert Path(icm.__file__).resolve().parent == ROOT/"icm"

def _install_cell(nb_path:Path) -> str:
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    sources = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    cells = [s for s in sources if "google.colab" in s]
    assert len(cells) == 1, f"{nb_path.name}: {len(cells)} Colab install cells"
    return cells[0]

def test_colab_install_cells_install_the_distribution_from_the_repository():
    tutorials = sorted((ROOT/"nbs"/"tutorials").glob("*.ipynb"))
    assert len(tutorials) >= 4
    for nb in tutorials:
        specs = re.findall(r'"pip", "install", "-q", "([^"]+)"', _install_cell(nb))
        assert specs == [f"{DIST} @ {GIT}"], f"{nb.name} installs {specs}"

def test_readme_names_the_distribution_and_never_installs_the_other_icm():
    readme = (ROOT/"README.md").read_text(encoding="utf-8")
    assert f"`{DIST}`" in readme
    other = re.search(r"pip install (-\S+ )*['\"]?icm(\[|['\"\s]|$)", readme, re.M)
    assert not other, f"the README installs PyPI's `icm`: {other.group(0)}"
