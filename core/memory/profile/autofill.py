"""Autofill: a plan of which profile value goes into which labelled field, filled only on a user's say-so.

``plan_autofill(profile, fields)`` matches field labels (from the UI's form
or from OCR of the focused window: "Name", "E-mail", "Phone", "Address",
"Postcode", "Date of birth", German labels too) to profile fields, splitting
names and addresses where a form asks for parts.  The plan is a value the UI
shows in full ("exactly what would go where").

``execute_plan(plan, confirmation, sink)`` is the only way to type anything,
and it needs a ``UserConfirmation``: a single-use, short-lived token bound to
the exact plan shown, which can only be issued by code in the ``ui`` package
(checked at the call site) in response to a user gesture.  Captured text,
extraction and the LLM run in ``core`` and have no way to obtain one, so
nothing they produce can trigger a fill.

Sensitive values (passport, IBAN, ids) are in a plan only when the user has
re-authenticated (``core.memory.profile.profile.reauthenticate``).
"""

from __future__ import annotations

import hashlib
import re
import sys
import time
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol

from core.errors import CairnError
from core.memory.extraction.value_norms import norm_text
from core.memory.profile.profile import Profile, ProfileValue, SensitiveAccess

CONFIRMATION_SECONDS = 120.0
LABEL_MATCH_MIN = 80.0

# (profile field, part) -> label spellings (folded); part selects a piece of a compound value
LABEL_SYNONYMS: dict[tuple[str, str], tuple[str, ...]] = {
    ("name", "full"): ("name", "full name", "your name", "name and surname", "vollständiger name", "nom complet",
                       "contact name", "account holder", "cardholder name"),
    ("name", "first"): ("first name", "given name", "forename", "vorname", "prénom", "prenom", "first"),
    ("name", "last"): ("last name", "surname", "family name", "nachname", "nom", "last"),
    ("email", "full"): ("email", "e-mail", "email address", "e-mail address", "mail", "e-mail-adresse", "courriel"),
    ("phone", "full"): ("phone", "phone number", "telephone", "tel", "mobile", "mobile number", "cell", "telefon",
                        "handy", "téléphone", "mobilnummer", "telefonnummer"),
    ("address", "full"): ("address", "postal address", "home address", "street address", "adresse", "anschrift",
                          "mailing address"),
    ("address", "street"): ("street", "street and number", "address line 1", "straße", "strasse", "straße und hausnummer",
                            "rue"),
    ("address", "postcode"): ("postcode", "post code", "postal code", "zip", "zip code", "plz", "postleitzahl",
                              "code postal"),
    ("address", "city"): ("city", "town", "town/city", "ort", "stadt", "ville", "wohnort"),
    ("city", "full"): ("city of residence",),
    ("birthday", "full"): ("date of birth", "birthday", "dob", "birth date", "geburtsdatum", "date de naissance"),
    ("employer", "full"): ("employer", "company", "organisation", "organization", "firma", "arbeitgeber", "entreprise"),
    ("job_title", "full"): ("job title", "position", "occupation", "role", "beruf", "titel", "poste"),
    ("website", "full"): ("website", "homepage", "web site", "url", "webseite"),
    ("passport", "full"): ("passport number", "passport no", "passport", "reisepassnummer"),
    ("iban", "full"): ("iban", "bank account (iban)", "account number (iban)"),
    ("national_id", "full"): ("national id", "id number", "personalausweisnummer", "ssn", "social security number"),
}


class AutofillRefused(CairnError):
    """A fill was attempted without a valid user confirmation for exactly this plan."""


@dataclass(frozen=True, slots=True)
class FormField:
    """A fillable field as the UI (or OCR of the window) found it; ``field_id`` is the UI's handle."""

    field_id: str
    label: str


@dataclass(frozen=True, slots=True)
class PlannedFill:
    field_id: str
    label: str
    profile_field: str
    part: str
    value: str | None  # None: a sensitive value not unlocked (shown masked, not filled)
    shown: str  # what the UI displays (masked for sensitive values)
    fact_id: int
    label_score: float

    @property
    def locked(self) -> bool:
        return self.value is None


@dataclass(frozen=True, slots=True)
class AutofillPlan:
    fills: tuple[PlannedFill, ...]
    unmatched: tuple[FormField, ...]
    digest: str

    def describe(self) -> list[str]:
        """Lines for the confirmation dialog: "E-mail  ←  anna@example.com"."""
        return [f"{f.label}  ←  {f.shown}" + ("  (locked)" if f.locked else "") for f in self.fills]


def _plan_digest(fills: tuple[PlannedFill, ...]) -> str:
    h = hashlib.sha256()
    for f in fills:
        h.update(f"{f.field_id}\x1f{f.fact_id}\x1f{f.part}\x1f{f.value}\x1e".encode())
    return h.hexdigest()


