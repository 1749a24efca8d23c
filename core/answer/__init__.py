"""Answering questions about the past from memories, with citations."""

from core.answer.answerer import Answerer
from core.answer.types import (
    NOT_FOUND_TEXT,
    Answer,
    AnswerEvent,
    Retriever,
    Snippet,
    StageEvent,
    Timings,
    TokenEvent,
    Understanding,
)

__all__ = [
    "NOT_FOUND_TEXT",
    "Answer",
    "AnswerEvent",
    "Answerer",
    "Retriever",
    "Snippet",
    "StageEvent",
    "Timings",
    "TokenEvent",
    "Understanding",
]
