"""Redaction over OCR words and image blackout."""

from __future__ import annotations

from dataclasses import dataclass

from core.redact.redactor import Redactor, blackout, redact_text, redact_words


@dataclass(frozen=True)
class Word:
    text: str
    left: int
    top: int
    width: int = 40
    height: int = 16


def _line(texts: list[str], top: int = 10) -> list[Word]:
    return [Word(t, 10 + 50 * i, top) for i, t in enumerate(texts)]


def test_card_split_over_words_blacks_out_each_group() -> None:
    words = _line(["Card", "4111", "1111", "1111", "1111", "exp", "12/29"])
    result = Redactor.from_default_rules().redact_words(words)
    assert result.word_indices == frozenset({1, 2, 3, 4})
    assert result.boxes == [(w.left, w.top, w.width, w.height) for w in words[1:5]]
    assert redact_words(words) == result.boxes


def test_ocr_merged_groups_still_match() -> None:
    words = _line(["Card", "4111", "1111", "11111111"])
    assert Redactor.from_default_rules().redact_words(words).word_indices == frozenset({1, 2, 3})


def test_secret_value_after_keyword_on_the_same_line() -> None:
    words = _line(["password:", "Tr0ub4dor&3", "(do", "not", "share)"])
    result = Redactor.from_default_rules().redact_words(words)
    assert result.word_indices == frozenset({1})


def test_private_key_block_over_several_lines() -> None:
    words = _line(["-----BEGIN", "RSA", "PRIVATE", "KEY-----"], top=10)
    words += _line(["MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun"], top=30)
    words += _line(["Next", "meeting", "at", "ten"], top=50)
    hit = Redactor.from_default_rules().redact_words(words).word_indices
    assert {0, 1, 2, 3, 4} <= hit
    assert 5 not in hit  # "Next" is not part of the key


def test_no_secret_no_boxes() -> None:
    assert redact_words(_line(["Lunch", "at", "noon", "with", "Priya"])) == []


def test_blackout_paints_boxes() -> None:
    from PIL import Image

    image = Image.new("RGB", (200, 60), "white")
    blackout(image, [(20, 10, 30, 12)], pad=2)
    assert image.getpixel((35, 16)) == (0, 0, 0)
    assert image.getpixel((18, 8)) == (0, 0, 0)  # padding
    assert image.getpixel((60, 16)) == (255, 255, 255)


def test_module_level_redact_text() -> None:
    clean, findings = redact_text("key AKIAIOSFODNN7EXAMPLE here")
    assert clean == "key [REDACTED:aws_key] here"
    assert [f.rule for f in findings] == ["aws_access_key_id"]
