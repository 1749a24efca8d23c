"""Operations: a mutation's returned changes reach every view through the session, after its own follow-up."""

from __future__ import annotations

from typing import Any

import pytest

from core.changes import ENTITIES, Outcome, changes
from core.errors import VaultLocked
from tests.helpers import message
from ui.operations import CollectionOp, QueryOp
from ui.session import Session


@pytest.fixture()
def session(lexical_vault: Any, qapp: Any) -> Any:
    session = Session(lexical_vault.paths)
    session.attach(lexical_vault, lexical_vault.settings())
    yield session
    session.tasks.wait_idle(5000)


def test_a_mutation_announces_what_it_returned(session: Any, qtbot: Any) -> None:
    order: list[Any] = []
    session.changed.connect(lambda what: order.append(("changed", what)))
    op = CollectionOp(session, lambda v: v.update_settings(auto_lock_minutes=7))
    op.success(lambda settings: order.append(("success", settings.auto_lock_minutes))).run()
    qtbot.waitUntil(lambda: len(order) == 2, timeout=10000)
    assert order == [("success", 7), ("changed", frozenset({"settings"}))]
    assert session.vault.settings().auto_lock_minutes == 7


def test_changes_alone_are_announced_and_nothing_when_nothing_changed(session: Any, qtbot: Any) -> None:
    heard: list[Any] = []
    session.changed.connect(heard.append)
    done: list[Any] = []
    CollectionOp(session, lambda v: Outcome(None, frozenset())).success(done.append).run()
    CollectionOp(session, lambda v: changes(ENTITIES)).success(done.append).run()
    qtbot.waitUntil(lambda: len(done) == 2, timeout=10000)
    assert heard == [frozenset({"entities"})]


def test_a_report_is_the_value_and_its_changes_are_announced(session: Any, qtbot: Any) -> None:
    heard: list[Any] = []
    session.changed.connect(heard.append)
    reports: list[Any] = []
    record = message("op-1", "an operation imported this")
    CollectionOp(session, lambda v: v.ingest([record], embed=False)).success(reports.append).run()
    qtbot.waitUntil(lambda: len(reports) == 1, timeout=10000)
    assert reports[0].imported == 1 and heard == [frozenset({"items"})]
    CollectionOp(session, lambda v: v.ingest([record], embed=False)).success(reports.append).run()
    qtbot.waitUntil(lambda: len(reports) == 2, timeout=10000)
    assert reports[1].duplicate == 1 and heard == [frozenset({"items"})]  # a duplicate changes nothing


def test_failures_and_a_locked_vault_reach_the_failure_callback(session: Any, qtbot: Any) -> None:
    failed: list[BaseException] = []
    heard: list[Any] = []
    session.changed.connect(heard.append)
    CollectionOp(session, lambda v: 1 / 0).failure(failed.append).run()
    qtbot.waitUntil(lambda: len(failed) == 1, timeout=10000)
    assert isinstance(failed[0], ZeroDivisionError) and heard == []
    session.lock()
    QueryOp(session, lambda v: v.stats()).failure(failed.append).run()
    assert isinstance(failed[1], VaultLocked)


def test_the_change_vocabulary_is_closed() -> None:
    with pytest.raises(ValueError):
        changes("itemz")


def test_a_stream_delivers_each_value_then_finishes_and_a_locked_vault_starts_nothing(session: Any, qtbot: Any) -> None:
    from ui.operations import StreamOp

    seen: list[Any] = []
    done: list[bool] = []
    stream = StreamOp(session, lambda v: (v.stats().items + n for n in range(3))).each(seen.append)
    handle = stream.finished(lambda: done.append(True)).run()
    assert handle is not None
    qtbot.waitUntil(lambda: done == [True], timeout=10000)
    first = session.vault.stats().items
    assert seen == [first, first + 1, first + 2]
    failed: list[BaseException] = []
    session.lock()
    assert StreamOp(session, lambda v: iter(())).failure(failed.append).run() is None
    assert isinstance(failed[0], VaultLocked)
