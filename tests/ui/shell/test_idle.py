"""Idle: after a minute without input the search model is unloaded and decoded screenshots go; input brings them back."""

from __future__ import annotations

from typing import Any

from ui.shell.idle import IDLE_MODEL_RELEASE_S


def test_a_long_idle_spell_unloads_the_embedder_and_trims_screenshots(unlocked: Any, qtbot: Any) -> None:
    window = unlocked
    vault = window.session.vault
    vault.embedder()  # loaded, as after a search
    assert vault._embedder is not None
    window.idle.last_input -= IDLE_MODEL_RELEASE_S + 1
    window.idle.trim_when_idle()
    qtbot.waitUntil(lambda: vault._embedder is None, timeout=10000)
    assert window.media._bytes <= 4 * 1024 * 1024
    window.idle.touched()
    vault.embedder()
    window.idle.trim_when_idle()  # the user is back: nothing is released
    assert vault._embedder is not None
