"""The timeline names an app as the day's paragraph and the graph do: one name per app."""

from __future__ import annotations

from types import SimpleNamespace

from ui import fmt


def test_an_app_has_one_display_name_everywhere() -> None:
    def shot(app: str) -> SimpleNamespace:
        return SimpleNamespace(meta={"app": app}, title=None)

    assert fmt.app_of(shot("gnome-terminal")) == "Terminal"  # the day's glance said "Gnome-terminal"
    assert fmt.app_of(shot("firefox")) == "Firefox" and fmt.app_of(shot("code")) == "VS Code"
    assert fmt.app_of(shot("Obsidian")) == "Obsidian"
    assert fmt.app_of(SimpleNamespace(meta={}, title=None)) is None
