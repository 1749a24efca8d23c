"""Bi-temporal facts: what was true when, and when Cairn learned or dropped it.

Valid time: ``valid_from``/``valid_to`` — when the fact held in the world
(from the evidence's timestamps).  Record time: ``recorded_at``/``expired_at``
— when Cairn stored it and when it stopped holding it (the user rejected,
deleted or edited it).  Nothing is deleted: a newer contradicting value of a
single-valued predicate (address, employer, ...) *supersedes* the old one,
which gets ``valid_to`` = the new value's ``valid_from`` (Zep's edges; Keep
Me Updated).  Observations may arrive out of order (an old export imported
late); the timeline of a (subject, predicate) is recomputed from the
evidence each time, so the order of import does not matter.

Weak candidates (labelled form values, model proposals: confidence below
``SUPERSEDE_MIN``) never supersede anything until the user confirms them.
User decisions are stored (``mem_user_edits``): a rejected or deleted value
is never re-created by later extraction.

All functions run inside the caller's transaction.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from core.memory.extraction.types import MULTI_VALUED, PREDICATES, SENSITIVE, SINGLE_VALUED, FactCandidate
from core.memory.extraction.value_norms import norm_text
from core.memory.knowledge.entities import canonical, record_edit, tombstoned

SUPERSEDE_MIN = 0.6
LIVE = ("active", "superseded")


@dataclass(frozen=True, slots=True)
class Provenance:
    item_id: int
    observed_at: float
    quote: str
    source: str | None = None
    title: str | None = None


@dataclass(frozen=True, slots=True)
class Fact:
    id: int
    subject: int
    predicate: str
    value: str
    norm: str
    valid_from: float | None
    valid_to: float | None
    recorded_at: float
    expired_at: float | None
    status: str
    confidence: float
    confirmed: bool
    origin: str
    sensitive: bool
    superseded_by: int | None
    provenance: tuple[Provenance, ...] = ()

    @property
    def current(self) -> bool:
        return self.status == "active" and self.valid_to is None and self.expired_at is None


def fact_key(subject: int, predicate: str, norm: str) -> str:
    return f"fact:{subject}|{predicate}|{norm}"


def observe(
    conn: Any, subject: int, candidate: FactCandidate, item_id: int | None, observed_at: float,
    confidence: float | None = None,
) -> int | None:
    """Record one observation of a fact; returns the fact id, or None if the user ruled this value out."""
    subject = canonical(conn, subject)
    if candidate.predicate not in PREDICATES:
        raise ValueError(f"unknown predicate {candidate.predicate!r}")
    conf = candidate.confidence if confidence is None else confidence
    if tombstoned(conn, "reject_fact", fact_key(subject, candidate.predicate, candidate.norm)):
        return None
    row = conn.execute(
        "SELECT id, valid_from, confidence FROM mem_facts WHERE subject = ? AND predicate = ? AND norm = ?"
        " AND status IN ('active', 'superseded') AND expired_at IS NULL ORDER BY id LIMIT 1",
        (subject, candidate.predicate, candidate.norm),
    ).fetchone()
    now = time.time()
    if row is None:
        cur = conn.execute(
            "INSERT INTO mem_facts (subject, predicate, value, norm, valid_from, valid_to, recorded_at, status,"
            " confidence, confirmed, origin, sensitive) VALUES (?,?,?,?,?,NULL,?,'active',?,0,?,?)",
            (subject, candidate.predicate, candidate.value, candidate.norm, observed_at, now, conf, candidate.origin,
             int(candidate.predicate in SENSITIVE)),
        )
        fact_id = int(cur.lastrowid)
    else:
        fact_id = int(row[0])
        # independent evidence raises confidence (noisy-or), an earlier observation moves valid_from back
        new_conf = 1.0 - (1.0 - float(row[2])) * (1.0 - conf) if item_id is not None else max(float(row[2]), conf)
        conn.execute(
            "UPDATE mem_facts SET confidence = ?, valid_from = min(coalesce(valid_from, ?), ?) WHERE id = ?",
            (min(new_conf, 0.99), observed_at, observed_at, fact_id),
        )
    if item_id is not None:
        conn.execute(
            "INSERT OR IGNORE INTO mem_fact_sources (fact_id, item_id, observed_at, quote) VALUES (?,?,?,?)",
            (fact_id, item_id, observed_at, candidate.quote[:300]),
        )
    if candidate.predicate in SINGLE_VALUED:
        recompute_timeline(conn, subject, candidate.predicate)
    return fact_id


def recompute_timeline(conn: Any, subject: int, predicate: str) -> None:
    """Re-derive valid_to/status/superseded_by for a single-valued predicate from valid_from order."""
    if predicate in MULTI_VALUED:
        return
    rows = conn.execute(
        "SELECT id, valid_from, confidence, confirmed, recorded_at FROM mem_facts"
        " WHERE subject = ? AND predicate = ? AND status IN ('active', 'superseded') AND expired_at IS NULL",
        (subject, predicate),
    ).fetchall()
    strong = [r for r in rows if r[3] or float(r[2]) >= SUPERSEDE_MIN]
    weak = [r for r in rows if not (r[3] or float(r[2]) >= SUPERSEDE_MIN)]
    strong.sort(key=lambda r: (r[1] if r[1] is not None else float("-inf"), r[4], r[0]))
    for index, row in enumerate(strong):
        if index + 1 < len(strong):
            nxt = strong[index + 1]
            conn.execute(
                "UPDATE mem_facts SET valid_to = ?, status = 'superseded', superseded_by = ? WHERE id = ?",
                (nxt[1], nxt[0], row[0]),
            )
        else:
            conn.execute("UPDATE mem_facts SET valid_to = NULL, status = 'active', superseded_by = NULL WHERE id = ?",
                         (row[0],))
    for row in weak:
        conn.execute("UPDATE mem_facts SET valid_to = NULL, status = 'active', superseded_by = NULL WHERE id = ?",
                     (row[0],))


def recompute_all_timelines(conn: Any, subject: int) -> None:
    for predicate in SINGLE_VALUED:
        recompute_timeline(conn, subject, predicate)


# -- user actions ------------------------------------------------------------------------------------------


def confirm_fact(conn: Any, fact_id: int) -> None:
    row = conn.execute("SELECT subject, predicate FROM mem_facts WHERE id = ?", (fact_id,)).fetchone()
    if row is None:
        raise KeyError(f"no fact {fact_id}")
    conn.execute("UPDATE mem_facts SET confirmed = 1, confidence = max(confidence, 0.95) WHERE id = ?", (fact_id,))
    record_edit(conn, "confirm_fact", str(fact_id))
    recompute_timeline(conn, int(row[0]), row[1])


def reject_fact(conn: Any, fact_id: int, *, action: str = "rejected") -> None:
    """The user says this value is wrong (or deletes it): it leaves every view and is never re-extracted."""
    row = conn.execute("SELECT subject, predicate, norm FROM mem_facts WHERE id = ?", (fact_id,)).fetchone()
    if row is None:
        raise KeyError(f"no fact {fact_id}")
    subject, predicate, norm = int(row[0]), row[1], row[2]
    conn.execute(
        "UPDATE mem_facts SET status = ?, expired_at = ?, valid_to = coalesce(valid_to, ?) WHERE id = ?",
        (action, time.time(), time.time(), fact_id),
    )
    record_edit(conn, "reject_fact", fact_key(subject, predicate, norm), {"fact_id": fact_id, "action": action})
    recompute_timeline(conn, subject, predicate)


def delete_fact(conn: Any, fact_id: int) -> None:
    reject_fact(conn, fact_id, action="deleted")


def set_fact(
    conn: Any, subject: int, predicate: str, value: str, *, valid_from: float | None = None, sensitive: bool | None = None,
) -> int:
    """A value the user typed: confirmed, origin 'user'; it supersedes per the usual timeline rules."""
    if predicate not in PREDICATES:
        raise ValueError(f"unknown predicate {predicate!r}; known: {', '.join(sorted(PREDICATES))}")
    value = value.strip()
    if not value:
        raise ValueError("a fact needs a value")
    subject = canonical(conn, subject)
    norm = norm_text(value) if predicate not in ("email", "phone", "iban") else _norm_special(predicate, value)
    now = time.time()
    # a value the user states themself overrides an earlier rejection of it
    conn.execute("DELETE FROM mem_user_edits WHERE action = 'reject_fact' AND target = ?", (fact_key(subject, predicate, norm),))
    row = conn.execute(
        "SELECT id FROM mem_facts WHERE subject = ? AND predicate = ? AND norm = ? AND expired_at IS NULL",
        (subject, predicate, norm),
    ).fetchone()
    if row is not None:
        fact_id = int(row[0])
        conn.execute("UPDATE mem_facts SET confirmed = 1, confidence = 1.0, value = ? WHERE id = ?", (value, fact_id))
    else:
        cur = conn.execute(
            "INSERT INTO mem_facts (subject, predicate, value, norm, valid_from, recorded_at, status, confidence,"
            " confirmed, origin, sensitive) VALUES (?,?,?,?,?,?,'active',1.0,1,'user',?)",
            (subject, predicate, value, norm, valid_from if valid_from is not None else now, now,
             int(predicate in SENSITIVE if sensitive is None else sensitive)),
        )
        fact_id = int(cur.lastrowid)
    record_edit(conn, "set_fact", fact_key(subject, predicate, norm), {"fact_id": fact_id})
    recompute_timeline(conn, subject, predicate)
    return fact_id


def edit_fact(conn: Any, fact_id: int, value: str) -> int:
    """Correct a value: the old one is rejected (kept in history), the typed one becomes a user fact."""
    row = conn.execute("SELECT subject, predicate, valid_from, sensitive FROM mem_facts WHERE id = ?", (fact_id,)).fetchone()
    if row is None:
        raise KeyError(f"no fact {fact_id}")
    reject_fact(conn, fact_id, action="rejected")
    return set_fact(conn, int(row[0]), row[1], value, valid_from=row[2], sensitive=bool(row[3]))


def _norm_special(predicate: str, value: str) -> str:
    from core.memory.extraction.value_norms import norm_email, norm_phone

    if predicate == "email":
        return norm_email(value)
    if predicate == "phone":
        return norm_phone(value, None) or norm_text(value)
    return "".join(value.split()).upper()


# -- reading ------------------------------------------------------------------------------------------------

_FACT_COLUMNS = (
    "id, subject, predicate, value, norm, valid_from, valid_to, recorded_at, expired_at, status, confidence,"
    " confirmed, origin, sensitive, superseded_by"
)


def _fact(conn: Any, row: Sequence[Any], with_provenance: bool) -> Fact:
    provenance: tuple[Provenance, ...] = ()
    if with_provenance:
        provenance = tuple(
            Provenance(int(r[0]), float(r[1]), r[2], r[3], r[4]) for r in conn.execute(
                "SELECT s.item_id, s.observed_at, s.quote, i.source, coalesce(i.title, i.conversation, i.speaker)"
                " FROM mem_fact_sources s JOIN items i ON i.id = s.item_id WHERE s.fact_id = ? ORDER BY s.observed_at",
                (row[0],),
            )
        )
    return Fact(
        id=int(row[0]), subject=int(row[1]), predicate=row[2], value=row[3], norm=row[4], valid_from=row[5],
        valid_to=row[6], recorded_at=float(row[7]), expired_at=row[8], status=row[9], confidence=float(row[10]),
        confirmed=bool(row[11]), origin=row[12], sensitive=bool(row[13]), superseded_by=row[14], provenance=provenance,
    )


def get_fact(conn: Any, fact_id: int) -> Fact | None:
    row = conn.execute(f"SELECT {_FACT_COLUMNS} FROM mem_facts WHERE id = ?", (fact_id,)).fetchone()
    return _fact(conn, row, True) if row else None


def facts_about(
    conn: Any, subject: int, *, predicate: str | None = None, history: bool = True, provenance: bool = True,
) -> list[Fact]:
    """Facts of an entity: current ones, plus superseded/rejected history when ``history``."""
    subject = canonical(conn, subject)
    clauses = ["subject = ?"]
    params: list[Any] = [subject]
    if predicate:
        clauses.append("predicate = ?")
        params.append(predicate)
    if not history:
        clauses.append("status = 'active' AND expired_at IS NULL")
    rows = conn.execute(
        f"SELECT {_FACT_COLUMNS} FROM mem_facts WHERE {' AND '.join(clauses)}"
        " ORDER BY predicate, coalesce(valid_from, 0), id", params,
    ).fetchall()
    return [_fact(conn, r, provenance) for r in rows]


def fact_meta(conn: Any, fact_id: int) -> dict[str, Any]:
    row = conn.execute("SELECT meta FROM mem_facts WHERE id = ?", (fact_id,)).fetchone()
    return json.loads(row[0]) if row else {}
