"""Escaping for every format a name can land in (terminal, HTML, CSV, Markdown, Graphviz, XML).
Names come from files anyone can write. The lowest layer of rendering: it imports no other."""

from __future__ import annotations

import html
import re
from typing import Any

_CONTROL_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(text: str) -> str:
    """Text safe for a terminal: control and format characters (escape sequences, NUL,
    right-to-left marks) are shown as escapes, so a name cannot break a line or the screen.

    >>> printable("ok\\x1b[2J\\u202egnp.exe\\nnext")
    'ok\\\\x1b[2J\\\\u202egnp.exe\\\\nnext'
    """
    if text.isprintable():
        return text
    out = []
    for ch in text:
        if ch.isprintable() or ch == " ":
            out.append(ch)
        elif ch in _CONTROL_ESCAPES:
            out.append(_CONTROL_ESCAPES[ch])
        else:
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
    return "".join(out)


def printable_lines(text: str) -> str:
    r"""Lines of text for a terminal: each line through :func:`printable` (a CRLF line end is a
    line end), so nothing but the line breaks themselves is left of any control character.

    >>> printable_lines("a\x1b]52;c;eA==\x07\r\nb\x9b2J")
    'a\\x1b]52;c;eA==\\x07\nb\\x9b2J'
    """
    return "\n".join(printable(line.removesuffix("\r")) for line in text.split("\n"))


def md(text: Any) -> str:
    r"""Text safe inside a Markdown table cell (GitHub-flavoured): no markup, no HTML, one line.

    >>> print(md("a|b <script>`x`*y*\n[l](javascript:alert(1))"))
    a\|b &lt;script&gt;\`x\`\*y\* \[l\]\(javascript:alert\(1\)\)
    """
    out = " ".join(str(text).split())
    out = out.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for ch in "\\`*_[]()|#!~":
        out = out.replace(ch, "\\" + ch)
    return printable(out)


def code(text: Any) -> str:
    r"""An inline code span for any text, safe in a GitHub table cell.

    >>> print(code("a`b|c"), code("plain"))
    `` a`b\|c `` `plain`
    """
    body = printable(" ".join(str(text).split())).replace("|", "\\|")
    runs = [len(r) for r in re.findall(r"`+", body)]
    fence = "`" * (max(runs, default=0) + 1)
    pad = " " if runs else ""
    return f"{fence}{pad}{body}{pad}{fence}"


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
    """Text inside a Markdown table cell (see :func:`md`)."""
    return md(value)
