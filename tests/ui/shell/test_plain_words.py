"""Plain words where the first ten minutes used jargon: the keyring sentence, the tray hint on close."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.mark.parametrize(("probe", "expected"), [
    ((False, "found keyring.backends.fail.Keyring"), "Your system has no secure keyring; Cairn will ask for your "
                                                      "passphrase when it starts."),
    ((True, ""), "Your system keyring can keep the vault key, so Cairn unlocks when you log in."),
])
def test_the_keyring_sentence_has_no_backend_names(monkeypatch: pytest.MonkeyPatch, probe: tuple[bool, str],
                                                   expected: str) -> None:
    import core.vault
    from ui.shell.first_run import keyring_status

    monkeypatch.setattr(core.vault, "keyring_status", lambda: probe)
    available, sentence = keyring_status()
    assert available is probe[0] and sentence == expected
    assert "keyring.backends" not in sentence


def test_closing_to_the_tray_says_so_from_the_tray(unlocked: Any, qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    window = unlocked
    said: list[str] = []
    monkeypatch.setattr(window.tray, "available", lambda: True)
    monkeypatch.setattr(window.tray, "notify", said.append)
    window.close()
    # Hidden, still unlocked, and told where it went: by the tray (the hidden window's status bar is unseen).
    assert not window.isVisible() and window.session.is_unlocked
    assert said == ["Cairn keeps running in the tray"]
