"""The SQLite driver: :mod:`sqlite3` and sqlite-utils, loaded once and without pandas or numpy."""

from __future__ import annotations

import sys
from types import ModuleType
from typing import TYPE_CHECKING


def _import_sqlite_utils() -> ModuleType:
    """sqlite-utils imports pandas and numpy whenever they are installed (0.3 s, 60 MB, for
    inserting DataFrames, which we never do); hide them while it loads, so opening a database
    (the explorer's start, every CLI command) does not pay for them."""
    hidden = [name for name in ("pandas", "numpy") if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # makes `import name` fail fast
    try:
        import sqlite_utils
    finally:
        for name in hidden:
            if sys.modules.get(name) is None:
                del sys.modules[name]
    return sqlite_utils


if TYPE_CHECKING:
    import sqlite_utils as sqlite_utils
else:
    sqlite_utils = _import_sqlite_utils()
