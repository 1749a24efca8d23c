"""Render the demo memory's screenshots: made-up app windows drawn with Qt, then OCR'd.

Run once (``.venv/bin/python -m tools.make_demo_screens``) to regenerate
``assets/demo/screens/*.webp`` and ``assets/demo/screens/manifest.json``.  The
content is invented (a developer called Sam; no personal data) and matches the
story of the demo chats in ``assets/demo/chats``.  Each frame is OCR'd with
Cairn's own tesseract recipe (``core.normalize.ocr``) so the demo's word boxes
and text are what the real screen capture would have stored.
"""

from __future__ import annotations

import html
import io
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "assets" / "demo" / "screens"
W, H = 1280, 800


@dataclass
class Screen:
    name: str
    when: str  # ISO time in the demo's calendar (November 2026, CET)
    app: str
    title: str
    kind: str  # browser | terminal | editor | notes | mail
    body: str  # HTML (browser/notes/mail) or plain text (terminal/editor)
    url: str | None = None
    accent: str = "#2f6fd0"
    # Text whose dates move with the demo (``core.demo_frames``): each must end its line, in the page's 15 px text.
    live: tuple[str, ...] = ()


# The start of the sync service as Sam opens it on Tuesday morning; ``_sync_code_session`` types on from here.
SYNC_CODE = '''from __future__ import annotations

import asyncio
from dataclasses import dataclass

from tidepool.store import ChangeLog, Conflict


@dataclass
class SyncBatch:
    device_id: str
    since_version: int
    changes: list[dict]


class SyncService:
    """Sync v2: pull changes since a version, push local ones, resolve conflicts."""

    def __init__(self, log: ChangeLog, batch_size: int = 500) -> None:
        self.log = log
        self.batch_size = batch_size

    async def pull(self, device_id: str, since: int) -> SyncBatch:
        rows = await self.log.changes_since(since, limit=self.batch_size)
        return SyncBatch(device_id, since, rows)

    async def push(self, batch: SyncBatch) -> list[Conflict]:
        conflicts = await self.log.apply(batch.changes)
        # last-writer-wins per field; conflicts go back to the client
        return conflicts
'''
# What Sam adds in the minutes after (one frame each): a run of near-identical frames of one window, which
# the timeline folds into one app-session card.
SYNC_CODE_EDITS = (
    ("2026-11-03T10:07:05+01:00", """
    async def resolve(self, conflict: Conflict) -> None:
"""),
    ("2026-11-03T10:08:50+01:00", """        # the client picked a side: store it as a new version
"""),
    ("2026-11-03T10:10:35+01:00", """        await self.log.write(conflict.key, conflict.chosen, device=conflict.device_id)
"""),
    ("2026-11-03T10:12:20+01:00", """        await self.announce(conflict.account_id)
"""),
)


def _sync_code_session() -> list[Screen]:
    title = "sync_service.py — tidepool — Visual Studio Code"
    frames = [Screen("sync-code", "2026-11-03T10:05:30+01:00", "code", title, "editor", SYNC_CODE)]
    body = SYNC_CODE
    for number, (when, added) in enumerate(SYNC_CODE_EDITS, start=2):
        body += added
        frames.append(Screen(f"sync-code-{number}", when, "code", title, "editor", body))
    return frames


