"""Background tasks: results and errors come back on the GUI thread; dead owners get nothing."""

from __future__ import annotations

import threading
from typing import Any

from PySide6.QtWidgets import QWidget

from ui.tasks import TaskManager


def test_results_and_errors_arrive_on_the_gui_thread(qtbot: Any, qapp: Any) -> None:
    tasks = TaskManager()
    gui = threading.get_ident()
    seen: dict[str, Any] = {}

    def work() -> int:
        seen["worker"] = threading.get_ident()
        return 42

    tasks.run(work, on_success=lambda r: seen.update(result=r, success_thread=threading.get_ident()))
    tasks.run(lambda: 1 / 0, on_failure=lambda e: seen.update(error=e, failure_thread=threading.get_ident()))
    qtbot.waitUntil(lambda: "result" in seen and "error" in seen, timeout=5000)
    assert seen["worker"] != gui
    assert seen["success_thread"] == gui and seen["failure_thread"] == gui
    assert seen["result"] == 42 and isinstance(seen["error"], ZeroDivisionError)
    qtbot.waitUntil(lambda: tasks.running == 0, timeout=5000)


def test_unhandled_errors_are_reported_not_lost(qtbot: Any, qapp: Any) -> None:
    tasks = TaskManager()
    with qtbot.waitSignal(tasks.error, timeout=5000) as blocker:
        tasks.run(lambda: (_ for _ in ()).throw(ValueError("boom")))
    assert isinstance(blocker.args[0], ValueError)


def test_callbacks_for_a_deleted_owner_are_dropped(qtbot: Any, qapp: Any) -> None:
    tasks = TaskManager()
    owner = QWidget()
    release = threading.Event()
    called: list[Any] = []
    tasks.run(lambda: release.wait(5), on_success=called.append, owner=owner)
    owner.deleteLater()
    qtbot.waitUntil(lambda: not _valid(owner), timeout=5000)
    release.set()
    qtbot.waitUntil(lambda: tasks.running == 0, timeout=5000)
    assert called == []


def test_a_stream_delivers_items_in_order_and_stops_when_cancelled(qtbot: Any, qapp: Any) -> None:
    tasks = TaskManager()
    gate = threading.Event()
    items: list[int] = []
    done: list[bool] = []

    def numbers() -> Any:
        for i in range(1000):
            if i == 5:
                gate.wait(5)
            yield i

    handle = tasks.stream(numbers, on_item=items.append, on_done=lambda: done.append(True))
    qtbot.waitUntil(lambda: len(items) == 5, timeout=5000)
    handle.cancel()
    gate.set()
    qtbot.waitUntil(lambda: tasks.running == 0, timeout=5000)
    assert items == [0, 1, 2, 3, 4]
    assert done == [True]


def _valid(obj: Any) -> bool:
    import shiboken6

    return shiboken6.isValid(obj)
