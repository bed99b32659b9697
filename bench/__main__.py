"""`make bench`: every benchmark of the project, one after the other."""

import importlib
import pkgutil
from pathlib import Path

if __name__ == "__main__":
    for module in sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)])):
        if module.startswith("_"):
            continue
        print(f"== bench.{module}")
        importlib.import_module(f"bench.{module}").main()