SCREENS: list[Screen] = [
    Screen("dashboard", "2026-11-02T09:17:40+01:00", "firefox", "Tidepool — Dashboard — Mozilla Firefox", "browser",
           """<h2>Tidepool · Staging dashboard</h2>
<table cellspacing=14><tr>
<td bgcolor='#eef4ff'><b>Active users</b><br><font size=6>1,284</font></td>
<td bgcolor='#eefaf2'><b>p95 latency</b><br><font size=6>340 ms</font></td>
<td bgcolor='#fff6e8'><b>Error rate</b><br><font size=6>0.12 %</font></td>
<td bgcolor='#f4efff'><b>Dashboard load</b><br><font size=6>2.1 s</font></td></tr></table>
<h3>Recent deploys</h3>
<table cellspacing=8 width=90%>
<tr><td><b>Build</b></td><td><b>Branch</b></td><td><b>Author</b></td><td><b>Status</b></td></tr>
<tr><td>#1187</td><td>release/2.4</td><td>Lukas</td><td>deployed 08:55</td></tr>
<tr><td>#1186</td><td>feature/sync-v2</td><td>Priya</td><td>passed</td></tr>
<tr><td>#1185</td><td>fix/postgres-indexes</td><td>Priya</td><td>deployed Friday</td></tr>
</table>
<p>Signed in with SSO as sam@tidepool.dev</p>""", url="https://staging.tidepool.dev/app"),
    Screen("release-invite", "2026-11-02T12:25:10+01:00", "thunderbird", "Release review — Calendar — Thunderbird",
           "mail", """<h2>Release review: Tidepool 2.4</h2>
<p><b>When:</b> Thursday 5 November 2026, 15:00 – 16:00<br><b>Where:</b> Room Kepler, 3rd floor<br>
<b>Organiser:</b> Lukas Brandt<br><b>Attendees:</b> Priya Raman, Marta Kowalski, Sam Keller</p>
<p>Agenda</p><ul><li>Load test results (Sam)</li><li>Open tickets and the slow export endpoint</li>
<li>Go / no-go for the release</li></ul>
<p>Please bring the p95 latency numbers from the staging load test.</p>""",
           live=("Thursday 5 November 2026, 15:00 – 16:00",)),
    Screen("loadtest", "2026-11-02T16:42:05+01:00", "gnome-terminal", "sam@laptop: ~/tidepool/loadtest", "terminal",
           """sam@laptop:~/tidepool/loadtest$ k6 run --vus 200 --duration 5m staging.js

          /\\      |‾‾| /‾‾/   /‾‾/
     /\\  /  \\     |  |/  /   /  /
    /  \\/    \\    |     (   /   ‾‾\\
   /          \\   |  |\\  \\ |  (‾)  |
  / __________ \\  |__| \\__\\ \\_____/ .io

  execution: local
     script: staging.js
     output: -

  scenarios: 200 max VUs, 5m30s max duration

     checks.........................: 99.88% ✓ 59928  ✗ 72
     http_req_duration..............: avg=142ms min=38ms med=118ms max=1.9s p(90)=271ms p(95)=340ms
     http_req_failed................: 0.12%  ✓ 72     ✗ 59928
     http_reqs......................: 60000  200.0/s
     iteration_duration.............: avg=1s

running (5m00.2s), 000/200 VUs, 60000 complete and 0 interrupted iterations
sam@laptop:~/tidepool/loadtest$ """),
    *_sync_code_session(),
    Screen("ticket", "2026-11-03T12:38:50+01:00", "firefox", "[TP-4821] Slow export endpoint — Jira — Mozilla Firefox",
           "browser", """<p><font color='#5e6c84'>Tidepool / TP-4821</font></p>
<h2>Slow export endpoint</h2>
<table cellspacing=10><tr><td><b>Status</b></td><td>In progress</td><td><b>Priority</b></td><td>High</td></tr>
<tr><td><b>Assignee</b></td><td>Lukas Brandt</td><td><b>Reporter</b></td><td>Sam Keller</td></tr>
<tr><td><b>Sprint</b></td><td>Sprint 46</td><td><b>Fix version</b></td><td>2.4.1</td></tr></table>
<h3>Description</h3>
<p>GET /api/v2/export takes 8–12 s for accounts with more than 50,000 rows. The query scans the
events table without the (account_id, created_at) index. Found during the staging load test
(p95 340 ms overall, export endpoint is the outlier).</p>
<h3>Acceptance criteria</h3><ul><li>Export of 50k rows under 2 s</li><li>Streaming CSV instead of building it in memory</li></ul>""",
           url="https://tidepool.atlassian.net/browse/TP-4821"),
    Screen("climbing-map", "2026-11-07T09:41:15+01:00", "firefox", "Boulderhaus Berlin — Google Maps — Mozilla Firefox",
           "browser", """<h2>Boulderhaus Berlin</h2>
<p>★★★★☆ 4.6 (2,318 reviews) · Climbing gym</p>
<p><b>Address:</b> Revaler Straße 99, 10245 Berlin<br><b>Opens:</b> Saturday 10:00 – 23:00<br>
<b>Day pass:</b> 14,50 € · shoes 4 € · chalk bag 3 €</p>
<p><b>Directions from Gneisenaustraße:</b> U7 to Hermannplatz, bus M29, 28 min</p>
<p>Popular times on Saturday: usually busy from 11:00</p>""", url="https://maps.google.com/?q=Boulderhaus+Berlin"),
    Screen("vpn-portal", "2026-11-09T09:46:20+01:00", "firefox", "IT Portal — VPN certificate — Mozilla Firefox",
           "browser", """<h2>VPN certificate</h2>
<p><font color='#2f855a'><b>✔ Your certificate was renewed.</b></font></p>
<table cellspacing=10>
<tr><td><b>Device</b></td><td>sam-laptop (Linux)</td></tr>
<tr><td><b>Previous certificate</b></td><td>expires 30 November 2026</td></tr>
<tr><td><b>New certificate</b></td><td>valid until 30 November 2027</td></tr>
<tr><td><b>Profile</b></td><td>tidepool-office.ovpn — download again and import it</td></tr></table>
<p>Questions? Write to it-help@tidepool.dev or call extension 4410.</p>""", url="https://it.tidepool.dev/vpn",
           live=("expires 30 November 2026", "valid until 30 November 2027")),
    Screen("sync-doc", "2026-11-09T13:51:40+01:00", "firefox", "Sync v2 — Architecture — Confluence — Mozilla Firefox",
           "browser", """<p><font color='#5e6c84'>Tidepool › Architecture › Sync v2</font></p>
<h2>Sync v2 — Architecture</h2>
<p>Owner: Priya Raman · Last updated 9 Nov 2026</p>
<h3>Goals</h3><ul><li>Offline edits on every device, merged without data loss</li>
<li>One change log per account, versioned, pulled in batches of 500</li>
<li>Conflicts resolved last-writer-wins per field, reported to the client</li></ul>
<h3>Components</h3><p>SyncService (pull / push), ChangeLog on Postgres, a websocket that announces new
versions, and the client queue. Rollout behind the flag <b>sync_v2</b>, first for internal accounts.</p>""",
           url="https://tidepool.atlassian.net/wiki/spaces/TP/pages/sync-v2", live=("Last updated 9 Nov 2026",)),
    Screen("recipe-notes", "2026-11-10T21:01:30+01:00", "obsidian", "Recipes — Red cabbage (Mum) — Obsidian", "notes",
           """<h2>Red cabbage (Mum's)</h2>
<p><b>Serves 4 · 1 h 15 min</b></p>
<ul><li>1 red cabbage, finely sliced</li><li>2 apples (Boskoop), diced</li><li>1 bay leaf, 3 cloves</li>
<li>a splash of red wine vinegar</li><li>1 spoon of redcurrant jelly</li><li>butter, salt, a little sugar</li></ul>
<p>Melt the butter, add the cabbage and apples, then vinegar, spices and a cup of water.
Cook slowly for an hour, stir in the jelly at the end.</p>
<p><i>Grandpa asked for the apple crumble again — make a double batch.</i></p>"""),
    Screen("binoculars", "2026-11-10T21:14:45+01:00", "firefox", "ZEISS Terra ED 8x42 — Optik Shop — Mozilla Firefox",
           "browser", """<h2>ZEISS Terra ED 8x42 binoculars, black</h2>
<p><font size=5><b>189,00 €</b></font> incl. VAT · free delivery</p>
<p><font color='#2f855a'>In stock — delivery Thursday 12 November</font></p>
<ul><li>8× magnification, 42 mm objective</li><li>Waterproof, 710 g</li><li>Field of view 135 m at 1,000 m</li></ul>
<p><b>Order OS-558120</b> · gift wrapping: yes · card: “Happy 85th birthday, Grandpa!”</p>""",
           url="https://optik-shop.example/zeiss-terra-ed-8x42", live=("In stock — delivery Thursday 12 November",)),
    Screen("book-order", "2026-11-12T01:05:10+01:00", "thunderbird", "Your order: The Overstory — Inbox — Thunderbird",
           "mail", """<p><b>From:</b> Buchhandlung am Kiez &lt;orders@buchkiez.example&gt;<br>
<b>Subject:</b> Your order 20466 is confirmed</p>
<h2>Thank you for your order, Sam!</h2>
<p><b>The Overstory</b> — Richard Powers (paperback, 512 pages)<br>Price: 14,00 €</p>
<p>Pick it up from Tuesday 17 November<br>at Bergmannstraße 12, or we deliver it on Wednesday.</p>""",
           live=("Pick it up from Tuesday 17 November",)),
]


