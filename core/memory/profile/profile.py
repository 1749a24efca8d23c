"""The profile: a view over the user's *confirmed* current facts, with provenance.

Unconfirmed current facts are *suggestions* the user may confirm; they never
feed autofill.  Sensitive fields (passport, IBAN, national id) are masked
until the user re-authenticates (``reauthenticate`` checks the vault
passphrase and returns a short-lived ``SensitiveAccess``).

Reads only; pass a reader connection.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from core.errors import CairnError
from core.memory.knowledge.facts import Fact, facts_about
from core.paths import VaultPaths

SENSITIVE_ACCESS_SECONDS = 120.0

FIELD_LABELS: dict[str, str] = {
    "name": "Name", "email": "E-mail", "phone": "Phone", "address": "Address", "city": "City",
    "birthday": "Date of birth", "employer": "Employer", "job_title": "Job title", "website": "Website",
    "passport": "Passport number", "iban": "IBAN", "national_id": "National ID",
}


class ReauthRequired(CairnError):
    """A sensitive value was asked for without a valid re-authentication."""


@dataclass(frozen=True, slots=True)
class SensitiveAccess:
    """Proof the user re-entered the passphrase recently.  Create with ``reauthenticate``."""

    token: str
    expires_at: float

    @property
    def valid(self) -> bool:
        return time.monotonic() < self.expires_at


def reauthenticate(paths: VaultPaths, passphrase: str) -> SensitiveAccess:
    """Check ``passphrase`` against the vault's key file; raises ``WrongPassphrase`` or ``ReauthRequired``.

    A vault unlocked only through the OS keyring has no passphrase to check:
    sensitive values stay hidden until the user sets one.
    """
    from core.crypto.keys import KeyFile

    keyfile = KeyFile.load(paths)
    if "passphrase" not in keyfile.wraps:
        raise ReauthRequired("set a vault passphrase to reveal sensitive fields (passport, IBAN, IDs)")
    keyfile.unwrap_with_passphrase(passphrase)  # raises WrongPassphrase
    return SensitiveAccess(secrets.token_hex(16), time.monotonic() + SENSITIVE_ACCESS_SECONDS)


@dataclass(frozen=True, slots=True)
class ProfileValue:
    fact_id: int
    field: str
    label: str
    value: str | None  # None while a sensitive value is masked
    masked: str
    sensitive: bool
    confirmed: bool
    confidence: float
    valid_from: float | None
    seen_in: tuple[str, ...]  # "invoice.pdf, 12 Mar 2026"

    @property
    def locked(self) -> bool:
        return self.value is None


@dataclass(frozen=True, slots=True)
class Profile:
    subject: int
    values: tuple[ProfileValue, ...]
    suggestions: tuple[ProfileValue, ...]

    def get(self, field: str) -> list[ProfileValue]:
        return [v for v in self.values if v.field == field]

    def first(self, field: str) -> ProfileValue | None:
        found = self.get(field)
        return found[0] if found else None


def mask(value: str) -> str:
    visible = value[-4:] if len(value) > 6 else ""
    return "•" * max(len(value) - len(visible), 4) + visible


def _seen_in(fact: Fact) -> tuple[str, ...]:
    out = []
    for p in fact.provenance[:5]:
        when = datetime.fromtimestamp(p.observed_at, UTC).strftime("%d %b %Y")
        what = p.title or p.source or "memory"
        out.append(f"{what}, {when}")
    if fact.origin == "user":
        out.insert(0, "entered by you")
    return tuple(out)


def _value(fact: Fact, access: SensitiveAccess | None) -> ProfileValue:
    show = not fact.sensitive or (access is not None and access.valid)
    return ProfileValue(
        fact_id=fact.id, field=fact.predicate, label=FIELD_LABELS.get(fact.predicate, fact.predicate),
        value=fact.value if show else None, masked=mask(fact.value) if fact.sensitive else fact.value,
        sensitive=fact.sensitive, confirmed=fact.confirmed, confidence=fact.confidence, valid_from=fact.valid_from,
        seen_in=_seen_in(fact),
    )


def load_profile(conn: Any, access: SensitiveAccess | None = None) -> Profile:
    """The user's profile: confirmed current facts (best first) and unconfirmed suggestions."""
    from core.memory.knowledge.entities import canonical

    row = conn.execute("SELECT id FROM mem_entities WHERE is_self = 1 AND merged_into IS NULL LIMIT 1").fetchone()
    if row is None:
        return Profile(0, (), ())
    subject = canonical(conn, int(row[0]))
    current = [f for f in facts_about(conn, subject, history=False) if f.current]
    current.sort(key=lambda f: (list(FIELD_LABELS).index(f.predicate) if f.predicate in FIELD_LABELS else 99,
                                -f.confidence, -(f.valid_from or 0)))
    values = tuple(_value(f, access) for f in current if f.confirmed)
    suggestions = tuple(_value(f, access) for f in current if not f.confirmed)
    return Profile(subject, values, suggestions)


def reveal(conn: Any, fact_id: int, access: SensitiveAccess | None) -> str:
    """The clear value of one fact; sensitive ones need a valid ``access``."""
    from core.memory.knowledge.facts import get_fact

    fact = get_fact(conn, fact_id)
    if fact is None:
        raise CairnError(f"no fact {fact_id}")
    if fact.sensitive and (access is None or not access.valid):
        raise ReauthRequired("re-enter your passphrase to reveal this value")
    return fact.value
