"""Render every main view of the desktop app to PNG (offscreen or under Xvfb).

``.venv/bin/python -m tools.screenshots [--out out/screenshots] [--theme light|dark|both] [--scale 2]``

``--scale 2`` renders as on a HiDPI screen (``QT_SCALE_FACTOR``): the same
layout in logical pixels, every PNG twice as wide and high, so blurry icons or
images drawn at 1x show up; give it its own ``--out``.

A throw-away encrypted vault with the demo memory is created in a temporary
folder (deleted afterwards); the real widgets run against it, and each view is
grabbed once its background loads have finished.  The PNGs show only the
made-up demo data.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.vault import Vault

PASSPHRASE = "screenshots only"
# The local model on a shared, busy machine can take minutes; a shot of a half-written answer is useless.
ANSWER_TIMEOUT_S = 300.0


def options(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse the command line; ``--scale`` is applied to the environment here, before any Qt object exists."""
    parser = argparse.ArgumentParser(prog="python -m tools.screenshots")
    parser.add_argument("--out", type=Path, default=Path("out/screenshots"))
    parser.add_argument("--theme", choices=("light", "dark", "both"), default="both")
    parser.add_argument("--size", default="1280x820", help="window size in logical pixels")
    parser.add_argument("--readme", type=Path, default=None, metavar="DIR",
                        help="also copy the README's pictures there (assets/screenshots); needs --theme both")
    parser.add_argument("--scale", type=float, default=None,
                        help="device pixel ratio, e.g. 2 for HiDPI (sets QT_SCALE_FACTOR before Qt starts)")
    args = parser.parse_args(argv)
    if args.readme is not None and args.theme != "both":
        parser.error("--readme: the README shows both themes; give --theme both")
    if args.scale is not None:
        if not 0.5 <= args.scale <= 4:
            parser.error(f"--scale {args.scale:g}: give a factor between 0.5 and 4")
        os.environ["QT_SCALE_FACTOR"] = f"{args.scale:g}"
    return args


