"""Names of apps the user is likely to exclude from capture: running now, or seen in recent screenshots.

Running apps come from ``psutil`` (process names only, kernel threads
left out); recent apps from the ``app`` of the screenshots of the last two
weeks in the vault.  The result feeds the suggestions of the excluded-apps
list in the settings.

Threads: ``running_and_recent_apps`` does blocking work (process table,
vault query); call it on a worker thread, never the GUI thread.
Errors: a missing or failing ``psutil`` is ignored (no running apps);
vault errors propagate to the caller.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.vault import Vault

# Kernel threads show up as processes; nobody wants to exclude them.
_KERNEL_THREAD_PREFIXES = ("kworker", "ksoftirq", "migration", "rcu_")
_RECENT = timedelta(days=14)
_MAX_RECENT_SCREENSHOTS = 2000


def running_and_recent_apps(vault: Vault | None) -> list[str]:
    """Distinct app names, sorted case-insensitively; ``vault`` None means running apps only."""
    names: set[str] = set()
    try:
        import psutil

        for proc in psutil.process_iter(["name"]):
            name = (proc.info.get("name") or "").strip()
            if name and not name.startswith(_KERNEL_THREAD_PREFIXES):
                names.add(name)
    except Exception:
        pass
    if vault is not None:
        now = datetime.now().astimezone()
        recent = vault.items_between(now - _RECENT, now, limit=_MAX_RECENT_SCREENSHOTS, kinds=("screenshot",))
        for item in recent:
            app = (item.meta or {}).get("app")
            if isinstance(app, str) and app:
                names.add(app)
    return sorted(names, key=str.lower)
