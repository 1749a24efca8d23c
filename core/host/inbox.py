"""The chat inbox: export files dropped into a folder are imported, each once per version.

Threads: the capture host's maintenance thread.  Errors: a file that cannot be
imported is reported through ``say`` and remembered (tried again only when it
changes); nothing is raised for it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from core.errors import CairnError

if TYPE_CHECKING:
    from core.vault import Vault

SETTLE_S = 2.0  # a file changed more recently may still be being written


@dataclass(slots=True)
class InboxState:
    seen: dict[str, tuple[int, float]] = field(default_factory=dict)  # path -> (size, mtime) imported


def import_inbox(vault: Vault, folder: Path, state: InboxState, say: Callable[[str], None]) -> int:
    """Import export files that appeared or changed in ``folder``; returns records imported."""
    imported = 0
    if not folder.is_dir():
        return 0
    for path in sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")):
        st = path.stat()
        key = str(path)
        if state.seen.get(key) == (st.st_size, st.st_mtime):
            continue
        if time.time() - st.st_mtime < SETTLE_S:
            continue  # still being written: next round
        try:
            report = vault.import_path(path)
        except CairnError as exc:
            say(f"inbox: {path.name}: {exc}")
        else:
            imported += report.imported + report.updated
            if report.imported or report.updated or report.failed:
                say(f"inbox: {path.name} ({report.format}): {report.imported} imported, {report.updated} updated,"
                    f" {report.duplicate} duplicate, {len(report.failed)} failed")
        state.seen[key] = (st.st_size, st.st_mtime)
    return imported
