"""Time in the store's one form: UTC ISO 8601 with microseconds (``2025-03-01T10:30:00.000000Z``).

Every time the store holds, and every date or time a user gives (``--at``, ``--as-of``), goes
through here, so times compare as text.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def utc_now() -> str:
    """Now, in the store's form."""
    return datetime.now(UTC).strftime(FORMAT)


def parse_when(text: str) -> str:
    """Normalise a date or time given by a user to the store's UTC form.

    >>> parse_when("2025-03-01")
    '2025-03-01T00:00:00.000000Z'
    >>> parse_when("2025-03-01T12:30:00+02:00")
    '2025-03-01T10:30:00.000000Z'
    """
    try:
        when = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"not a date or time: {text!r} (use YYYY-MM-DD or ISO 8601)") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).strftime(FORMAT)


def just_before(when: str) -> str:
    """The moment one microsecond before ``when`` (a store time): the state before a generation.

    >>> just_before("2025-03-01T00:00:00.000000Z")
    '2025-02-28T23:59:59.999999Z'
    """
    moment = datetime.strptime(when, FORMAT) - timedelta(microseconds=1)
    return moment.strftime(FORMAT)


# A moment in the store's history: a time, or a time and an import id ("T#N", the state just
# after import N, dated T). Imports dated alike (every file of one `lineage import`) are then
# told apart: the history orders imports by (valid_at, id), as it chooses each source's newest.
AFTER = "#"
LAST_ID = 2**63 - 1  # SQLite's largest rowid: a plain time counts every import dated then


def after_import(valid_at: str, import_id: int) -> str:
    """The moment just after import ``import_id`` (dated ``valid_at``).

    >>> after_import("2026-03-01T00:00:00.000000Z", 7)
    '2026-03-01T00:00:00.000000Z#7'
    """
    return f"{valid_at}{AFTER}{import_id}"


def split_moment(moment: str) -> tuple[str, int]:
    """(time, last import id counted at that time) of a moment: a plain time counts every
    import dated up to it.

    >>> split_moment("2026-03-01T00:00:00.000000Z#7")
    ('2026-03-01T00:00:00.000000Z', 7)
    >>> split_moment("2026-03-01T00:00:00.000000Z")[1] == LAST_ID
    True
    """
    at, sep, through = moment.partition(AFTER)
    return at, int(through) if sep else LAST_ID


def moment_time(moment: str) -> str:
    """A moment as a person reads it: its time to the second (the import id left out).

    >>> moment_time("2026-03-01T00:00:00.000000Z#7")
    '2026-03-01 00:00:00'
    """
    return split_moment(moment)[0][:19].replace("T", " ")
