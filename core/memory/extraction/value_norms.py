"""Canonical forms of extracted values, so the same value written two ways compares equal.

``norm_text`` folds case, accents and whitespace (names, places, free text);
``norm_email``, ``norm_handle``, ``norm_url`` and ``norm_phone`` (E.164 via
``phonenumbers``) canonicalise contact values; ``iban_valid`` is the ISO
13616 checksum; ``occurs_in`` is the grounding check for model output.

Pure functions, safe from any thread.  Errors: none raised; ``norm_phone``
returns None for a number ``phonenumbers`` rejects.
"""

from __future__ import annotations

import re

_SPACE = re.compile(r"\s+")


def norm_text(value: str) -> str:
    """Case- and space-folded text, for comparing names and values."""
    import unicodedata

    folded = unicodedata.normalize("NFKD", value)
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return _SPACE.sub(" ", folded).strip().casefold()


def norm_email(value: str) -> str:
    return value.strip().strip(".").lower()


def norm_handle(value: str) -> str:
    return value.lstrip("@").lower()


def norm_url(value: str) -> str:
    v = value.strip().rstrip("/")
    v = re.sub(r"^https?://", "", v, flags=re.I)
    v = re.sub(r"^www\.", "", v, flags=re.I)
    return v.lower()


def norm_phone(value: str, region: str | None) -> str | None:
    """E.164 form, or None when ``phonenumbers`` does not accept it as a valid number."""
    import phonenumbers

    try:
        parsed = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def iban_valid(value: str) -> bool:
    """ISO 13616 mod-97 check."""
    compact = re.sub(r"\s+", "", value).upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}", compact):
        return False
    rearranged = compact[4:] + compact[:4]
    digits = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(digits) % 97 == 1


def occurs_in(value: str, text: str) -> bool:
    """True when ``value`` appears in ``text`` (case/space/accents folded): the model's grounding check."""
    v = norm_text(value)
    return bool(v) and v in norm_text(text)
