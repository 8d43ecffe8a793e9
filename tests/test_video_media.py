"""analyze_video end to end through emotool.media (real decoding of real containers) with a
colour-blob fake analyser, and the sample media made from scikit-image's photos."""

from __future__ import annotations

import itertools
import sys

import numpy as np
import pytest

from emotool.errors import BackendUnavailable
from emotool.labels import EMOTIONS
from emotool.media import MediaPolicy, open_video, write_video
from emotool.perception.types import Detection, FaceResult, FrameResult
from emotool.video import analyze_video

W, H = 320, 240
RED, BLUE = (230, 30, 30), (30, 30, 230)


def blob_frames(seconds: float, fps: float, cut: float, moving: bool = True):
    """A grey frame with one coloured square that moves: red before ``cut``, blue after."""
    for i in range(int(seconds * fps)):
        t = i / fps
        img = np.full((H, W, 3), 128, np.uint8)
        x = int(60 + (100 * t / seconds if moving else 0))
        img[80:160, x : x + 80] = RED if t < cut else BLUE
        yield img


def blob_analyzer(rgb: np.ndarray) -> FrameResult:
    """Finds saturated red (reads as happiness) or blue (sadness) squares."""
    faces = []
    for colour, label in ((0, "happiness"), (2, "sadness")):
        other = [c for c in range(3) if c != colour]
        mask = (rgb[..., colour].astype(int) > 170) & (rgb[..., other].astype(int).max(axis=-1) < 90)
        if mask.sum() > 400:
            ys, xs = np.nonzero(mask)
            det = Detection(float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max()), 0.95, "blob")
            p = np.full(len(EMOTIONS), 0.1 / 6)
            p[EMOTIONS.index(label)] = 0.9
            faces.append(FaceResult(det, p, confidence=0.9))
    return FrameResult(rgb.shape[1], rgb.shape[0], faces, detector="blob", classifiers=["blob"])


@pytest.mark.parametrize("ext", [".mp4", ".webm", ".avi", ".mov", ".gif"])
def test_analyze_video_through_each_container(tmp_path, ext):
    fps = 10.0 if ext == ".gif" else 25.0
    path = write_video(tmp_path / f"blob{ext}", blob_frames(6.0, fps, cut=3.0), fps)
    reading = analyze_video(path, blob_analyzer, policy=MediaPolicy(allowed_roots=[tmp_path]), fps=4)
    assert reading.face_found
    assert reading.sample_fps == 4
    assert reading.duration_s == pytest.approx(6.0, abs=0.15)
    assert 22 <= reading.frames_analyzed <= 26
    assert len(reading.tracks) == 1, [len(t.points) for t in reading.tracks]
    assert [s.label for s in reading.segments] == ["happiness", "sadness"]
    assert reading.transitions[0].t == pytest.approx(3.0, abs=0.3)
    assert reading.models[0].name == "blob"
    assert reading.source.endswith(f"blob{ext}")


def test_analyze_video_caps_the_rate_at_the_native_one(tmp_path):
    path = write_video(tmp_path / "slow.mp4", blob_frames(3.0, 5.0, cut=10), 5.0)
    reading = analyze_video(path, blob_analyzer, policy=MediaPolicy(allowed_roots=[tmp_path]), fps=30)
    assert reading.sample_fps == 5.0
    assert reading.frames_analyzed == 15
    assert reading.transitions == []


def test_analyze_video_accepts_an_object_with_analyze(tmp_path):
    class Pipe:
        def analyze(self, rgb):
            return blob_analyzer(rgb)

    path = write_video(tmp_path / "a.avi", blob_frames(2.0, 10.0, cut=10), 10.0)
    reading = analyze_video(path, Pipe(), policy=MediaPolicy(allowed_roots=[tmp_path]), fps=5)
    assert reading.label == "happiness"


def test_analyze_video_without_faces(tmp_path):
    frames = (np.full((H, W, 3), 90, np.uint8) for _ in range(20))
    path = write_video(tmp_path / "grey.mp4", frames, 10.0)
    reading = analyze_video(path, blob_analyzer, policy=MediaPolicy(allowed_roots=[tmp_path]), fps=5)
    assert not reading.face_found and reading.frames_analyzed == 10 and reading.label is None


def test_analyze_video_refuses_paths_outside_the_policy(tmp_path):
    from emotool.errors import AccessDenied

    inside = tmp_path / "in"
    inside.mkdir()
    path = write_video(tmp_path / "out.mp4", blob_frames(1.0, 10.0, cut=10), 10.0)
    with pytest.raises(AccessDenied):
        analyze_video(path, blob_analyzer, policy=MediaPolicy(allowed_roots=[inside]))


# ----------------------------------------------------------------------------- samples


def test_sample_image_is_the_astronaut_jpeg(tmp_path):
    pytest.importorskip("skimage")
    from PIL import Image

    from emotool.samples import sample_image

    p = sample_image(tmp_path / "a" / "astronaut.jpg")
    with Image.open(p) as im:
        assert im.format == "JPEG" and im.size == (512, 512)


@pytest.mark.parametrize("ext", [".mp4", ".gif"])
def test_sample_video_has_the_asked_size_and_length(tmp_path, ext):
    pytest.importorskip("skimage")
    from emotool.samples import sample_video

    # GIF encoding (palette per frame) is slow: a smaller, slower one
    fps, size = (10, (160, 120)) if ext == ".gif" else (30, (320, 240))
    p = sample_video(tmp_path / f"s{ext}", seconds=4, size=size, fps=fps)
    with open_video(p, MediaPolicy(allowed_roots=[tmp_path])) as v:
        assert (v.width, v.height) == size
        assert v.duration_s == pytest.approx(4.0, abs=0.1)
        frames = [rgb for _, _, rgb in v.frames(2)]
    # the camera moves: consecutive samples within one shot differ, and the shots differ a lot
    assert len(frames) == 8
    diffs = [float(np.abs(a.astype(int) - b.astype(int)).mean()) for a, b in itertools.pairwise(frames)]
    assert min(diffs) > 0.5
    assert max(diffs) > 20  # a cut between photos
    assert frames[0].std(axis=2).mean() > 10  # the astronaut in colour
    assert frames[2].std(axis=2).mean() < 5  # the lfw face in grey


def test_two_face_video_and_write_samples(tmp_path):
    pytest.importorskip("skimage")
    from emotool.samples import write_samples

    paths = write_samples(tmp_path / "samples")
    assert [p.name for p in paths] == ["astronaut.jpg", "expressions.mp4", "two_faces.mp4"]
    assert all(p.stat().st_size > 10_000 for p in paths)


def test_samples_without_scikit_image_name_the_extra(monkeypatch, tmp_path):
    import emotool.samples as samples

    monkeypatch.setitem(sys.modules, "skimage", None)
    with pytest.raises(BackendUnavailable, match=r"emotool\[samples\]"):
        samples.sample_image(tmp_path / "x.jpg")
