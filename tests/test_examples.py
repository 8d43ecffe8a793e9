"""The examples run as a user would run them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.real
def test_analyze_folder_example_reads_photos_and_skips_bad_files(tmp_path: Path) -> None:
    from emotool.samples import sample_image

    sample_image(tmp_path / "astronaut.jpg")
    (tmp_path / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20)
    out = tmp_path / "readings.jsonl"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "analyze_folder.py"), str(tmp_path), str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 1  # one file was skipped
    assert "skipped broken.png" in proc.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == 1 and rows[0]["label"] == "happiness" and rows[0]["source"] == "astronaut.jpg"
