"""The folder watcher on the real file system with real watchdog (inotify): no mocks, no fixed sleeps.

Each test changes files and then polls the sink until the expected state
appears or a generous deadline passes.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from watchdog.observers import inotify as watchdog_inotify
from watchdog.observers.inotify_c import InotifyConstants, InotifyEvent, InotifyFD

from core.capture.files.indexer import FileIndexer
from core.capture.files.watcher import FolderWatcher
from core.normalize.extract import ExtractLimits
from tests.support.memory_file_sink import MemoryFileSink

DEADLINE = 20.0


class ManualClock:
    """The watcher's batching clock, held still by the test (a burst is one batch however slow the machine)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    def running(self, condition: Callable[[], bool], step: float = 0.05) -> Callable[[], bool]:
        """``condition``, with the clock moved on by ``step`` at each look (time passes only while we wait)."""

        def check() -> bool:
            self.advance(step)
            return condition()

        return check


def eventually(condition: Callable[[], bool], timeout: float = DEADLINE) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.fixture()
def sink() -> MemoryFileSink:
    return MemoryFileSink()


@pytest.fixture()
def indexer(sink: MemoryFileSink) -> Iterator[FileIndexer]:
    with FileIndexer(sink, limits=ExtractLimits(timeout_s=20)) as ix:
        yield ix


@pytest.fixture()
def watcher(indexer: FileIndexer, tmp_path: Path) -> Iterator[FolderWatcher]:
    w = FolderWatcher(indexer, quiet_s=0.3, max_delay_s=3.0)
    w.start([tmp_path])
    assert w.wait_idle(DEADLINE)
    yield w
    w.stop()


def test_start_scans_what_is_already_there(tmp_path: Path, indexer: FileIndexer, sink: MemoryFileSink) -> None:
    (tmp_path / "existing.md").write_text("# Old\n\nwritten before the watcher started")
    with FolderWatcher(indexer, quiet_s=0.2) as w:
        w.start([tmp_path])
        assert eventually(lambda: tmp_path / "existing.md" in sink.items)
        assert w.wait_idle(DEADLINE)  # the scan is counted after its items reach the sink
        assert w.status().scans == 1


def test_create_edit_move_delete(tmp_path: Path, watcher: FolderWatcher, sink: MemoryFileSink) -> None:
    note = tmp_path / "note.txt"
    note.write_text("first draft")
    assert eventually(lambda: note in sink.items)
    item_id = sink.items[note].id

    note.write_text("second draft with LAPWING")
    assert eventually(lambda: "LAPWING" in sink.text_of(note))
    assert watcher.wait_idle(DEADLINE)
    extractions = sink.index_calls[note]

    (tmp_path / "archive").mkdir()
    moved = tmp_path / "archive" / "note-final.txt"
    os.rename(note, moved)
    assert eventually(lambda: moved in sink.items)
    assert sink.items[moved].id == item_id, "a move keeps the item"
    assert note not in sink.items
    assert watcher.wait_idle(DEADLINE)
    assert sink.index_calls[moved] == 0 and sink.index_calls[note] == extractions, "a move re-extracts nothing"

    moved.unlink()
    assert eventually(lambda: sink.items[moved].deleted)


def test_hundred_rewrites_within_the_quiet_period_are_indexed_once(tmp_path: Path, indexer: FileIndexer,
                                                                   sink: MemoryFileSink) -> None:
    clock = ManualClock()
    with FolderWatcher(indexer, quiet_s=0.3, max_delay_s=3.0, clock=clock) as w:
        w.start([tmp_path])
        assert w.wait_idle(DEADLINE)
        busy = tmp_path / "busy.txt"
        for i in range(100):  # no time passes on the watcher's clock: one burst, however slow the machine
            busy.write_text(f"version {i}")
        assert eventually(lambda: w.status().pending >= 1)
        # From now on the watcher's time passes: the first batch reads the file as the burst left it.
        assert eventually(clock.running(lambda: busy in sink.items and sink.text_of(busy) == "version 99"))
        assert eventually(clock.running(lambda: w.wait_idle(0.05)))
        assert sink.index_calls[busy] == 1


