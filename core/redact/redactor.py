"""Find secrets in text and redact them before anything is stored.

Contract:
- ``Redactor.from_default_rules().redact(text) -> RedactionResult(text, findings)``:
  every span a rule finds is replaced by ``[REDACTED:<label>]``; ``findings``
  give the rule, the label and the character span *in the input text*.  A
  finding never carries the secret itself, so findings may be logged or stored.
- ``redact_words(words)`` runs the same rules over OCR words (joined with single
  spaces) and returns which words to black out in the image and replace in the
  stored word list.
- ``blackout(image, boxes)`` paints those boxes black on a PIL image, in place.

Rules are data (``core/redact/rules.toml``); this module only knows how to run
the three validators they may name.  Thread-safe: a ``Redactor`` is immutable.
Errors: a malformed rules file raises ``RulesError`` (a ``CairnError``).
"""

from __future__ import annotations

import hashlib
import math
import re
import tomllib
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

from core.errors import CairnError

PLACEHOLDER = "[REDACTED:{label}]"
VALIDATORS = ("card", "entropy", "not_masked")


class RulesError(CairnError):
    """The redaction rules file is malformed (bad regex, unknown validator, missing field)."""


@dataclass(frozen=True, slots=True)
class Finding:
    """One secret found: which rule, and where in the input text (``[start, end)``)."""

    rule: str
    label: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class RedactionResult:
    text: str
    findings: list[Finding]

    @property
    def redacted(self) -> bool:
        return bool(self.findings)


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    label: str
    regex: re.Pattern[str]
    validator: str | None = None
    min_entropy: float = 3.0
    min_classes: int = 2
    positive: tuple[str, ...] = ()
    negative: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()  # literals one of which every match contains (lower-case when ignore_case)
    needs_regex: re.Pattern[str] | None = None  # the same, with the rule's flags: for non-ASCII text
    ignore_case: bool = False


class WordLike(Protocol):
    """What ``redact_words`` needs of an OCR word (``core.normalize.ocr.OcrWord`` fits)."""

    @property
    def text(self) -> str: ...
    @property
    def left(self) -> int: ...
    @property
    def top(self) -> int: ...
    @property
    def width(self) -> int: ...
    @property
    def height(self) -> int: ...


Box = tuple[int, int, int, int]  # left, top, width, height


@dataclass(frozen=True, slots=True)
class WordRedaction:
    """Which OCR words hold (part of) a secret, and their boxes to black out."""

    word_indices: frozenset[int]
    boxes: list[Box]
    findings: list[Finding]


