from __future__ import annotations

from core.memory.consolidation.episodes import SegmentParams, segment
from tests.memory.helpers import item


def test_chat_sessions_split_on_silence_and_session_ids() -> None:
    items = [item(1, "a", 0), item(2, "b", 60), item(3, "c", 120 + 3600), item(4, "d", 3800)]
    assert [[i.id for i in ep.items] for ep in segment(items)] == [[1, 2], [3, 4]]
    same_time = [item(1, "a", 0, session=1), item(2, "b", 0, session=1), item(3, "c", 0, session=2)]
    assert [[i.id for i in ep.items] for ep in segment(same_time)] == [[1, 2], [3]]


def _frame(id: int, ts: float, app: str, title: str = "") -> object:
    return item(id, f"text {id}", ts, source="screen", speaker=None, conversation=None, kind="screenshot",
                app=app, window_title=title)


def test_screen_episodes_follow_app_switches_not_alt_tabs() -> None:
    frames = []
    t = 0.0
    for n in range(40):  # 10 minutes in the editor with a 6 s glance at chat
        app = "slack" if n == 20 else "code"
        frames.append(_frame(n + 1, t, app, "main.py"))
        t += 15
    for n in range(20):  # then 5 minutes in the browser
        frames.append(_frame(100 + n, t, "firefox", "Docs"))
        t += 15
    t += 900  # idle
    frames.append(_frame(200, t, "firefox", "News"))
    episodes = segment(frames, SegmentParams())
    assert [ep.apps[0] for ep in episodes] == ["code", "firefox", "firefox"]
    assert "slack" in episodes[0].apps  # the glance stayed inside the editor episode
    assert episodes[0].title == "VS Code: main.py"  # the app by its product name


def test_long_sessions_are_cut_at_a_topic_change() -> None:
    first = [item(i, "the garden roses need water and compost", i) for i in range(1, 8)]
    second = [item(i, "quarterly budget spreadsheet numbers", i) for i in range(8, 15)]
    episodes = segment(first + second, SegmentParams(max_items=10))
    assert [[i.id for i in ep.items] for ep in episodes] == [list(range(1, 8)), list(range(8, 15))]


def test_file_edits_form_work_sessions() -> None:
    edits = [item(1, "x", 0, source="file", speaker=None, conversation=None, kind="document"),
             item(2, "y", 600, source="file", speaker=None, conversation=None, kind="document"),
             item(3, "z", 600 + 7200, source="file", speaker=None, conversation=None, kind="document")]
    assert [len(ep.items) for ep in segment(edits)] == [2, 1]