def match_label(label: str) -> tuple[str, str, float] | None:
    """The profile field and part a label asks for, with a 0–100 score; None when nothing fits."""
    from rapidfuzz import fuzz

    clean = norm_text(re.sub(r"[*:：]+", " ", label)).strip()
    clean = re.sub(r"\s*\((?:optional|required|pflicht|optional)\)\s*", " ", clean).strip()
    if not clean:
        return None
    best: tuple[str, str, float] | None = None
    for (field, part), spellings in LABEL_SYNONYMS.items():
        for spelling in spellings:
            score = 100.0 if clean == spelling else float(fuzz.ratio(clean, spelling))
            if best is None or score > best[2]:
                best = (field, part, score)
    if best is None or best[2] < LABEL_MATCH_MIN:
        return None
    return best


_POSTCODE = re.compile(r"\b(?:\d{4,5}(?:-\d{4})?|[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2})\b")


def value_part(field: str, part: str, value: str) -> str | None:
    """A piece of a compound value: first/last name; street/postcode/city of an address."""
    if part == "full":
        return value
    if field == "name":
        words = value.split()
        if len(words) < 2:
            return value if part == "first" else None
        return words[0] if part == "first" else words[-1]
    if field == "address":
        pieces = [p.strip() for p in value.split(",") if p.strip()]
        postcode = _POSTCODE.search(value)
        if part == "street":
            return pieces[0] if pieces else None
        if part == "postcode":
            return postcode.group(0) if postcode else None
        if part == "city":
            rest = pieces[1:] if len(pieces) > 1 else []
            for piece in rest:
                city = _POSTCODE.sub("", piece).strip(" ,")
                city = re.sub(r"\b[A-Z]{2}\b$", "", city).strip(" ,") if len(rest) > 1 else city
                if city:
                    return city
            return None
    return None


def plan_autofill(profile: Profile, fields: list[FormField], access: SensitiveAccess | None = None) -> AutofillPlan:
    """Which confirmed profile value goes into which field.  Pure; fills nothing."""
    fills: list[PlannedFill] = []
    unmatched: list[FormField] = []
    for form_field in fields:
        match = match_label(form_field.label)
        if match is None:
            unmatched.append(form_field)
            continue
        field, part, score = match
        candidate: ProfileValue | None = profile.first(field)
        if candidate is None and field == "address" and part == "city":
            candidate = profile.first("city")
            part = "full" if candidate is not None else part
        if candidate is None:
            unmatched.append(form_field)
            continue
        unlocked = not candidate.sensitive or (access is not None and access.valid)
        full = candidate.value if unlocked else None
        if full is None and unlocked:
            unmatched.append(form_field)
            continue
        piece = value_part(candidate.field, part, full) if full is not None else None
        if full is not None and piece is None:
            unmatched.append(form_field)
            continue
        shown = piece if piece is not None else candidate.masked
        fills.append(PlannedFill(form_field.field_id, form_field.label, candidate.field, part, piece, shown,
                                 candidate.fact_id, score))
    frozen = tuple(fills)
    return AutofillPlan(frozen, tuple(unmatched), _plan_digest(frozen))


# -- the confirmation gate ------------------------------------------------------------------------------

_ISSUER = object()  # only ``UserConfirmation.issue`` holds it (an immutable sentinel)


class UserConfirmation:
    """The user confirmed *this* plan with a gesture.  Single use, expires after ``CONFIRMATION_SECONDS``.

    Only ``issue`` creates one, and only when called from the ``ui`` package.
    """

    __slots__ = ("_digest", "_expires", "_spent", "gesture")

    def __init__(self, issuer: object, digest: str, gesture: str) -> None:
        if issuer is not _ISSUER:
            raise AutofillRefused("a UserConfirmation can only be issued by the UI on a user action")
        self._digest = digest
        self._expires = time.monotonic() + CONFIRMATION_SECONDS
        self._spent = False
        self.gesture = gesture

    def __copy__(self) -> UserConfirmation:
        raise AutofillRefused("a confirmation cannot be copied")

    def __deepcopy__(self, memo: object) -> UserConfirmation:
        raise AutofillRefused("a confirmation cannot be copied")

    def __reduce__(self) -> str:
        raise AutofillRefused("a confirmation cannot be serialised")

    @classmethod
    def issue(cls, plan: AutofillPlan, gesture: str) -> UserConfirmation:
        """Called by UI code when the user clicks "Fill" (``gesture`` says how: "click", "shortcut")."""
        caller = sys._getframe(1).f_globals.get("__name__", "")
        if not (caller == "ui" or caller.startswith("ui.")):
            raise AutofillRefused(f"autofill confirmations come from the UI only (asked by {caller!r})")
        if not gesture:
            raise AutofillRefused("a confirmation needs the user gesture that made it")
        return cls(_ISSUER, plan.digest, gesture)

    def spend(self, plan: AutofillPlan) -> None:
        if self._spent:
            raise AutofillRefused("this confirmation was already used")
        if time.monotonic() > self._expires:
            raise AutofillRefused("the confirmation expired: confirm the fill again")
        if plan.digest != self._digest:
            raise AutofillRefused("the plan changed after it was confirmed: confirm it again")
        self._spent = True


