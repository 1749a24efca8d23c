"""A screen row's second line starts with what was on the screen, not with the desktop's top bar or the title."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.ui.conftest import demo_now
from ui import fmt


def test_screen_rows_drop_the_chrome_and_other_rows_keep_their_text(unlocked: Any) -> None:
    vault = unlocked.session.vault
    now = demo_now(vault)
    items = vault.items_between(now - timedelta(days=90), now + timedelta(days=1), limit=5000)
    screens = [i for i in items if i.kind == "screenshot" and i.text.lstrip().startswith("Activities")]
    assert screens, "the demo's screenshots show the desktop's top bar"
    for item in screens:
        body = fmt.body_text(item)
        assert body.strip() and not body.lstrip().startswith("Activities"), body[:80]
        title = fmt.window_of(item)
        assert not (title and body.splitlines()[0].strip() == title), body[:80]
    message = next(i for i in items if i.kind == "message")
    assert fmt.body_text(message) == message.text
