"""The ``lineage`` command line: a thin layer over the Python API (see docs/cli.md).

Each command parses its options, calls the API, prints and sets the exit code:

- :mod:`lineage.cli.app`: the group, global options, errors and exit codes, ``main``
- :mod:`lineage.cli.importing`: import, formats, check
- :mod:`lineage.cli.querying`: nodes, show, hash
- :mod:`lineage.cli.analysing`: impact, trace, simulate, findings, diff
- :mod:`lineage.cli.exporting`: export, report
- :mod:`lineage.cli.tours`: the tour group
- :mod:`lineage.cli.demo`: demo, synth

Each module is imported when one of its commands runs (``app.COMMAND_MODULES``), so a quick
command starts quickly. Plug-in commands (the explorer's ``gui``) come from the
``lineage.commands`` entry points.
"""

from __future__ import annotations

from lineage.cli._shared import emit, open_store, write_or_print
from lineage.cli.app import Failure, NoDisplay, cli, friendly, main

__all__ = ["Failure", "NoDisplay", "cli", "emit", "friendly", "main", "open_store", "write_or_print"]