def test_constant_churn_is_indexed_at_least_every_max_delay(tmp_path: Path, indexer: FileIndexer,
                                                            sink: MemoryFileSink) -> None:
    clock = ManualClock()
    with FolderWatcher(indexer, quiet_s=0.3, max_delay_s=3.0, clock=clock) as w:
        w.start([tmp_path])
        assert w.wait_idle(DEADLINE)
        log = tmp_path / "growing.log"
        log.write_text("line 0\n")
        for i in range(1, 40):  # never quiet for quiet_s, but max_delay_s passes after 30 steps
            # A growing log is appended to, never truncated: a batch taken mid-write sees text, not an
            # empty file (which is recorded as "empty", not as an item).
            with log.open("a") as out:
                out.write(f"line {i}\n")
            assert eventually(lambda: w.status().pending >= 1 or w.status().busy or log in sink.items)
            clock.advance(0.1)
        assert eventually(lambda: log in sink.items), "max_delay_s bounds how long churn can hold a batch back"


def test_editor_save_through_temp_file_and_rename(tmp_path: Path, watcher: FolderWatcher,
                                                  sink: MemoryFileSink) -> None:
    doc = tmp_path / "essay.md"
    doc.write_text("# Essay\n\nfirst")
    assert eventually(lambda: doc in sink.items)
    item_id = sink.items[doc].id
    for i in range(3):  # vim/gedit style: write a temp file, rename it over the original
        tmp = tmp_path / f".essay.md.swp{i}"
        tmp.write_text(f"# Essay\n\nsaved {i}")
        os.replace(tmp, doc)
    assert eventually(lambda: "saved 2" in sink.text_of(doc))
    assert sink.items[doc].id == item_id
    assert not any(p.name.startswith(".essay") for p in sink.items)


def test_folder_moves_and_deletes(tmp_path: Path, watcher: FolderWatcher, sink: MemoryFileSink) -> None:
    project = tmp_path / "project"
    (project / "docs").mkdir(parents=True)
    for i in range(5):
        (project / "docs" / f"d{i}.txt").write_text(f"doc {i}")
    assert eventually(lambda: len(sink.live()) == 5)
    ids = {p.name: i.id for p, i in sink.items.items()}

    os.rename(project, tmp_path / "renamed")
    assert eventually(lambda: all((tmp_path / "renamed/docs" / f"d{i}.txt") in sink.live() for i in range(5)))
    assert {p.name: i.id for p, i in sink.live().items()} == ids, "items survive a folder move"

    subprocess.run(["rm", "-rf", str(tmp_path / "renamed")], check=True)
    assert eventually(lambda: not sink.live())


def test_folder_moved_out_of_the_watched_root(tmp_path: Path, indexer: FileIndexer, sink: MemoryFileSink) -> None:
    root = tmp_path / "watched"
    (root / "sub").mkdir(parents=True)
    (root / "sub/x.txt").write_text("x")
    with FolderWatcher(indexer, quiet_s=0.2) as w:
        w.start([root])
        assert eventually(lambda: root / "sub/x.txt" in sink.live())
        os.rename(root / "sub", tmp_path / "outside")  # to the trash, in effect
        assert eventually(lambda: sink.items[root / "sub/x.txt"].deleted)


def test_new_tree_and_ignored_noise(tmp_path: Path, watcher: FolderWatcher, sink: MemoryFileSink) -> None:
    (tmp_path / "a/b/c").mkdir(parents=True)
    (tmp_path / "a/b/c/deep.txt").write_text("deep")
    (tmp_path / ".git/objects").mkdir(parents=True)
    (tmp_path / ".git/objects/xx").write_text("git noise")
    (tmp_path / "node_modules/p").mkdir(parents=True)
    (tmp_path / "node_modules/p/i.js").write_text("js")
    assert eventually(lambda: tmp_path / "a/b/c/deep.txt" in sink.items)
    assert watcher.wait_idle(DEADLINE)
    assert set(sink.items) == {tmp_path / "a/b/c/deep.txt"}


