"""Real video tests: videos composed from real photos, read by the real FacePipeline through
emotool.media, in every container emotool accepts.

faces-dev (../shared/data) gives labelled photos of real expressions; scikit-image gives the
photos a fresh clone has. Each video is a few seconds of slow pans and zooms over the photos.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from emotool.media import MediaPolicy, write_video
from emotool.schema import FaceTrack, VideoReading

pytestmark = pytest.mark.real

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
IMAGES = SHARED / "faces-dev" / "images"
# the same person (Venus Williams) smiling and sad, labelled so in faces-dev
HAPPY, SAD = "Venus_Williams_0014.jpg", "Venus_Williams_0005.jpg"
OTHER = "George_Lopez_0001.jpg"  # a second person (labelled surprise)


@pytest.fixture(scope="module")
def pipeline():
    from emotool.errors import AssetMissing
    from emotool.perception.pipeline import FacePipeline

    try:
        pipe = FacePipeline()
        pipe.analyze(np.full((120, 160, 3), 127, np.uint8))
    except AssetMissing as e:
        pytest.skip(f"embedded models not installed ({e})")
    return pipe


@pytest.fixture(scope="module")
def photos() -> dict[str, np.ndarray]:
    if not IMAGES.is_dir():
        pytest.skip(f"real data not found: expected faces-dev images at {IMAGES} (../shared/data)")
    from PIL import Image

    return {n: np.asarray(Image.open(IMAGES / n).convert("RGB")) for n in (HAPPY, SAD, OTHER)}


def framed(photo: np.ndarray, aspect: float = 4 / 3, margin: float = 0.35) -> np.ndarray:
    """Set a tight face photo in a wider, softly blurred surround (so a camera can pan over it)."""
    import cv2

    h, w = photo.shape[:2]
    ph = int(h * margin)
    pw = max(int(w * margin), int((h + 2 * ph) * aspect - w) // 2)
    big = cv2.copyMakeBorder(photo, ph, ph, pw, pw, cv2.BORDER_REPLICATE)
    bg = cv2.GaussianBlur(big, (0, 0), sigmaX=w / 8)
    bg[ph : ph + h, pw : pw + w] = photo
    return bg


def read(pipeline, path: Path, fps: float | None = None) -> VideoReading:
    from emotool.video import DEFAULT_FPS, analyze_video

    return analyze_video(
        path, pipeline, policy=MediaPolicy(allowed_roots=[path.parent]), fps=fps or DEFAULT_FPS
    )


def main_track(r: VideoReading) -> FaceTrack:
    assert r.tracks, r.reasoning
    return r.tracks[0]


def happy_sad_frames(photos, size, fps, seconds=4.0):
    from emotool.samples import Shot, compose

    shots = [
        Shot(framed(photos[HAPPY]), seconds, zoom=(1.2, 1.5), centre=((0.45, 0.5), (0.55, 0.45))),
        Shot(framed(photos[SAD]), seconds, zoom=(1.5, 1.25), centre=((0.55, 0.45), (0.45, 0.5))),
    ]
    return compose(shots, size, fps)


@pytest.mark.slow
@pytest.mark.parametrize("ext", [".mp4", ".webm", ".avi", ".mov", ".gif"])
def test_happy_to_sad_cut_is_a_transition_at_the_cut(pipeline, photos, tmp_path, ext):
    fps, size = (10.0, (320, 240)) if ext == ".gif" else (25.0, (640, 480))
    path = write_video(tmp_path / f"happy_sad{ext}", happy_sad_frames(photos, size, fps), fps)
    r = read(pipeline, path)
    assert r.face_found and r.duration_s == pytest.approx(8.0, abs=0.2)
    tr = main_track(r)
    assert len(tr.points) >= 0.8 * r.frames_analyzed, "the face should be tracked through the cut"
    assert tr.segments[0].label == "happiness", tr.segments
    assert tr.segments[-1].label == "sadness", tr.segments
    assert any(t.from_label == "happiness" and abs(t.t - 4.0) <= 0.75 for t in tr.transitions), tr.transitions
    # the raw per-frame readings agree on each side of the cut
    before = [p for p in tr.points if p.t < 3.5]
    after = [p for p in tr.points if p.t > 4.5]
    assert np.mean([p.scores.top() == "happiness" for p in before]) >= 0.8
    assert np.mean([p.scores.top() == "sadness" for p in after]) >= 0.6
    assert r.transitions == tr.transitions
    assert "happiness" in r.reasoning and "sadness" in r.reasoning


def test_two_faces_side_by_side_keep_two_ids(pipeline, photos, tmp_path):
    from emotool.samples import Shot, compose, side_by_side

    pair = side_by_side(photos[HAPPY], photos[OTHER], (640, 480))
    shot = Shot(pair, 5.0, zoom=(1.0, 1.1), centre=((0.5, 0.5), (0.5, 0.45)))
    path = write_video(tmp_path / "two.mp4", compose([shot], (640, 480), 25.0), 25.0)
    r = read(pipeline, path)
    assert len(r.tracks) == 2, [(t.track_id, len(t.points)) for t in r.tracks]
    for tr in r.tracks:
        assert len(tr.points) >= 0.9 * r.frames_analyzed
    left, right = sorted(r.tracks, key=lambda t: t.points[0].box.x)
    # frame by frame, the left face stays left of the right one (no id swaps)
    rx = {p.frame_index: p.box.x for p in right.points}
    assert all(p.box.x + p.box.width <= rx[p.frame_index] for p in left.points if p.frame_index in rx)
    assert left.label == "happiness"
    assert {left.track_id, right.track_id} == {0, 1}
    assert len({c.face_id for c in r.cues if c.kind == "face"}) == 2


def test_two_faces_crossing_paths_keep_their_ids(pipeline, photos, tmp_path):
    import cv2

    w, h, n, fps = 640, 480, 100, 25.0
    a = cv2.resize(photos[HAPPY], (200, 200))
    b = cv2.resize(photos[OTHER], (200, 200))

    def frames():
        for i in range(n):
            u = i / (n - 1)
            img = np.full((h, w, 3), 110, np.uint8)
            xa, xb = int(20 + u * 400), int(420 - u * 400)
            img[20:220, xa : xa + 200] = a  # upper face walks right
            img[260:460, xb : xb + 200] = b  # lower face walks left
            yield img

    path = write_video(tmp_path / "cross.mp4", frames(), fps)
    r = read(pipeline, path)
    assert len(r.tracks) == 2, [(t.track_id, len(t.points)) for t in r.tracks]
    for tr in r.tracks:
        assert len(tr.points) >= 0.9 * r.frames_analyzed
        ys = {p.box.y < h / 2 for p in tr.points}
        assert len(ys) == 1, "a track jumped between the two faces"
        xs = [p.box.x for p in tr.points]
        assert xs[-1] - xs[0] > 300 or xs[0] - xs[-1] > 300
    upper = next(t for t in r.tracks if t.points[0].box.y < h / 2)
    assert upper.label == "happiness"


def test_sample_video_from_scikit_image_photos(pipeline, tmp_path):
    pytest.importorskip("skimage")
    from emotool.plot import plot_timeline
    from emotool.samples import sample_video

    path = sample_video(tmp_path / "expressions.mp4", seconds=12.0)
    r = read(pipeline, path)
    assert r.face_found
    tr = main_track(r)
    assert len(tr.points) >= 0.8 * r.frames_analyzed
    # the astronaut smiles in the first and third quarters
    first = [p for p in tr.points if p.t < 2.5]
    third = [p for p in tr.points if 6.5 < p.t < 8.5]
    assert np.mean([p.smoothed.top() == "happiness" for p in first]) >= 0.8
    assert np.mean([p.smoothed.top() == "happiness" for p in third]) >= 0.8
    # smiling astronaut, serious face, astronaut, shouting face: three cuts, at 3, 6 and 9 s
    assert [s.label for s in tr.segments] == ["happiness", "neutral", "happiness", "anger"], tr.segments
    for t, cut in zip(tr.transitions, (3.0, 6.0, 9.0), strict=True):
        assert abs(t.t - cut) <= 0.75, tr.transitions
    png = plot_timeline(r, tmp_path / "timeline.png")
    assert png.stat().st_size > 20_000


def test_two_face_sample_video_has_two_tracks(pipeline, tmp_path):
    pytest.importorskip("skimage")
    from emotool.samples import two_face_video

    r = read(pipeline, two_face_video(tmp_path / "two_faces.mp4", seconds=4.0))
    assert len(r.tracks) == 2, [(t.track_id, len(t.points)) for t in r.tracks]
    left = min(r.tracks, key=lambda t: t.points[0].box.x)
    assert left.label == "happiness"  # the astronaut


def test_video_of_photos_without_faces(pipeline, tmp_path):
    skdata = pytest.importorskip("skimage.data")
    from emotool.samples import Shot, compose

    shots = [Shot(skdata.coffee(), 2.0), Shot(skdata.rocket(), 2.0), Shot(skdata.chelsea(), 2.0)]
    path = write_video(tmp_path / "no_face.webm", compose(shots, (640, 480), 25.0), 25.0)
    r = read(pipeline, path)
    assert not r.face_found, r.reasoning
    assert r.frames_analyzed >= 10 and r.label is None and r.tracks == []
