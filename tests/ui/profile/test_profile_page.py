"""The profile page: suggestions from the demo's memories are confirmed, corrected, removed; values added by hand."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from core.memory.profile.profile import load_profile


def _profile(window: Any) -> Any:
    return load_profile(window.session.vault.read())


def test_the_profile_page_reviews_and_edits_what_autofill_may_type(unlocked: Any, qtbot: Any) -> None:
    window = unlocked
    window.session.vault.consolidate()  # the demo's chats and screens yield suggestions about "Me"
    page = window.show_page("profile")
    qtbot.waitUntil(lambda: page.profile is not None and bool(page.profile.suggestions), timeout=20000)
    suggestion = page.profile.suggestions[0]
    # the user's own new number from the family chat, seen in that chat (not "seen in Me"); never the climbing
    # gym's address the map showed
    assert suggestion.label == "Phone" and suggestion.seen_in[0].startswith("Family, "), suggestion
    assert not any("Revaler" in s.value for s in page.profile.suggestions)
    assert not page.confirmed.buttons  # nothing confirmed in the demo yet: autofill offers nothing

    # Confirm: the suggestion moves to the confirmed list, which is what autofill offers
    qtbot.mouseClick(page.suggestions.buttons[(suggestion.fact_id, "Confirm")], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: any(v.fact_id == suggestion.fact_id for v in page.profile.values), timeout=10000)
    assert (suggestion.fact_id, "Remove") in page.confirmed.buttons
    assert any(v.fact_id == suggestion.fact_id for v in _profile(window).values)

    # Add a value by hand: confirmed at once
    page.field.setCurrentIndex(page.field.findData("email"))
    page.value.setText("sam.taylor@example.org")
    qtbot.keyClick(page.value, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: any(v.value == "sam.taylor@example.org" for v in page.profile.values), timeout=10000)
    added = next(v for v in page.profile.values if v.value == "sam.taylor@example.org")
    assert "entered by you" in added.seen_in

    # Correct it: the typed value replaces it
    page.correct(added.fact_id, "sam@example.org")
    qtbot.waitUntil(lambda: any(v.value == "sam@example.org" for v in page.profile.values), timeout=10000)
    assert not any(v.value == "sam.taylor@example.org" for v in _profile(window).values)

    # Remove it: gone from the profile and the page
    corrected = next(v for v in page.profile.values if v.value == "sam@example.org")
    qtbot.mouseClick(page.confirmed.buttons[(corrected.fact_id, "Remove")], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not any(v.value == "sam@example.org" for v in page.profile.values), timeout=10000)
    assert "removed" in page.status.text()
