"""Redaction of every field of a record that is stored or indexed, not only its text.

Secrets turn up in titles (an HTML ``<title>``, a window title), speakers,
conversation names, file names and paths, image captions and any other
string in ``meta``.  Each of them goes through the same redactor as the text;
an ``external_id`` that holds a secret is replaced by a hash of itself
(stable, so re-importing stays idempotent, and no longer the secret).
Speakers and conversation names repeat on every message, so results for
short strings are remembered for the length of one import.

Pure functions; the redactor is any object with ``redact(text)`` returning
``.text`` and ``.findings``.  Raises what the redactor raises.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Iterator
from typing import Any

from core.redact.redactor import PLACEHOLDER
from core.types import Record

# Sources whose external id and conversation are keys another table looks records up by (the file
# indexer's ledger: the path), so ingest leaves them as they are: the file sink already wrote them with
# every part that holds a secret encrypted (core.capture.files.path_codec); title, meta and text are redacted.
KEYS_KEPT_FOR = frozenset({"file"})
MAX_META_DEPTH = 8  # meta is small JSON; deeper nesting is left as it is (never seen)
CACHE_MAX_CHARS = 200  # strings this short (names, titles, ids) are remembered
CACHE_ENTRIES = 4096


@dataclasses.dataclass(slots=True)
class FieldRedaction:
    """Redacts strings with ``redact_text`` and counts the secrets it found."""

    redact_text: Callable[[str], Any]
    count: int = 0
    _cache: dict[str, tuple[str, int]] = dataclasses.field(default_factory=dict)

    def _redact(self, value: str) -> tuple[str, int]:
        hit = self._cache.get(value)
        if hit is None:
            result = self.redact_text(value)
            hit = (str(result.text), len(result.findings))
            if len(value) <= CACHE_MAX_CHARS:
                if len(self._cache) >= CACHE_ENTRIES:
                    self._cache.clear()
                self._cache[value] = hit
        return hit

    def text(self, value: str) -> str:
        if not value:
            return value
        clean, found = self._redact(value)
        self.count += found
        return clean

    def optional(self, value: str | None) -> str | None:
        return None if value is None else self.text(value)

    def identifier(self, value: str) -> str:
        """An id with a secret in it becomes ``redacted-<hash>``: unique, stable, secret-free."""
        if not value:
            return value
        _clean, found = self._redact(value)
        if not found:
            return value
        self.count += found
        return "redacted-" + hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:32]

    def meta(self, value: Any) -> Any:
        """Every string in a JSON-like value, keys included, read as one space-joined text (so a secret
        split over several strings, like OCR words, is found), then each string touching a secret is
        redacted on its own, or replaced whole when the secret only shows across strings."""
        strings = list(_strings(value, 0))
        if not strings:
            return value
        joined = self.redact_text(" ".join(strings))
        if not joined.findings:
            return value
        self.count += len(joined.findings)
        touched: dict[int, str] = {}
        cursor = 0
        for index, text in enumerate(strings):
            start, end = cursor, cursor + len(text)
            cursor = end + 1
            for finding in joined.findings:
                if finding.start < end and start < finding.end:
                    touched[index] = finding.label
                    break
        leaves = iter(range(len(strings)))
        return self._rebuild(value, 0, leaves, touched)

    def _rebuild(self, value: Any, depth: int, leaves: Iterator[int], touched: dict[int, str]) -> Any:
        if isinstance(value, str):
            label = touched.get(next(leaves))
            if label is None:
                return value
            clean, found = self._redact(value)
            return clean if found else PLACEHOLDER.format(label=label)
        if depth >= MAX_META_DEPTH:
            return value
        if isinstance(value, dict):
            out = {}
            for key, item in value.items():
                new_key = self._rebuild(key, depth, leaves, touched) if isinstance(key, str) else key
                out[new_key] = self._rebuild(item, depth + 1, leaves, touched)
            return out
        if isinstance(value, list | tuple):
            return [self._rebuild(item, depth + 1, leaves, touched) for item in value]
        return value


def _strings(value: Any, depth: int) -> Iterator[str]:
    # Strings and numbers are taken in the loop, not through a nested generator each: a screen
    # item's meta holds a few hundred [text, left, top, width, height, conf] words, and one
    # generator per number was most of the store's cost for a frame (bench.screen).
    if isinstance(value, str):
        yield value
    elif depth < MAX_META_DEPTH and isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str):
                yield key
            if isinstance(item, str):
                yield item
            elif isinstance(item, dict | list | tuple):
                yield from _strings(item, depth + 1)
    elif depth < MAX_META_DEPTH and isinstance(value, list | tuple):
        for item in value:
            if isinstance(item, str):
                yield item
            elif isinstance(item, dict | list | tuple):
                yield from _strings(item, depth + 1)


def redact_record_fields(record: Record, fields: FieldRedaction) -> Record:
    """``record`` with its title, speaker, conversation, external id, meta and section headings redacted.

    The text and the sections' text are the caller's (it caps and chunks them).
    """
    probe = [record.external_id, record.conversation or "", record.speaker or "", record.title or "",
             *(s.heading or "" for s in record.sections), *_strings(record.meta, 0)]
    if not fields.redact_text(" ".join(probe)).findings:
        return record  # the common case: one pass over all the fields together, nothing to do
    sections = tuple(dataclasses.replace(s, heading=fields.optional(s.heading)) for s in record.sections)
    keep_keys = record.source in KEYS_KEPT_FOR
    return dataclasses.replace(
        record,
        external_id=record.external_id if keep_keys else fields.identifier(record.external_id),
        conversation=record.conversation if keep_keys else fields.optional(record.conversation),
        speaker=fields.optional(record.speaker),
        title=fields.optional(record.title),
        meta=fields.meta(dict(record.meta)),
        sections=sections,
    )
