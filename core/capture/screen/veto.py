"""The privacy veto per monitor: which monitors a moment may be captured on, given the visible windows.

A window that is excluded (its app), private (its title) or Cairn's own
vetoes every monitor it overlaps, and only those: a private window on the
second monitor does not stop capture of the first.  A vetoed window without
a usable geometry vetoes every monitor (privacy first).

Threads: pure functions, any thread.  Errors: none raised.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from core.capture.screen.grab import Monitor
from core.capture.screen.privacy import PrivacyPolicy
from core.capture.screen.window import VisibleWindow

# What the user reads for each veto (health state, ledger gap).
VETO_LABELS = {"excluded_app": "an excluded app is visible", "private_window": "a private window is visible",
               "own_window": "Cairn's own window is visible", "no_window_info": "the window list is unavailable"}


@dataclass(frozen=True, slots=True)
class Clearance:
    """The visible windows and the monitors they veto (monitor index -> reason key of ``VETO_LABELS``)."""

    windows: list[VisibleWindow]
    vetoed: dict[int, str] = field(default_factory=dict)

    def merged(self, other: Clearance) -> Clearance:
        """``other``'s windows, the vetoes of both (a window seen in either grab vetoes its monitors)."""
        return Clearance(other.windows, {**other.vetoed, **self.vetoed})


def clear(windows: list[VisibleWindow], monitors: Sequence[Monitor], own_pids: Collection[int],
          policy: PrivacyPolicy) -> Clearance:
    """Which of ``monitors`` the ``windows`` veto; the topmost vetoing window names a monitor's reason."""
    vetoed: dict[int, str] = {}
    for window in reversed(windows):  # topmost first
        # Cairn's own window shows decrypted memories: capturing it would store them again.
        if window.pid is not None and window.pid in own_pids:
            reason = "own_window"
        else:
            veto = policy.check_window(window)
            if veto is None:
                continue
            reason = veto.reason
        hit = [m for m in monitors if window.width > 0 and window.height > 0 and m.contains_box(*window.box)]
        for monitor in hit or monitors:
            vetoed.setdefault(monitor.index, reason)
    return Clearance(windows, vetoed)