def test_cairnignore_change_rescans(tmp_path: Path, watcher: FolderWatcher, sink: MemoryFileSink) -> None:
    (tmp_path / "keep.txt").write_text("keep")
    (tmp_path / "drafts").mkdir()
    (tmp_path / "drafts/d.txt").write_text("draft")
    assert eventually(lambda: len(sink.live()) == 2)
    (tmp_path / ".cairnignore").write_text("drafts/\n")
    assert eventually(lambda: set(sink.live()) == {tmp_path / "keep.txt"})


def test_our_queue_overflowing_falls_back_to_a_rescan(tmp_path: Path, indexer: FileIndexer,
                                                      sink: MemoryFileSink) -> None:
    clock = ManualClock()
    with FolderWatcher(indexer, quiet_s=0.5, max_pending=10, clock=clock) as w:
        w.start([tmp_path])
        assert w.wait_idle(DEADLINE)
        for i in range(60):  # the clock stands still: nothing is processed until the queue overflows
            (tmp_path / f"f{i:02}.txt").write_text(f"file {i}")
        assert eventually(lambda: w.status().overflows >= 1)
        assert eventually(clock.running(lambda: len(sink.live()) == 60))
        assert w.status().overflows >= 1
        assert w.status().scans >= 2


class _DroppingInotify(InotifyFD):
    """watchdog's real inotify reader, which can be told to lose events as a full kernel queue does.

    While ``losing`` is set, every event except ``IN_Q_OVERFLOW`` is dropped
    before it reaches the emitters (the kernel discards events once its queue
    is full); ``overflow()`` then delivers the kernel's ``IN_Q_OVERFLOW`` the
    way the reader thread would.  Nothing outside this process is changed.
    """

    instances: ClassVar[list[_DroppingInotify]] = []

    def __init__(self) -> None:
        super().__init__()
        self.losing = threading.Event()
        self.dropped: list[bytes] = []
        _DroppingInotify.instances.append(self)

    def handle_event(self, event: InotifyEvent) -> None:
        if self.losing.is_set() and not event.is_queue_overflow:
            self.dropped.append(event.name)
            return
        super().handle_event(event)

    def overflow(self) -> None:
        self.losing.clear()
        self.handle_event(InotifyEvent(-1, InotifyConstants.IN_Q_OVERFLOW, 0, b""))


