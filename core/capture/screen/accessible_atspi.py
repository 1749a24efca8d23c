"""AT-SPI (Linux accessibility over D-Bus) as an ``AccessibleTextSource``, spoken with jeepney.

How a window's text is found: the accessibility bus's address comes from the
session bus (``org.a11y.Bus.GetAddress``); the registry lists the applications
on it, each matched to the window by its process id
(``GetConnectionUnixProcessID``).  The application's tree is walked (bounded:
``MAX_NODES`` objects, ``MAX_DEPTH`` levels) for showing objects with the Text
interface, remembered per window for ``REWALK_S`` seconds; password fields
are skipped (never read).  For each text object: its extents on screen, the
character offset at its top-left corner (the first visible line), the text
from there and one extents query per line until a line lies below the
widget.  A widget whose lines all report one height (Qt's QPlainTextEdit gives
positions within each line) gives no text: which of its lines are shown is
unknown, so it is OCR'd.

Applications expose their tree only while accessibility is on: GTK apps on a
desktop session usually do; Qt apps do with ``QT_LINUX_ACCESSIBILITY_ALWAYS_ON=1``
or when a screen reader has switched the bus's ``IsEnabled`` on.  Cairn does not
switch it on for everyone (it makes every application build its tree: their
cost, not Cairn's).  Without a bus, or when an application does not answer in
``TIMEOUT_S``, the window is simply OCR'd.

Threads: one source per capture thread (a D-Bus connection is not shared).
Errors: none raised from ``texts_for``; failures mean "no accessible text".
"""

from __future__ import annotations

import logging
import os
import sys
import time
from dataclasses import dataclass
from typing import Any

from core.capture.screen.accessible import (
    AccessibleLine,
    AccessibleText,
    AccessibleTextSource,
    NoAccessibleText,
)
from core.capture.screen.window import VisibleWindow

_log = logging.getLogger(__name__)

Ref = tuple[str, str]  # (bus name, object path)
REGISTRY: Ref = ("org.a11y.atspi.Registry", "/org/a11y/atspi/accessible/root")
ACCESSIBLE = "org.a11y.atspi.Accessible"
TEXT = "org.a11y.atspi.Text"
COMPONENT = "org.a11y.atspi.Component"
SCREEN = 0  # ATSPI_COORD_TYPE_SCREEN
STATE_SHOWING = 25  # bit of AtspiStateType in GetState's first word
PASSWORD_ROLE = "password text"
MAX_NODES = 300
MAX_DEPTH = 12
# A walk asks ~4 questions per object: a browser's tree of 300 objects is ~1,200 round trips, each
# answered by the application too (not measured here: no browser on this machine).  What a walk found,
# text objects or none, is kept this long; a dead object makes the next read fail and walk again.
REWALK_S = 120.0
TIMEOUT_S = 0.5
MAX_TEXT_CHARS = 20_000  # from the first visible character: more than a screen of text


def open_accessible() -> AccessibleTextSource:
    """AT-SPI on Linux when its bus is there, else ``NoAccessibleText`` (OCR reads everything)."""
    if sys.platform.startswith("linux"):
        source = AtspiTextSource.open()
        if source is not None:
            return source
    return NoAccessibleText()


@dataclass(slots=True)
class _Found:
    at: float
    objects: list[Ref]


