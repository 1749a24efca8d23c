"""The extraction sandbox: real worker processes, real limits, real crashes."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.normalize.extract import ExtractionFailed, ExtractionOutOfMemory, ExtractionTimeout, ExtractLimits
from core.normalize.sandbox import ExtractionSandbox, extract_in_sandbox
from tests.data.files.corpus import PROSE, make_pdf

H = "tests.normalize.sandbox_helpers:"


@pytest.fixture()
def sandbox() -> Iterator[ExtractionSandbox]:
    with ExtractionSandbox(ExtractLimits(timeout_s=20, memory_bytes=768 * 2**20), workers=1) as box:
        yield box


def test_extracts_a_pdf_with_pages(sandbox: ExtractionSandbox) -> None:
    result = sandbox.extract(make_pdf([PROSE, "page two says OSPREY"]), "r.pdf")
    assert [s.page for s in result.sections] == [1, 2]
    assert "OSPREY" in result.sections[1].text


def test_timeout_kills_the_worker_and_the_next_file_works(sandbox: ExtractionSandbox) -> None:
    first = sandbox.extract(b"x", "a.txt", target=H + "echo_pid").text
    with pytest.raises(ExtractionTimeout, match=r"timed out after 1\.5 s"):
        sandbox.extract(b"x", "slow.txt", ExtractLimits(timeout_s=1.5), target=H + "sleep_forever")
    second = sandbox.extract(b"x", "a.txt", target=H + "echo_pid").text
    assert first != second  # a fresh worker replaced the killed one
    assert sandbox.extract(b"plain words", "ok.txt").text == "plain words"


def test_memory_limit_stops_a_runaway_allocation(sandbox: ExtractionSandbox) -> None:
    with pytest.raises(ExtractionOutOfMemory, match="exceeded 768 MiB memory"):
        sandbox.extract(b"x", "bomb.bin", target=H + "allocate_forever")
    assert sandbox.extract(b"still alive", "ok.txt").text == "still alive"


def test_a_crashing_extractor_is_a_reason_not_a_crash(sandbox: ExtractionSandbox) -> None:
    with pytest.raises(ExtractionFailed, match="SIGSEGV"):
        sandbox.extract(b"x", "crash.bin", target=H + "segfault")
    assert sandbox.extract(b"after the crash", "ok.txt").text == "after the crash"


def test_workers_cannot_write_files(sandbox: ExtractionSandbox, tmp_path: Path) -> None:
    target = tmp_path / "leak.txt"
    result = sandbox.extract(b"SECRET PLAINTEXT", str(target), target=H + "write_file")
    assert result.text.startswith("refused")
    assert not target.exists() or target.read_bytes() == b""


def test_concurrent_callers_share_the_pool(tmp_path: Path) -> None:
    texts: list[str] = []
    errors: list[BaseException] = []
    with ExtractionSandbox(ExtractLimits(timeout_s=30), workers=2) as box:
        def work(i: int) -> None:
            try:
                texts.append(box.extract(f"document number {i}".encode(), f"{i}.txt").text)
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert not errors
    assert sorted(texts) == sorted(f"document number {i}" for i in range(8))


def test_errors_from_extractors_cross_the_pipe_with_their_type(sandbox: ExtractionSandbox) -> None:
    with pytest.raises(ExtractionFailed, match="corrupt PDF"):
        sandbox.extract(b"%PDF-1.7\n" + b"\x00garbage" * 100, "bad.pdf")


def test_undecodable_file_names_travel(sandbox: ExtractionSandbox) -> None:
    name = b"caf\xe9.txt".decode("utf-8", "surrogateescape")
    result = sandbox.extract(b"x", name, target=H + "echo_pid")
    assert result.meta["name"] == "caf\ufffd.txt"  # sanitised on the way back


def test_one_shot_helper(tmp_path: Path) -> None:
    path = tmp_path / "note.md"
    path.write_text("# Title\n\nbody text\n", encoding="utf-8")
    assert extract_in_sandbox(path).title == "Title"


def test_closed_sandbox_refuses() -> None:
    box = ExtractionSandbox()
    box.close()
    with pytest.raises(ExtractionFailed, match="closed"):
        box.extract(b"x", "a.txt")
