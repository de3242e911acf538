__version__ = "0.1.0"

# The public surface; the rest lives in the submodules (`icm.data`, `icm.synthetic`, `icm.model`, `icm.scoring`,
# `icm.search`, ...).
from .data import ICMDataset, ICMExample, load_icm_dataset
from .synthetic import create_synthetic_dataset
from .results import ICMResult, LabeledExample

__all__ = ["ICMDataset", "ICMExample", "create_synthetic_dataset", "load_icm_dataset", "ICMSearcher", "SearchConfig",
           "ICMResult", "LabeledExample"]

def __getattr__(name):
    "`ICMSearcher` and `SearchConfig` are imported on first use: `import icm` need not load torch."
    if name in ("ICMSearcher", "SearchConfig"):
        from . import search
        return getattr(search, name)
    raise AttributeError(f"module 'icm' has no attribute {name!r}")
