"""A tour, exported: a self-contained HTML slide show, or a PDF with one page a step (each step's
view drawn by Graphviz, its note below it). What a tour is lives in :mod:`lineage.views.tours`."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import re
from functools import cache
from typing import Any

import networkx as nx
from markupsafe import Markup

from lineage.analyses import find_all
from lineage.graph import load_flag_history, load_graph
from lineage.render.escape import clip, graphviz_label
from lineage.render.graphs import render, to_agraph
from lineage.resources import resource_path
from lineage.store import Store
from lineage.views.tours import Step, scene_for


def _markdown(text: str) -> str:
    """Markdown to HTML with raw HTML escaped and only safe link schemes kept. An image is
    never shown, so nothing is fetched: ``![alt](https://...)`` becomes a link to it, any other
    image its alt text."""
    return str(_markdown_renderer().render(text or ""))


@cache
def _markdown_renderer() -> Any:
    from markdown_it import MarkdownIt
    from markdown_it.common.utils import escapeHtml

    md = MarkdownIt("commonmark", {"html": False})

    def image(renderer: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
        token = tokens[idx]
        alt = escapeHtml(renderer.renderInlineAsText(token.children or [], options, env))
        src = str(token.attrGet("src") or "")
        if src.lower().startswith(("https://", "http://")):
            return f'<a href="{escapeHtml(src)}">{alt or escapeHtml(src)}</a>'
        return alt

    md.add_render_rule("image", image)
    return md


def tour_html(name: str, description: str, steps: list[Step], graph: nx.DiGraph, store: Store | None) -> str:
    """A self-contained slide show: one SVG and its note per step; arrow keys move between them."""
    history = load_flag_history(store) if store is not None else []
    findings = find_all(graph, flag_history=history)
    slides = []
    for step in steps:
        scene = scene_for(step, graph, store, findings)
        svg = render(scene, "svg").decode("utf-8")
        svg = svg[svg.index("<svg") :]
        slides.append({"svg": Markup(svg), "title": step.title or scene.title, "note": Markup(_markdown(step.note))})
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(resource_path("templates")), autoescape=True)
    env.filters["clip"] = clip
    # Our keyboard script is allowed by its hash, so no other inline script could ever run.
    script = resource_path("templates", "tour.js").read_text("utf-8")
    script_hash = "sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
    return env.get_template("tour.html.j2").render(title=name, description=description, slides=slides,
                                                   script=Markup(script), script_hash=script_hash)  # fmt: skip


def tour_pdf(name: str, steps: list[Step], graph: nx.DiGraph, store: Store | None) -> bytes:
    """One page per step: the view drawn by Graphviz with its title and note below it."""
    from pypdf import PdfReader, PdfWriter

    history = load_flag_history(store) if store is not None else []
    findings = find_all(graph, flag_history=history)
    writer = PdfWriter()
    for number, step in enumerate(steps, start=1):
        scene = scene_for(step, graph, store, findings)
        agraph = to_agraph(scene)
        note = " ".join((step.note or "").split())
        words, lines, line = note.split(), [], ""
        for word in words:  # wrap the note for Graphviz's left-justified lines
            if len(line) + len(word) > 110:
                lines.append(line)
                line = ""
            line = f"{line} {word}".strip()
        lines.append(line)
        heading = graphviz_label(f"{number}/{len(steps)}  {step.title or scene.title}", 140)
        body = "\\l".join(graphviz_label(part, 200) for part in lines if part)
        agraph.graph_attr.update(label=f"{heading}\\l\\l{body}\\l", labelloc="b", labeljust="l", fontsize="11")
        page = agraph.draw(format="pdf", prog="dot" if len(scene.graph) <= 400 else "sfdp")
        for pdf_page in PdfReader(io.BytesIO(page)).pages:
            writer.add_page(pdf_page)
    writer.add_metadata({"/Title": name})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def export_tour(store: Store, name: str, fmt: str) -> str | bytes | None:
    """The saved tour ``name`` on the current graph: an HTML slide show (``fmt`` "html", see
    :func:`tour_html`) or a PDF (:func:`tour_pdf`); None if ``store`` has no such tour."""
    tour = store.tour(name)
    if tour is None:
        return None
    steps = [Step.from_json(s) for s in tour["steps"]]
    graph = load_graph(store)
    if fmt == "html":
        return tour_html(name, tour["description"], steps, graph, store)
    return tour_pdf(name, steps, graph, store)


def tour_filename(name: str, fmt: str) -> str:
    """A file name for a tour's export.

    >>> tour_filename("Q3 review: ads/ctr", "html")
    'Q3_review_ads_ctr.html'
    """
    return f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', name).strip('_') or 'tour'}.{fmt}"


def write_tour(db_path: str | os.PathLike[str], name: str, description: str, steps: list[Step], fmt: str,
               target: str | os.PathLike[str]) -> str:  # fmt: skip
    """Write ``steps`` (a tour as the explorer holds it, saved or not) as an HTML slide show
    (``fmt`` "html") or a PDF ("pdf") on the database at ``db_path``, whole or not at all; in a
    process that may run Graphviz (the explorer's layout process). The path written."""
    from lineage.atomic import write_atomic

    with Store.open(db_path) as store:
        graph = load_graph(store)
        data = tour_html(name, description, steps, graph, store).encode("utf-8") if fmt == "html" \
            else tour_pdf(name, steps, graph, store)  # fmt: skip
    write_atomic(target, data)
    return os.fspath(target)
