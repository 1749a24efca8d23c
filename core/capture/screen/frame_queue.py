"""The queue between the screen daemon's capture thread and its OCR worker: bounded, one frame per window.

Threads: every method may be called from any thread (one condition guards
the items).  Errors: none raised.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable

from core.capture.screen.frames import CapturedFrame


class CoalescingQueue:
    """A bounded FIFO keyed by window: a newer item for a queued key replaces the older one.

    ``put`` returns how many items were dropped (0 or 1).  Thread-safe.
    """

    def __init__(self, maxsize: int) -> None:
        self.maxsize = max(1, maxsize)
        self._items: OrderedDict[Hashable, CapturedFrame] = OrderedDict()
        self._cond = threading.Condition()

    def put(self, key: Hashable, item: CapturedFrame) -> int:
        with self._cond:
            dropped = 0
            if key in self._items:
                self._items[key] = item  # keeps its place in line: an old frame is not starved
                dropped = 1
            else:
                if len(self._items) >= self.maxsize:
                    self._items.popitem(last=False)
                    dropped = 1
                self._items[key] = item
            self._cond.notify()
            return dropped

    def get(self, timeout: float) -> CapturedFrame | None:
        with self._cond:
            if not self._items and not self._cond.wait_for(lambda: bool(self._items), timeout):
                return None
            _key, item = self._items.popitem(last=False)
            return item

    def __len__(self) -> int:
        with self._cond:
            return len(self._items)

    def clear(self) -> int:
        with self._cond:
            n = len(self._items)
            self._items.clear()
            return n
