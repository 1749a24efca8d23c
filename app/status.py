"""What the capture daemon is doing, from its status file (counts and times only, never content)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from core.host.capture_lock import holder
from core.host.status import read_capture_status
from core.paths import VaultPaths

if TYPE_CHECKING:
    from core.capture.screen.ledger import Coverage
    from core.vault import Vault


def daemon_status(paths: VaultPaths) -> dict[str, Any]:
    """``summary`` and ``details`` lines for `cairn status`, plus the raw snapshot and the capture lock's holder."""
    data = _capture_status(paths)
    owner = holder(paths.runtime_dir)
    data["lock_holder"] = owner.to_dict() if owner else None
    data["details"] = [f"capture lock held by {owner.describe()}" if owner else "capture lock: free",
                       *data["details"]]
    return data


def _capture_status(paths: VaultPaths) -> dict[str, Any]:
    status = read_capture_status(paths.runtime_dir)
    snapshot = status.snapshot
    if snapshot is None:
        return {"state": "not running", "summary": "not running (start it with `cairn daemon`)", "details": []}
    lines = snapshot.describe()
    data: dict[str, Any] = {**snapshot.to_dict(), "details": lines[1:]}
    if not status.reporting:
        if snapshot.state == "stopped":
            data["summary"] = "not running (last run stopped cleanly)"
        else:
            data["summary"] = "STALLED or died: no status update recently (restart `cairn daemon`)"
        data["state"] = "not running"
    else:
        data["summary"] = lines[0].removeprefix("screen capture: ")
    return data


def today_coverage(vault: Vault, now: datetime | None = None) -> Coverage:
    """Today's capture ledger (local midnight until the last whole minute): coverage and gaps."""
    now = (now or datetime.now()).astimezone()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return vault.capture_coverage(midnight, now)
