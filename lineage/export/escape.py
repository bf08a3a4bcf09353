"""Escaping for every format a name can land in. Names come from files anyone can write."""

from __future__ import annotations

import html
import re
from typing import Any

from lineage.present import printable

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
    """A Graphviz label that is plain text: never HTML-like, backslash escapes disarmed, one line,
    and control or format characters shown as escapes (Graphviz ends a label at NUL and copies
    other controls into SVG, where XML forbids them).

    >>> graphviz_label("<<TABLE><TR><TD>x</TD></TR></TABLE>>")
    ' <<TABLE><TR><TD>x</TD></TR></TABLE>>'
    >>> graphviz_label("a\\\\Nb\\nc")
    'a\\\\\\\\Nb c'
    >>> print(graphviz_label("nul\\x00 bell\\x07"))
    nul\\\\x00 bell\\\\x07
    """
    text = printable(" ".join(str(value).split()))
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    text = text.replace("\\", "\\\\")
    return " " + text if text.startswith("<") else text


# Characters XML 1.0 cannot hold, not even as character references.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_safe(value: str) -> str:
    """Text XML 1.0 can hold: a C0 control character becomes its Unicode control picture
    (NUL is U+2400), any other character XML forbids becomes U+FFFD. Tab, LF and CR stay.

    >>> xml_safe("nul\\x00 bell\\x07 tab\\t ok")
    'nul␀ bell␇ tab\\t ok'
    """
    return _NOT_XML.sub(lambda m: chr(0x2400 + ord(m[0])) if m[0] < " " else "\ufffd", value)


_ID_ESCAPE = re.compile("[\\\\\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_ID_UNESCAPE = re.compile(r"\\(\\|u[0-9a-f]{4})")


def xml_id(value: str) -> str:
    r"""A GraphML node id for any name, distinct for distinct names and reversible with
    :func:`xml_id_unescape`: a backslash becomes ``\\`` and each character XML 1.0 cannot hold
    (C0 controls but tab, LF and CR; U+FFFE, U+FFFF; lone surrogates) becomes ``\uXXXX``
    (four lower-case hex digits). Everything else stays as it is.

    >>> [xml_id(n) for n in ("x\ufffe", "x\uffff", "x\ufffd", "a\\b", "nul\x00")]
    ['x\\ufffe', 'x\\uffff', 'x\ufffd', 'a\\\\b', 'nul\\u0000']
    """
    return _ID_ESCAPE.sub(lambda m: "\\\\" if m[0] == "\\" else f"\\u{ord(m[0]):04x}", value)


def xml_id_unescape(value: str) -> str:
    r"""The name a GraphML node id (:func:`xml_id`) stands for.

    >>> all(xml_id_unescape(xml_id(n)) == n for n in ("x\ufffe", "a\\u0000b", "\\\\", "ok"))
    True
    """
    return _ID_UNESCAPE.sub(lambda m: "\\" if m[1] == "\\" else chr(int(m[1][1:], 16)), value)


DISPLAY_LIMIT = 160  # characters of a name a report shows; the data keeps every one


def clip(value: Any, limit: int = DISPLAY_LIMIT) -> str:
    """A name as a report shows it: control and format characters as escapes, and at most
    ``limit`` characters, so a 10,000-character name cannot swallow the page.

    >>> clip("x" * 10_000, 5), clip("\\u202eevil")
    ('xxxx…', '\\\\u202eevil')
    """
    text = printable("" if value is None else str(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def markdown_cell(value: Any) -> str:
    """Text inside a Markdown table cell (see :func:`lineage.report.md`)."""
    from lineage.report import md

    return md(value)
