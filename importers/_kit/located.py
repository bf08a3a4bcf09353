"""Where things are in one document, and the problems found there: one way to say both.

An importer's reader keeps a :class:`Located` for the file it reads and reports through it, so
every problem names the file and the line of its JSON pointer (or the pointer, where the whole
document is one line and lines say nothing).
"""

from __future__ import annotations

from lineage.records import InputError, Location, Problem

from .._kit.structured import location


class Located:
    """The file, its pointer-to-line map and the problems found so far.

    >>> doc = Located("p.json", {"": 1, "/nodes": 2})
    >>> str(doc.at("/nodes/3")), str(doc.at_line(7))
    ('p.json:2', 'p.json:7')
    >>> doc.problem("/nodes/3", "a node must be an object"); [str(p.location) for p in doc.problems]
    ['p.json:2']
    >>> str(Located("p.json", {}, base="/spec").at("/root"))
    'p.json#/spec/root'
    """

    def __init__(self, file: str, lines: dict[str, int], base: str = ""):
        self.file = file
        self.lines = lines
        self.base = base  # a prefix of every pointer: the part of the document being read
        self.problems: list[Problem] = []

    def at(self, pointer: str) -> Location:
        return location(self.file, self.lines, self.base + pointer)

    def at_line(self, line: int | None = None) -> Location:
        return Location(self.file, line=line)

    def problem(self, pointer: str, message: str) -> None:
        """Note a problem at ``pointer``; the import goes on."""
        self.problems.append(Problem(self.at(pointer), message))

    def error(self, pointer: str, message: str) -> InputError:
        """The error that stops the import, at ``pointer`` (raise it)."""
        return InputError(self.at(pointer), message)
