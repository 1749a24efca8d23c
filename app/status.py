"""Reading the capture daemon's status file (counts and times only, never content)."""

from __future__ import annotations

import json
import os
import time
from typing import Any

from core.paths import VaultPaths

STATUS_FILE = "daemon-status.json"
STALE_AFTER_S = 30.0


def daemon_status(paths: VaultPaths) -> dict[str, Any]:
    path = paths.runtime_dir / STATUS_FILE
    try:
        data: dict[str, Any] = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {"state": "not running", "summary": "not running (start it with `cairn daemon`)"}
    pid = int(data.get("pid", 0))
    alive = pid > 0 and _pid_alive(pid)
    age = time.time() - float(data.get("updated_at", 0))
    if not alive:
        data["state"] = "not running"
        data["summary"] = "not running (the daemon exited)"
    elif age > STALE_AFTER_S:
        data["state"] = "stalled"
        data["summary"] = f"STALLED: no status update for {age:.0f} s"
    return data


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