class FieldSink(Protocol):
    """Where values go: the UI's form, or the focused window via the platform's input (ui/autofill)."""

    def session(self, values: Sequence[str]) -> AbstractContextManager[object]:
        """Held around all the fills of one plan: a sink may prepare its input for ``values`` once
        (a keyboard mapping for characters the keyboard lacks) and release it after the last field."""
        ...

    def fill(self, field_id: str, value: str) -> None: ...


@dataclass(frozen=True, slots=True)
class FillReport:
    filled: tuple[str, ...]
    skipped_locked: tuple[str, ...]
    failed: tuple[tuple[str, str], ...]


def execute_plan(plan: AutofillPlan, confirmation: UserConfirmation, sink: FieldSink) -> FillReport:
    """Type the plan's values into ``sink``; refuses without a valid confirmation of this very plan."""
    if not isinstance(confirmation, UserConfirmation):
        raise AutofillRefused("autofill needs the user's confirmation")
    confirmation.spend(plan)
    filled: list[str] = []
    locked: list[str] = []
    failed: list[tuple[str, str]] = []
    with sink.session([f.value for f in plan.fills if f.value is not None]):
        for f in plan.fills:
            if f.value is None:
                locked.append(f.field_id)
                continue
            try:
                sink.fill(f.field_id, f.value)
                filled.append(f.field_id)
            except Exception as exc:  # one field failing must not hide what was filled
                failed.append((f.field_id, str(exc)))
    return FillReport(tuple(filled), tuple(locked), tuple(failed))


# -- labelled fields in a screenshot of the focused window ------------------------------------------------


@dataclass(frozen=True, slots=True)
class LocatedField:
    """A field found by OCR: its label, the label's box and where to click to focus the input."""

    field: FormField
    label_box: tuple[int, int, int, int]  # left, top, width, height (window coordinates)
    target: tuple[int, int]


CARET_GLYPHS = frozenset({"|", "||", "│", "¦", "‖", "▏", "▎"})  # what OCR makes of a text cursor


class OcrWordLike(Protocol):
    text: str
    left: int
    top: int
    width: int
    height: int
    line: tuple[int, int, int]


def fields_from_ocr(words: list[OcrWordLike], *, gap: int = 24, max_label_words: int = 4) -> list[LocatedField]:
    """Labelled fields in OCR'd words (e.g. ``core.normalize.ocr.OcrWord``), top to bottom.

    A line whose first 1–4 words match a known label is a label.  Forms put
    inputs in a column right of their labels: the click target is ``gap``
    pixels right of the widest label of that column, at the label's height.
    """
    lines: dict[tuple[int, int, int], list[OcrWordLike]] = {}
    for w in words:
        # A blinking text cursor is read as "|": it is neither part of the label nor where the field ends.
        if w.text.strip() and w.text.strip() not in CARET_GLYPHS:
            lines.setdefault(w.line, []).append(w)
    found: list[tuple[str, tuple[int, int, int, int]]] = []
    for line_words in lines.values():
        line_words.sort(key=lambda w: w.left)
        for size in range(min(max_label_words, len(line_words)), 0, -1):
            part = line_words[:size]
            text = " ".join(w.text for w in part)
            if match_label(text) is None:
                continue
            left = min(w.left for w in part)
            top = min(w.top for w in part)
            right = max(w.left + w.width for w in part)
            bottom = max(w.top + w.height for w in part)
            found.append((text.strip(" :：*"), (left, top, right - left, bottom - top)))
            break
    found.sort(key=lambda f: (f[1][1], f[1][0]))
    located: list[LocatedField] = []
    for n, (label, box) in enumerate(found):
        column = [b for _, b in found if abs(b[0] - box[0]) <= 40 or abs((b[0] + b[2]) - (box[0] + box[2])) <= 40]
        right = max(b[0] + b[2] for b in column)
        located.append(LocatedField(FormField(f"ocr{n}", label), box, (right + gap, box[1] + box[3] // 2)))
    return located


def single_value_plan(value: ProfileValue, field_id: str = "focused") -> AutofillPlan:
    """A plan to type one profile value into the focused field (the picker's choice)."""
    fill = PlannedFill(field_id, value.label, value.field, "full", value.value, value.value or value.masked,
                       value.fact_id, 100.0)
    return AutofillPlan((fill,), (), _plan_digest((fill,)))
