"""The table of import formats and how a file's format is detected.

Each entry is ``name -> "module:Class"``; the module is imported only when the
format is used, so heavy parsers cost nothing until then.
A reader class follows ``core.capture.chats.reader.RecordReader``.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from pathlib import Path

from core.capture.chats.reader import RecordReader
from core.errors import UnknownFormat

# Order matters for detection: the most specific formats first, the permissive
# line-oriented ones last.
CHAT_FORMATS: tuple[tuple[str, str], ...] = (
    ("chatgpt", "core.capture.chats.chatgpt:ChatGPTReader"),
    ("claude", "core.capture.chats.claude:ClaudeReader"),
    ("telegram", "core.capture.chats.telegram:TelegramReader"),
    ("slack", "core.capture.chats.slack:SlackReader"),
    ("discord", "core.capture.chats.discord:DiscordReader"),
    ("messenger", "core.capture.chats.messenger:MessengerReader"),
    ("imessage", "core.capture.chats.imessage:IMessageReader"),
    ("whatsapp", "core.capture.chats.whatsapp:WhatsAppReader"),
    ("jsonl", "core.capture.chats.jsonl:JsonLinesReader"),
)


def format_names() -> list[str]:
    return [name for name, _ in CHAT_FORMATS]


def load_reader(name: str) -> RecordReader:
    """Instantiate the reader registered under ``name``."""
    for entry_name, target in CHAT_FORMATS:
        if entry_name == name:
            module_name, _, class_name = target.partition(":")
            reader: RecordReader = getattr(importlib.import_module(module_name), class_name)()
            return reader
    raise UnknownFormat(f"unknown format {name!r}; known formats: {', '.join(format_names())}")


def available_readers() -> Iterable[RecordReader]:
    for name in format_names():
        yield load_reader(name)


def detect_format(path: Path) -> RecordReader:
    """The first registered reader whose ``sniff`` accepts ``path``."""
    for reader in available_readers():
        try:
            if reader.sniff(path):
                return reader
        except OSError:
            continue
    raise UnknownFormat(
        f"{path}: no importer recognises this file; pass --format with one of: {', '.join(format_names())}"
    )
