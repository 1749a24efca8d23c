"""A background thread that runs a step function in write transactions until it says it is done or is stopped.

Used by the schema backfills that must not block unlock (``facets``,
``fts_contentless``): each step is one short transaction on the writer thread,
so captures and imports interleave with it; a stop (lock) lets the running step
finish and the next unlock resumes from the mark the steps keep in ``meta``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

Write = Callable[[Callable[[Any], bool]], bool]


class BackgroundSteps:
    """Runs ``step(conn) -> more to do?`` through ``write`` on its own thread; an error is kept in ``error``."""

    def __init__(self, write: Write, step: Callable[[Any], bool], name: str) -> None:
        self._write = write
        self._step = step
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self.error: BaseException | None = None

    def start(self) -> BackgroundSteps:
        self._thread.start()
        return self

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                if not self._write(self._step):
                    return
        except BaseException as exc:  # a locked vault mid-way: the next unlock carries on from the mark
            self.error = exc

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=60)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()
