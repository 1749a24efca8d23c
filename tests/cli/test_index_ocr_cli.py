"""`cairn index` on a folder of images and scans, in a fresh process: OCR page progress on stderr, quiet with --json."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import TEST_PASSPHRASE
from tests.data.files.images import scanned_pdf, text_image
from tests.normalize.test_image_ocr import _png

ROOT = Path(__file__).resolve().parents[2]


def test_index_reports_ocr_pages_and_refuses_hostile_images(tmp_path: Path) -> None:
    env = {**os.environ, "CAIRN_HOME": str(tmp_path / "home"), "CAIRN_PASSPHRASE": TEST_PASSPHRASE}

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "app.cli", *args], env=env, cwd=ROOT, capture_output=True,
                              text=True, timeout=300)

    docs = tmp_path / "docs"
    docs.mkdir()
    words = tuple(f"page{n}" for n in range(12))
    (docs / "scan.pdf").write_bytes(scanned_pdf(words))
    (docs / "receipt.png").write_bytes(text_image(["Pelican receipt for the kayak rental"]))
    (docs / "bomb.png").write_bytes(_png(100_000, 100_000))
    assert cli("init", "--no-keyring").returncode == 0
    # stderr is a pipe: a line for the first, every tenth and the last page of a many-page file
    run = cli("index", str(docs), "--no-embed")
    assert run.returncode == 3, run.stderr  # the bomb failed, with its reason
    lines = [line for line in run.stderr.splitlines() if "OCR page" in line]
    assert lines == ["scan.pdf: OCR page 1 of 12", "scan.pdf: OCR page 10 of 12", "scan.pdf: OCR page 12 of 12"]
    assert "2 indexed" in run.stdout and "bomb.png: image refused" in run.stdout and "decompression bomb" in run.stdout
    hit = cli("search", "harbour", "--json", "--no-time-parse")
    assert json.loads(hit.stdout.splitlines()[0])["external_id"].endswith("scan.pdf")
    # --json: one object on stdout, no progress lines anywhere
    (docs / "scan2.pdf").write_bytes(scanned_pdf(words[:3]))
    quiet = cli("index", str(docs), "--no-embed", "--json")
    summary = json.loads(quiet.stdout)
    assert summary["indexed"] == 1 and summary["unchanged"] == 2
    assert [f["path"].rsplit("/", 1)[-1] for f in summary["failed"]] == ["bomb.png"]
    assert "OCR page" not in quiet.stderr and "OCR page" not in quiet.stdout