def main() -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    from PIL import Image

    from core.normalize.ocr import TesseractOcr

    OUT.mkdir(parents=True, exist_ok=True)
    ocr = TesseractOcr()
    manifest_path = OUT / "manifest.json"
    before = {e["file"]: e for e in json.loads(manifest_path.read_text("utf-8"))} if manifest_path.exists() else {}
    manifest = []
    for screen in SCREENS:
        image, live = render(screen)
        path = OUT / f"{screen.name}.webp"
        webp = qimage_bytes(image, "WEBP", 88)
        kept = before.get(path.name) if path.exists() and path.read_bytes() == webp else None
        if kept is not None:  # the same picture keeps the words it was read with (OCR recipes change)
            text, words, how = kept["text"], kept["words"], "unchanged"
        else:
            result = ocr.recognize(Image.open(io.BytesIO(qimage_bytes(image, "PNG"))))
            text, words, how = result.text, [w.to_json() for w in result.words], f"OCR {result.seconds:.1f}s"
            path.write_bytes(webp)
        manifest.append({
            "file": path.name, "when": screen.when, "app": screen.app, "window_title": screen.title,
            "url": screen.url, "monitor": 1, "width": image.width(), "height": image.height(),
            "text": text, "words": words, **({"live": live} if live else {}),
        })
        print(f"{path.name}: {len(words)} words, {len(webp) // 1024} KB, {how}")
    manifest_path.write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    app.quit()


