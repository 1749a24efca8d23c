"""Screen OCR cleaned before extraction: chrome, prompts and glyph noise out; ß/B and rn/m fixed only when known."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.memory.extraction.apps import app_name
from core.memory.extraction.names import find_names
from core.normalize.screen_text import Lexicon, clean_screen_text, dictionary_lookup, fix_confusions

DEMO_SCREENS = Path(__file__).resolve().parents[3] / "assets" / "demo" / "screens" / "manifest.json"


@pytest.fixture(scope="module")
def dictionary():
    return dictionary_lookup()  # the real word lists


def _demo_screen(title_part: str) -> dict:
    data = json.loads(DEMO_SCREENS.read_text("utf-8"))
    screens = data if isinstance(data, list) else data["screens"]
    return next(s for s in screens if title_part in s["window_title"])


def test_maps_screenshot_loses_its_chrome_and_gets_its_eszett_back(dictionary) -> None:
    screen = _demo_screen("Google Maps")
    cleaned = clean_screen_text(screen["text"], Lexicon(dictionary), window_title=screen["window_title"])
    assert "Activities" not in cleaned and "Mozilla Firefox" not in cleaned and " x +" not in cleaned
    assert "https://maps.google.com/?q=Boulderhaus+Berlin" in cleaned.splitlines()
    assert "Revaler Straße 99" in cleaned and "Gneisenaustraße" in cleaned
    assert "StraBe" not in cleaned


def test_terminal_prompts_and_glyph_noise_are_dropped(dictionary) -> None:
    screen = _demo_screen("loadtest")
    cleaned = clean_screen_text(screen["text"], Lexicon(dictionary), window_title=screen["window_title"])
    assert "sam@laptop" not in cleaned
    assert "k6 run --vus 200 --duration 5m staging.js" in cleaned.splitlines()
    assert "AI\\ |WViTt" not in cleaned and "/ VINO]" not in cleaned
    assert "running (5m00.2s), 000/200 VUs, 60000 complete and 0 interrupted iterations" in cleaned


def test_bullets_read_as_letters_are_removed() -> None:
    assert clean_screen_text("e Load test results (Sam)\n¢ Go / no-go for the release") == (
        "Load test results (Sam)\nGo / no-go for the release")


def test_confusions_are_fixed_only_towards_known_words(dictionary) -> None:
    lexicon = Lexicon(dictionary)
    assert fix_confusions("the rneeting is at noon", lexicon) == "the meeting is at noon"
    assert fix_confusions("eBay and CamelBack", lexicon) == "eBay and CamelBack"  # no known ß-word: kept
    assert fix_confusions("Kowalski", lexicon) == "Kowalski"


def test_the_vaults_own_words_count_as_known() -> None:
    lexicon = Lexicon(lambda _word: False)  # no dictionary at all
    assert fix_confusions("Hauptbahnhof rnodern", lexicon) == "Hauptbahnhof rnodern"
    lexicon.learn("We meet at the modern wing")
    assert fix_confusions("Hauptbahnhof rnodern", lexicon) == "Hauptbahnhof modern"


def test_app_variants_have_one_name_and_kin_words_are_people() -> None:
    assert {app_name(v) for v in ("firefox", "Mozilla Firefox", "Firefox", "firefox-esr")} == {"Firefox"}
    assert app_name("gnome-terminal-server") == "Terminal" and app_name("my-editor") == "My Editor"
    kinds = {m.value: m.kind for m in find_names("Your apple crumble please, Grandpa asked for it, and Mozilla Firefox crashed")}
    assert kinds == {"Grandpa": "person", "Firefox": "app"}


def test_tab_strips_end_in_a_close_mark_and_what_ocr_made_of_the_new_tab_button() -> None:
    for strip in ("Orbit board x +", "Orbit board × oF", "Orbit board x oe", "Orbit board x o+", "Orbit board x o"):
        assert clean_screen_text(f"{strip}\nSprint review notes") == "Sprint review notes", strip
    assert clean_screen_text("Box of 6 x 2") == "Box of 6 x 2"  # a line that only ends like one stays


def test_the_top_bar_is_chrome_with_or_without_its_clock() -> None:
    editor = "Activities Code\nEXPLORER\nclass SyncService:\n10:12"  # the demo's editor frames read it so
    assert clean_screen_text(editor).splitlines()[:2] == ["EXPLORER", "class SyncService:"]
    assert clean_screen_text("Activities —_ Firefox 09:17\nTidepool") == "Tidepool"
    kept = "Activities for the kids this weekend"  # a sentence starting with the word is no top bar
    assert clean_screen_text(kept) == kept
