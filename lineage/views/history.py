"""Back and forward over the views shown, as a browser keeps them: no UI, the explorer's model
records each view it asks a picture of and steps through them (Alt+Left, Alt+Right)."""

from __future__ import annotations

from collections.abc import Callable

from lineage.views.spec import ViewSpec

KEPT = 200  # views remembered; the oldest go first


class History:
    """The views shown, oldest first, and where the user stands among them.

    >>> h = History()
    >>> for focus in "abc":
    ...     h.visit(ViewSpec(focus=focus))
    >>> h.back().focus, h.back().focus, h.back()
    ('b', 'a', None)
    >>> h.forward().focus
    'b'
    >>> h.visit(ViewSpec(focus="x"))  # a new view drops the ones ahead, as a browser does
    >>> h.forward(), h.back().focus
    (None, 'b')
    >>> h.forward(lambda spec: spec.focus != "x"), h.back(lambda spec: spec.focus != "a")  # none usable
    (None, None)
    """

    def __init__(self, kept: int = KEPT) -> None:
        self._views: list[ViewSpec] = []
        self._at = -1
        self._kept = kept

    def visit(self, spec: ViewSpec) -> None:
        """``spec`` was shown: the current view, unless it draws the same as the current one."""
        if self._at >= 0 and self._views[self._at].key() == spec.key():
            self._views[self._at] = spec
            return
        del self._views[self._at + 1 :]
        self._views.append(spec)
        del self._views[: max(0, len(self._views) - self._kept)]
        self._at = len(self._views) - 1

    def back(self, usable: Callable[[ViewSpec], bool] = lambda _: True) -> ViewSpec | None:
        """The nearest view before the current one that is ``usable``, now current (None, and
        nothing moves, when there is none)."""
        return self._step(-1, usable)

    def forward(self, usable: Callable[[ViewSpec], bool] = lambda _: True) -> ViewSpec | None:
        """The nearest ``usable`` view after the current one, now current (None: there is none)."""
        return self._step(1, usable)

    def _step(self, by: int, usable: Callable[[ViewSpec], bool]) -> ViewSpec | None:
        at = self._at + by
        while 0 <= at < len(self._views):
            if usable(self._views[at]):
                self._at = at
                return self._views[at]
            at += by
        return None

    @property
    def can_go_back(self) -> bool:
        return self._at > 0

    @property
    def can_go_forward(self) -> bool:
        return self._at < len(self._views) - 1

    def clear(self) -> None:
        """Forget every view (another database was opened)."""
        self._views.clear()
        self._at = -1
