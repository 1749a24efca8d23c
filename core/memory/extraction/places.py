"""Is a name after "in", "at" or "to" a place?  Only when something confirms it.

"in Confluence", "at Buchhandlung am Kiez", "back to Tidepool": a preposition alone is as often before an app,
a shop or a project as before a place.  A name is a place when its own words say so — a strong cue ("moved to",
"lives in", "room"), a street or square shape ("Hermannplatz", "Baker Street"), a postal code before it
("10245 Berlin") — or when a gazetteer knows it (towns from ``phonenumbers``' area-code data, the time-zone
database's cities, country names), or the vault does: a map app showed it ("Boulderhaus Berlin — Google Maps").

Pure, raises nothing; the gazetteer is built once, on first use.
"""

from __future__ import annotations

import re
from functools import lru_cache

from core.memory.extraction.value_norms import norm_text

STRONG_PLACE_CUE = re.compile(
    r"(?:\b(?:moved to|moving to|move to|lives? in|living in|born in|grew up in|room|office|hall|building|"
    r"venue|visit(?:ed|ing)?)[ \t]+)$", re.I)
WEAK_PLACE_CUE = re.compile(r"(?:\b(?:in|to|from|at|near)[ \t]+)$", re.I)
_POSTAL_CODE = re.compile(r"\b\d{4,5}[ \t]+$")
# The last word of a street, square or station name, in English and German.
_PLACE_SHAPE = re.compile(
    r"(?:stra(?:ß|ss)e|str\.|platz|allee|gasse|damm|ufer|bahnhof|street|road|avenue|lane|square|station|"
    r"airport|plaza|boulevard)$", re.I)


def is_place(before: str, words: list[str], known_places: frozenset[str] = frozenset()) -> bool:
    """``words`` (a capitalised name) read as a place, given the text ``before`` it."""
    if STRONG_PLACE_CUE.search(before) or _POSTAL_CODE.search(before):
        return True
    if not WEAK_PLACE_CUE.search(before):
        return False
    return confirmed_place(" ".join(words), known_places)


def confirmed_place(name: str, known_places: frozenset[str] = frozenset()) -> bool:
    """A street-shaped name, one the gazetteer knows, or one the vault showed on a map (``known_places``:
    folded names; a map page "Boulderhaus Berlin" confirms "Boulderhaus" too)."""
    norm = norm_text(name)
    if _PLACE_SHAPE.search(name.split()[-1]) or norm in gazetteer() or norm in known_places:
        return True
    return any(place.startswith(norm + " ") for place in known_places)


@lru_cache(maxsize=1)
def gazetteer() -> frozenset[str]:
    """Folded names of ~32,000 towns, regions and countries the world over: the places ``phonenumbers`` names for
    its area codes and its country names (English and German), and the time-zone database's cities.

    ``phonenumbers``' data is read as text, not imported: imported it costs ~100 MB; read, about a second and a
    few MB, once per process and only when an "in X" needs confirming.  Should that data be missing or change
    its form, the time-zone cities still count (a thinner list; never an error)."""
    import zoneinfo

    names = {zone.rsplit("/", 1)[-1].replace("_", " ") for zone in zoneinfo.available_timezones() if "/" in zone}
    names |= _area_code_places()
    return frozenset(norm_text(n) for n in names if n)


# "'en': 'Leipzig'" in the area-code files, "'aa':'Germany'" (the default name) in the country file; "*aa" is a
# reference to another language's name, skipped.
_AREA_NAME = re.compile(r"'(?:aa|en|de)': ?u?'((?:[^'*\\]|\\.)(?:[^'\\]|\\.)*)'")


def _area_code_places() -> set[str]:
    from importlib.util import find_spec
    from pathlib import Path

    spec = find_spec("phonenumbers.geodata")
    if spec is None or spec.origin is None:
        return set()
    out: set[str] = set()
    # Never imported: importing any module of phonenumbers.geodata loads all of it (~100 MB).
    for path in Path(spec.origin).parent.glob("*.py"):
        try:
            text = path.read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        for m in _AREA_NAME.finditer(text):
            out.update(part.strip() for part in m.group(1).split(",") if part.strip())  # "Jersey City, NJ"
    return out