class Redactor:
    """Runs a list of rules over text; immutable and safe to share between threads."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.rules: tuple[Rule, ...] = tuple(rules)
        # One literal scan for every rule whose literals are words costs less than a dozen scans (an import
        # runs this over each message and its fields). A one-character literal (a card number's digit) would
        # open the gate for most text: such rules keep their own check, as do rules without literals.
        gated = [r for r in rules if r.needs and min(map(len, r.needs)) > 1]
        self._ungated: tuple[Rule, ...] = tuple(r for r in rules if not any(r is g for g in gated))
        literals = sorted({n.lower() for r in gated for n in r.needs}, key=len, reverse=True)
        self._gate = re.compile("|".join(map(re.escape, literals))) if literals else None
        # Non-ASCII text: Unicode case folding matches more than str.lower (see _may_match): scan ignoring case.
        self._gate_unicode = re.compile(self._gate.pattern, re.IGNORECASE) if self._gate else None

    @classmethod
    def from_default_rules(cls) -> Redactor:
        """The rules shipped in ``core/redact/rules.toml`` (parsed once per process)."""
        return _default_redactor()

    @classmethod
    def from_toml(cls, path: Path) -> Redactor:
        return cls(parse_rules(path.read_text(encoding="utf-8"), source=str(path)))

    # -- text -------------------------------------------------------------

    def find(self, text: str) -> list[Finding]:
        """All findings, overlapping ones reduced to the outermost, in text order."""
        raw: list[Finding] = []
        lowered = text.lower() if text.isascii() else None
        for rule in self.rules if self._gate_open(text, lowered) else self._ungated:
            if not _may_match(rule, text, lowered):
                continue  # most text holds no secret: a literal scan is far cheaper than the pattern
            for match in _matches(rule, text):
                start, end = _secret_span(match)
                if end <= start:
                    continue
                if rule.validator == "card":
                    # Digits next to the number (a message id, a quantity) join the run: find the card in it.
                    span = _card_span(rule, text[start:end])
                    if span is None:
                        continue
                    start, end = start + span[0], start + span[1]
                elif rule.validator and not _validate(rule, text[start:end]):
                    continue
                raw.append(Finding(rule.id, rule.label, start, end))
        raw.sort(key=lambda f: (f.start, -f.end))
        kept: list[Finding] = []
        for finding in raw:
            if kept and finding.start >= kept[-1].start and finding.end <= kept[-1].end:
                continue  # inside a span already found
            kept.append(finding)
        return kept

    def _gate_open(self, text: str, lowered: str | None) -> bool:
        """Whether ``text`` holds a literal of any gated rule (if not, none of them can match)."""
        if self._gate is None or self._gate_unicode is None:
            return False
        if lowered is not None:
            return self._gate.search(lowered) is not None
        return self._gate_unicode.search(text) is not None

    def redact(self, text: str) -> RedactionResult:
        findings = self.find(text)
        if not findings:
            return RedactionResult(text, [])
        pieces: list[str] = []
        cursor = 0
        for start, end, label in _merge_spans(findings):
            pieces.append(text[cursor:start])
            pieces.append(PLACEHOLDER.format(label=label))
            cursor = end
        pieces.append(text[cursor:])
        return RedactionResult("".join(pieces), findings)

    # -- OCR words ----------------------------------------------------------

    def redact_words(self, words: Sequence[WordLike]) -> WordRedaction:
        """Words (in reading order) that overlap a finding in the space-joined text."""
        offsets: list[tuple[int, int]] = []
        parts: list[str] = []
        cursor = 0
        for word in words:
            offsets.append((cursor, cursor + len(word.text)))
            parts.append(word.text)
            cursor += len(word.text) + 1
        findings = self.find(" ".join(parts))
        hit: set[int] = set()
        for finding in findings:
            for index, (start, end) in enumerate(offsets):
                if start < finding.end and finding.start < end:
                    hit.add(index)
        boxes = [(words[i].left, words[i].top, words[i].width, words[i].height) for i in sorted(hit)]
        return WordRedaction(frozenset(hit), boxes, findings)


def redact_text(text: str) -> tuple[str, list[Finding]]:
    """Convenience: the default rules over ``text``."""
    result = Redactor.from_default_rules().redact(text)
    return result.text, result.findings


def redact_words(words: Sequence[WordLike]) -> list[Box]:
    """Convenience: boxes of the words to black out under the default rules."""
    return Redactor.from_default_rules().redact_words(words).boxes


def blackout(image: Any, boxes: Sequence[Box], pad: int = 2) -> None:
    """Paint ``boxes`` (left, top, width, height) solid black on a PIL image, in place."""
    from PIL import ImageDraw  # late: PIL is only needed when there is an image

    if not boxes:
        return
    draw = ImageDraw.Draw(image)
    for left, top, width, height in boxes:
        draw.rectangle(
            (left - pad, top - pad, left + width + pad - 1, top + height + pad - 1), fill=(0, 0, 0)
        )


# -- rules file -------------------------------------------------------------


def parse_rules(toml_text: str, source: str = "rules.toml") -> list[Rule]:
    try:
        data = tomllib.loads(toml_text)
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(f"{source}: not valid TOML: {exc}") from exc
    rules: list[Rule] = []
    seen: set[str] = set()
    for index, entry in enumerate(data.get("rule", [])):
        where = f"{source}: rule #{index + 1}"
        try:
            rule_id = str(entry["id"])
            pattern = str(entry["pattern"])
        except KeyError as exc:
            raise RulesError(f"{where}: missing field {exc.args[0]!r}") from exc
        if rule_id in seen:
            raise RulesError(f"{where}: duplicate id {rule_id!r}")
        seen.add(rule_id)
        validator = entry.get("validator")
        if validator is not None and validator not in VALIDATORS:
            raise RulesError(f"{where} ({rule_id}): unknown validator {validator!r}")
        flags = re.IGNORECASE if entry.get("ignore_case", False) else 0
        try:
            regex = re.compile(pattern, flags)
        except re.error as exc:
            raise RulesError(f"{where} ({rule_id}): bad pattern: {exc}") from exc
        needs = entry.get("needs")
        if needs is not None and (not isinstance(needs, list) or not needs
                                  or not all(isinstance(n, str) and n for n in needs)):
            raise RulesError(f"{where} ({rule_id}): needs must be a list of non-empty strings")
        rules.append(
            Rule(
                id=rule_id,
                label=str(entry.get("label", rule_id)),
                regex=regex,
                validator=validator,
                min_entropy=float(entry.get("min_entropy", 3.0)),
                min_classes=int(entry.get("min_classes", 2)),
                positive=tuple(entry.get("positive", ())),
                negative=tuple(entry.get("negative", ())),
                needs=tuple(n.lower() for n in needs) if needs and flags else tuple(needs or ()),
                needs_regex=re.compile("|".join(map(re.escape, needs)), flags) if needs else None,
                ignore_case=bool(flags),
            )
        )
    if not rules:
        raise RulesError(f"{source}: no [[rule]] entries")
    return rules


def _default_rules_text() -> str:
    return resources.files("core.redact").joinpath("rules.toml").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _default_redactor() -> Redactor:
    return Redactor(parse_rules(_default_rules_text(), source="core/redact/rules.toml"))


@lru_cache(maxsize=1)
def default_rules_digest() -> str:
    """A digest of the shipped rules: what was judged a secret under other rules may need judging again."""
    return hashlib.sha256(_default_rules_text().encode("utf-8")).hexdigest()


# -- helpers ----------------------------------------------------------------


def _may_match(rule: Rule, text: str, lowered: str | None) -> bool:
    """False when ``text`` lacks every literal the rule needs (so its pattern cannot match).

    ``lowered`` is the text in lower case when it is ASCII; otherwise an ignore-case rule's
    literals are searched with its own flags, since Unicode case folding matches more than
    ``str.lower`` does (the Kelvin sign matches "k", a dotless ı matches "i").
    """
    if not rule.needs:
        return True
    if not rule.ignore_case:
        return any(literal in text for literal in rule.needs)
    if lowered is not None:
        return any(literal in lowered for literal in rule.needs)
    return rule.needs_regex is not None and rule.needs_regex.search(text) is not None


def _secret_span(match: re.Match[str]) -> tuple[int, int]:
    if "secret" in match.re.groupindex and match.group("secret") is not None:
        return match.span("secret")
    return match.span()


def _merge_spans(findings: Sequence[Finding]) -> list[tuple[int, int, str]]:
    merged: list[tuple[int, int, str]] = []
    for finding in sorted(findings, key=lambda f: f.start):
        if merged and finding.start <= merged[-1][1]:
            start, end, label = merged[-1]
            merged[-1] = (start, max(end, finding.end), label)
        else:
            merged.append((finding.start, finding.end, finding.label))
    return merged


def _validate(rule: Rule, candidate: str) -> bool:
    check: Callable[[Rule, str], bool] = {
        "card": _is_card_number,
        "entropy": _is_high_entropy,
        "not_masked": _is_not_masked,
    }[rule.validator or ""]
    return check(rule, candidate)


# Letters OCR commonly reads in place of digits.
_OCR_DIGITS = str.maketrans({"O": "0", "o": "0", "Q": "0", "D": "0", "I": "1", "l": "1", "|": "1",
                             "S": "5", "B": "8", "Z": "2"})
_CARD_BOUNDARIES = frozenset({4, 8, 12, 16})
_AMEX_BOUNDARIES = frozenset({4, 10})


def _is_card_number(_rule: Rule, candidate: str) -> bool:
    groups = [g for g in re.split(r"[ \-.]+", candidate.strip(" -.")) if g]
    letters = sum(1 for ch in candidate if ch.isalpha() or ch == "|")
    if letters > 2:  # more than two confusable letters: a word, not a misread number
        return False
    digits_groups = [g.translate(_OCR_DIGITS) for g in groups]
    if not all(g.isdigit() for g in digits_groups):
        return False
    digits = "".join(digits_groups)
    if not 13 <= len(digits) <= 19 or len(set(digits)) < 2:
        return False
    if not _grouping_plausible([len(g) for g in digits_groups]):
        return False
    return _has_card_prefix(digits) and _luhn_ok(digits)


def _matches(rule: Rule, text: str) -> Iterator[re.Match[str]]:
    """The rule's matches; for card numbers also those starting inside an earlier run of digit groups
    (``+14155550123 4539 1488 0343 6467``: the run starting at the phone number hides the card)."""
    if rule.validator != "card":
        yield from rule.regex.finditer(text)
        return
    pos = 0
    while (match := rule.regex.search(text, pos)) is not None:
        yield match
        separator = _SEPARATOR.search(text, match.start(), match.end())
        pos = separator.end() if separator else match.end()


_SEPARATOR = re.compile(r"[ \-.]+")


def _card_span(rule: Rule, candidate: str) -> tuple[int, int] | None:
    """Where a card number is in a run of digit groups: the whole run, else the longest run of whole groups."""
    if _is_card_number(rule, candidate):
        return 0, len(candidate)
    groups = [(m.start(), m.end()) for m in re.finditer(r"[^ \-.]+", candidate)]
    best: tuple[int, int] | None = None
    for i, (start, _) in enumerate(groups):
        for _, end in reversed(groups[i:]):
            if (best is None or end - start > best[1] - best[0]) and _is_card_number(rule, candidate[start:end]):
                best = (start, end)
                break
    return best


def _grouping_plausible(lengths: Sequence[int]) -> bool:
    """Card-like grouping, tolerating one spurious split (OCR) and any missing one."""
    boundaries: set[int] = set()
    total = 0
    for length in lengths[:-1]:
        total += length
        boundaries.add(total)
    if boundaries <= _AMEX_BOUNDARIES:
        return True
    return len(boundaries - _CARD_BOUNDARIES) <= 1


def _has_card_prefix(digits: str) -> bool:
    two, three, four, six = int(digits[:2]), int(digits[:3]), int(digits[:4]), int(digits[:6])
    return (
        digits[0] == "4"  # Visa
        or 51 <= two <= 55 or 2221 <= four <= 2720  # Mastercard
        or two in (34, 37)  # Amex
        or four == 6011 or two == 65 or 644 <= three <= 649 or 622126 <= six <= 622925  # Discover
        or 300 <= three <= 305 or two in (36, 38, 39)  # Diners
        or 3528 <= four <= 3589  # JCB
        or two == 62  # UnionPay
        or two == 50 or 56 <= two <= 69  # Maestro
    )


def _luhn_ok(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def _shannon_entropy(text: str) -> float:
    counts = Counter(text)
    n = len(text)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


def _char_classes(text: str) -> int:
    return (
        any(c.islower() for c in text)
        + any(c.isupper() for c in text)
        + any(c.isdigit() for c in text)
        + any(not c.isalnum() for c in text)
    )


def _is_high_entropy(rule: Rule, candidate: str) -> bool:
    # Words joined by hyphens or dots ("refreshed-automatically") are prose, not keys.
    if re.fullmatch(r"[a-z]+(?:[-_.][a-z]+)*", candidate):
        return False
    return _char_classes(candidate) >= rule.min_classes and _shannon_entropy(candidate) >= rule.min_entropy


def _is_not_masked(_rule: Rule, candidate: str) -> bool:
    return bool(candidate.strip("*•●·xX.-_"))
