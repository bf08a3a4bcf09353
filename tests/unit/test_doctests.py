"""The doctests of ``lineage_importers`` and ``lineage_gui``, run under their installed names.

pytest's own ``--doctest-modules`` would import ``importers/x.py`` as ``importers.x`` (the
folder's name), a second copy beside the ``lineage_importers.x`` the code uses; ``lineage`` keeps
its folder's name and is doctested by pytest directly (pyproject's testpaths).
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import lineage_gui
import lineage_importers
import pytest

MODULES = sorted(
    info.name
    for package in (lineage_importers, lineage_gui)
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + ".")
)


def test_both_packages_have_modules():
    assert {"lineage_importers._kit.structured", "lineage_gui.window"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    module = importlib.import_module(name)
    failed, _ = doctest.testmod(module, optionflags=doctest.ELLIPSIS, report=True)
    assert failed == 0, f"{name}: {failed} doctest example(s) failed (printed above)"
