__version__ = "0.1.0"

# The public surface; the rest lives in the submodules (`icm.data`, `icm.scoring`, `icm.consistency`, `icm.search`, ...).
from .data import ICMDataset, ICMExample, create_synthetic_dataset, load_icm_dataset
from .search import ICMResult, ICMSearcher
