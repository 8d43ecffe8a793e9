"""Unit tests of video analysis: tracking, smoothing, segments, summaries (scripted fakes, no models)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from emotool.labels import EMOTIONS
from emotool.perception.types import Detection, FaceResult, FrameResult
from emotool.schema import VideoReading
from emotool.video import (
    Tracker,
    analyze_frames,
    assign,
    dominant_runs,
    iou,
    match_cost,
    smooth,
)

W, H = 640, 480


def probs(label: str, p: float = 0.8) -> np.ndarray:
    """A distribution with ``p`` on ``label`` and the rest spread evenly."""
    out = np.full(len(EMOTIONS), (1 - p) / (len(EMOTIONS) - 1))
    out[EMOTIONS.index(label)] = p
    return out


def face(cx: float, cy: float, size: float, label: str, p: float = 0.8, score: float = 0.99) -> FaceResult:
    det = Detection(cx - size / 2, cy - size / 2, cx + size / 2, cy + size / 2, score, "fake")
    return FaceResult(detection=det, probs=probs(label, p), confidence=p)


class Script:
    """A fake frame analyser: frame ``i`` (read from the first pixel) returns ``faces[i]``."""

    def __init__(self, faces: list[list[FaceResult]]) -> None:
        self.faces = faces
        self.calls = 0

    def __call__(self, rgb: np.ndarray) -> FrameResult:
        i = int(rgb[0, 0, 0]) * 256 + int(rgb[0, 0, 1])
        self.calls += 1
        return FrameResult(
            W,
            H,
            list(self.faces[i]),
            detect_ms=1.0,
            classify_ms=2.0,
            detector="fake",
            classifiers=["fakecls"],
        )

    def frames(self, fps: float) -> list[tuple[int, float, np.ndarray]]:
        out = []
        for i in range(len(self.faces)):
            rgb = np.zeros((4, 4, 3), np.uint8)
            rgb[0, 0, 0], rgb[0, 0, 1] = divmod(i, 256)
            out.append((round(i * 30 / fps), i / fps, rgb))
        return out


def run(faces: list[list[FaceResult]], fps: float = 4.0, **kw) -> VideoReading:
    script = Script(faces)
    return analyze_frames(
        script.frames(fps),
        script,
        source="fake.mp4",
        width=W,
        height=H,
        duration_s=len(faces) / fps,
        native_fps=30.0,
        sample_fps=fps,
        **kw,
    )


def ids_by_frame(reading: VideoReading) -> dict[int, dict[int, tuple[int, int]]]:
    """frame_index -> {track_id: box centre}."""
    out: dict[int, dict[int, tuple[int, int]]] = {}
    for tr in reading.tracks:
        for p in tr.points:
            out.setdefault(p.frame_index, {})[tr.track_id] = (p.box.x + p.box.width // 2, p.box.y)
    return out


# ----------------------------------------------------------------------------- matching


def test_iou_and_cost_basics():
    a = (0.0, 0.0, 10.0, 10.0)
    assert iou(a, a) == pytest.approx(1.0)
    assert iou(a, (5.0, 0.0, 15.0, 10.0)) == pytest.approx(50 / 150)
    assert iou(a, (20.0, 20.0, 30.0, 30.0)) == 0.0
    assert match_cost(a, a) == pytest.approx(0.0)
    # far away or a very different size is never the same face
    assert match_cost(a, (40.0, 0.0, 50.0, 10.0)) == float("inf")
    assert match_cost(a, (0.0, 0.0, 40.0, 40.0)) == float("inf")
    # the gate widens with missed frames
    assert match_cost(a, (18.0, 0.0, 28.0, 10.0)) == float("inf")
    assert np.isfinite(match_cost(a, (18.0, 0.0, 28.0, 10.0), missed=2))


def test_assign_is_optimal_not_greedy():
    # greedy would take (0,0)=1 and then pay 10 for (1,1); optimal pays 2+2
    cost = np.array([[1.0, 2.0], [2.0, 10.0]])
    assert assign(cost) == [(0, 1), (1, 0)]


def test_assign_respects_infinite_and_rectangular():
    inf = np.inf
    assert assign(np.array([[inf, inf]])) == []
    assert assign(np.zeros((0, 3))) == []
    assert assign(np.array([[1.0], [0.5], [inf]])) == [(1, 0)]
    assert assign(np.array([[inf, 3.0, 1.0], [2.0, inf, inf]])) == [(0, 2), (1, 0)]


def test_assign_matches_brute_force_on_random_costs():
    import itertools

    rng = np.random.default_rng(1)
    for _ in range(200):
        n, m = rng.integers(1, 5, 2)
        c = rng.random((n, m)) * 10
        c[rng.random((n, m)) < 0.3] = np.inf
        got = assign(c)
        best = (0, 0.0)
        for k in range(min(n, m), 0, -1):
            costs = [
                sum(c[r, q] for r, q in zip(rs, cs, strict=True))
                for rs in itertools.combinations(range(n), k)
                for cs in itertools.permutations(range(m), k)
                if all(np.isfinite(c[r, q]) for r, q in zip(rs, cs, strict=True))
            ]
            if costs:
                best = (k, min(costs))
                break
        assert len(got) == best[0]
        assert sum(c[r, q] for r, q in got) == pytest.approx(best[1])


# ----------------------------------------------------------------------------- tracking


def test_two_faces_crossing_keep_their_ids():
    # face A walks right, face B walks left on the same row; they overlap mid-way
    n = 21
    frames = []
    for i in range(n):
        xa = 100 + i * 22
        xb = 540 - i * 22
        frames.append([face(xa, 240, 120, "happiness"), face(xb, 240, 120, "sadness")])
    r = run(frames)
    assert len(r.tracks) == 2
    for tr in r.tracks:
        labels = {EMOTIONS[int(np.argmax(p.scores.as_list()))] for p in tr.points}
        assert len(labels) == 1, f"track {tr.track_id} mixes faces: {labels}"
        xs = [p.box.x for p in tr.points]
        assert xs == sorted(xs) or xs == sorted(xs, reverse=True)
        assert len(tr.points) == n
    assert {t.label for t in r.tracks} == {"happiness", "sadness"}


def test_faces_crossing_with_one_hidden_at_the_crossing():
    n = 21
    frames = []
    for i in range(n):
        xa, xb = 100 + i * 22, 540 - i * 22
        fr = [face(xa, 240, 120, "happiness")]
        if i != 10:  # B is hidden behind A in the middle frame
            fr.append(face(xb, 240, 120, "sadness"))
        frames.append(fr)
    r = run(frames)
    assert len(r.tracks) == 2
    by_label = {t.label: t for t in r.tracks}
    assert len(by_label["sadness"].points) == n - 1
    assert len(by_label["happiness"].points) == n
    for tr in r.tracks:
        assert len({EMOTIONS[int(np.argmax(p.scores.as_list()))] for p in tr.points}) == 1


def test_missing_for_a_frame_keeps_the_id():
    frames = [[face(320, 240, 100, "neutral")] for _ in range(10)]
    frames[4] = []
    frames[5] = []
    r = run(frames)
    assert len(r.tracks) == 1
    assert [p.frame_index for p in r.tracks[0].points] == [
        round(i * 30 / 4) for i in range(10) if i not in (4, 5)
    ]
    assert r.frames_with_faces == 8


def test_missing_too_long_ends_the_track():
    frames = [[face(320, 240, 100, "neutral")] for _ in range(12)]
    for i in range(4, 8):  # 4 misses > DEFAULT_MAX_MISSED (3)
        frames[i] = []
    r = run(frames)
    assert len(r.tracks) == 2
    assert sorted(t.track_id for t in r.tracks) == [0, 1]
    first = min(r.tracks, key=lambda t: t.first_seen)
    assert first.track_id == 0 and first.last_seen == pytest.approx(0.75)


def test_new_face_gets_a_new_id_and_tracks_sorted_longest_first():
    frames = []
    for i in range(12):
        fr = [face(200 + i, 240, 100, "happiness")]
        if i >= 6:
            fr.append(face(480, 200, 90, "surprise"))
        frames.append(fr)
    r = run(frames)
    assert [len(t.points) for t in r.tracks] == [12, 6]
    assert r.tracks[0].track_id == 0 and r.tracks[1].track_id == 1
    assert r.tracks[1].first_seen == pytest.approx(6 / 4)
    assert r.tracks[1].label == "surprise"


def test_one_frame_spurious_detection_is_dropped_and_said():
    frames = [[face(320, 240, 100, "neutral")] for _ in range(10)]
    frames[3] = [*frames[3], face(50, 50, 40, "fear", score=0.6)]
    r = run(frames)
    assert len(r.tracks) == 1
    assert any(c.kind == "quality" and "single frame" in c.text for c in r.cues)


def test_only_spurious_detections_means_no_face():
    frames: list[list[FaceResult]] = [[] for _ in range(10)]
    frames[5] = [face(50, 50, 40, "fear", score=0.5)]
    r = run(frames)
    assert not r.face_found
    assert r.frames_with_faces == 0
    assert "spurious" in r.reasoning


def test_tracker_gives_ids_per_face_in_order():
    tr = Tracker()
    a, b = face(100, 100, 50, "anger"), face(400, 100, 50, "anger")
    assert tr.update(0, 0.0, [a, b]) == [0, 1]
    assert tr.update(1, 0.25, [face(402, 100, 50, "anger"), face(101, 100, 50, "anger")]) == [1, 0]
    assert tr.update(2, 0.5, [face(300, 400, 50, "anger")]) == [2]


# ----------------------------------------------------------------------------- smoothing


def test_smooth_keeps_constant_and_normalises():
    t = np.arange(10) / 4
    p = np.tile(probs("happiness", 0.7), (10, 1))
    out = smooth(t, p, 0.5)
    assert np.allclose(out, p)
    assert np.allclose(out.sum(axis=1), 1)


def test_smooth_damps_a_one_frame_spike():
    t = np.arange(20) / 4
    p = np.tile(probs("neutral", 0.8), (20, 1))
    p[10] = probs("anger", 0.9)
    out = smooth(t, p, 0.5)
    assert out[10].argmax() == EMOTIONS.index("neutral")
    assert out[10, EMOTIONS.index("anger")] < 0.4
    assert np.allclose(smooth(t, p, 0.0), p)


def test_smooth_respects_time_gaps():
    # a point far away in time barely moves its neighbour, a close one moves it a lot
    p = np.stack([probs("happiness", 0.9), probs("sadness", 0.9)])
    near = smooth(np.array([0.0, 0.1]), p, 0.5)
    far = smooth(np.array([0.0, 3.0]), p, 0.5)
    h = EMOTIONS.index("happiness")
    assert far[0, h] == pytest.approx(0.9, abs=1e-3)
    assert near[0, h] < 0.6


def test_smooth_is_centred_without_lag():
    t = np.arange(40) / 4
    p = np.array([probs("happiness") if ti < 5 else probs("sadness") for ti in t])
    out = smooth(t, p, 0.5)
    h, s = EMOTIONS.index("happiness"), EMOTIONS.index("sadness")
    cross = next(i for i in range(len(t)) if out[i, s] > out[i, h])
    assert abs(t[cross] - 5.0) <= 0.25


# ----------------------------------------------------------------------------- segments


def test_noise_does_not_flicker_segments():
    rng = np.random.default_rng(0)
    frames = []
    for _i in range(40):
        lab = "happiness" if rng.random() > 0.15 else rng.choice(["sadness", "anger", "surprise"])
        frames.append([face(320, 240, 100, str(lab), p=0.6)])
    r = run(frames)
    assert [s.label for s in r.segments] == ["happiness"]
    assert r.transitions == []
    assert r.segments[0].start == 0.0 and r.segments[0].end == pytest.approx(39 / 4)


def test_cut_gives_one_transition_at_the_right_time():
    frames = [[face(320, 240, 100, "happiness" if i < 20 else "sadness")] for i in range(40)]
    r = run(frames)
    assert [s.label for s in r.segments] == ["happiness", "sadness"]
    assert len(r.transitions) == 1
    tr = r.transitions[0]
    assert (tr.from_label, tr.to_label) == ("happiness", "sadness")
    assert abs(tr.t - 5.0) <= 0.3
    assert r.segments[0].end == r.segments[1].start == tr.t
    assert all(0.5 < s.mean_score <= 1 for s in r.segments)
    assert any("changes from happiness to sadness" in c.text for c in r.cues)
    assert "then" in r.reasoning


def test_short_change_is_merged_but_a_long_one_kept():
    t = np.arange(40) / 4
    p = np.tile(probs("neutral", 0.8), (40, 1))
    p[10:12] = probs("surprise", 0.95)  # 0.5 s of surprise: noise at min 1 s
    p[25:35] = probs("happiness", 0.95)  # 2.5 s of happiness: real
    sm = smooth(t, p, 0.25)
    runs = dominant_runs(t, sm, min_segment_s=1.0)
    assert [EMOTIONS[k] for _, _, k in runs] == ["neutral", "happiness", "neutral"]
    assert runs[0][0] == 0 and runs[-1][1] == 40
    # with a short minimum the surprise survives
    runs2 = dominant_runs(t, sm, min_segment_s=0.25)
    assert [EMOTIONS[k] for _, _, k in runs2] == ["neutral", "surprise", "neutral", "happiness", "neutral"]


def test_hysteresis_holds_the_current_label_when_close():
    t = np.arange(8) / 4.0
    sm = np.tile(probs("neutral", 0.45), (8, 1))
    sm[4:, EMOTIONS.index("sadness")] = 0.49  # just above neutral, below the margin
    sm /= sm.sum(axis=1, keepdims=True)
    assert [EMOTIONS[k] for *_, k in dominant_runs(t, sm, min_segment_s=0.1)] == ["neutral"]
    assert len(dominant_runs(t, sm, min_segment_s=0.1, hysteresis=0.0)) == 2


def test_dominant_runs_empty_and_single():
    assert dominant_runs(np.array([]), np.zeros((0, 7))) == []
    assert dominant_runs(np.array([0.0]), probs("fear")[None]) == [(0, 1, EMOTIONS.index("fear"))]


# ----------------------------------------------------------------------------- summaries


def test_overall_is_track_means_weighted_by_length():
    frames = []
    for i in range(20):
        fr = [face(150, 240, 100, "happiness", p=0.9)]
        if i < 5:
            fr.append(face(480, 240, 100, "sadness", p=0.9))
        frames.append(fr)
    r = run(frames)
    assert r.label == "happiness"
    h = r.tracks[0].scores.happiness
    s = r.tracks[1].scores.happiness
    assert r.scores is not None
    assert r.scores.happiness == pytest.approx((20 * h + 5 * s) / 25, abs=1e-4)
    assert r.valence is not None and r.valence > 0
    assert 0 < r.confidence <= 1
    assert r.segments == r.tracks[0].segments
    assert sum(c.kind == "face" for c in r.cues) == 2


def test_confidence_drops_when_the_face_changes():
    steady = run([[face(320, 240, 100, "happiness", p=0.8)] for _ in range(40)])
    mixed = run([[face(320, 240, 100, "happiness" if i < 20 else "sadness", p=0.8)] for i in range(40)])
    assert steady.confidence == pytest.approx(0.8, abs=0.02)
    assert mixed.confidence < steady.confidence * 0.7


def test_no_face_anywhere_is_a_valid_reading():
    r = run([[] for _ in range(12)])
    assert not r.face_found
    assert r.tracks == [] and r.label is None and r.scores is None and r.confidence == 0
    assert r.frames_analyzed == 12 and r.frames_with_faces == 0
    assert "no face" in r.reasoning
    assert "No face found" in r.summary()
    VideoReading.model_validate_json(r.model_dump_json())


def test_zero_frames_is_a_valid_reading():
    r = analyze_frames(
        [],
        lambda rgb: FrameResult(W, H, []),
        source="empty.mp4",
        width=W,
        height=H,
        duration_s=0.0,
        native_fps=0.0,
        sample_fps=4.0,
    )
    assert not r.face_found and r.frames_analyzed == 0


def test_reading_round_trips_and_reports_points_and_timings():
    frames = [[face(320 + i, 240, 100, "happiness")] for i in range(10)]
    r = run(frames, smoothing=0.0)
    again = VideoReading.model_validate_json(r.model_dump_json())
    assert again == r
    p = r.tracks[0].points[3]
    assert p.t == pytest.approx(0.75) and p.frame_index == 22
    assert p.box.width == 100 and p.box.x == 320 + 3 - 50
    assert p.scores == p.smoothed  # no smoothing asked
    assert r.timings.detect_ms == pytest.approx(10.0) and r.timings.classify_ms == pytest.approx(20.0)
    assert r.timings.total_ms >= r.timings.decode_ms
    assert {(m.name, m.role) for m in r.models} == {("fake", "detector"), ("fakecls", "classifier")}
    assert "10 frames" in r.reasoning
    assert "happiness" in r.summary()


def test_models_argument_overrides():
    from emotool.schema import ModelInfo

    models = [ModelInfo(name="mtcnn", role="detector", license="MIT")]
    r = run([[face(320, 240, 100, "happiness")] for _ in range(5)], models=models)
    assert r.models == models


def test_progress_callback_sees_every_frame():
    seen = []
    run([[face(320, 240, 100, "happiness")] for _ in range(6)], progress=lambda d, n: seen.append((d, n)))
    assert seen == [(i, 6) for i in range(1, 7)]  # 1.5 s at 4 fps


def test_progress_bar_runs(capsys):
    r = run([[face(320, 240, 100, "happiness")] for _ in range(6)], progress=True)
    assert r.frames_analyzed == 6
    err = capsys.readouterr().err
    assert "analysing video" in err


def test_importing_video_is_light():
    code = (
        "import sys, emotool.video; "
        "print(','.join(m for m in ('cv2', 'torch', 'matplotlib', 'tqdm') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_analyze_video_rejects_bad_fps():
    from emotool.video import analyze_video

    with pytest.raises(ValueError):
        analyze_video("x.mp4", lambda rgb: FrameResult(W, H, []), fps=0)


def test_large_frames_are_downscaled_for_analysis_and_boxes_mapped_back():
    seen = []

    def analyzer(rgb):
        seen.append(rgb.shape)
        h, w = rgb.shape[:2]
        det = Detection(w * 0.25, h * 0.25, w * 0.5, h * 0.5, 0.9, "fake", landmarks=np.full((5, 2), w * 0.3))
        return FrameResult(w, h, [FaceResult(det, probs("neutral"), 0.8)])

    frames = [(i * 10, i / 2, np.zeros((600, 800, 3), np.uint8)) for i in range(4)]
    kw = dict(source="big.mp4", width=800, height=600, duration_s=2.0, native_fps=20.0, sample_fps=2.0)
    r = analyze_frames(frames, analyzer, max_side=400, **kw)
    assert seen == [(300, 400, 3)] * 4
    box = r.tracks[0].points[0].box
    assert (box.x, box.y, box.width, box.height) == (200, 150, 200, 150)
    assert any("downscaled from 800x600" in c.text for c in r.cues)
    seen.clear()
    r = analyze_frames(frames, analyzer, max_side=None, **kw)
    assert seen == [(600, 800, 3)] * 4
    assert not any("downscaled" in c.text for c in r.cues)
