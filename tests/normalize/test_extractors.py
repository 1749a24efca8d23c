"""Every extractor on realistic documents built by the formats' own writers (or by hand for PDF)."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.normalize.extract import (
    EXTRACTORS,
    EncryptedDocument,
    ExtractionFailed,
    ExtractLimits,
    Unsupported,
    choose_extractor,
    extract_bytes,
    extract_file,
    load_extractor,
)
from tests.data.files.corpus import (
    PROSE,
    build_corpus,
    encrypt_pdf,
    make_docx,
    make_eml,
    make_epub,
    make_odt,
    make_pdf,
    make_rtf,
)

LIMITS = ExtractLimits()


def test_every_table_entry_loads() -> None:
    for _key, target in EXTRACTORS:
        assert callable(load_extractor(target))


def test_corpus_markers_come_through(tmp_path: Path) -> None:
    docs = build_corpus(tmp_path)
    assert len(docs) >= 16
    for doc in docs:
        result = extract_file(tmp_path / doc.name, LIMITS)
        assert doc.marker in result.text, doc.name
        if doc.page is not None:
            assert [s.page for s in result.sections if doc.marker in s.text] == [doc.page]
        if doc.title is not None:
            assert result.title == doc.title, doc.name


def test_pdf_pages_metadata_and_scanned_pages() -> None:
    data = make_pdf([PROSE, "Page two: Grüße “quoted” TANGERINE", None, "page four"], title="Annual report",
                    author="Mara Lindqvist")
    result = extract_bytes(data, "report.pdf", LIMITS)
    assert [s.page for s in result.sections] == [1, 2, 4]
    assert "Grüße “quoted”" in result.sections[1].text
    assert result.pages == 4
    assert result.image_only_pages == (3,)
    assert any("without readable text" in n and "3" in n for n in result.notes)  # OCR found no words on it
    assert result.title == "Annual report"
    assert result.meta["author"] == "Mara Lindqvist"
    assert result.meta["date"].startswith("2024-03-15T09:30:00")


def test_encrypted_pdf_without_password_is_recorded_not_indexed() -> None:
    locked = encrypt_pdf(make_pdf(["secret minutes"]), user_password="hunter2")
    with pytest.raises(EncryptedDocument, match="encrypted, not indexed"):
        extract_bytes(locked, "locked.pdf", LIMITS)


def test_pdf_with_only_an_owner_password_opens() -> None:
    restricted = encrypt_pdf(make_pdf(["printing restricted but readable KESTREL"]), user_password="")
    assert "KESTREL" in extract_bytes(restricted, "restricted.pdf", LIMITS).text


def test_docx_structure_tables_headers_footers() -> None:
    data = make_docx("Proposal", ["intro", "The VERMILION budget", "third", "fourth paragraph"],
                     table=[["Name", "Role"], ["Ines", "Lead"]], header="Confidential draft",
                     footer="Footer line 7")
    result = extract_bytes(data, "p.docx", LIMITS)
    headings = [s.heading for s in result.sections]
    assert headings[:2] == ["Proposal", "Proposal › Part 1"]
    assert "Name | Role\nInes | Lead" in result.text
    assert ("header", "Confidential draft") in [(s.heading, s.text) for s in result.sections]
    assert ("footer", "Footer line 7") in [(s.heading, s.text) for s in result.sections]
    assert result.title == "Proposal"
    assert result.meta["author"] == "Mara Lindqvist"


def test_odt_headings_and_table_in_order() -> None:
    data = make_odt("Minutes", ["a", "Decision CERULEAN", "c", "d"], table=[["Who", "What"], ["Ben", "Catering"],
                                                                             ["Cy", "Music"]])
    result = extract_bytes(data, "m.odt", LIMITS)
    assert result.title == "Minutes"
    assert [s.heading for s in result.sections] == ["Minutes", "Minutes › Part 1"]
    assert "Who | What\nBen | Catering\nCy | Music" in result.text


def test_epub_chapters_in_reading_order() -> None:
    data = make_epub("The Keeper", [("Chapter One", "first chapter text"), ("Chapter Two", "second JUNIPER")])
    result = extract_bytes(data, "b.epub", LIMITS)
    assert result.title == "The Keeper"
    assert [s.heading for s in result.sections] == ["Chapter One", "Chapter Two"]
    assert result.meta["author"] == "Ines Okafor"


def test_rtf_code_page_and_unicode_escapes() -> None:
    result = extract_bytes(make_rtf(["Dear Ms Lindqvist,", "café “quoted” — 日本 done."]), "l.rtf", LIMITS)
    assert "café “quoted” — 日本 done." in result.text
    assert result.title == "Quarterly notes"
    assert "{" not in result.text and "\\" not in result.text


def test_eml_headers_body_and_attachments() -> None:
    data = make_eml("Angebot für die Mauer", "Hallo Mara,\n\nGrüße, AMBER.\n\nLukas",
                    attachments=[("quote.pdf", make_pdf(["Quote"]), "application/pdf"),
                                 ("photo.jpg", b"\xff\xd8\xff" + bytes(3000), "image/jpeg")],
                    charset="iso-8859-1")
    result = extract_bytes(data, "m.eml", LIMITS)
    assert result.title == "Angebot für die Mauer"
    by_heading = {s.heading: s.text for s in result.sections}
    assert "From: Lukas Brenner <lukas@example.org>" in by_heading["headers"]
    assert "Grüße, AMBER." in by_heading["body"]
    assert "quote.pdf (application/pdf" in by_heading["attachments"]
    assert "photo.jpg (image/jpeg, 3 KB)" in by_heading["attachments"]
    assert result.meta["date"] == "2024-03-12T14:05:00+01:00"


def test_eml_html_only_body_is_readable_text() -> None:
    from email.message import EmailMessage

    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "a@example.org", "b@example.org", "html"
    msg.set_content("<html><body><style>p{}</style><p>Hello <b>rich</b> body</p></body></html>", subtype="html")
    result = extract_bytes(bytes(msg), "h.eml", LIMITS)
    body = [s.text for s in result.sections if s.heading == "body"]
    assert body == ["Hello rich body"]


def test_html_readable_text_only() -> None:
    html = (b"<!doctype html><html><head><title>T</title><meta charset='windows-1252'><style>.x{color:red}</style>"
            b"<script>var leaked = 'SCRIPTMARK';</script></head><body><nav><a href='/'>Home</a> NAVMARK</nav>"
            b"<h1>Main</h1><p>Caf\xe9 <b>bold</b> &amp; <a href='x'>link</a>.</p><h2>Sub</h2><table><tr><td>a</td>"
            b"<td>b</td></tr></table><ul><li>one</li><li>two</li></ul><pre>  keep\n    indent</pre></body></html>")
    result = extract_bytes(html, "p.html", LIMITS)
    text = result.text
    assert "SCRIPTMARK" not in text and "NAVMARK" not in text and "color" not in text
    assert "<" not in text
    assert "Café bold & link." in text
    assert [s.heading for s in result.sections] == ["Main", "Main › Sub"]
    assert "a | b" in text and "- one\n- two" in text and "  keep\n    indent" in text


def test_html_deep_nesting_does_not_blow_the_stack() -> None:
    html = b"<html><body>" + b"<div>" * 100_000 + b"DEEPMARK" + b"</div>" * 100_000 + b"</body></html>"
    assert "DEEPMARK" in extract_bytes(html, "deep.html", LIMITS).text


def test_markdown_headings_front_matter_and_code_fences() -> None:
    md = (b"---\ntitle: Garden plan\ntags: [x]\n---\nIntro line.\n\n# Beds\n\ntext\n\n## Tomatoes\n\n"
          b"```\n# comment, not a heading\n```\n\nSetext\n------\n\nmore\n")
    result = extract_bytes(md, "plan.md", LIMITS)
    assert result.title == "Garden plan"
    assert [s.heading for s in result.sections] == [None, "Beds", "Beds › Tomatoes", "Beds › Setext"]
    assert "# comment, not a heading" in result.text
    assert "tags:" not in result.text


def test_csv_header_aware_and_bounded() -> None:
    rows = "Name;Email;City\n" + "".join(f"Person {i};p{i}@example.org;Köln\n" for i in range(100))
    result = extract_bytes(rows.encode("cp1252"), "people.csv", ExtractLimits(max_rows=50))
    assert result.sections[0].text == "Columns: Name, Email, City"
    assert "Name: Person 0; Email: p0@example.org; City: Köln" in result.text
    assert "Person 49" in result.text and "Person 50" not in result.text
    assert any("first 50 rows" in n for n in result.notes)
    assert result.sections[1].heading == "rows 2–41"


def test_csv_without_header_and_tsv() -> None:
    assert "1 | 2 | 3" in extract_bytes(b"1,2,3\n4,5,6\n", "n.csv", LIMITS).text
    tsv = extract_bytes(b"Item\tCount\nbolts\t120\n", "inv.tsv", LIMITS)
    assert "Item: bolts; Count: 120" in tsv.text


def test_text_keeps_its_encoding_note_and_code_is_text() -> None:
    result = extract_bytes("Smart “quotes” 5 €".encode("cp1252"), "w.txt", LIMITS)
    assert result.text == "Smart “quotes” 5 €"
    assert result.meta["encoding"] == "cp1252"
    code = extract_bytes(b"def f():\n    return 1\n", "tool.py", LIMITS)
    assert code.mime == "text/x-python" and "return 1" in code.text


def test_unknown_suffix_is_sniffed() -> None:
    assert choose_extractor("README", b"plain words") .endswith("text:extract")
    assert choose_extractor("scan", b"%PDF-1.4\n").endswith("pdf:extract")
    assert choose_extractor("blob.dat", b"\x89PNG\r\n\x1a\n" + bytes(range(256))).endswith("image:extract")  # OCR'd
    with pytest.raises(Unsupported, match="binary"):
        choose_extractor("blob.dat", b"\x7fELF\x02\x01\x01" + bytes(range(256)))
    with pytest.raises(Unsupported, match="binary"):
        choose_extractor("notes.txt", b"\x7fELF\x02\x01\x01" + bytes(500))


def test_text_budget_cuts_with_a_note() -> None:
    result = extract_bytes(("word " * 10_000).encode(), "big.txt", ExtractLimits(max_chars=1000))
    assert len(result.text) <= 1000
    assert any("cut at 1,000" in n for n in result.notes)


def test_wrong_content_under_a_document_suffix_fails_clearly() -> None:
    for name in ("x.pdf", "x.docx", "x.odt", "x.epub", "x.rtf"):
        with pytest.raises(ExtractionFailed) as info:
            extract_bytes(b"this is not that format at all", name, LIMITS)
        assert info.value.reason
