__version__ = "0.1.0"

# The public surface; the rest lives in the submodules (`icm.data`, `icm.scoring`, `icm.consistency`, `icm.search`, ...).
from .data import ICMDataset, ICMExample, create_synthetic_dataset, load_icm_dataset

__all__ = ["ICMDataset", "ICMExample", "create_synthetic_dataset", "load_icm_dataset", "ICMSearcher", "ICMResult"]

def __getattr__(name):
    "`ICMSearcher` and `ICMResult` are imported on first use, so that `import icm` (and the CLI's start) need not load torch."
    if name in ("ICMSearcher", "ICMResult"):
        from . import search
        return getattr(search, name)
    raise AttributeError(f"module 'icm' has no attribute {name!r}")
