"""What the capture daemon is doing, from its status file (counts and times only, never content)."""

from __future__ import annotations

from typing import Any

from core.paths import VaultPaths


def daemon_status(paths: VaultPaths) -> dict[str, Any]:
    """``summary`` and ``details`` lines for `cairn status`, plus the raw snapshot."""
    from core.capture.screen.health import daemon_alive, read_status, status_path

    snapshot = read_status(status_path(paths.runtime_dir))
    if snapshot is None:
        return {"state": "not running", "summary": "not running (start it with `cairn daemon`)", "details": []}
    lines = snapshot.describe()
    data: dict[str, Any] = {**snapshot.to_dict(), "details": lines[1:]}
    if not daemon_alive(snapshot):
        if snapshot.state == "stopped":
            data["summary"] = "not running (last run stopped cleanly)"
        else:
            data["summary"] = "STALLED or died: no status update recently (restart `cairn daemon`)"
        data["state"] = "not running"
    else:
        data["summary"] = lines[0].removeprefix("screen capture: ")
    return data
