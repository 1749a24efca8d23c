"""Wording for the timeline's counts: the toolbar's "1,234 memories" and the week/month
heat map's hint line.

Threads: any (pure string formatting); the page calls it on the GUI thread.
Errors: none.
"""

from __future__ import annotations


def memory_count_text(total: int) -> str:
    """``"1 memory"``, ``"1,234 memories"``, or ``""`` when there are none (the label then stays empty)."""
    return f"{total:,} memor{'y' if total == 1 else 'ies'}" if total else ""


def density_hint_text(total: int, active_days: int) -> str:
    """The line above the heat map: how much, on how many days, and how to open one."""
    if not total:
        return "No memories here yet. Use the arrows at the top to go to another week or month."
    return (f"{total:,} memor{'y' if total == 1 else 'ies'} on {active_days} day{'s' if active_days != 1 else ''}. "
            "Click a cell or use the arrow keys and Enter to open that day.")