def qimage_bytes(image: object, kind: str, quality: int = -1) -> bytes:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice

    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, kind, quality)  # type: ignore[attr-defined]
    return bytes(data.data())


def render(screen: Screen) -> tuple[object, list[dict[str, object]]]:
    """Draw ``screen`` as a 1280×800 desktop with one maximised window; returns a QImage and where its
    ``live`` texts were drawn (``measure_live``)."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QFont
    from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QTextBrowser, QVBoxLayout, QWidget

    page = None  # the text page of a browser, notes or mail window (where live texts are measured)
    root = QWidget()
    root.setFixedSize(W, H)
    root.setStyleSheet("QWidget { font-family: 'DejaVu Sans'; font-size: 14px; }")
    outer = QVBoxLayout(root)
    outer.setContentsMargins(0, 0, 0, 0)
    outer.setSpacing(0)
    # desktop top bar
    # Only the time of day: the demo loader shifts dates so the demo is always recent.
    top = QLabel(f"  Activities      {screen.app.capitalize()}{' ' * 96}{screen.when[11:16]}")
    top.setFixedHeight(26)
    top.setStyleSheet("background:#1d1f21; color:#e8e8e8; font-size:12px;")
    outer.addWidget(top)
    # window title bar
    title = QLabel(screen.title)
    title.setAlignment(Qt.AlignmentFlag.AlignCenter)
    title.setFixedHeight(32)
    title.setStyleSheet("background:#ebebeb; color:#2b2b2b; font-weight:600; border-bottom:1px solid #cfcfcf;")
    outer.addWidget(title)

    if screen.kind == "browser":
        tabs = QLabel(f"   {screen.title.split(' — ')[0][:48]}   ×        +")
        tabs.setFixedHeight(34)
        tabs.setStyleSheet("background:#dfe1e5; color:#202124; font-size:13px; padding-left:8px;")
        outer.addWidget(tabs)
        bar = QLabel(f"   ←   →   ⟳      {screen.url or ''}")
        bar.setFixedHeight(38)
        bar.setStyleSheet("background:#ffffff; color:#202124; border-bottom:1px solid #dadce0; font-size:14px;")
        outer.addWidget(bar)
        page = QTextBrowser()
        page.setFrameShape(QFrame.Shape.NoFrame)
        page.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        page.setStyleSheet("background:#ffffff; color:#172b4d; padding: 18px 60px;")
        page.setHtml(f"<div style='font-size:15px; line-height:140%'>{screen.body}</div>")
        outer.addWidget(page, 1)
    elif screen.kind == "terminal":
        term = QTextBrowser()
        term.setFrameShape(QFrame.Shape.NoFrame)
        term.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        term.setStyleSheet("background:#300a24; color:#f2f2f2; padding: 10px;")
        font = QFont("DejaVu Sans Mono")
        font.setPixelSize(15)
        term.setFont(font)
        term.setPlainText(screen.body)
        outer.addWidget(term, 1)
    elif screen.kind == "editor":
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        tree = QLabel("  EXPLORER\n\n  ▾ TIDEPOOL\n    ▾ tidepool\n      ▸ api\n      ▸ store\n      ▾ sync\n"
                      "          __init__.py\n          sync_service.py\n          conflicts.py\n    ▸ tests\n"
                      "      pyproject.toml\n      README.md")
        tree.setAlignment(Qt.AlignmentFlag.AlignTop)
        tree.setFixedWidth(240)
        tree.setStyleSheet("background:#252526; color:#cccccc; font-size:13px; padding-top:8px;")
        row.addWidget(tree)
        code = QTextBrowser()
        code.setFrameShape(QFrame.Shape.NoFrame)
        code.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        code.setStyleSheet("background:#1e1e1e; color:#d4d4d4; padding: 10px;")
        lines = screen.body.splitlines()
        rows = "".join(
            f"<tr><td align=right style='color:#858585; padding-right:14px'>{i + 1}</td>"
            f"<td style='white-space:pre'>{_py_colour(line)}</td></tr>" for i, line in enumerate(lines))
        code.setHtml(f"<table cellspacing=0 style='font-family:DejaVu Sans Mono; font-size:14px'>{rows}</table>")
        row.addWidget(code, 1)
        holder = QWidget()
        holder.setLayout(row)
        outer.addWidget(holder, 1)
    else:  # notes / mail: a list on the left, the document on the right
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        if screen.kind == "notes":
            side_text = "  ▾ Recipes\n\n    Apple crumble\n  ▸ Red cabbage (Mum)\n    Pancakes\n\n  ▾ Work\n" \
                        "    Sync v2 questions\n    1:1 notes\n\n  ▾ Personal\n    Grandpa 85th\n    Books to read"
            side_style = "background:#262626; color:#dcddde; font-size:13px; padding-top:10px;"
            page_style = "background:#1e1e1e; color:#dcddde; padding: 24px 48px;"
        else:
            side_text = "  Inbox (3)\n  Sent\n  Drafts\n  Archive\n\n  Calendar\n    Today\n    This week\n\n" \
                        "  Tidepool\n  Family"
            side_style = "background:#f3f3f3; color:#1f1f1f; font-size:13px; padding-top:10px;"
            page_style = "background:#ffffff; color:#1f1f1f; padding: 24px 48px;"
        side = QLabel(side_text)
        side.setAlignment(Qt.AlignmentFlag.AlignTop)
        side.setFixedWidth(230)
        side.setStyleSheet(side_style)
        row.addWidget(side)
        page = QTextBrowser()
        page.setFrameShape(QFrame.Shape.NoFrame)
        page.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        page.setStyleSheet(page_style)
        page.setHtml(f"<div style='font-size:15px; line-height:140%'>{screen.body}</div>")
        row.addWidget(page, 1)
        holder = QWidget()
        holder.setLayout(row)
        outer.addWidget(holder, 1)
    root.show()
    process_events()
    image = root.grab().toImage()
    live = [measure_live(page, root, image, text) for text in screen.live]
    root.close()
    root.deleteLater()
    return image, live


def measure_live(page: object, root: object, image: object, text: str) -> dict[str, object]:
    """Where Qt drew ``text`` on ``page``: the pen position (left, baseline), the font's pixel size, the box it
    covers and its colours, so that ``core.demo_frames`` can draw it again with its dates moved."""
    from collections import Counter

    from PySide6.QtCore import QPoint

    doc = page.document()  # type: ignore[attr-defined]
    found = doc.find(text)
    if found.isNull():
        raise SystemExit(f"error: live text {text!r} is not on the page")
    start, end = found.selectionStart(), found.selectionEnd()
    block = doc.findBlock(start)
    layout = block.layout()
    line = layout.lineForTextPosition(start - block.position())
    if layout.lineForTextPosition(end - block.position()).lineNumber() != line.lineNumber():
        raise SystemExit(f"error: live text {text!r} wraps; give it a line of its own")
    if end - block.position() != line.textStart() + line.textLength() and \
            doc.characterAt(end) not in ("\u2028", "\u2029", "\n"):
        raise SystemExit(f"error: live text {text!r} does not end its line (its new width would shift the rest)")
    font = found.charFormat().font()
    size = font.pixelSize() if font.pixelSize() > 0 else round(font.pointSizeF() * 96 / 72)
    if font.bold() or font.italic():
        raise SystemExit(f"error: live text {text!r} must be in the page's regular font")
    origin = page.viewport().mapTo(root, QPoint(0, 0))  # type: ignore[attr-defined]
    rect = doc.documentLayout().blockBoundingRect(block)

    def x_at(position: int) -> float:
        x = line.cursorToX(position - block.position())
        return float(x[0] if isinstance(x, tuple) else x)

    left = origin.x() + rect.x() + x_at(start)
    right = origin.x() + rect.x() + x_at(end)
    top = origin.y() + rect.y() + line.y()
    box = [int(left) - 1, int(top), int(right) + 2, int(top + line.height()) + 1]
    pixels = Counter(image.pixelColor(x, y).name()  # type: ignore[attr-defined]
                     for x in range(box[0], box[2]) for y in range(box[1], box[3]))
    background = pixels.most_common(1)[0][0]

    def distance(name: str) -> int:
        return sum(abs(int(name[i:i + 2], 16) - int(background[i:i + 2], 16)) for i in (1, 3, 5))

    return {"text": text, "x": round(left, 2), "baseline": round(top + line.ascent(), 2), "size": size,
            "box": box, "fg": max(pixels, key=distance), "bg": background}


def process_events() -> None:
    from PySide6.QtCore import QEventLoop

    loop = QEventLoop()  # not the static QApplication.processEvents(): see tools/screenshots.py
    for _ in range(3):
        loop.processEvents()


_KEYWORDS = ("from", "import", "class", "def", "async", "await", "return", "self", "None", "int", "str", "list",
             "dict")


def _py_colour(line: str) -> str:
    text = html.escape(line)
    stripped = line.strip()
    if stripped.startswith("#") or stripped.startswith('"""'):
        return f"<span style='color:#6a9955'>{text}</span>"
    for kw in _KEYWORDS:
        text = text.replace(f"{kw} ", f"<span style='color:#569cd6'>{kw}</span> ")
    return text or "&nbsp;"



if __name__ == "__main__":
    main()
