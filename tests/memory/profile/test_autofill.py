"""Autofill fills only on an explicit user action, exactly what was shown; sensitive values need re-auth."""

from __future__ import annotations

import ast
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

import pytest

from core.errors import WrongPassphrase
from core.memory.consolidation.consolidate import consolidate
from core.memory.consolidation.types import ConsolidationOptions
from core.memory.knowledge import facts
from core.memory.knowledge.entities import self_entity
from core.memory.profile.autofill import (
    AutofillRefused,
    FormField,
    UserConfirmation,
    execute_plan,
    match_label,
    plan_autofill,
)
from core.memory.profile.profile import ReauthRequired, load_profile, reauthenticate, reveal
from tests.conftest import TEST_PASSPHRASE
from tests.memory.helpers import at, chat

ROOT = Path(__file__).resolve().parents[3]
FORM = [
    FormField("f1", "First name"), FormField("f2", "Last name *"), FormField("f3", "E-mail"),
    FormField("f4", "Phone"), FormField("f5", "Street"), FormField("f6", "Postcode"), FormField("f7", "City"),
    FormField("f8", "Passport number"), FormField("f9", "Favourite colour"),
]


class RecordingSink:
    def __init__(self) -> None:
        self.filled: dict[str, str] = {}

    def session(self, values: Sequence[str]) -> AbstractContextManager[object]:
        return nullcontext()

    def fill(self, field_id: str, value: str) -> None:
        self.filled[field_id] = value


def _issue_as_ui(plan, gesture: str = "click") -> UserConfirmation:
    """What ui/autofill code does when the user presses "Fill" (run with a ui module's globals)."""
    scope = {"__name__": "ui.autofill.dialog", "UserConfirmation": UserConfirmation, "plan": plan, "gesture": gesture}
    exec("token = UserConfirmation.issue(plan, gesture)", scope)
    return scope["token"]  # type: ignore[return-value]


def _profile_vault(vault) -> None:
    def setup(conn) -> None:
        me = self_entity(conn, ("Anna Berg",))
        facts.set_fact(conn, me, "name", "Anna Berg")
        facts.set_fact(conn, me, "email", "anna.berg@example.com")
        facts.set_fact(conn, me, "phone", "+49 30 1234567")
        facts.set_fact(conn, me, "address", "Hauptstraße 5, 10115 Berlin")
        facts.set_fact(conn, me, "passport", "C01X00T47")

    vault.write(setup)
    # an extracted, unconfirmed value: a suggestion, never filled
    vault.ingest([chat("1", "I work at Initech", "Anna Berg", at())], embed=False)
    consolidate(vault, options=ConsolidationOptions(self_names=("Anna Berg",), phone_region="DE", summaries=False))


def test_profile_shows_confirmed_values_and_masks_sensitive_ones(lexical_vault) -> None:
    _profile_vault(lexical_vault)
    profile = load_profile(lexical_vault.read())
    assert profile.first("email").value == "anna.berg@example.com"
    assert profile.first("email").seen_in[0] == "entered by you"
    passport = profile.first("passport")
    assert passport.locked and passport.masked.endswith("0T47") and "C01X" not in passport.masked
    assert [s.value for s in profile.suggestions] == ["Initech"] and profile.first("employer") is None
    with pytest.raises(ReauthRequired):
        reveal(lexical_vault.read(), passport.fact_id, None)


def test_plan_maps_labels_and_nothing_fires_without_the_user(lexical_vault) -> None:
    _profile_vault(lexical_vault)
    plan = plan_autofill(load_profile(lexical_vault.read()), FORM)
    shown = {f.field_id: f.value for f in plan.fills}
    assert shown == {"f1": "Anna", "f2": "Berg", "f3": "anna.berg@example.com", "f4": "+49 30 1234567",
                     "f5": "Hauptstraße 5", "f6": "10115", "f7": "Berlin", "f8": None}
    assert [f.field_id for f in plan.unmatched] == ["f9"]
    sink = RecordingSink()
    with pytest.raises(AutofillRefused):
        execute_plan(plan, None, sink)  # type: ignore[arg-type]
    with pytest.raises(AutofillRefused):
        execute_plan(plan, UserConfirmation(object(), plan.digest, "click"), sink)  # a forged token
    with pytest.raises(AutofillRefused):
        UserConfirmation.issue(plan, "click")  # core/test code is not the UI
    assert sink.filled == {}


def test_confirmed_plan_fills_once_and_only_that_plan(lexical_vault) -> None:
    _profile_vault(lexical_vault)
    plan = plan_autofill(load_profile(lexical_vault.read()), FORM)
    token = _issue_as_ui(plan)
    sink = RecordingSink()
    report = execute_plan(plan, token, sink)
    assert sink.filled["f3"] == "anna.berg@example.com" and "f8" not in sink.filled
    assert report.skipped_locked == ("f8",)
    with pytest.raises(AutofillRefused):
        execute_plan(plan, token, RecordingSink())  # single use
    other = plan_autofill(load_profile(lexical_vault.read()), FORM[:2])
    with pytest.raises(AutofillRefused):
        execute_plan(other, _issue_as_ui(plan), RecordingSink())  # confirmed a different plan


def test_sensitive_values_need_reauthentication(lexical_vault) -> None:
    _profile_vault(lexical_vault)
    with pytest.raises(WrongPassphrase):
        reauthenticate(lexical_vault.paths, "not the passphrase")
    access = reauthenticate(lexical_vault.paths, TEST_PASSPHRASE)
    plan = plan_autofill(load_profile(lexical_vault.read(), access), FORM, access)
    sink = RecordingSink()
    execute_plan(plan, _issue_as_ui(plan), sink)
    assert sink.filled["f8"] == "C01X00T47"


def test_captured_text_cannot_reach_the_fill_path() -> None:
    """Only ui code may issue confirmations or execute plans: no core module does."""
    offenders = []
    for path in (ROOT / "core").rglob("*.py"):
        if path.name == "autofill.py" and path.parent.name == "profile":
            continue
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            name = node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else None
            if name in ("execute_plan", "UserConfirmation"):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def test_label_matching_handles_variants() -> None:
    assert match_label("E-Mail-Adresse:")[:2] == ("email", "full")
    assert match_label("PLZ")[:2] == ("address", "postcode")
    assert match_label("Vorname")[:2] == ("name", "first")
    assert match_label("Date of Birth *")[:2] == ("birthday", "full")
    assert match_label("Comments") is None


def test_a_text_cursor_beside_a_label_is_not_part_of_it() -> None:
    from dataclasses import dataclass

    from core.memory.profile.autofill import fields_from_ocr

    @dataclass
    class Word:
        text: str
        left: int
        top: int
        width: int
        height: int
        line: tuple[int, int, int]

    # "Full name |": the blinking cursor in the focused field, read by OCR on the label's line.
    words = [Word("Full", 10, 10, 30, 12, (1, 1, 1)), Word("name", 45, 10, 40, 12, (1, 1, 1)),
             Word("|", 130, 8, 3, 16, (1, 1, 1)), Word("City", 10, 50, 30, 12, (1, 1, 2))]
    located = fields_from_ocr(words)
    assert [f.field.label for f in located] == ["Full name", "City"]
    assert located[0].label_box == (10, 10, 75, 12)  # the label ends at "name", so the click lands in the field
    assert located[0].target == (85 + 24, 16)
