"""Names in Qt widgets as plain text. Qt guesses whether a tooltip, label or message box is
HTML (Qt.mightBeRichText), so a name like ``<img src=x>`` would be rendered, not shown; every
text that carries data goes through here."""

from __future__ import annotations

import html
import re

from lineage.render.escape import printable

WRAP_EVERY = 80  # characters of an unbroken run before a tooltip may wrap it
_LONG_RUN = re.compile(rf"\S{{{WRAP_EVERY}}}")


def tooltip(*lines: str) -> str:
    """Tooltip markup that shows ``lines`` literally: each line escaped (controls as escapes,
    so a name cannot add lines) and long unbroken runs given places to wrap.

    >>> tooltip("<b>x</b>", "two")
    '<qt>&lt;b&gt;x&lt;/b&gt;<br>two</qt>'
    """
    shown = [_LONG_RUN.sub(lambda m: m[0] + "\u200b", html.escape(printable(line), quote=False)) for line in lines]
    return "<qt>" + "<br>".join(shown) + "</qt>"


def message(text: str) -> str:
    """Message-box text shown literally (Qt reads an escaped ``&lt;`` as a sign of rich text).

    >>> message("no node <b>x</b>")
    'no node &lt;b&gt;x&lt;/b&gt;'
    """
    return html.escape(text, quote=False)
