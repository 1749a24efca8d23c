"""Scripted desktop sessions for ``bench.screen``: apps drawn with real fonts, events on a simulated clock.

Two sessions, both 1920x1080 with 16 px DejaVu text:

- ``scripted`` (10 min): the session of ``bench.screen`` (issue 5): a chat that gains
  a line every 5 s and an article scrolled 3 lines every 4 s while it is in
  front, with an app switch every 30 s.
- ``mixed`` (60 min): typing in an editor, reading and scrolling long pages
  (with page jumps), a video playing in one window, idle stretches, a chat,
  bursts of app switches, and real screenshots (``../shared/data/screens``, when
  present) as further apps.

Every app knows the words it shows (the ground truth); ``Session.run_until``
applies the events up to a time and records the words shown at each event, so
"shown" includes text that was on screen only between two captures.
Pure Python + PIL; one session object per run.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

WIDTH, HEIGHT = 1920, 1080
FONT_PX = 16
LINE_PX = 24
TITLE_PX = 32
_VOCABULARY = (
    "account address agenda answer april archive backup balance batch berlin billing board branch budget "
    "build calendar campaign capacity change chapter checkout client cluster comment commit config contract "
    "copy customer dashboard database deadline debug deploy design device diagram draft driver editor email "
    "engine estimate event export feature feedback figure filter finance folder format forecast friday "
    "gateway graph hamburg handover header holiday invoice issue kernel kitchen label launch layout ledger "
    "library license lisbon ticket market meeting memory merge metric migration mobile module monday "
    "monitor network notebook office onboarding order outline package parser partner payment pipeline "
    "planner platform policy portal preview printer priority profile project prototype quarter query "
    "receipt release report request review roadmap router runtime saturday schedule schema screen script "
    "search server session setting sketch snapshot source sprint staging status storage summary support "
    "survey switch sync table target template tenant thursday timeline token travel tuesday update upload "
    "vendor version viewer vienna volume warehouse webhook wednesday widget window workflow workshop"
)
NAMES = ("Maria Gonzalez", "Tom Becker", "Aisha Khan", "Lukas Novak", "Priya Raman", "Emma Lindqvist")


def pseudo_word(rng: random.Random) -> str:
    """A made-up name ("Tavolin"): unique words make "found by search afterwards" measurable."""
    onsets = ("b", "br", "d", "f", "g", "k", "l", "m", "n", "p", "qu", "r", "s", "st", "t", "v", "z")
    vowels = ("a", "e", "i", "o", "u", "ai", "ou")
    word = "".join(rng.choice(onsets) + rng.choice(vowels) for _ in range(rng.randint(2, 3)))
    word += rng.choice(("n", "r", "st", "l", "x", ""))
    return word.capitalize() if rng.random() < 0.5 else word


def sentence(rng: random.Random, n: int) -> str:
    vocabulary = _VOCABULARY.split()
    words = [rng.choice(vocabulary) for _ in range(n)]
    for _ in range(rng.randint(1, 2)):
        words.insert(rng.randrange(len(words) + 1), pseudo_word(rng))
    if rng.random() < 0.3:
        words.insert(rng.randrange(len(words)), str(rng.randint(10, 9999)))
    return " ".join(words).capitalize()


def _font(mono: bool = False) -> Any:
    from PIL import ImageFont

    name = "DejaVuSansMono.ttf" if mono else "DejaVuSans.ttf"
    try:
        return ImageFont.truetype(name, FONT_PX)
    except OSError:
        return ImageFont.truetype(f"/usr/share/fonts/truetype/dejavu/{name}", FONT_PX)


# -- apps ------------------------------------------------------------------------


@dataclass
class App:
    """A full-screen window: a title bar and content; ``image()`` is cached until the content changes."""

    window_id: int
    app: str
    title: str
    _image: Any = field(default=None, repr=False)

    def image(self) -> Any:
        if self._image is None:
            self._image = self.render()
        return self._image

    def touch(self) -> None:
        self._image = None

    def render(self) -> Any:
        raise NotImplementedError

    def shown_words(self) -> list[str]:
        raise NotImplementedError

    def tick(self, t: float) -> None:
        """Time passed (videos move); most apps do nothing."""

    def _canvas(self, bg: str = "#ffffff") -> tuple[Any, Any]:
        from PIL import Image, ImageDraw

        image = Image.new("RGB", (WIDTH, HEIGHT), bg)
        draw = ImageDraw.Draw(image)
        draw.rectangle((0, 0, WIDTH, TITLE_PX - 1), fill="#2b2d31")
        draw.text((12, 7), self.title, font=_font(), fill="#e8e8e8")
        return image, draw


ROWS = (HEIGHT - TITLE_PX - 16) // LINE_PX


@dataclass
class TextApp(App):
    """Lines of text: an article (scrolls from the top), a chat or an editor (shows the last lines)."""

    lines: list[str] = field(default_factory=list)
    top: int = 0
    follow_end: bool = False
    mono: bool = False
    bg: str = "#ffffff"
    fg: str = "#1d1d1f"

    def visible(self) -> list[str]:
        start = max(0, len(self.lines) - ROWS) if self.follow_end else self.top
        return self.lines[start : start + ROWS]

    def render(self) -> Any:
        image, draw = self._canvas(self.bg)
        font = _font(self.mono)
        y = TITLE_PX + 8
        for line in self.visible():
            draw.text((24, y), line, font=font, fill=self.fg)
            y += LINE_PX
        return image

    def shown_words(self) -> list[str]:
        words = [w for line in self.visible() for w in line.split()]
        if self.lines and self.follow_end and self.lines[-1] and not self.lines[-1].endswith(" "):
            words = words[:-1]  # a word still being typed is not a word yet
        return words

    def scroll(self, lines: int) -> None:
        self.top = max(0, min(len(self.lines) - ROWS, self.top + lines))
        self.touch()

    def append(self, line: str) -> None:
        self.lines.append(line)
        self.touch()

    def type(self, chars: str) -> None:
        if not self.lines:
            self.lines.append("")
        self.lines[-1] += chars
        self.touch()


@dataclass
class VideoApp(App):
    """A player: a caption and notes as text, and a 854x480 picture that changes every frame."""

    caption: list[str] = field(default_factory=list)
    t: float = 0.0

    def tick(self, t: float) -> None:
        self.t = t
        self.touch()

    def render(self) -> Any:
        import numpy as np
        from PIL import Image

        image, draw = self._canvas("#101010")
        font = _font()
        y = TITLE_PX + 520
        for line in self.caption:
            draw.text((80, y), line, font=font, fill="#f0f0f0")
            y += LINE_PX
        # A moving gradient with a few moving discs and sensor noise: a natural video frame.
        frame = int(self.t * 24)
        yy, xx = np.mgrid[0:480, 0:854].astype(np.float32)
        r = 128 + 100 * np.sin((xx + frame * 7) / 90.0)
        g = 128 + 100 * np.sin((yy + frame * 5) / 70.0)
        b = 128 + 100 * np.sin((xx + yy + frame * 3) / 120.0)
        picture = np.stack([r, g, b], axis=-1)
        noise = np.random.default_rng(frame).normal(0, 6, picture.shape)
        picture = np.clip(picture + noise, 0, 255).astype(np.uint8)
        image.paste(Image.fromarray(picture, "RGB"), (80, TITLE_PX + 24))
        return image

    def shown_words(self) -> list[str]:
        return [w for line in self.caption for w in line.split()]


@dataclass
class ShotApp(App):
    """A real screenshot with its ground-truth words (``../shared/data/screens``)."""

    path: Path | None = None
    words: list[str] = field(default_factory=list)

    def render(self) -> Any:
        from PIL import Image

        assert self.path is not None
        with Image.open(self.path) as shot:
            return shot.convert("RGB").resize((WIDTH, HEIGHT)) if shot.size != (WIDTH, HEIGHT) else shot.convert("RGB")

    def shown_words(self) -> list[str]:
        return self.words


def screenshot_apps(first_id: int, limit: int = 4) -> list[ShotApp]:
    """Up to ``limit`` real screenshots as apps (none when ``../shared`` is absent)."""
    apps: list[ShotApp] = []
    screens = Path(__file__).resolve().parents[2] / "shared" / "data" / "screens"
    for i, truth in enumerate(sorted(screens.glob("*.json"))[:limit]):
        png = truth.with_suffix(".png")
        if not png.exists():
            continue
        words = [w for entry in json.loads(truth.read_text())["words"] for w in entry["t"].split()]
        apps.append(ShotApp(first_id + i, "viewer", truth.stem.replace("_", " "), path=png, words=words))
    return apps


# -- sessions --------------------------------------------------------------------


Event = tuple[float, Callable[[], None]]


@dataclass
class Session:
    """Apps, the one in front, timed events and the words shown so far."""

    name: str
    duration_s: float
    apps: list[App]
    front: int = 0
    events: list[Event] = field(default_factory=list)
    last_input: float = 0.0
    shown: set[str] = field(default_factory=set)  # words of drawn text (exact ground truth)
    shown_in_screenshots: set[str] = field(default_factory=set)  # ground truth of real screenshots (OCR'd ~0.92)
    _next: int = 0
    now: float = 0.0

    def at(self, t: float, action: Callable[[], None], *, user: bool = True) -> None:
        def run(t: float = t) -> None:
            action()
            if user:
                self.last_input = t

        self.events.append((t, run))

    def switch_to(self, index: int) -> None:
        self.front = index

    @property
    def current(self) -> App:
        return self.apps[self.front]

    def run_until(self, t: float) -> None:
        """Apply every event up to ``t``; the words on screen after each one count as shown."""
        if self._next == 0:
            self.events.sort(key=lambda e: e[0])
            self._note_shown()
        while self._next < len(self.events) and self.events[self._next][0] <= t:
            when, action = self.events[self._next]
            self.now = when
            action()
            self._note_shown()
            self._next += 1
        self.now = t
        self.current.tick(t)

    def _note_shown(self) -> None:
        words = self.current.shown_words()
        (self.shown_in_screenshots if isinstance(self.current, ShotApp) else self.shown).update(words)

    def idle_seconds(self) -> float:
        return max(0.0, self.now - self.last_input)


def scripted_session(minutes: float = 10.0, seed: int = 5) -> Session:
    """The 10-minute session of ``bench.screen``: chat + scrolled article, a switch every 30 s."""
    rng = random.Random(seed)
    article = TextApp(2, "reader", "The quiet return of local-first software - Reader",
                      lines=[sentence(rng, rng.randint(6, 12)) for _ in range(900)])
    chat = TextApp(1, "chat", "#design - Chat", follow_end=True,
                   lines=[f"{rng.choice(NAMES)}: {sentence(rng, rng.randint(4, 10))}" for _ in range(8)])
    session = Session("scripted", minutes * 60, [chat, article], front=1)
    duration = minutes * 60
    t = 5.0
    while t < duration:
        line = f"{rng.choice(NAMES)}: {sentence(rng, rng.randint(4, 10))}"
        session.at(t, lambda line=line: chat.append(line), user=False)
        t += 5
    t = 4.0
    while t < duration:
        session.at(t, lambda: article.scroll(3) if session.front == 1 else None)
        t += 4
    t = 30.0
    while t < duration:
        session.at(t, lambda: session.switch_to(1 - session.front))
        t += 30
    return session


def mixed_session(minutes: float = 60.0, seed: int = 16) -> Session:
    """An hour of mixed work: typing, reading, video, idle, chat and app-switch bursts (scaled to ``minutes``)."""
    rng = random.Random(seed)
    editor = TextApp(10, "editor", "notes.md - Editor", mono=True, follow_end=True,
                     lines=[sentence(rng, rng.randint(5, 10)) for _ in range(30)])
    reader = TextApp(11, "reader", "Field notes on local-first sync - Reader",
                     lines=[sentence(rng, rng.randint(6, 12)) for _ in range(2500)])
    chat = TextApp(12, "chat", "#team - Chat", follow_end=True, bg="#f4f5f7",
                   lines=[f"{rng.choice(NAMES)}: {sentence(rng, rng.randint(4, 10))}" for _ in range(20)])
    video = VideoApp(13, "player", "Quarterly review recording - Player",
                     caption=[sentence(rng, 8), sentence(rng, 10), sentence(rng, 6)])
    apps: list[App] = [editor, reader, chat, video, *screenshot_apps(20)]
    session = Session("mixed", minutes * 60, apps, front=0)
    scale = minutes / 60.0
    # (kind, minutes) — 60 minutes in all.
    plan = [("typing", 8), ("reading", 8), ("switching", 4), ("video", 6), ("idle", 10), ("chat", 6),
            ("typing", 6), ("reading", 6), ("switching", 3), ("video", 3)]
    start = 0.0
    for kind, length in plan:
        end = start + length * 60 * scale
        _segment(session, rng, kind, start, end, {"editor": 0, "reader": 1, "chat": 2, "video": 3})
        start = end
    return session


def _segment(session: Session, rng: random.Random, kind: str, start: float, end: float, index: dict[str, int]) -> None:
    apps = session.apps
    editor, reader, chat = apps[index["editor"]], apps[index["reader"]], apps[index["chat"]]
    assert isinstance(editor, TextApp) and isinstance(reader, TextApp) and isinstance(chat, TextApp)
    focus = {"typing": "editor", "reading": "reader", "video": "video", "chat": "chat", "idle": "reader"}
    if kind in focus:
        session.at(start, lambda i=index[focus[kind]]: session.switch_to(i))
    t = start + 1.0
    if kind == "typing":
        text = ""
        while t < end:
            if not text:
                text = sentence(rng, rng.randint(6, 12)) + " "
                session.at(t, lambda: editor.append(""))
            chunk, text = text[:4], text[4:]
            session.at(t, lambda c=chunk: editor.type(c))
            t += 1.0
    elif kind == "reading":
        while t < end:
            lines = ROWS - 2 if rng.random() < 0.08 else rng.randint(2, 6)
            session.at(t, lambda n=lines: reader.scroll(n))
            t += rng.uniform(3.0, 9.0)
    elif kind == "chat":
        while t < end:
            line = f"{rng.choice(NAMES)}: {sentence(rng, rng.randint(4, 10))}"
            session.at(t, lambda line=line: chat.append(line), user=False)
            t += rng.uniform(6.0, 15.0)
    elif kind == "switching":
        while t < end:
            target = rng.randrange(len(apps))
            session.at(t, lambda i=target: session.switch_to(i))
            if rng.random() < 0.4:
                line = f"{rng.choice(NAMES)}: {sentence(rng, rng.randint(4, 10))}"
                session.at(t + 1, lambda line=line: chat.append(line), user=False)
            t += rng.uniform(8.0, 25.0)
    # "video" and "idle": nothing but the clock (the player moves by itself).
