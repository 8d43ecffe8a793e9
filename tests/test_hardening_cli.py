"""The command line as a person uses it (issue 10): typed paths, no native chatter, right messages."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from emotool.cli import main


def test_transcribe_a_picture_or_text_says_what_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("av")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "text.jpg").write_text("shopping list: eggs, milk")
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(tmp_path / "photo.jpg")
    assert main(["transcribe", "text.jpg"]) == 1
    err = capsys.readouterr().err
    assert "not audio or video" in err and "looks like text" in err and "video streams" not in err
    assert main(["transcribe", "photo.jpg"]) == 1
    err = capsys.readouterr().err
    assert "is a picture (jpeg), not audio" in err


@pytest.mark.real
def test_analyze_typed_absolute_path_from_elsewhere_without_native_chatter(tmp_path: Path) -> None:
    photos = tmp_path / "photos"
    photos.mkdir()
    Image.fromarray(np.full((64, 64, 3), 90, np.uint8)).save(photos / "grey.png")
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    proc = subprocess.run(
        [sys.executable, "-m", "emotool.cli", "analyze", str(photos / "grey.png"), "--json"],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert proc.returncode == 0, proc.stderr
    assert '"source":"grey.png"' in proc.stdout  # a typed path is the person's own
    assert "XNNPACK" not in proc.stderr and "XNNPACK" not in proc.stdout
    assert proc.stderr.strip() == ""
