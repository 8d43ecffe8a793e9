"""The timeline plot: a readable PNG with the emotions' fixed colours, also for videos without faces."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
from PIL import Image
from test_video import face, run

from emotool.plot import EMOTION_COLORS, plot_timeline


def _has_colour(img: np.ndarray, hex_colour: str, tol: int = 12, min_pixels: int = 30) -> bool:
    rgb = np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)])
    close = np.abs(img[..., :3].astype(int) - rgb).max(axis=-1) <= tol
    return int(close.sum()) >= min_pixels


def test_timeline_png_shows_each_track_and_emotion(tmp_path):
    frames = []
    for i in range(40):
        fr = [face(200, 240, 100, "happiness" if i < 20 else "sadness")]
        if i < 30:
            fr.append(face(500, 240, 100, "anger"))
        frames.append(fr)
    reading = run(frames)
    out = plot_timeline(reading, tmp_path / "sub" / "timeline.png")
    assert out.exists() and out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    img = np.asarray(Image.open(out).convert("RGB"))
    h, w = img.shape[:2]
    assert w >= 1000 and h >= 500  # two panels
    for emotion in ("happiness", "sadness", "anger"):
        assert _has_colour(img, EMOTION_COLORS[emotion]), emotion
    # the transition is drawn as a dark dashed line
    assert (img.max(axis=-1) < 40).sum() > 500


def test_timeline_of_a_video_without_faces(tmp_path):
    reading = run([[] for _ in range(6)])
    out = plot_timeline(reading, tmp_path / "empty.png")
    img = np.asarray(Image.open(out).convert("RGB"))
    assert img.shape[0] > 200
    assert not _has_colour(img, EMOTION_COLORS["happiness"], min_pixels=2000)


def test_colours_are_distinct_and_cover_every_emotion():
    from emotool.labels import EMOTIONS

    assert set(EMOTION_COLORS) == set(EMOTIONS)
    assert len(set(EMOTION_COLORS.values())) == len(EMOTIONS)


def test_plot_module_is_light_and_leaves_pyplot_alone(tmp_path):
    code = (
        "import sys; sys.path.insert(0, 'tests'); import emotool.plot as p; "
        "assert 'matplotlib' not in sys.modules; "
        "from test_video import run, face; "
        "r = run([[face(200, 240, 100, 'fear')] for _ in range(5)]); "
        f"p.plot_timeline(r, {str(tmp_path / 'x.png')!r}); "
        "assert 'matplotlib.pyplot' not in sys.modules; print('ok')"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=str(_root()))
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def _root():
    from pathlib import Path

    return Path(__file__).resolve().parents[1]