class AtspiTextSource:
    """See the module docstring."""

    name = "at-spi"

    def __init__(self, connection: Any) -> None:
        self._conn = connection
        self._found: dict[int, _Found] = {}  # window id -> its text objects

    @classmethod
    def open(cls) -> AtspiTextSource | None:
        """Connect to the accessibility bus; ``None`` when there is none (no session bus, no AT-SPI)."""
        if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
            return None
        try:
            from jeepney import DBusAddress, new_method_call
            from jeepney.io.blocking import open_dbus_connection

            with open_dbus_connection(bus="SESSION") as session:
                bus = DBusAddress("/org/a11y/bus", bus_name="org.a11y.Bus", interface="org.a11y.Bus")
                address = session.send_and_get_reply(new_method_call(bus, "GetAddress"), timeout=TIMEOUT_S).body[0]
            return cls(open_dbus_connection(address))
        except Exception as exc:  # no a11y bus here: OCR reads everything
            _log.debug("no accessibility bus: %s", exc)
            return None

    def close(self) -> None:
        self._conn.close()

    def texts_for(self, window: VisibleWindow) -> tuple[AccessibleText, ...]:
        if window.pid is None:
            return ()
        try:
            found = self._found.get(window.window_id)
            if found is None or time.monotonic() - found.at > REWALK_S:
                found = _Found(time.monotonic(), self._text_objects(window.pid))
                self._found[window.window_id] = found
            texts = [self._visible(ref, window.box) for ref in found.objects]
        except Exception as exc:  # the app went away or did not answer in time: OCR it
            _log.debug("accessible text of window %s unavailable: %s", window.window_id, exc)
            self._found.pop(window.window_id, None)
            return ()
        return tuple(t for t in texts if t is not None and t.lines)

    # -- D-Bus -------------------------------------------------------------------

    def _call(self, ref: Ref, interface: str, method: str, signature: str | None = None, body: tuple = ()) -> Any:
        from jeepney import DBusAddress, new_method_call

        address = DBusAddress(ref[1], bus_name=ref[0], interface=interface)
        reply = self._conn.send_and_get_reply(new_method_call(address, method, signature, body), timeout=TIMEOUT_S)
        if reply.header.message_type.name == "error":
            raise RuntimeError(f"{interface}.{method}: {reply.body}")
        return reply.body

    def _prop(self, ref: Ref, interface: str, name: str) -> Any:
        return self._call(ref, "org.freedesktop.DBus.Properties", "Get", "ss", (interface, name))[0][1]

    def _pid(self, bus_name: str) -> int | None:
        try:
            return int(self._call(("org.freedesktop.DBus", "/org/freedesktop/DBus"), "org.freedesktop.DBus",
                                  "GetConnectionUnixProcessID", "s", (bus_name,))[0])
        except Exception:
            return None

    def _text_objects(self, pid: int) -> list[Ref]:
        """The showing, non-password objects with a Text interface in the application of ``pid``."""
        apps = [tuple(ref) for ref in self._call(REGISTRY, ACCESSIBLE, "GetChildren")[0]]
        objects: list[Ref] = []
        for app in apps:
            if self._pid(app[0]) != pid:
                continue
            stack: list[tuple[Ref, int]] = [(app, 0)]  # type: ignore[list-item]
            visited = 0
            while stack and visited < MAX_NODES:
                ref, depth = stack.pop()
                visited += 1
                if depth and not self._call(ref, ACCESSIBLE, "GetState")[0][0] & (1 << STATE_SHOWING):
                    continue  # hidden: neither it nor its children are on screen
                interfaces = self._call(ref, ACCESSIBLE, "GetInterfaces")[0]
                if TEXT in interfaces and COMPONENT in interfaces:
                    if self._call(ref, ACCESSIBLE, "GetRoleName")[0] != PASSWORD_ROLE:
                        objects.append(ref)
                    continue  # a text object's children are its own parts (lines, links): read as one
                if depth < MAX_DEPTH:
                    children = self._call(ref, ACCESSIBLE, "GetChildren")[0]
                    stack.extend((tuple(child), depth + 1) for child in reversed(children))  # type: ignore[misc]
        return objects

    def _visible(self, ref: Ref, window_box: tuple[int, int, int, int]) -> AccessibleText | None:
        """The lines of ``ref`` drawn inside its own extents (and the window's), with their boxes.

        Only lines at or below the offset at the widget's top-left corner are asked for their
        place, and the walk stops at the first line below the widget: one query per shown line.
        (Asking every line of the text around the view cost ~60 ms a read and as much again in
        the application answering, measured in ``bench.screen_live``.)
        """
        x, y, w, h = self._call(ref, COMPONENT, "GetExtents", "u", (SCREEN,))[0]
        box = _intersect((x, y, w, h), window_box)
        if box is None:
            return None
        count = int(self._prop(ref, TEXT, "CharacterCount"))
        if count == 0:
            return AccessibleText(box, ())
        first = -1
        for dy in (2, 8, 16):  # the corner can fall between two lines
            first = self._call(ref, TEXT, "GetOffsetAtPoint", "iiu", (box[0] + 8, box[1] + dy, SCREEN))[0]
            if first >= 0:
                break
        first = max(0, first)
        start = max(0, first - 2_000)
        chunk = self._call(ref, TEXT, "GetText", "ii", (start, min(count, first + MAX_TEXT_CHARS)))[0]
        lines: list[AccessibleLine] = []
        offset = start
        bottom = box[1] + box[3]
        for text in chunk.split("\n"):
            line_start, offset = offset, offset + len(text) + 1
            if offset <= first or not text.strip():
                continue  # above the view, or nothing to read
            lx, ly, lw, lh = self._call(ref, TEXT, "GetRangeExtents", "iiu", (line_start, line_start + len(text),
                                                                              SCREEN))
            if lw <= 0 or lh <= 0:
                continue
            centre = ly + lh // 2
            if centre >= bottom:
                break  # below the view: so is every later line
            if centre < box[1]:
                continue  # cut in half at the top edge (the pixels show the rest)
            lines.append(AccessibleLine(text, (lx, ly, lw, lh)))
        if len({line.box[1] for line in lines}) < len(lines):
            # Two lines at one height: the toolkit reports positions within each line (Qt's QPlainTextEdit
            # does), so which lines are on screen is unknown.  OCR reads this widget instead.
            return None
        return AccessibleText(box, tuple(lines))


def _intersect(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> tuple[int, int, int, int] | None:
    left, top = max(a[0], b[0]), max(a[1], b[1])
    right, bottom = min(a[0] + a[2], b[0] + b[2]), min(a[1] + a[3], b[1] + b[3])
    return (left, top, right - left, bottom - top) if right > left and bottom > top else None
