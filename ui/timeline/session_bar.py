"""The bar over the moment when the selected card is an app session: scrub its frames.

It names the session ("Firefox — Dashboard · 12 screens · 09:17–09:42") and
holds a slider over the frames (drag it, or Left/Right once it has focus);
moving it emits ``frame_chosen(index)``.  Hidden for a single moment.

Threads: GUI thread only.  Errors: none raised.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSlider, QWidget

from ui import fmt, theme
from ui.timeline.sessions import AppSession, frames_text, span_text


class SessionBar(QFrame):
    frame_chosen = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Card")
        self._icon = QLabel()
        self.title = QLabel()
        self.title.setStyleSheet("font-weight: 600;")
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setAccessibleName("Frames of this app session")
        self.slider.setPageStep(5)
        self.slider.valueChanged.connect(self._moved)
        self.position = QLabel()
        self.position.setProperty("muted", True)
        self.position.setAccessibleName("Frame shown")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setSpacing(10)
        layout.addWidget(self._icon)
        layout.addWidget(self.title)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.position)
        self._session: AppSession | None = None
        self._quiet = False
        self.hide()

    def show_session(self, session: AppSession | None, index: int) -> None:
        """Show ``session`` with frame ``index`` under the slider (hidden for a single moment)."""
        if session is None or len(session.frames) < 2:
            self._session = None
            self.hide()
            return
        self._session = session
        c = theme.colours()
        self._icon.setPixmap(theme.icon("window", c.accent).pixmap(18, 18))
        best = session.best
        self.title.setText(f"{fmt.app_of(best) or 'Screen'} · {frames_text(session)} · {span_text(session)}")
        self.title.setToolTip(fmt.headline(best))
        self._quiet = True
        self.slider.setRange(0, len(session.frames) - 1)
        self.slider.setValue(index)
        self._quiet = False
        self._say(index)
        self.show()

    def _say(self, index: int) -> None:
        if self._session is not None:
            frame = self._session.frames[index]
            self.position.setText(f"{index + 1} of {len(self._session.frames)} · {fmt.fmt_time(frame.timestamp)}")

    def _moved(self, index: int) -> None:
        self._say(index)
        if not self._quiet:
            self.frame_chosen.emit(index)
