"""Escaping for every format a name can land in. Names come from files anyone can write."""

from __future__ import annotations

import html
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def html_text(value: Any) -> str:
    """Text for HTML, SVG and XML: no markup survives.

    >>> html_text('<img src=x onerror="alert(1)">')
    '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;'
    """
    return html.escape(str(value), quote=True)


def csv_cell(value: Any) -> str:
    """A CSV cell a spreadsheet will not run: a leading ``= + - @`` is neutralised with a quote.

    >>> csv_cell("=HYPERLINK(\\"http://x\\")"), csv_cell("-1"), csv_cell("plain")
    ('\\'=HYPERLINK("http://x")', "'-1", 'plain')
    """
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def graphviz_label(value: Any, limit: int = 60) -> str:
    """A Graphviz label that is plain text: never HTML-like, backslash escapes disarmed, one line.

    >>> graphviz_label("<<TABLE><TR><TD>x</TD></TR></TABLE>>")
    ' <<TABLE><TR><TD>x</TD></TR></TABLE>>'
    >>> graphviz_label("a\\\\Nb\\nc")
    'a\\\\\\\\Nb c'
    """
    text = " ".join(str(value).split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    text = text.replace("\\", "\\\\")
    return " " + text if text.startswith("<") else text


def markdown_cell(value: Any) -> str:
    """Text inside a Markdown table cell (see :func:`lineage.report.md`)."""
    from lineage.report import md

    return md(value)
