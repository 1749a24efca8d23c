"""Light and dark themes that follow the system, plus the icon loader.

The system colour scheme comes from ``QStyleHints.colorScheme()`` (Qt ≥ 6.5) and
is followed live.  ``CAIRN_THEME=light|dark`` overrides it (screenshots, tests).
Icons are monochrome SVGs drawn with one placeholder stroke colour that is
replaced by the theme's text colour when rendered, so they read well on both
themes and stay crisp on HiDPI screens (rendered at the device pixel ratio).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PySide6.QtCore import QByteArray, QObject, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QApplication

from core import env as env_switch
from ui.fonts import add_bundled_fonts

ICON_DIR = Path(__file__).resolve().parents[1] / "assets" / "icons"
PLACEHOLDER_COLOUR = "#1f2328"


@dataclass(frozen=True, slots=True)
class Colours:
    """The few colours Cairn paints with itself (custom widgets, snippets)."""

    dark: bool
    window: str
    base: str
    alt_base: str
    surface: str  # cards, side bar
    border: str
    text: str
    muted: str
    accent: str
    accent_text: str
    highlight_bg: str  # search term highlight
    density: str  # timeline activity bars
    warning: str
    danger: str
    ok: str


LIGHT = Colours(
    dark=False, window="#f5f6f8", base="#ffffff", alt_base="#f0f2f5", surface="#eceff3",
    border="#d5dae1", text="#1f2328", muted="#626b78", accent="#2f6fd0", accent_text="#ffffff",
    highlight_bg="#ffe58a", density="#5b8fe0", warning="#b7791f", danger="#c53030", ok="#2f855a",
)
DARK = Colours(
    dark=True, window="#1c1f24", base="#23272e", alt_base="#2a2f37", surface="#191c20",
    border="#3a404a", text="#e6e9ee", muted="#9aa3b1", accent="#5b9cf5", accent_text="#0d1117",
    highlight_bg="#7a5d00", density="#4f86d9", warning="#e3b341", danger="#f07178", ok="#56c288",
)


class Theme(QObject):
    """Applies a palette + style sheet to the application and tells widgets when it changes.

    Threads: GUI thread only.
    """

    changed = Signal()

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self._app = app
        self.colours = LIGHT
        app.setProperty("cairn_theme", self)
        app.setStyle("Fusion")
        add_bundled_fonts()  # emoji in memories drawn, not boxes, on a system without an emoji font
        hints = QGuiApplication.styleHints()
        if hasattr(hints, "colorSchemeChanged"):
            hints.colorSchemeChanged.connect(lambda _scheme: self.apply())
        self.apply()

    def system_is_dark(self) -> bool:
        forced = (env_switch.THEME.get() or "").lower()
        if forced in ("light", "dark"):
            return forced == "dark"
        hints = QGuiApplication.styleHints()
        if hasattr(hints, "colorScheme"):
            scheme = hints.colorScheme()
            if scheme == Qt.ColorScheme.Dark:
                return True
            if scheme == Qt.ColorScheme.Light:
                return False
        # Unknown scheme: judge by the platform palette's window colour.
        return QGuiApplication.palette().color(QPalette.ColorRole.Window).lightness() < 128

    def apply(self) -> None:
        self.colours = DARK if self.system_is_dark() else LIGHT
        self._app.setPalette(make_palette(self.colours))
        self._app.setStyleSheet(style_sheet(self.colours))
        icon.cache_clear()
        self.changed.emit()


def make_palette(c: Colours) -> QPalette:
    p = QPalette()
    role = QPalette.ColorRole
    p.setColor(role.Window, QColor(c.window))
    p.setColor(role.WindowText, QColor(c.text))
    p.setColor(role.Base, QColor(c.base))
    p.setColor(role.AlternateBase, QColor(c.alt_base))
    p.setColor(role.Text, QColor(c.text))
    p.setColor(role.Button, QColor(c.base if not c.dark else c.alt_base))
    p.setColor(role.ButtonText, QColor(c.text))
    p.setColor(role.Highlight, QColor(c.accent))
    p.setColor(role.HighlightedText, QColor(c.accent_text))
    p.setColor(role.ToolTipBase, QColor(c.base))
    p.setColor(role.ToolTipText, QColor(c.text))
    p.setColor(role.PlaceholderText, QColor(c.muted))
    p.setColor(role.Link, QColor(c.accent))
    p.setColor(role.Mid, QColor(c.border))
    p.setColor(role.Midlight, QColor(c.alt_base))
    p.setColor(role.Light, QColor(c.base))
    p.setColor(role.Dark, QColor(c.border))
    disabled = QColor(c.muted)
    for r in (role.Text, role.WindowText, role.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, r, disabled)
    return p


def style_sheet(c: Colours) -> str:
    """Small, targeted rules; the palette does the rest.  Object names select the special widgets."""
    return f"""
    QWidget#NavBar {{ background: {c.surface}; border-right: 1px solid {c.border}; }}
    QToolButton#NavButton {{ border: none; border-radius: 10px; padding: 8px 4px; color: {c.muted};
        font-size: 11px; }}
    QToolButton#NavButton:hover {{ background: {c.alt_base}; color: {c.text}; }}
    QToolButton#NavButton:checked {{ background: {c.base}; color: {c.accent}; font-weight: 600; }}
    QFrame#Card {{ background: {c.base}; border: 1px solid {c.border}; border-radius: 10px; }}
    QLabel#Muted, QLabel[muted="true"] {{ color: {c.muted}; }}
    QLabel#PageTitle {{ font-size: 18px; font-weight: 600; }}
    QLabel#SectionTitle {{ font-size: 11px; font-weight: 600; color: {c.muted}; letter-spacing: 0.5px; }}
    QLabel#Hero {{ font-size: 24px; font-weight: 600; }}
    QLineEdit, QPlainTextEdit, QTextEdit, QTextBrowser {{
        border: 1px solid {c.border}; border-radius: 7px; padding: 5px 8px; background: {c.base};
        selection-background-color: {c.accent}; selection-color: {c.accent_text}; }}
    QLineEdit:focus, QPlainTextEdit:focus, QTextEdit:focus {{ border: 1px solid {c.accent}; }}
    QComboBox QLineEdit {{ border: none; padding: 0; background: transparent; }}
    QLineEdit#BigInput {{ font-size: 16px; padding: 9px 12px; border-radius: 10px; }}
    QListView, QTreeView, QListWidget {{ border: 1px solid {c.border}; border-radius: 8px; background: {c.base}; }}
    QListWidget::item {{ padding: 3px 6px; }}
    QPushButton {{ border: 1px solid {c.border}; border-radius: 7px; padding: 6px 14px; background: {c.base}; }}
    QPushButton:hover {{ border-color: {c.accent}; }}
    QPushButton:disabled {{ color: {c.muted}; }}
    QPushButton#Primary {{ background: {c.accent}; color: {c.accent_text}; border-color: {c.accent};
        font-weight: 600; }}
    QPushButton#Primary:disabled {{ background: {c.alt_base}; color: {c.muted}; border-color: {c.border}; }}
    QPushButton#Danger {{ color: {c.danger}; }}
    QToolButton#Segment {{ border: 1px solid {c.border}; padding: 5px 14px; background: {c.base}; }}
    QToolButton#Segment:checked {{ background: {c.accent}; color: {c.accent_text}; border-color: {c.accent}; }}
    QToolButton#Flat {{ border: none; border-radius: 6px; padding: 4px; }}
    QToolButton#Flat:hover {{ background: {c.alt_base}; }}
    QStatusBar {{ background: {c.surface}; border-top: 1px solid {c.border}; }}
    QStatusBar QLabel {{ padding: 0 6px; }}
    QTabWidget::pane {{ border: 1px solid {c.border}; border-radius: 8px; top: -1px; background: {c.base}; }}
    QTabBar::tab {{ padding: 7px 14px; border: 1px solid transparent; }}
    QTabBar::tab:selected {{ border: 1px solid {c.border}; border-bottom-color: {c.base};
        background: {c.base}; border-top-left-radius: 7px; border-top-right-radius: 7px; }}
    QSplitter::handle {{ background: transparent; }}
    QScrollArea {{ border: none; }}
    """


@lru_cache(maxsize=256)
def icon(name: str, colour: str | None = None, size: int = 24) -> QIcon:
    """A themed icon from ``assets/icons/<name>.svg`` (empty icon if the file is missing)."""
    path = ICON_DIR / f"{name}.svg"
    if not path.exists():
        return QIcon()
    svg = path.read_text(encoding="utf-8")
    if colour is None:
        colour = _current_text_colour()
    svg = svg.replace(PLACEHOLDER_COLOUR, colour)
    qicon = QIcon()
    # Drawn for 1x and 2x as well as the primary screen's ratio: a window moved to a HiDPI monitor (or a
    # 1x primary beside a 2x one) picks a pixmap made for its pixels instead of scaling a 1x one up.
    screen = QGuiApplication.primaryScreen()
    ratios = sorted({1.0, 2.0, max(1.0, screen.devicePixelRatio() if screen else 1.0)})
    for ratio in ratios:
        for logical in sorted({16, 20, 24, 32, 48, size}):
            qicon.addPixmap(render_svg(svg, QSize(logical, logical), ratio))
    return qicon


def app_icon(state: str = "") -> QIcon:
    """The coloured Cairn icon; ``state`` is ``""``, ``"paused"`` or ``"locked"``."""
    name = f"cairn-{state}" if state else "cairn"
    path = ICON_DIR / f"{name}.svg"
    if not path.exists():
        return QIcon()
    svg = path.read_text(encoding="utf-8")
    qicon = QIcon()
    for logical in (16, 22, 24, 32, 48, 64, 128, 256):
        qicon.addPixmap(render_svg(svg, QSize(logical, logical), 1.0))
    return qicon


def render_svg(svg: str, size: QSize, ratio: float = 1.0) -> QPixmap:
    from PySide6.QtSvg import QSvgRenderer  # late: only needed when icons are drawn

    renderer = QSvgRenderer(QByteArray(svg.encode("utf-8")))
    pixmap = QPixmap(int(size.width() * ratio), int(size.height() * ratio))
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, pixmap.width(), pixmap.height()))
    painter.end()
    pixmap.setDevicePixelRatio(ratio)
    return pixmap


def _current_text_colour() -> str:
    app = QGuiApplication.instance()
    if app is None:
        return PLACEHOLDER_COLOUR
    return QGuiApplication.palette().color(QPalette.ColorRole.WindowText).name()


def current_theme() -> Theme | None:
    """The application's Theme (None before one is installed)."""
    app = QApplication.instance()
    found = app.property("cairn_theme") if app is not None else None
    return found if isinstance(found, Theme) else None


def colours() -> Colours:
    """The active theme's colours (light before a Theme exists)."""
    theme = current_theme()
    return theme.colours if theme is not None else LIGHT


def on_theme_changed(slot: object) -> None:
    """Connect ``slot`` to the theme's change signal, if a theme is installed."""
    theme = current_theme()
    if theme is not None:
        theme.changed.connect(slot)
