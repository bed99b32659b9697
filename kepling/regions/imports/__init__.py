"""Importing wilayah, lingkungan, statistics and Kepling files, for the commands and web uploads.

Each import reads the file through `kepling.core.tabular`, checks every row, applies the good
ones through the actions and returns an `ImportResult`. A rejected row names its row and
column and never stops the others; a row identical to what is stored counts as already
present, so applying a file twice changes nothing the second time.
"""

from kepling.regions.imports.kepling import Credential, KeplingImportResult, import_kepling
from kepling.regions.imports.statistics import import_statistics
from kepling.regions.imports.wilayah import DEFAULT_WILAYAH_FILE, import_lingkungan, load_wilayah

__all__ = [
    "DEFAULT_WILAYAH_FILE",
    "Credential",
    "KeplingImportResult",
    "import_kepling",
    "import_lingkungan",
    "import_statistics",
    "load_wilayah",
]