def test_kernel_queue_overflow_falls_back_to_a_rescan(tmp_path: Path, indexer: FileIndexer, sink: MemoryFileSink,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(watchdog_inotify, "InotifyFD", _DroppingInotify)
    _DroppingInotify.instances.clear()
    (tmp_path / "kept.txt").write_text("kept as it was")
    (tmp_path / "edited.txt").write_text("before the overflow")
    (tmp_path / "removed.txt").write_text("deleted while events were lost")
    with FolderWatcher(indexer, quiet_s=0.3, observer_factory=watchdog_inotify.InotifyObserver) as w:
        w.start([tmp_path])
        assert eventually(lambda: len(sink.live()) == 3)
        assert w.wait_idle(DEADLINE)
        [reader] = _DroppingInotify.instances

        reader.losing.set()
        for i in range(20):
            (tmp_path / f"new{i}.txt").write_text(f"created while events were lost {i}")
        (tmp_path / "edited.txt").write_text("after the overflow OSPREY")
        (tmp_path / "removed.txt").unlink()
        (tmp_path / "sentinel.txt").write_text("the last event before the overflow")
        # inotify keeps order: once the sentinel's event was dropped, so was every event before it.
        assert eventually(lambda: b"sentinel.txt" in reader.dropped)
        assert w.wait_idle(DEADLINE)
        assert "OSPREY" not in sink.text_of(tmp_path / "edited.txt"), "the events really were lost"

        reader.overflow()
        on_disk = {p for p in tmp_path.iterdir() if p.is_file()}
        assert eventually(lambda: set(sink.live()) == on_disk
                          and "OSPREY" in sink.text_of(tmp_path / "edited.txt"))
        assert w.wait_idle(DEADLINE)
        assert set(sink.live()) == on_disk
        assert sink.items[tmp_path / "removed.txt"].deleted
        assert w.status().overflows >= 1

        (tmp_path / "after.txt").write_text("watching goes on after the overflow")
        assert eventually(lambda: tmp_path / "after.txt" in sink.live())


def test_a_move_split_across_batches_keeps_the_item(tmp_path: Path, indexer: FileIndexer,
                                                    sink: MemoryFileSink) -> None:
    """A move whose two halves land in different batches (a busy machine) is still a move."""
    with FolderWatcher(indexer, quiet_s=0.1, move_grace_s=30.0) as w:
        w.start([tmp_path])
        (tmp_path / "a").mkdir()
        (tmp_path / "a/report.txt").write_text("quarterly report")
        assert eventually(lambda: tmp_path / "a/report.txt" in sink.live())
        assert w.wait_idle(DEADLINE)
        item_id = sink.items[tmp_path / "a/report.txt"].id
        batches_before = w.status().batches
        outside = tmp_path.parent / f"{tmp_path.name}-elsewhere"
        os.rename(tmp_path / "a", outside)  # out of sight: the first half, a deletion for now
        assert eventually(lambda: w.status().batches > batches_before and not w.status().pending
                          and not w.status().busy)
        assert tmp_path / "a/report.txt" in sink.live(), "a vanished file waits out its grace"
        os.rename(outside, tmp_path / "b")  # back in: the second half, in a later batch
        assert eventually(lambda: tmp_path / "b/report.txt" in sink.live())
        assert sink.items[tmp_path / "b/report.txt"].id == item_id
        assert tmp_path / "a/report.txt" not in sink.live()


def test_a_vanished_file_is_deleted_when_its_grace_runs_out(tmp_path: Path, indexer: FileIndexer,
                                                            sink: MemoryFileSink) -> None:
    with FolderWatcher(indexer, quiet_s=0.1, move_grace_s=0.5) as w:
        w.start([tmp_path])
        (tmp_path / "gone.txt").write_text("soon gone")
        assert eventually(lambda: tmp_path / "gone.txt" in sink.live())
        (tmp_path / "gone.txt").unlink()
        assert eventually(lambda: sink.items[tmp_path / "gone.txt"].deleted)
        assert w.wait_idle(DEADLINE)


def test_changes_while_stopped_are_found_on_restart(tmp_path: Path, indexer: FileIndexer,
                                                    sink: MemoryFileSink) -> None:
    (tmp_path / "a.txt").write_text("a")
    (tmp_path / "b.txt").write_text("b")
    with FolderWatcher(indexer, quiet_s=0.2) as w:
        w.start([tmp_path])
        assert eventually(lambda: len(sink.live()) == 2)
    (tmp_path / "a.txt").write_text("a changed")
    (tmp_path / "b.txt").unlink()
    (tmp_path / "c.txt").write_text("c new")
    with FolderWatcher(indexer, quiet_s=0.2) as w:
        w.start([tmp_path])
        assert eventually(lambda: set(sink.live()) == {tmp_path / "a.txt", tmp_path / "c.txt"}
                          and sink.text_of(tmp_path / "a.txt") == "a changed")


def test_add_and_remove_roots(tmp_path: Path, indexer: FileIndexer, sink: MemoryFileSink) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    with FolderWatcher(indexer, quiet_s=0.2) as w:
        w.start([one])
        w.add_root(two)
        assert sorted(w.roots()) == [one, two]
        (two / "t.txt").write_text("two")
        assert eventually(lambda: two / "t.txt" in sink.items)
        w.remove_root(two)
        assert w.roots() == [one]
        (two / "later.txt").write_text("not watched any more")
        (one / "o.txt").write_text("one")
        assert eventually(lambda: one / "o.txt" in sink.items)
        assert w.wait_idle(DEADLINE)
        assert two / "later.txt" not in sink.items
