"""Children get an allow-listed environment: the hostile-file sandbox and tesseract never see the passphrase."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from core.normalize.extract import ExtractLimits
from core.normalize.ocr import TesseractOcr
from core.normalize.sandbox import ExtractionSandbox
from core.process_env import TELEMETRY_OFF, child_env

SECRETS = {
    "CAIRN_PASSPHRASE": "hunter2-passphrase",
    "CAIRN_NEW_PASSPHRASE": "hunter3-passphrase",
    "DBUS_SESSION_BUS_ADDRESS": "unix:path=/tmp/not-a-bus",
    "SSH_AUTH_SOCK": "/tmp/agent.sock",
    "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
}


@pytest.fixture()
def secret_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    yield


def _assert_clean(env_text: str) -> None:
    for name, value in SECRETS.items():
        assert name not in env_text and value not in env_text, name
    for name, value in TELEMETRY_OFF.items():
        assert f"{name}={value}" in env_text, name
    assert "PATH=" in env_text


def test_child_env_keeps_only_the_allow_list(secret_environment: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LC_TIME", "de_DE.UTF-8")
    env = child_env({"DISPLAY": ":42"})
    _assert_clean("\n".join(f"{k}={v}" for k, v in env.items()))
    assert env["LC_TIME"] == "de_DE.UTF-8" and env["DISPLAY"] == ":42"


def test_the_extraction_worker_does_not_inherit_the_passphrase(secret_environment: None) -> None:
    with ExtractionSandbox(ExtractLimits(timeout_s=30), workers=1) as box:
        text = box.extract(b"x", "a.txt", target="tests.normalize.sandbox_helpers:show_environment").text
    _assert_clean(text)


def test_tesseract_runs_with_the_allow_list(secret_environment: None, tmp_path: Path) -> None:
    import shutil

    real = shutil.which("tesseract")
    assert real, "tesseract is installed by scripts/setup.sh"
    dump = tmp_path / "env.txt"
    wrapper = tmp_path / "tesseract"
    wrapper.write_text(f'#!/bin/sh\nenv > "{dump}"\nexec "{real}" "$@"\n')
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    image = Image.new("L", (400, 80), 255)
    ImageDraw.Draw(image).text((10, 30), "HELLO WORLD", fill=0)
    TesseractOcr(tesseract_cmd=str(wrapper), backend="cli").recognize(image)
    _assert_clean(dump.read_text())
    assert os.environ["CAIRN_PASSPHRASE"] == SECRETS["CAIRN_PASSPHRASE"]  # the parent keeps its own