def main(argv: list[str] | None = None) -> int:
    args = options(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    # The demo story is written in Central European time: show it that way.
    os.environ.setdefault("TZ", "Europe/Berlin")
    time.tzset()
    width, height = (int(v) for v in args.size.split("x"))
    args.out.mkdir(parents=True, exist_ok=True)
    home = Path(tempfile.mkdtemp(prefix="cairn-shots-"))
    try:
        return _run(args, home, width, height)
    finally:
        shutil.rmtree(home, ignore_errors=True)


def _run(args: argparse.Namespace, home: Path, width: int, height: int) -> int:
    from PySide6.QtCore import QStandardPaths
    from PySide6.QtWidgets import QApplication

    QStandardPaths.setTestModeEnabled(True)  # window geometry goes to a test location
    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setApplicationName("Cairn")
    from core.demo import DEMO_SELF_NAMES, load_demo_memory
    from core.paths import VaultPaths
    from core.vault import Vault
    from ui.theme import Theme

    paths = VaultPaths(home)
    vault = Vault.create(paths, PASSPHRASE, use_keyring=False)
    vault.update_settings(self_names=DEMO_SELF_NAMES)  # a vault of the demo's own, as `make run` makes
    load_demo_memory(vault)
    vault.consolidate()  # day summaries, people and places, the memory graph: what a user sees after a while
    vault.close()
    themes = ("light", "dark") if args.theme == "both" else (args.theme,)
    os.environ["CAIRN_THEME"] = themes[0]
    theme = Theme(app)
    written: list[Path] = []
    for name in themes:
        os.environ["CAIRN_THEME"] = name
        theme.apply()
        written += _shoot_theme(app, paths, args.out, name, width, height)
    for path in written:
        print(path)
    if args.readme is not None:
        return _copy_readme_shots(written, args.readme)
    return 0


def _copy_readme_shots(written: list[Path], folder: Path) -> int:
    by_name = {path.name: path for path in written}
    missing = [shot for shot in README_SHOTS.values() if shot not in by_name]
    if missing:
        print(f"error: no {', '.join(missing)} in this run; the README's pictures are left as they were")
        return 1
    folder.mkdir(parents=True, exist_ok=True)
    for name, shot in README_SHOTS.items():
        shutil.copyfile(by_name[shot], folder / name)
        print(f"{folder / name} ← {shot}")
    return 0


def _pump(app: object, until: Callable[[], bool] | None = None, timeout: float = 10.0, settle: float = 0.25) -> None:
    """Process events until ``until()`` holds (or the timeout), then a little longer for paints.

    Uses a ``QEventLoop`` instance: in PySide6 6.12.0 every call of a *static* void method
    (``QApplication.processEvents()``, ``QTest.qWait``) drops a reference to ``None`` and the
    interpreter aborts after a few thousand calls.
    """
    from PySide6.QtCore import QEventLoop

    loop = QEventLoop()

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        loop.processEvents()
        if until is None or until():
            break
        time.sleep(0.01)
    end = time.monotonic() + settle
    while time.monotonic() < end:
        loop.processEvents()
        time.sleep(0.01)


def _busiest_day(vault: Vault) -> object:
    from collections import Counter
    from datetime import datetime, timedelta

    newest = vault.stats().last_item_at  # type: ignore[attr-defined]  # the demo's story may lie months back
    now = newest.astimezone() + timedelta(days=1) if newest is not None else datetime.now().astimezone()
    items = vault.items_between(now - timedelta(days=60), now, limit=5000)  # type: ignore[attr-defined]
    from ui.timeline.sessions import AppSession, group

    cards: list[AppSession] = []
    group(cards, items)  # a run of frames of one window is one card: it makes no day busier than the next
    days = Counter(card.start.astimezone().date() for card in cards)
    with_screens = {i.timestamp.astimezone().date() for i in items if i.kind == "screenshot"}
    return max(with_screens, key=lambda d: days[d]) if with_screens else now.date()


def _app_session_shot(app: object, window: object, path: Path, idle: Callable[[], bool]) -> list[Path]:
    """The day of the demo's longest run of frames of one window, its app-session card selected ("5 screens")."""
    timeline = window.timeline()  # type: ignore[attr-defined]
    vault = window.session.vault  # type: ignore[attr-defined]
    newest = vault.stats().last_item_at
    if newest is None:
        return []
    from datetime import timedelta

    from ui.timeline.sessions import AppSession, group

    sessions: list[AppSession] = []
    group(sessions, vault.items_between(newest - timedelta(days=60), newest + timedelta(seconds=1), limit=5000,
                                        moments_only=True))
    longest = max(sessions, key=lambda s: len(s.frames))
    if len(longest.frames) < 2:
        return []
    timeline.show_day(longest.start.astimezone().date())
    _pump(app, lambda: idle() and timeline.model.rowCount() > 0 and timeline.current_item() is not None)
    timeline.open_item(int(longest.best.id))
    _pump(app, lambda: idle() and timeline.moment.image_view().has_image(), settle=0.4)
    _pump(app, lambda: idle() and _thumbnails_ready(window), settle=0.3)  # they load once their rows are painted
    return [_save(window, path)]


def _thumbnails_ready(window: object) -> bool:
    """Whether every screenshot row of the timeline's day list has its thumbnail loaded (asks for those missing)."""
    from ui.media import thumbnail_media

    model = window.timeline().model  # type: ignore[attr-defined]
    ready = True
    for row in range(model.rowCount()):
        wanted = thumbnail_media(model.item(row))
        if wanted is not None and window.media.cached(*wanted) is None:  # type: ignore[attr-defined]
            ready = False
    if not ready:
        window.timeline().day_list.viewport().update()  # type: ignore[attr-defined]  # paint: it asks again
    return ready


# The README's pictures: which shot each one is (``--readme`` copies them there after a run of both themes).
README_SHOTS = {
    "timeline.png": "light-02-timeline-day-screenshot.png",
    "ask.png": "light-09b-ask-answer-document.png",
    "search-no-good-match.png": "light-07b-search-no-good-match.png",
    "graph-dark.png": "dark-10-graph.png",
    "timeline-app-session.png": "light-02d-timeline-app-session.png",
    "profile.png": "light-10b-profile.png",
    "first-run.png": "light-15-first-run-5.png",
}


def _save(widget: object, path: Path) -> Path:
    pixmap = widget.grab()  # type: ignore[attr-defined]
    pixmap.save(str(path), "PNG")
    return path


def _shoot_theme(app: object, paths: object, out: Path, theme: str, width: int, height: int) -> list[Path]:
    from datetime import timedelta

    from core.vault import Vault
    from ui.session import Session
    from ui.shell.first_run import FirstRunFlow, keyring_status
    from ui.shell.main_window import MainWindow

    shots: list[Path] = []
    session = Session(paths)  # type: ignore[arg-type]
    window = MainWindow(session)
    window.resize(width, height)
    window.show()
    idle = lambda: session.tasks.running == 0  # noqa: E731

    # lock screen
    window.lock_page.prepare()
    _pump(app, idle)
    shots.append(_save(window, out / f"{theme}-01-lock.png"))

    # unlock → timeline on the latest day, then on the busiest day that has a screenshot
    window._unlocked(Vault.open(paths, PASSPHRASE))  # type: ignore[arg-type]
    timeline = window.timeline()
    _pump(app, lambda: idle() and timeline.model.rowCount() > 0 and timeline.current_item() is not None)
    timeline.show_day(_busiest_day(session.vault))
    _pump(app, lambda: idle() and timeline.model.rowCount() > 0 and timeline.current_item() is not None)
    # pick a screenshot moment if the day has one
    for row in range(timeline.model.rowCount()):
        if timeline.model.item(row).kind == "screenshot":
            timeline._select_row(row)
            break
    _pump(app, lambda: idle() and timeline.moment.image_view().has_image(), settle=0.4)
    shots.append(_save(window, out / f"{theme}-02-timeline-day-screenshot.png"))
    timeline.day_view.set_screen_only(True)  # Ctrl+B: the screenshot as the page
    _pump(app, idle, settle=0.4)
    shots.append(_save(window, out / f"{theme}-02b-timeline-screen-only.png"))
    timeline.day_view.set_screen_only(False)
    timeline.moment.zoom()  # click on the screenshot: full size, its words selectable
    _pump(app, lambda: idle() and getattr(timeline.moment, "zoom_dialog", None) is not None, settle=0.4)
    zoom = getattr(timeline.moment, "zoom_dialog", None)
    if zoom is not None:
        shots.append(_save(zoom, out / f"{theme}-02c-screenshot-zoom.png"))
        zoom.close()
    for row in range(timeline.model.rowCount()):
        if timeline.model.item(row).kind == "message":
            timeline._select_row(row)
            break
    _pump(app, idle, settle=0.4)
    shots.append(_save(window, out / f"{theme}-03-timeline-day-message.png"))
    shots += _app_session_shot(app, window, out / f"{theme}-02d-timeline-app-session.png", idle)
    timeline.set_zoom("week")
    _pump(app, idle, settle=0.4)
    shots.append(_save(window, out / f"{theme}-04-timeline-week.png"))
    timeline.set_zoom("month")
    _pump(app, idle, settle=0.4)
    shots.append(_save(window, out / f"{theme}-05-timeline-month.png"))
    timeline.set_zoom("day")
    _pump(app, idle)
    busiest = timeline.current_day()
    timeline.show_day(busiest - timedelta(days=60))  # a day with nothing recorded: the empty state
    _pump(app, idle, settle=0.4)
    shots.append(_save(window, out / f"{theme}-05b-timeline-empty-day.png"))
    timeline.show_day(busiest)
    _pump(app, lambda: idle() and timeline.current_item() is not None)

    # search: a screenshot hit with its OCR words boxed, then a chat hit
    search = window.show_page("search")
    search.set_query("binoculars")
    _pump(app, lambda: idle() and search.model.rowCount() > 0)
    for row in range(search.model.rowCount()):
        if search.model.item(row).kind == "screenshot":
            search.results.setCurrentIndex(search.model.index(row, 0))
            break
    _pump(app, lambda: idle() and search.preview.image_view().has_image(), settle=0.4)
    shots.append(_save(window, out / f"{theme}-06-search-screenshot-hit.png"))
    search.set_query("staging url")
    _pump(app, lambda: idle() and search.model.rowCount() > 0, settle=0.5)
    shots.append(_save(window, out / f"{theme}-07-search-message-hit.png"))
    search.set_query("xylophone quartz")
    _pump(app, lambda: idle() and search.last_result() is not None
          and search.last_result().query_text == "xylophone quartz", settle=0.5)
    shots.append(_save(window, out / f"{theme}-07b-search-no-good-match.png"))

    # ask: empty, then a streamed, cited answer
    ask = window.show_page("ask")
    _pump(app, idle)
    shots.append(_save(window, out / f"{theme}-08-ask-empty.png"))
    ask.ask("What was the staging URL Lukas sent?")
    _pump(app, lambda: idle() and not ask.busy(), timeout=ANSWER_TIMEOUT_S, settle=0.5)
    shots.append(_save(window, out / f"{theme}-09-ask-answer.png"))
    ask.ask("When is Grandpa's birthday lunch?")
    _pump(app, lambda: idle() and not ask.busy(), timeout=ANSWER_TIMEOUT_S, settle=0.5)
    shots.append(_save(window, out / f"{theme}-09b-ask-answer-document.png"))
    ask.ask("What are the p95 latency numbers?")  # a Markdown note quoted as prose ("Numbers: …", no "##")
    _pump(app, lambda: idle() and not ask.busy(), timeout=ANSWER_TIMEOUT_S, settle=0.5)
    shots.append(_save(window, out / f"{theme}-09b-ask-answer-note.png"))
    # a citation opened: the memory with the value the answer took from it marked
    ask.ask("What time did the release go out?")
    _pump(app, lambda: idle() and not ask.busy(), timeout=ANSWER_TIMEOUT_S, settle=0.5)
    asked = ask.exchanges()
    if asked and asked[-1].citations:
        from PySide6.QtCore import QUrl

        ask.transcript.anchorClicked.emit(QUrl(f"cite:{len(asked) - 1}:{asked[-1].citations[0].number}"))
        _pump(app, lambda: idle() and window.timeline().current_item() is not None, settle=0.5)
        shots.append(_save(window, out / f"{theme}-09c-ask-citation-opened.png"))

    # memory graph page
    graph = window.show_page("graph")
    _pump(app, lambda: idle() and bool(getattr(graph, "nodes", None)))
    shots.append(_save(window, out / f"{theme}-10-graph.png"))
    if graph._rank:  # the most mentioned entity selected: its neighbours lit, its facts and memories listed
        graph.select_entity(min(graph._rank, key=graph._rank.__getitem__))
        _pump(app, idle, settle=0.5)
        shots.append(_save(window, out / f"{theme}-10a-graph-selected.png"))
        others = [i for i in sorted(graph._rank, key=graph._rank.__getitem__)
                  if graph.nodes[i].node.kind == "person" and not graph.nodes[i].node.is_self]
        if others:  # the local graph of the most mentioned person besides the user
            graph.select_entity(others[0])
            graph.local.setChecked(True)
            _pump(app, idle, settle=0.5)
            shots.append(_save(window, out / f"{theme}-10d-graph-local.png"))
            graph.local.setChecked(False)
        graph.clear_selection()
        graph.time_slider.setValue(1)  # the past 30 days
        _pump(app, lambda: idle() and graph.status.text() != "Loading…", settle=0.5)
        shots.append(_save(window, out / f"{theme}-10e-graph-past-30-days.png"))
        graph.time_slider.setValue(graph.time_slider.maximum())
        _pump(app, lambda: idle() and graph.status.text() != "Loading…")

    # profile page (what autofill may type: confirmed values and suggestions from the memories)
    window.show_page("profile")
    _pump(app, idle)
    shots.append(_save(window, out / f"{theme}-10b-profile.png"))

    # the autofill picker (Ctrl+Alt+A): what it offers; with nothing confirmed yet, its empty state
    from ui.autofill.actions import show_picker

    show_picker(session, window)
    _pump(app, lambda: idle() and getattr(window, "_autofill_picker", None) is not None, settle=0.3)
    picker = getattr(window, "_autofill_picker", None)
    if picker is not None:
        shots.append(_save(picker, out / f"{theme}-10c-autofill-picker.png"))
        picker.close()

    # help overlay
    window.show_page("timeline")
    window.toggle_help()
    _pump(app, idle)
    shots.append(_save(window, out / f"{theme}-11-help.png"))
    window.toggle_help()

    # settings dialog, every tab
    from ui.settings.dialog import SettingsDialog

    dialog = SettingsDialog(session, window)
    dialog.show()  # at the size it opens with for a user
    for index in range(dialog.tabs.count()):
        dialog.tabs.setCurrentIndex(index)
        _pump(app, idle, settle=0.3)
        label = dialog.tabs.tabText(index).replace("&&", "and").replace(" ", "-").lower()
        shots.append(_save(dialog, out / f"{theme}-12-settings-{index + 1}-{label}.png"))
    dialog.close()

    # about box (from the tray menu)
    from ui.shell.about import about_box

    about = about_box(session.paths.home, window)  # type: ignore[attr-defined]
    about.show()
    _pump(app, idle, settle=0.3)
    shots.append(_save(about, out / f"{theme}-12b-about.png"))
    about.close()

    # tray menu (rendered as a widget; the platform may have no tray here)
    window.tray.menu.adjustSize()
    window.tray.menu.show()
    _pump(app, idle)
    shots.append(_save(window.tray.menu, out / f"{theme}-13-tray-menu.png"))
    window.tray.menu.hide()

    # paused state in the status bar
    window.pause_capture(30)
    _pump(app, lambda: idle() and window.health.last is not None and window.health.last.paused, settle=0.3)
    window.health.poll()
    _pump(app, idle, settle=0.3)
    shots.append(_save(window, out / f"{theme}-14-paused-status.png"))
    window.resume_capture()
    _pump(app, idle)

    # forget: the dialog for one memory, with its preview count
    forget = window.forget(timeline.current_item())
    _pump(app, lambda: idle() and forget.count() is not None, settle=0.3)
    shots.append(_save(forget, out / f"{theme}-16-forget-dialog.png"))
    forget.close()

    # first-run steps (a page of the window before any vault exists; shown here on their own, window-sized)
    flow = FirstRunFlow(keyring=keyring_status())  # the sentence a user on this machine reads
    flow.resize(width, height)
    flow.show()
    for index in range(5):
        _pump(app, idle, settle=0.3)
        shots.append(_save(flow, out / f"{theme}-15-first-run-{index + 1}.png"))
        if index == 1:
            flow.protect.passphrase.setText("correct horse battery")
            flow.protect.confirm.setText("correct horse battery")
        if index < 4:
            flow.next()
    flow.close()

    window._quitting = True
    window.close()
    session.close_now()
    window.deleteLater()
    _pump(app, None, settle=0.2)
    return shots



if __name__ == "__main__":
    sys.exit(main())
