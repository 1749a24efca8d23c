"""Ask: a chat with your memory.  The answer streams in; citations open the moment.

The question is answered on a worker thread (``ui.ask.engine.AskEngine.events``
through ``ui.ask.operations.stream_answer``); tokens arrive on the GUI thread and are
painted at most every 40 ms so a fast model does not flood the layout.  Stop
(button or Esc) cancels the stream at the next token.  Citation numbers in
the text and the source list under each answer are links (``cite:N``): a
click emits ``open_item`` with the cited item id.

Threads: GUI thread only.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from core.answer.spans import answer_values
from ui import fmt, theme
from ui.ask import present
from ui.ask.engine import AskEngine, Citation, Final, Status, Token
from ui.ask.operations import release_model, stream_answer
from ui.session import Session
from ui.tasks import TaskHandle

SUGGESTIONS = (
    "What was I working on yesterday?",
    "Who sent me a link last week?",
    "When is the next appointment I was told about?",
)
MODEL_IDLE_MS = 10 * 60 * 1000  # free the model's memory after ten quiet minutes


@dataclass
class Exchange:
    question: str
    text: str = ""
    status: str = ""
    final: Final | None = None
    error: str | None = None
    stopped: bool = False
    citations: list[Citation] = field(default_factory=list)
    drafting: bool = False
    drafted_words: int = 0


class AskPage(QWidget):
    open_item = Signal(int, object)  # item id, highlight terms
    answer_finished = Signal(object)  # Final (or None when stopped/failed)
    token_received = Signal(str)  # each piece of streamed text, as it arrives

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Ask")
        self._session = session
        self._exchanges: list[Exchange] = []
        self._handle: TaskHandle | None = None
        self._engine: AskEngine | None = None
        self.use_model: bool | None = None  # None: the engine decides ($CAIRN_ASK_MODEL)

        self.transcript = QTextBrowser()
        self.transcript.setOpenLinks(False)
        self.transcript.setAccessibleName("Answers")
        self.transcript.anchorClicked.connect(self._anchor_clicked)

        self.input = QLineEdit()
        self.input.setObjectName("BigInput")
        self.input.setPlaceholderText("Ask about your past — e.g. “What was the link Lukas sent last week?”")
        self.input.setAccessibleName("Question")
        self.input.returnPressed.connect(self.ask_current)
        self.ask_button = QPushButton(theme.icon("send", theme.colours().accent_text), "Ask")
        self.ask_button.setObjectName("Primary")
        self.ask_button.setAccessibleName("Ask the question")
        self.ask_button.clicked.connect(self.ask_current)
        self.stop_button = QPushButton(theme.icon("stop"), "Stop")
        self.stop_button.setAccessibleName("Stop the answer")
        self.stop_button.setToolTip("Stop answering (Esc)")
        self.stop_button.clicked.connect(self.stop)
        self.stop_button.setEnabled(False)

        self.meta = QLabel()
        self.meta.setProperty("muted", True)
        self.meta.setWordWrap(True)
        self.meta.setAccessibleName("What the answer looked at")

        row = QHBoxLayout()
        row.addWidget(self.input, 1)
        row.addWidget(self.ask_button)
        row.addWidget(self.stop_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 12)
        layout.setSpacing(10)
        layout.addWidget(self.transcript, 1)
        layout.addWidget(self.meta)
        layout.addLayout(row)

        self._render_timer = QTimer(self)
        self._render_timer.setSingleShot(True)
        self._render_timer.setInterval(40)
        self._render_timer.timeout.connect(self._render)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.stop, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._idle_timer = QTimer(self)
        self._idle_timer.setSingleShot(True)
        self._idle_timer.setInterval(MODEL_IDLE_MS)
        self._idle_timer.timeout.connect(self._release_engine)
        session.locked.connect(self._on_locked)
        session.settings_changed.connect(self._settings_changed)
        theme.on_theme_changed(self._render)
        self._render()

    # -- public ------------------------------------------------------------------------------
    def focus_input(self) -> None:
        self.input.setFocus()
        self.input.selectAll()

    def busy(self) -> bool:
        return self._handle is not None and not self._handle.done

    def exchanges(self) -> list[Exchange]:
        return list(self._exchanges)

    def ask(self, question: str) -> None:
        question = question.strip()
        vault = self._session.vault
        if not question or vault is None:
            return
        self.stop()
        exchange = Exchange(question, status="Thinking…")
        self._exchanges.append(exchange)
        self.input.clear()
        self.stop_button.setEnabled(True)
        self.meta.setText("")
        self._idle_timer.stop()
        if self._engine is None:
            self._engine = AskEngine(vault, self._session.settings, use_model=self.use_model)
        engine = self._engine
        self._render()

        def on_item(event: Any) -> None:
            if isinstance(event, Token):
                # Only checked text is shown: the draft may still change when its citations are checked.
                exchange.drafted_words += len(event.text.split())
                exchange.drafting = True
                exchange.status = f"Writing the answer… ({exchange.drafted_words} words so far)"
                self.token_received.emit(event.text)
            elif isinstance(event, Status):
                exchange.status = event.text
            elif isinstance(event, Final):
                exchange.final = event
                exchange.text, exchange.citations = present.renumber(event.text, event.citations)
                if not exchange.citations:
                    _, exchange.citations = present.renumber("", event.best_matches)
                exchange.drafting = False
                exchange.status = ""
            self._render_timer.start() if not self._render_timer.isActive() else None

        def on_done() -> None:
            if self._handle is not None and self._handle.cancelled:
                exchange.stopped = True
            self._finish(exchange)

        def on_failure(exc: BaseException) -> None:
            exchange.error = str(exc) or type(exc).__name__
            self._finish(exchange)

        answering = stream_answer(self._session, engine, question).each(on_item).finished(on_done)
        answering.failure(on_failure)
        self._handle = answering.owned_by(self).run()

    def ask_current(self) -> None:
        self.ask(self.input.text())

    def stop(self) -> None:
        if self._handle is not None and not self._handle.done:
            self._handle.cancel()
            if self._engine is not None:
                self._engine.cancel()
            if self._exchanges:
                self._exchanges[-1].stopped = True
                self._finish(self._exchanges[-1])

    # -- internals ---------------------------------------------------------------------------------
    def _finish(self, exchange: Exchange) -> None:
        self.stop_button.setEnabled(False)
        self._idle_timer.start()
        exchange.status = ""
        self._render()
        final = exchange.final
        if final is not None:
            bits = []
            if final.range_text:
                bits.append(f"Time: {final.range_text}")
            bits.append({"llm": "Written by the local model from the sources below",
                         "not_found": "Nothing in your memory answers this"}.get(
                final.mode, "Quoted from your memories"))
            bits.extend(present.user_notes(final.notes))
            self.meta.setText(" · ".join(bits))
        self.answer_finished.emit(final if not exchange.stopped else None)

    def _render(self) -> None:
        c = theme.colours()
        if not self._exchanges:
            tips = "".join(f"<li><a href='ask:{html.escape(q)}' style='color:{c.accent}; text-decoration:none'>"
                           f"{html.escape(q)}</a></li>" for q in SUGGESTIONS)
            self.transcript.setHtml(
                f"<div style='margin:24px'><h2 style='font-weight:600'>Ask Cairn about your past</h2>"
                f"<p style='color:{c.muted}'>Answers come only from your own memories, on this computer. "
                f"Every claim cites the message, file or screen moment it came from — click a citation "
                f"to open it in the timeline. When nothing matches, Cairn says so instead of guessing.</p>"
                f"<p style='color:{c.muted}'>For example:</p><ul>{tips}</ul></div>")
            return
        blocks = []
        for idx, ex in enumerate(self._exchanges):
            blocks.append(
                f"<table align='right' cellpadding='9' style='margin-top:10px; margin-bottom:6px'>"
                f"<tr><td bgcolor='{c.accent}' style='color:{c.accent_text}'>{html.escape(ex.question)}</td></tr>"
                f"</table><br clear='all'>")
            body = self._answer_html(ex, c, idx)
            blocks.append(f"<table width='100%' cellpadding='12' style='background:{c.alt_base}; margin-bottom:6px'>"
                          f"<tr><td>{body}</td></tr></table>")
        self.transcript.setHtml("".join(blocks))
        bar = self.transcript.verticalScrollBar()
        bar.setValue(bar.maximum())

    def _answer_html(self, ex: Exchange, c: Any, idx: int) -> str:
        parts: list[str] = []
        if ex.text and not ex.drafting:
            numbers = {ci.number for ci in ex.citations}
            body = present.answer_html(ex.text, c.accent, f"cite:{idx}:{{n}}", numbers)
            parts.append(f"<div style='line-height:145%; color:{c.text}'>{body}</div>")
        if ex.status:
            parts.append(f"<p style='color:{c.muted}'><i>{html.escape(ex.status)}</i></p>")
        if ex.stopped:
            parts.append(f"<p style='color:{c.warning}'>Stopped.</p>")
        if ex.error:
            parts.append(f"<p style='color:{c.danger}'>Could not answer: {html.escape(ex.error)}</p>")
        if ex.final is not None and not ex.final.found and not ex.citations:
            parts.append(f"<p style='color:{c.muted}'>Try other words, or search for it directly (Ctrl+F).</p>")
        if ex.citations:
            rows = []
            for ci in ex.citations:
                label = present.source_label(ci.source, conversation=ci.conversation, title=ci.title, app=ci.app,
                                             speaker=ci.speaker)
                who = ci.speaker if ci.speaker and ci.speaker not in label else ""
                rows.append(
                    f"<tr><td valign='top' width='28'><a href='cite:{idx}:{ci.number}' style='color:{c.accent};"
                    f" text-decoration:none; font-weight:600'>[{ci.number}]</a></td>"
                    f"<td><a href='cite:{idx}:{ci.number}' style='color:{c.text}; text-decoration:none'>"
                    f"<b>{html.escape(label)}</b>{' · ' + html.escape(who) if who else ''} · "
                    f"<span style='color:{c.muted}'>{fmt.fmt_when(ci.timestamp)}</span><br>"
                    f"{self._preview_html(ci, ex, c)}</a>"
                    f"</td></tr>")
            heading = "CLOSEST MEMORIES" if ex.final is not None and not ex.final.found else "SOURCES"
            parts.append(f"<p style='color:{c.muted}; font-size:small; margin-top:10px'>{heading}</p>"
                         f"<table cellspacing='4'>{''.join(rows)}</table>")
        return "".join(parts) or f"<span style='color:{c.muted}'>…</span>"

    @staticmethod
    def _preview_html(ci: Any, ex: Exchange, c: Any) -> str:
        """The source's line the answer took its value from, highlighted, with a little of what surrounds it."""
        before, cited, after = present.cited_preview(ci.snippet, ex.text or "", ci.number, ex.question)
        mark = (f"<span style='color:{c.text}; background-color:{c.highlight_bg}'>{html.escape(cited)}</span>"
                if cited else "")
        return (f"<span style='color:{c.muted}'>{html.escape(before)}</span>{mark}"
                f"<span style='color:{c.muted}'>{html.escape(after)}</span>")

    def _anchor_clicked(self, url: QUrl) -> None:
        target = url.toString()
        if target.startswith("ask:"):
            self.input.setText(target[4:])
            self.ask_current()
            return
        if not target.startswith("cite:"):
            return
        try:
            idx_text, number_text = target[5:].split(":", 1)
            ex = self._exchanges[int(idx_text)]
            number = int(number_text)
        except (ValueError, IndexError):
            return
        for ci in ex.citations:
            if ci.number == number:
                # the values the answer took from this memory first, then the question's words
                values = answer_values(ex.text, number) if ex.final is not None else []
                self.open_item.emit(ci.item_id, [*values, *fmt.query_terms(ex.question)])
                return

    def citation_targets(self) -> list[int]:
        """Item ids cited by the latest answer (tests, accessibility)."""
        return [c.item_id for c in self._exchanges[-1].citations] if self._exchanges else []

    def _release_engine(self) -> None:
        engine, self._engine = self._engine, None
        if engine is not None:
            release_model(self._session, engine)

    def _settings_changed(self, settings: Any) -> None:
        """A different model or budget: the next question builds a fresh engine."""
        engine = self._engine
        if engine is None or self.busy():
            return
        old = engine.settings
        if any(getattr(old, f) != getattr(settings, f) for f in
               ("model_path", "llm_context_tokens", "llm_threads", "answer_context_budget")):
            self._release_engine()

    def engine(self) -> AskEngine | None:
        return self._engine

    def _on_locked(self) -> None:
        self.stop()
        self._release_engine()
        self._exchanges.clear()
        self.meta.setText("")
        self._render()
