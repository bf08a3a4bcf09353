"""Export the picture: exactly what the canvas shows (the whole picture, not only the visible
part) as PNG, SVG or PDF, or the scene on screen as DOT, GraphML or JSON.

Every format is made in memory and written with :func:`lineage.atomic.write_atomic`: the file
appears whole or not at all, and an old one survives a full disk untouched."""

from __future__ import annotations

from lineage_gui.workers import render_elsewhere
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QSize
from PySide6.QtGui import QColor, QImage, QImageWriter, QPageSize, QPainter, QPdfWriter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QGraphicsScene

from lineage.atomic import write_atomic
from lineage.views.scenes import Scene

SCENE_FORMATS = ("dot", "graphml", "json")


class ExportError(Exception):
    """Why the picture could not be written (said to the user as it is)."""


def export_picture(path: str, canvas: QGraphicsScene, scene: Scene | None, background: QColor) -> str:
    """Write the picture to ``path`` (its suffix says the format); what to tell the user."""
    suffix = path.rsplit(".", 1)[-1].lower()
    if suffix in SCENE_FORMATS and scene is not None:
        from lineage.render.graphs import render

        # DOT comes from Graphviz, which only ever runs in the layout process (lineage/graphviz.py);
        # exactly the nodes and edges on screen, with their states
        write(path, render_elsewhere(scene, suffix) if suffix == "dot" else render(scene, suffix))
        return f"Exported the view to {path}"
    write(path, picture(path, suffix, canvas, scene, background))
    return f"Exported the picture to {path}"


def picture(path: str, suffix: str, canvas: QGraphicsScene, scene: Scene | None, background: QColor) -> bytes:
    """The canvas drawn as ``suffix`` (svg, pdf or an image format Qt writes)."""
    rect = canvas.itemsBoundingRect().adjusted(-20, -20, 20, 20)
    image_formats = {bytes(f).decode().lower() for f in QImageWriter.supportedImageFormats()}
    if suffix not in ("svg", "pdf") and suffix not in image_formats:
        raise ExportError(f"{path}: could not write the image")
    content = QByteArray()
    buffer = QBuffer(content)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    device: QSvgGenerator | QPdfWriter | QImage
    if suffix == "svg":
        device = QSvgGenerator()
        device.setOutputDevice(buffer)
        device.setSize(QSize(int(rect.width()), int(rect.height())))
        device.setViewBox(rect)
        device.setTitle(scene.title if scene else "lineage")
    elif suffix == "pdf":
        device = QPdfWriter(buffer)
        device.setPageSize(QPageSize(rect.size(), QPageSize.Unit.Point))
        device.setPageMargins(QMarginsF(0, 0, 0, 0))
    else:
        device = QImage(int(rect.width() * 2), int(rect.height() * 2), QImage.Format.Format_ARGB32)
        device.fill(background)
    painter = QPainter(device)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    canvas.render(painter, source=rect)
    painter.end()
    if isinstance(device, QImage) and not device.save(buffer, suffix.upper()):
        raise ExportError(f"{path}: could not write the image")
    del device  # a PDF writer finishes its file when it goes
    buffer.close()
    return bytes(content.data())


def write(path: str, data: bytes) -> None:
    try:
        write_atomic(path, data)
    except OSError as exc:
        raise ExportError(f"{path}: cannot write: {exc.strerror or exc}") from exc
