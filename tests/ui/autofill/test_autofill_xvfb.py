"""Fill form under a real X server: OCR a Qt form, show the plan, fill it on the user's click."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from core.memory.knowledge import facts
from core.memory.knowledge.entities import self_entity
from core.memory.profile.autofill import plan_autofill
from core.memory.profile.profile import load_profile
from tests.capture.screen.xserver import x_tools_missing, xserver

pytestmark = [pytest.mark.xvfb, pytest.mark.slow]
REPO = Path(__file__).resolve().parents[3]


def _read_line(proc: subprocess.Popen[str], timeout: float = 20.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline() if proc.stdout else ""
        if line:
            return line.strip()
        if proc.poll() is not None:
            raise RuntimeError(f"form process exited: {proc.stderr.read() if proc.stderr else ''}")
    raise TimeoutError("form process did not answer")


class _Form:
    """The Qt test form in its own process: a command in, one answer line out."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.proc = proc

    def ask(self, command: str) -> str:
        assert self.proc.stdin is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        return _read_line(self.proc)


@contextmanager
def _form_window(server: Any) -> Iterator[tuple[_Form, Any]]:
    """The test form shown on ``server`` and its window's box once mapped; the form quits afterwards."""
    from core.screen_form import window_box

    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.ui.autofill.qt_form"], cwd=REPO, env=server.env(), text=True,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    try:
        window_id = int(_read_line(proc).split()[1])
        deadline = time.monotonic() + 20
        box = None
        while box is None and time.monotonic() < deadline:
            box = window_box(window_id, server.display)
            if box is None:
                time.sleep(0.05)
        assert box is not None
        yield _Form(proc), box
    finally:
        if proc.poll() is None:
            proc.stdin.write("quit\n")  # type: ignore[union-attr]
            proc.stdin.flush()  # type: ignore[union-attr]
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.mark.skipif(x_tools_missing() is not None, reason=str(x_tools_missing()))
def test_form_is_filled_after_confirmation(lexical_vault, qtbot) -> None:
    from PySide6.QtCore import Qt

    from core.screen_form import find_form, grab_window, window_box
    from ui.autofill.dialog import AutofillDialog
    from ui.autofill.form_fill import XdotoolSink

    def setup(conn) -> None:
        me = self_entity(conn, ("Anna Berg",))
        facts.set_fact(conn, me, "name", "Anna Berg")
        facts.set_fact(conn, me, "email", "anna.berg@example.com")
        facts.set_fact(conn, me, "phone", "+49 30 1234567")
        facts.set_fact(conn, me, "address", "Hauptstraße 5, 10115 Berlin")

    lexical_vault.write(setup)
    profile = load_profile(lexical_vault.read())

    with xserver() as server:
        form = subprocess.Popen(
            [sys.executable, "-m", "tests.ui.autofill.qt_form"], cwd=REPO, env=server.env(), text=True,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        try:
            ready = _read_line(form).split()
            assert ready[0] == "ready"
            deadline = time.monotonic() + 20
            box = None
            while box is None and time.monotonic() < deadline:  # until the window manager has mapped it
                box = window_box(int(ready[1]), server.display)
                if box is None:
                    time.sleep(0.05)
            assert box is not None
            form.stdin.write("sync\n")
            form.stdin.flush()
            assert _read_line(form) == "synced"

            located = find_form(grab_window(box, server.display))
            labels = [f.field.label for f in located]
            assert {"Full name", "E-mail", "Phone", "Street", "Postcode", "City"} <= set(labels), labels
            plan = plan_autofill(profile, [f.field for f in located])
            targets = {f.field.field_id: f.target for f in located}

            # nothing is typed while the plan is only shown
            form.stdin.write("dump\n")
            form.stdin.flush()
            assert set(json.loads(_read_line(form)).values()) == {""}

            dialog = AutofillDialog(plan, XdotoolSink(box, targets, display=server.display))
            qtbot.addWidget(dialog)
            rows = [dialog.table.item(r, 0).text() + " = " + dialog.table.item(r, 1).text()
                    for r in range(dialog.table.rowCount())]
            assert "E-mail = anna.berg@example.com" in rows
            qtbot.mouseClick(dialog.fill_button, Qt.MouseButton.LeftButton)  # the user's confirmation
            assert dialog.report is not None and not dialog.report.failed

            form.stdin.write("dump\n")
            form.stdin.flush()
            filled = json.loads(_read_line(form))
        finally:
            if form.poll() is None:
                form.stdin.write("quit\n")
                form.stdin.flush()
                try:
                    form.wait(10)
                except subprocess.TimeoutExpired:
                    form.kill()
    assert filled == {
        "Full name": "Anna Berg", "E-mail": "anna.berg@example.com", "Phone": "+49 30 1234567",
        "Street": "Hauptstraße 5", "Postcode": "10115", "City": "Berlin", "Comments": "",
    }


def _name_and_city_sink(server: Any, box: Any) -> Any:
    """A real xdotool sink aimed at the form's "Full name" and "City" fields, located by reading the window."""
    from core.screen_form import find_form, grab_window
    from ui.autofill.form_fill import XdotoolSink

    located = {f.field.label: f.target for f in find_form(grab_window(box, server.display))}
    return XdotoolSink(box, {"name": located["Full name"], "city": located["City"]}, display=server.display)


@pytest.mark.skipif(x_tools_missing() is not None, reason=str(x_tools_missing()))
def test_a_field_that_lost_its_keystrokes_is_typed_again() -> None:
    """The fill reads the window back and repairs a field that does not show its value (a lost click)."""
    with xserver() as server, _form_window(server) as (form, box):
        assert form.ask("sync") == "synced"
        sink = _name_and_city_sink(server, box)
        with sink.session(["Anna Berg", "Berlin"]):
            sink.fill("name", "Anna Berg")
            sink.fill("city", "Berlin")
            assert json.loads(form.ask("dump"))["City"] == "Berlin"
            assert form.ask("clear City") == "cleared"  # the keystrokes for City never arrived
        assert sink.unverified == []
        filled = json.loads(form.ask("dump"))
    assert filled["Full name"] == "Anna Berg" and filled["City"] == "Berlin"


@pytest.mark.skipif(x_tools_missing() is not None, reason=str(x_tools_missing()))
def test_filling_replaces_what_a_field_already_holds() -> None:
    """A field with old text (a browser's own autofill, a previous attempt) ends with the value alone."""
    with xserver() as server, _form_window(server) as (form, box):
        assert form.ask("set Full name=Someone Else") == "set" and form.ask("set City=Paris 75001") == "set"
        assert form.ask("sync") == "synced"
        sink = _name_and_city_sink(server, box)
        with sink.session(["Anna Berg", "Berlin"]):
            sink.fill("name", "Anna Berg")
            sink.fill("city", "Berlin")
        filled = json.loads(form.ask("dump"))
    assert filled["Full name"] == "Anna Berg" and filled["City"] == "Berlin", filled
