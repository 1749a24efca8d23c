"""Office formats, odd encodings, web archives and legacy files: each variant's marker is extracted."""

from __future__ import annotations

import pytest

from core.normalize.extract import ExtractionFailed, extract_bytes
from tests.data.files.variants import DocVariant, variants


@pytest.mark.parametrize("variant", variants(), ids=lambda v: v.name)
def test_variant_is_extracted(variant: DocVariant) -> None:
    text = extract_bytes(variant.build(), variant.filename).text
    for marker in variant.markers:
        assert marker in text, f"{marker!r} missing from {variant.filename}: {text[:300]!r}"


def test_pptx_slides_are_pages_headed_by_their_titles() -> None:
    from tests.data.files.variants import make_pptx

    extraction = extract_bytes(make_pptx([("One", "first", "n1"), ("Two", "second", "n2")]), "d.pptx")
    assert [(s.page, s.heading) for s in extraction.sections] == [(1, "One"), (2, "Two")]
    assert "Notes: n2" in extraction.sections[1].text


def test_a_damaged_word_97_file_fails_with_a_reason() -> None:
    with pytest.raises(ExtractionFailed, match=r"damaged|OLE2"):
        extract_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2000, "old.doc")


def test_an_outlook_message_is_found_by_its_contents_under_any_name() -> None:
    from tests.data.files.cfb import make_msg

    data = make_msg("Quay repairs", "The QUAY-ORCHID estimate.", "Lukas Berg", "Mara")
    assert "QUAY-ORCHID" in extract_bytes(data, "attachment-1").text  # no suffix: the OLE2 streams say .msg
