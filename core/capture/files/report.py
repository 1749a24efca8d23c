"""What a scan or a watcher batch did: ``Outcome`` per file, ``ScanReport`` in total, ``ScanProgress``.

``known_outcome`` gives the verdict for a file whose ``stat`` still matches
its ledger entry, without reading it.

Threads: a ``ScanReport`` is filled by one thread; ``merge`` another into it
from the same thread.  Errors: none raised.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from core.capture.files.ledger import LedgerEntry, LedgerState
from core.changes import ITEMS, Changes, changes_if


class Outcome(StrEnum):
    INDEXED = "indexed"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    MOVED = "moved"
    DELETED = "deleted"
    SKIPPED = "skipped"  # by an ignore rule (quiet)
    PROBLEM = "problem"  # skipped for a reason about the file itself (too large, binary, loop)
    FAILED = "failed"    # extraction failed
    GONE = "gone"        # nothing to do: the path does not exist and was never indexed


@dataclass(slots=True)
class ScanReport:
    """What a scan or a watcher batch did.  Every file lands in exactly one bucket."""

    root: Path | None = None
    indexed: int = 0
    updated: int = 0
    unchanged: int = 0
    moved: int = 0
    deleted: int = 0
    skipped: dict[str, int] = field(default_factory=dict)        # ignore rule -> count
    problems: list[tuple[Path, str]] = field(default_factory=list)  # skipped because of the file itself
    failed: list[tuple[Path, str]] = field(default_factory=list)
    notes: list[tuple[Path, str]] = field(default_factory=list)
    image_only: list[tuple[Path, tuple[int, ...]]] = field(default_factory=list)
    bytes_read: int = 0
    seconds: float = 0.0

    def add(self, outcome: Outcome, path: Path, reason: str | None = None) -> None:
        if outcome is Outcome.SKIPPED:
            key = reason or "ignored"
            self.skipped[key] = self.skipped.get(key, 0) + 1
        elif outcome is Outcome.PROBLEM:
            self.problems.append((path, reason or "skipped"))
        elif outcome is Outcome.FAILED:
            self.failed.append((path, reason or "failed"))
        elif outcome is not Outcome.GONE:
            setattr(self, outcome.value, getattr(self, outcome.value) + 1)

    def merge(self, other: ScanReport) -> None:
        for name in ("indexed", "updated", "unchanged", "moved", "deleted", "bytes_read"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for reason, count in other.skipped.items():
            self.skipped[reason] = self.skipped.get(reason, 0) + count
        self.problems += other.problems
        self.failed += other.failed
        self.notes += other.notes
        self.image_only += other.image_only
        self.seconds += other.seconds

    @property
    def changed(self) -> int:
        return self.indexed + self.updated + self.moved + self.deleted

    @property
    def changes(self) -> Changes:
        """Items when any file was indexed, updated, moved or deleted (``core.changes.Changed``)."""
        return changes_if(self.changed, ITEMS)

    def summary(self) -> str:
        skipped = sum(self.skipped.values())
        return (f"{self.indexed} indexed, {self.updated} updated, {self.unchanged} unchanged, {self.moved} moved, "
                f"{self.deleted} deleted, {skipped} ignored, {len(self.problems)} skipped with a reason, "
                f"{len(self.failed)} failed")


ScanProgress = Callable[[int, int | None], None]
"""``progress(done, total)`` — files handled so far out of the files found."""


def known_outcome(entry: LedgerEntry) -> Outcome:
    """The verdict for a file whose ``stat`` matches its ledger entry: the one recorded last time.

    A file that failed keeps being reported as failed (with its reason) but is
    not tried again until it changes.
    """
    if entry.state is LedgerState.FAILED:
        return Outcome.FAILED
    if entry.state is LedgerState.SKIPPED:
        return Outcome.PROBLEM
    if entry.state is LedgerState.FORGOTTEN:
        return Outcome.SKIPPED
    return Outcome.UNCHANGED
