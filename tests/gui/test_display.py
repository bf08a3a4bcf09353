"""Before Qt starts, `lineage gui` says what would make Qt abort on X11 and exits 1: a missing
system library (named, with the packages to install), an X server it cannot reach."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from lineage_gui import display

CC = shutil.which("cc") or shutil.which("gcc")


@pytest.fixture
def plugin_missing_a_library(tmp_path) -> Path:
    """A ``libqxcb.so`` that needs ``libxcb-lineage-gone.so.0``, which no longer exists: what a
    real plugin looks like to the loader on a system without, say, libxcb-cursor0."""
    if CC is None:
        pytest.skip("no C compiler to build a stand-in plugin")
    (tmp_path / "gone.c").write_text("int gone(void) { return 1; }\n")
    (tmp_path / "plugin.c").write_text("int gone(void);\nint plugin(void) { return gone(); }\n")
    subprocess.run([CC, "-shared", "-fPIC", "-o", "libgone.so", "gone.c", "-Wl,-soname,libxcb-lineage-gone.so.0"],
                   cwd=tmp_path, check=True)  # fmt: skip
    folder = tmp_path / "platforms"
    folder.mkdir()
    subprocess.run([CC, "-shared", "-fPIC", "-o", str(folder / "libqxcb.so"), "plugin.c", "-L.", "-l:libgone.so"],
                   cwd=tmp_path, check=True)  # fmt: skip
    (tmp_path / "libgone.so").unlink()
    return folder / "libqxcb.so"


def test_the_loader_names_the_missing_library(plugin_missing_a_library):
    assert display.missing_libraries(plugin_missing_a_library) == ["libxcb-lineage-gone.so.0"]


def test_without_ldd_the_loader_error_still_names_it(plugin_missing_a_library, monkeypatch):
    monkeypatch.setattr(display.shutil, "which", lambda name: None)
    assert display.missing_libraries(plugin_missing_a_library) == ["libxcb-lineage-gone.so.0"]


def test_the_shipped_plugin_lacks_nothing_here():
    plugin = display.xcb_plugin()
    assert plugin is not None and plugin.name == "libqxcb.so"
    assert display.missing_libraries(plugin) == [], "this machine lacks a library the README names"


@pytest.mark.parametrize(
    ("missing", "debian", "fedora"),
    [
        (["libxcb-cursor.so.0"], "libxcb-cursor0", "xcb-util-cursor"),
        (["libxcb-icccm.so.4", "libxcb-keysyms.so.1"], "libxcb-icccm4 libxcb-keysyms1", "xcb-util-wm xcb-util-keysyms"),
        (["libxkbcommon-x11.so.0"], "libxkbcommon-x11-0", "libxkbcommon-x11"),
        (["libxcb-shape.so.0", "libxcb-randr.so.0"], "libxcb-shape0 libxcb-randr0", "libxcb"),
    ],
)
def test_install_advice_names_both_families(missing, debian, fedora):
    advice = display.install_advice(missing)
    assert f"Debian/Ubuntu: sudo apt-get install {debian}\n" in advice
    assert advice.endswith(f"Fedora: sudo dnf install {fedora}")


@pytest.fixture
def no_pygraphviz_here(monkeypatch):
    """This test process may have loaded pygraphviz for the CLI's exports: the checks after the
    library check are what these tests are about."""
    monkeypatch.setattr(display, "bundled_xcb_loaded", lambda: False)


def test_lineage_gui_names_the_packages_and_exits_1(lineage, small, plugin_missing_a_library, monkeypatch,
                                                    no_pygraphviz_here):  # fmt: skip
    assert lineage("import", str(small)).exit_code == 0
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    monkeypatch.setenv("QT_QPA_PLATFORM_PLUGIN_PATH", str(plugin_missing_a_library.parent))
    # As if the library gone were libxcb-cursor's: the advice is the real table's.
    monkeypatch.setitem(display.PACKAGES, "libxcb-lineage-gone.so.0", display.PACKAGES["libxcb-cursor.so.0"])
    result = lineage("gui")
    assert result.exit_code == 1, result.output
    assert "needs system libraries that are not installed (libxcb-lineage-gone.so.0)" in result.output
    assert "sudo apt-get install libxcb-cursor0" in result.output
    assert "sudo dnf install xcb-util-cursor" in result.output
    assert "Traceback" not in result.output


def test_the_demo_exits_1_too_instead_of_printing_text(lineage, plugin_missing_a_library, monkeypatch,
                                                       no_pygraphviz_here):  # fmt: skip
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    monkeypatch.setenv("QT_QPA_PLATFORM_PLUGIN_PATH", str(plugin_missing_a_library.parent))
    result = lineage("demo")
    assert result.exit_code == 1, result.output
    assert "demo built at" in result.output
    assert "libxcb-lineage-gone.so.0" in result.output


def test_an_unreachable_x_server_is_named(lineage, small):
    """In a fresh interpreter: this one may hold pygraphviz's libxcb, which the check refuses."""
    import os
    import sys

    assert lineage("import", str(small)).exit_code == 0
    code = "import sys; from lineage.cli import main; sys.argv[0] = 'lineage'; main()"
    result = subprocess.run([sys.executable, "-c", code, "--db", str(lineage.db), "gui"], capture_output=True,
                            text=True, timeout=120, env={**os.environ, "QT_QPA_PLATFORM": "xcb", "DISPLAY": ":987"})  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert "cannot connect to the X display :987" in result.stderr
    assert "Traceback" not in result.stderr


def test_offscreen_needs_no_check(monkeypatch):
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    monkeypatch.setenv("QT_QPA_PLATFORM_PLUGIN_PATH", "/nonexistent")
    display.check_display()  # no error: Qt will not load the xcb plugin
