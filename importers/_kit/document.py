"""The base of importers that read one document (a JSON file, or YAML or TOML): a declarative
sniff and one way to load the document and check that its root is an object.

A subclass says which files it reads (``suffixes``, ``file_names``) and what their first
bytes hold (``looks``: ways built with :func:`having`, or its own ``looks_like``);
``load_root`` reads the file through the strict loaders of :mod:`lineage_importers._kit.structured`
(line numbers, duplicate keys, depth and size limits) and raises
:class:`lineage.records.InputError` at line 1 with ``not_an_object`` when the root is not an
object.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from re import Pattern
from typing import Any, ClassVar

from lineage.ingest.protocol import Importer
from lineage.records import InputError, Location

from .._kit.located import Located
from .._kit.logfiles import head
from .._kit.structured import decode_text, load_json, load_toml, load_yaml

SNIFF_BYTES = 4096


@dataclass(frozen=True)
class Looks:
    """One way the first bytes of a file show its format: each group in ``needs`` has one of its
    byte strings there, and the bytes start as ``start`` says (when given)."""

    needs: tuple[tuple[bytes, ...], ...]
    start: Pattern[bytes] | None = None

    def match(self, sample: bytes) -> bool:
        if self.start is not None and not self.start.match(sample):
            return False
        return all(any(choice in sample for choice in group) for group in self.needs)


def having(*needs: bytes | tuple[bytes, ...], start: Pattern[bytes] | None = None) -> Looks:
    """First bytes that hold each of ``needs`` (a tuple: one of its byte strings).

    >>> looks = having(b'"nodes"', (b'"pipelines"', b'"modular_pipelines"'))
    >>> looks.match(b'{"nodes": [], "pipelines": []}'), looks.match(b'{"nodes": []}')
    (True, False)
    """
    return Looks(tuple((need,) if isinstance(need, bytes) else need for need in needs), start)


@dataclass
class Document:
    """A loaded document: its data, where each JSON pointer starts, and its text."""

    file: str
    data: Any
    lines: dict[str, int]
    text: str

    @property
    def one_line(self) -> bool:
        """Written on one line (minified JSON): a JSON pointer then says more than a line."""
        return "\n" not in self.text.strip()

    def located(self, base: str = "") -> Located:
        return Located(self.file, self.lines, base)


class DocumentImporter(Importer):
    """An importer of one JSON (or YAML, TOML) document a file."""

    suffixes: ClassVar[Sequence[str]] = (".json",)
    """The (lower-case) suffixes of the files it reads."""
    file_names: ClassVar[Sequence[str]] = ()
    """Whole file names it reads whatever their suffix (Kedro-Viz writes ``api/main``)."""
    looks: ClassVar[Sequence[Looks]] = ()
    """The ways the first :data:`SNIFF_BYTES` of a file it reads can look (any one will do)."""
    sniff_gunzips: ClassVar[bool] = False
    """Sniff the decompressed start of a gzip file (what dbt and DataHub have always done)."""
    syntax: ClassVar[str | None] = ".json"
    """The syntax every file is read in (a suffix), or None to go by each file's suffix."""
    not_an_object: ClassVar[str] = "the document must be a JSON object"
    """The message of the error when the root is not an object."""

    def sniff(self, path: Path) -> bool:
        if not path.is_file() or not (path.name in self.file_names or path.suffix.lower() in self.suffixes):
            return False
        if self.sniff_gunzips:
            return self.looks_like(head(path, SNIFF_BYTES))
        with open(path, "rb") as fh:
            return self.looks_like(fh.read(SNIFF_BYTES))

    def looks_like(self, sample: bytes) -> bool:
        """Whether the first bytes of a file are of this format."""
        return any(way.match(sample) for way in self.looks)

    def parse(self, text: str, file: str, suffix: str) -> tuple[Any, dict[str, int]]:
        """The data of a document's text and the line of each JSON pointer."""
        suffix = self.syntax or suffix
        if suffix == ".json":
            return load_json(text, file)
        if suffix == ".toml":
            return load_toml(text, file)
        return load_yaml(text, file)

    def load(self, path: Path) -> Document:
        """The document, whatever its root."""
        file = str(path)
        text = decode_text(path.read_bytes(), file)
        data, lines = self.parse(text, file, path.suffix.lower())
        return Document(file, data, lines, text)

    def load_root(self, path: Path) -> Document:
        """The document, whose root is an object (else the error ``not_an_object`` at line 1)."""
        document = self.load(path)
        if not isinstance(document.data, dict):
            raise InputError(Location(document.file, line=1), self.not_an_object)
        return document
