"""Colours and shapes of node kinds (from resources/styles/kinds.json), for either palette."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache

from PySide6.QtGui import QColor, QGuiApplication, QPalette

from lineage.resources import resource_path


@dataclass(frozen=True)
class KindStyle:
    shape: str
    fill: QColor
    accent: QColor
    glyph: str


@cache
def _styles() -> dict:
    data = json.loads(resource_path("styles", "kinds.json").read_text("utf-8"))
    data.pop("_comment", None)
    return data


def state_style(state: str | None) -> dict:
    """How a node in a mode's state is drawn (fill, border, width, dash, opacity); {} if plain."""
    if not state:
        return {}
    if state.startswith("hop"):
        return {}
    return _styles()["_states"].get(state, {})


def edge_state_style(state: str | None) -> dict:
    return _styles()["_edge_states"].get(state or "", {})


def is_dark() -> bool:
    """Whether the system palette is dark (so the canvas follows it)."""
    app = QGuiApplication.instance()
    if app is None:
        return False
    return app.palette().color(QPalette.ColorRole.Window).lightness() < 128


def kind_style(kind: str, dark: bool) -> KindStyle:
    raw = _styles().get(kind) or {"shape": "rounded", "light": "#eeeeee", "dark": "#444444",
                                  "accent": "#888888", "glyph": "?"}  # fmt: skip
    return KindStyle(raw["shape"], QColor(raw["dark" if dark else "light"]), QColor(raw["accent"]),
                     raw["glyph"])  # fmt: skip


def text_colour(dark: bool) -> QColor:
    return QColor("#e8e8e8" if dark else "#1d1d1f")


def edge_colour(dark: bool) -> QColor:
    return QColor("#9aa0a6" if dark else "#5f6368")


def background_colour(dark: bool) -> QColor:
    return QColor("#1e1f22" if dark else "#fafafa")
