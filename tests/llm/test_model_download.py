"""The model download path end to end against a real HTTP server on 127.0.0.1 serving a GGUF the test builds."""

from __future__ import annotations

import hashlib
import itertools
from pathlib import Path

import pytest

from core.llm.catalogue.download import (
    ChecksumMismatch,
    DownloadCancelled,
    DownloadError,
    DownloadInterrupted,
    NotEnoughDisk,
    download,
    published_sha256,
)
from core.llm.catalogue.entries import verified_size
from tests.llm.model_server import Hosted, model_server
from tests.llm.tiny_gguf import build_tiny_gguf


@pytest.fixture(scope="module")
def gguf_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return build_tiny_gguf(tmp_path_factory.mktemp("gguf") / "tiny.gguf").read_bytes()


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_a_good_file_arrives_verified_with_progress(tmp_path: Path, gguf_bytes: bytes) -> None:
    seen: list[tuple[int, int | None]] = []
    with model_server() as server:
        server.files["m.gguf"] = Hosted(gguf_bytes)
        path = download(server.url("m.gguf"), tmp_path / "m.gguf", progress=lambda d, t: seen.append((d, t)),
                        chunk_size=64 * 1024)
    assert path.read_bytes() == gguf_bytes
    assert verified_size(path) == len(gguf_bytes)
    assert not (tmp_path / "m.gguf.part").exists()
    assert seen[-1] == (len(gguf_bytes), len(gguf_bytes))
    assert len(seen) > 1 and all(a[0] < b[0] for a, b in itertools.pairwise(seen))


def test_a_truncated_transfer_keeps_the_part_and_the_next_call_resumes_with_a_range(
    tmp_path: Path, gguf_bytes: bytes
) -> None:
    half = len(gguf_bytes) // 2
    with model_server() as server:
        server.files["m.gguf"] = Hosted(gguf_bytes, cut_after=half)
        with pytest.raises(DownloadInterrupted, match="resume"):
            download(server.url("m.gguf"), tmp_path / "m.gguf", chunk_size=4096)
        part = tmp_path / "m.gguf.part"
        assert part.stat().st_size == half and not (tmp_path / "m.gguf").exists()
        server.files["m.gguf"].cut_after = None
        download(server.url("m.gguf"), tmp_path / "m.gguf", chunk_size=4096)
        ranges = [r for method, path, r in server.requests if method == "GET" and path.startswith("/cdn/")]
    assert ranges == [None, f"bytes={half}-"]
    assert (tmp_path / "m.gguf").read_bytes() == gguf_bytes


def test_cancel_keeps_the_part_and_resume_finishes_it(tmp_path: Path, gguf_bytes: bytes) -> None:
    chunks = {"n": 0}

    def stop_after_two() -> bool:
        chunks["n"] += 1
        return chunks["n"] > 2

    with model_server() as server:
        server.files["m.gguf"] = Hosted(gguf_bytes)
        with pytest.raises(DownloadCancelled, match="resumes"):
            download(server.url("m.gguf"), tmp_path / "m.gguf", should_stop=stop_after_two, chunk_size=8192)
        assert (tmp_path / "m.gguf.part").stat().st_size == 2 * 8192
        download(server.url("m.gguf"), tmp_path / "m.gguf", chunk_size=8192)
    assert (tmp_path / "m.gguf").read_bytes() == gguf_bytes


def test_a_wrong_published_checksum_deletes_the_download(tmp_path: Path, gguf_bytes: bytes) -> None:
    with model_server() as server:
        server.files["m.gguf"] = Hosted(gguf_bytes, published_sha256=_sha(b"another file"))
        with pytest.raises(ChecksumMismatch, match="failed verification"):
            download(server.url("m.gguf"), tmp_path / "m.gguf")
    assert list(tmp_path.iterdir()) == []


def test_the_catalogue_checksum_must_agree_with_the_host(tmp_path: Path, gguf_bytes: bytes) -> None:
    with model_server() as server:
        server.files["m.gguf"] = Hosted(gguf_bytes)
        with pytest.raises(ChecksumMismatch, match="differs"):
            download(server.url("m.gguf"), tmp_path / "m.gguf", sha256=_sha(b"x"))
        assert not [r for r in server.requests if r[0] == "GET"]
        download(server.url("m.gguf"), tmp_path / "m.gguf", sha256=_sha(gguf_bytes).upper())
    assert verified_size(tmp_path / "m.gguf") == len(gguf_bytes)


def test_no_checksum_anywhere_means_no_download(tmp_path: Path, gguf_bytes: bytes) -> None:
    with model_server() as server:
        server.files["m.gguf"] = Hosted(gguf_bytes, published_sha256="")
        with pytest.raises(DownloadError, match="no checksum"):
            download(server.url("m.gguf"), tmp_path / "m.gguf")
        download(server.url("m.gguf"), tmp_path / "m.gguf", sha256=_sha(gguf_bytes))  # the catalogue's is enough
    assert (tmp_path / "m.gguf").exists()


def test_too_little_free_disk_is_refused_before_downloading(tmp_path: Path, gguf_bytes: bytes) -> None:
    with model_server() as server:
        server.files["m.gguf"] = Hosted(gguf_bytes)
        with pytest.raises(NotEnoughDisk, match="free"):
            download(server.url("m.gguf"), tmp_path / "m.gguf", free_bytes=lambda folder: 1_000_000)
        assert not [r for r in server.requests if r[0] == "GET"]
    assert list(tmp_path.iterdir()) == []


def test_a_file_that_is_not_a_gguf_is_not_kept(tmp_path: Path) -> None:
    html = b"<html>Sign in to download</html>" * 100
    with model_server() as server:
        server.files["m.gguf"] = Hosted(html)
        with pytest.raises(DownloadError, match="not a GGUF"):
            download(server.url("m.gguf"), tmp_path / "m.gguf")
    assert list(tmp_path.iterdir()) == []


def test_a_server_without_ranges_makes_the_resume_start_over(tmp_path: Path, gguf_bytes: bytes) -> None:
    (tmp_path / "m.gguf.part").write_bytes(b"garbage that must not survive")
    with model_server() as server:
        server.files["m.gguf"] = Hosted(gguf_bytes, ranges=False)
        download(server.url("m.gguf"), tmp_path / "m.gguf")
    assert (tmp_path / "m.gguf").read_bytes() == gguf_bytes


def test_published_checksums_are_read_from_hugging_face_and_plain_etags() -> None:
    sha = "ab" * 32
    assert published_sha256({"X-Linked-Etag": f'"{sha}"'}) == sha
    assert published_sha256({"ETag": f'W/"{sha.upper()}"'}) == sha
    assert published_sha256({"ETag": '"5d41402abc4b2a76b9719d911017c592"'}) is None  # an md5 is not a sha256
