"""Can the explorer open a window here? Checked before Qt starts, because Qt aborts the whole
process (SIGABRT, no message a user can act on) when its xcb platform plugin cannot load or
cannot reach the X server.

Nothing here imports Qt: it reads the environment, asks ``ldd`` which libraries the xcb plugin
lacks, and opens one connection to the X server through libxcb.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

# soname → (Debian/Ubuntu package, Fedora package), for the libraries Qt 6's xcb plugin needs
# that a minimal desktop or container may lack (Qt's "X11 requirements" page lists them).
PACKAGES = {
    "libxcb-cursor.so.0": ("libxcb-cursor0", "xcb-util-cursor"),
    "libxcb-icccm.so.4": ("libxcb-icccm4", "xcb-util-wm"),
    "libxcb-image.so.0": ("libxcb-image0", "xcb-util-image"),
    "libxcb-keysyms.so.1": ("libxcb-keysyms1", "xcb-util-keysyms"),
    "libxcb-render-util.so.0": ("libxcb-render-util0", "xcb-util-renderutil"),
    "libxcb-util.so.1": ("libxcb-util1", "xcb-util"),
    "libxcb-randr.so.0": ("libxcb-randr0", "libxcb"),
    "libxcb-shape.so.0": ("libxcb-shape0", "libxcb"),
    "libxcb-shm.so.0": ("libxcb-shm0", "libxcb"),
    "libxcb-sync.so.1": ("libxcb-sync1", "libxcb"),
    "libxcb-xfixes.so.0": ("libxcb-xfixes0", "libxcb"),
    "libxcb-xkb.so.1": ("libxcb-xkb1", "libxcb"),
    "libxcb-render.so.0": ("libxcb-render0", "libxcb"),
    "libxcb-xinput.so.0": ("libxcb-xinput0", "libxcb"),
    "libxcb.so.1": ("libxcb1", "libxcb"),
    "libxkbcommon-x11.so.0": ("libxkbcommon-x11-0", "libxkbcommon-x11"),
    "libxkbcommon.so.0": ("libxkbcommon0", "libxkbcommon"),
    "libX11-xcb.so.1": ("libx11-xcb1", "libX11-xcb"),
    "libX11.so.6": ("libx11-6", "libX11"),
    "libEGL.so.1": ("libegl1", "libglvnd-egl"),
    "libGL.so.1": ("libgl1", "libglvnd-glx"),
    "libOpenGL.so.0": ("libopengl0", "libglvnd-opengl"),
    "libfontconfig.so.1": ("libfontconfig1", "fontconfig"),
    "libfreetype.so.6": ("libfreetype6", "freetype"),
    "libdbus-1.so.3": ("libdbus-1-3", "dbus-libs"),
    "libglib-2.0.so.0": ("libglib2.0-0", "glib2"),
}
NOT_FOUND = re.compile(r"^\s*(\S+)\s+=>\s+not found", re.MULTILINE)


class DisplayError(Exception):
    """The explorer cannot open a window here; the message says what to do."""


def platform_name(env: Mapping[str, str] = os.environ) -> str:
    """The Qt platform plugin Qt will pick: ``$QT_QPA_PLATFORM`` or, on Linux, xcb under X11.

    >>> platform_name({"QT_QPA_PLATFORM": "offscreen:size=800x600"})
    'offscreen'
    >>> platform_name({"DISPLAY": ":0"}) if sys.platform == "linux" else "xcb"
    'xcb'
    """
    platform = env.get("QT_QPA_PLATFORM", "").split(":")[0].split(";")[0].strip()
    if platform:
        return platform
    if sys.platform != "linux":
        return "native"
    if env.get("WAYLAND_DISPLAY") and env.get("XDG_SESSION_TYPE") == "wayland":
        return "wayland"
    return "xcb"


def has_display() -> bool:
    """Whether a window opened now would be on a screen someone can see."""
    platform = platform_name()
    if platform in ("offscreen", "minimal", "vnc"):
        return False
    if sys.platform != "linux" or os.environ.get("QT_QPA_PLATFORM"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def xcb_plugin() -> Path | None:
    """The ``libqxcb.so`` Qt would load: from ``$QT_QPA_PLATFORM_PLUGIN_PATH`` first, then
    ``$QT_PLUGIN_PATH``, then the one PySide6 ships."""
    folders = [Path(p) for p in os.environ.get("QT_QPA_PLATFORM_PLUGIN_PATH", "").split(os.pathsep) if p]
    folders += [Path(p) / "platforms" for p in os.environ.get("QT_PLUGIN_PATH", "").split(os.pathsep) if p]
    try:
        import importlib.util

        spec = importlib.util.find_spec("PySide6")
        if spec and spec.origin:
            folders.append(Path(spec.origin).parent / "Qt" / "plugins" / "platforms")
    except (ImportError, ValueError):
        pass
    return next((f / "libqxcb.so" for f in folders if (f / "libqxcb.so").is_file()), None)


def missing_libraries(plugin: Path) -> list[str]:
    """The shared libraries ``plugin`` needs that the dynamic loader cannot find."""
    ldd = shutil.which("ldd")
    if ldd:
        try:
            out = subprocess.run([ldd, str(plugin)], capture_output=True, text=True, timeout=30)
            return sorted(set(NOT_FOUND.findall(out.stdout + out.stderr)))
        except (OSError, subprocess.SubprocessError):
            pass
    try:  # no ldd (musl, a bare container): the loader names the first library it misses
        ctypes.CDLL(str(plugin), mode=ctypes.RTLD_LOCAL)
    except OSError as exc:
        name = str(exc).split(":", 1)[0].strip()
        return [name] if name and not name.startswith("/") else [str(exc)]
    return []


def install_advice(missing: list[str]) -> str:
    """What to install for ``missing`` sonames, on Debian/Ubuntu and on Fedora.

    >>> print(install_advice(["libxcb-cursor.so.0", "libxkbcommon-x11.so.0"]))
    Debian/Ubuntu: sudo apt-get install libxcb-cursor0 libxkbcommon-x11-0
    Fedora: sudo dnf install xcb-util-cursor libxkbcommon-x11
    """
    debian = [PACKAGES[name][0] for name in missing if name in PACKAGES]
    fedora = [PACKAGES[name][1] for name in missing if name in PACKAGES]
    unknown = [name for name in missing if name not in PACKAGES]
    lines = []
    if debian:
        lines.append("Debian/Ubuntu: sudo apt-get install " + " ".join(dict.fromkeys(debian)))
        lines.append("Fedora: sudo dnf install " + " ".join(dict.fromkeys(fedora)))
    if unknown:
        lines.append("and whatever package provides " + ", ".join(unknown))
    return "\n".join(lines)


def connection_problem() -> str | None:
    """Why the X server named by ``$DISPLAY`` cannot be reached, or None when it can."""
    name = ctypes.util.find_library("xcb") or "libxcb.so.1"
    try:
        xcb = ctypes.CDLL(name)
    except OSError:
        return None  # reported by missing_libraries
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_int)]
    xcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
    xcb.xcb_disconnect.argtypes = [ctypes.c_void_p]
    display = os.environ.get("DISPLAY")
    connection = xcb.xcb_connect(display.encode() if display else None, None)
    error = xcb.xcb_connection_has_error(connection)
    xcb.xcb_disconnect(connection)  # also frees a connection in the error state
    if error:
        return (f"cannot connect to the X display {display or '(DISPLAY is not set)'!s}: is the X server "
                "running, and is this user allowed to use it (XAUTHORITY, xhost)?")  # fmt: skip
    return None


def bundled_xcb_loaded() -> bool:
    """Whether the libxcb that the pygraphviz wheel bundles is mapped into this process (which
    makes Qt's xcb plugin crash: lineage/graphviz.py)."""
    try:
        maps = Path("/proc/self/maps").read_text()
    except OSError:
        return False
    return re.search(r"/pygraphviz\.libs/libxcb", maps) is not None


def check_display() -> None:
    """Raise :class:`DisplayError` when Qt could not open a window here; a no-op off X11."""
    if platform_name() != "xcb":
        return
    plugin = xcb_plugin()
    if plugin is None:
        raise DisplayError("Qt's xcb platform plugin (libqxcb.so) is missing from the PySide6 install; "
                           "reinstall PySide6-Essentials")  # fmt: skip
    missing = missing_libraries(plugin)
    if missing:
        raise DisplayError(
            "the explorer cannot start: Qt's X11 plugin needs system libraries that are not installed ("
            + ", ".join(missing)
            + ").\nInstall them, then try again:\n"
            + install_advice(missing)
        )
    # Before connecting: with that libxcb loaded, even our own xcb_connect may crash.
    if bundled_xcb_loaded():
        raise DisplayError("pygraphviz was loaded into this process before the explorer started; its bundled "
                           "libxcb would crash Qt on X11 (see lineage/graphviz.py). Start the explorer with "
                           "`lineage gui` in a process of its own.")  # fmt: skip
    problem = connection_problem()
    if problem:
        raise DisplayError(problem)
