"""Proper names in free text: capitalised word sequences, typed as person, org, place or plain name.

``find_names`` skips sentence-initial filler ("Thanks", "Monday") listed in
``NOT_NAMES`` (also used to trim fact values) and types a match by simple
cues: a known speaker is a person, a company suffix an org, "in"/"moved to"
before it a place.

Pure (text in, mentions out), safe from any thread, raises nothing.
"""

from __future__ import annotations

import re

from core.memory.extraction.apps import app_name, is_app_name
from core.memory.extraction.types import Mention
from core.memory.extraction.value_norms import norm_text

_CAP_WORD = r"[A-Z][a-zA-Z'’-]*[a-z][a-zA-Z'’-]*"
_CAP_SEQ = re.compile(rf"\b{_CAP_WORD}(?:[ \t]+(?:(?:of|de|van|von|der|da|&)[ \t]+)?{_CAP_WORD}){{0,3}}\b")
NOT_NAMES: frozenset[str] = frozenset(
    ["i", "i'm", "i've", "i'd", "i'll", "im", "hey", "hi", "hello", "thanks", "thank", "yes", "no", "oh", "ok", "okay", "wow", "yeah", "yep", "sure", "well", "so", "but", "and", "or", "the", "a", "an", "this", "that", "these", "those", "it", "its", "it's", "my", "your", "our", "their", "his", "her", "we", "you", "they", "he", "she", "what", "when", "where", "why", "how", "who", "which", "there", "here", "then", "also", "just", "maybe", "really", "great", "good", "nice", "cool", "awesome", "sorry", "please", "lol", "haha", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "today", "tomorrow", "yesterday", "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december", "dear", "best", "regards", "cheers", "congrats", "congratulations", "love", "happy", "glad", "sounds", "that's", "it's", "what's", "let's", "don't", "can't", "won't", "didn't", "i'm", "you're", "we're", "they're", "he's", "she's", "there's", "here's"]
)
_ORG_SUFFIX = re.compile(
    r"\b(?:Inc|Ltd|LLC|GmbH|AG|SA|BV|Corp|Corporation|Company|Co|Group|University|College|School|Bank|"
    r"Institute|Foundation|Agency|Hospital|Labs?|Studio|Press|Club)\.?$"
)
# Family words name a person, capitalised or not ("Grandpa asked for it", "my aunt Rosa").
KIN_WORDS: frozenset[str] = frozenset(
    ["mum", "mom", "mummy", "mommy", "mother", "dad", "daddy", "father", "grandpa", "grandad", "granddad",
     "grandma", "granny", "gran", "grandmother", "grandfather", "nana", "nan", "opa", "oma", "papa", "mama",
     "aunt", "auntie", "uncle", "cousin", "sis", "bro"]
)
_PLACE_CUE = re.compile(r"(?:\b(?:in|to|from|at|near|visit(?:ed|ing)?|moved to|live in|lives in)\s+)$", re.I)


def find_names(text: str, known_people: frozenset[str] = frozenset()) -> list[Mention]:
    """Capitalised word sequences that are not sentence-initial filler; typed by simple cues.

    ``known_people`` (folded names, e.g. chat speakers) types matches as persons.
    """
    out: list[Mention] = []
    for m in _CAP_SEQ.finditer(text):
        value = m.group(0)
        words = value.split()
        while words and words[0].lower().strip("'’") in NOT_NAMES:
            words = words[1:]
        if not words:
            continue
        value = " ".join(words)
        start = m.start() + m.group(0).index(words[0])
        end = start + len(value)
        norm = norm_text(value)
        if len(norm) < 3 or norm in NOT_NAMES:
            continue
        before = text[max(0, start - 2) : start]
        sentence_initial = start == 0 or bool(re.search(r"[.!?\n]\s*$", before)) or before.endswith("\n")
        if is_app_name(value):
            kind, conf = "app", 0.8
        elif norm in known_people or words[0].lower() in known_people:
            kind, conf = "person", 0.9
        elif words[0].lower() in KIN_WORDS:
            kind, conf = "person", 0.8
        elif _ORG_SUFFIX.search(value):
            kind, conf = "org", 0.8
        elif _PLACE_CUE.search(text[max(0, start - 20) : start]):
            kind, conf = "place", 0.5
        else:
            kind, conf = "name", 0.5
        if sentence_initial and len(words) == 1 and kind == "name":
            continue  # an ordinary capitalised first word
        if kind == "app":
            value = app_name(value)
        out.append(Mention(kind, value, norm, start, end, "names", conf))
    return out
