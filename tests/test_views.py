"""Multi-perspective views of images and video keyframes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import one_hot

from emotool.backends import ReadOptions, analyze_video_with, get_backend
from emotool.backends.base import Completion, VLMBackend, VLMRequest
from emotool.perception.types import Detection, FaceResult, FrameResult
from emotool.schema import ModelInfo
from emotool.views import ViewConfig, build_views, describe_views, select_keyframes, video_views


def frame_with(
    *boxes: tuple[float, float, float, float], w: int = 400, h: int = 300, label: str = "happiness"
) -> FrameResult:
    faces = [FaceResult(Detection(*b, 0.9, "fake"), one_hot(label), 0.7) for b in boxes]
    return FrameResult(width=w, height=h, faces=faces, detector="fake")


RGB = np.random.default_rng(0).integers(0, 255, (300, 400, 3), dtype=np.uint8)


def test_scene_faces_and_context_views() -> None:
    frame = frame_with((60, 60, 120, 130), (260, 80, 310, 140))
    views = build_views(RGB, frame, ViewConfig(face_size=224))
    assert [(v.kind, v.face_id) for v in views] == [
        ("scene", None),
        ("face", 0),
        ("context", 0),
        ("face", 1),
        ("context", 1),
    ]
    assert views[0].rgb.shape == RGB.shape  # 400 px fits under max_side
    assert views[1].rgb.shape == (224, 224, 3)  # the face is enlarged
    ctx = views[2]
    assert (
        ctx.box is not None and ctx.box.width > 60 and ctx.box.y + ctx.box.height > 130
    )  # reaches below the face
    info = [v.info(i) for i, v in enumerate(views)]
    assert info[1].box is not None and info[1].width == 224
    text = describe_views(views)
    assert text.startswith("You are shown 5 pictures") and "[2] face 0 cropped and enlarged" in text


def test_views_are_configurable_and_capped() -> None:
    frame = frame_with((60, 60, 120, 130), (260, 80, 310, 140))
    only_faces = build_views(RGB, frame, ViewConfig(views=["faces"]))
    assert [v.kind for v in only_faces] == ["face", "face"]
    capped = build_views(RGB, frame, ViewConfig(max_images=3))
    assert [v.kind for v in capped] == ["scene", "face", "face"]
    big = np.zeros((2000, 1000, 3), np.uint8)
    assert max(build_views(big, None, ViewConfig(max_side=500))[0].rgb.shape[:2]) == 500
    with pytest.raises(ValueError):
        ViewConfig(views=["everything"])  # type: ignore[list-item]


def test_no_face_means_scene_only() -> None:
    views = build_views(RGB, frame_with(), ViewConfig(views=["faces", "context"]))
    assert [v.kind for v in views] == ["scene"] and "no face was detected" in views[0].caption


def test_context_skipped_when_it_is_the_whole_picture() -> None:
    views = build_views(RGB, frame_with((100, 50, 300, 250)))
    assert [v.kind for v in views] == ["scene", "face"]


def test_keyframes_where_expression_changes() -> None:
    labels = ["happiness"] * 4 + ["sadness"] * 3 + ["sadness", "anger", "anger"]
    frames = [frame_with((10, 10, 50, 50), label=lab) for lab in labels]
    times = [i * 0.5 for i in range(len(frames))]
    assert select_keyframes(times, frames, k=4) == [0, 4, 8]
    assert select_keyframes(times, frames, k=2) in ([0, 4], [0, 8])
    empty = [frame_with() for _ in range(9)]
    assert select_keyframes(times[:9], empty, k=3) == [0, 4, 8]


def test_video_views_carry_timestamps() -> None:
    kf = [(0.0, RGB, frame_with((60, 60, 120, 130))), (2.5, RGB, frame_with())]
    views = video_views(kf)
    assert [(v.kind, v.t) for v in views] == [("keyframe", 0.0), ("face", 0.0), ("keyframe", 2.5)]
    assert "2.5 s" in views[2].caption


class ScriptedVLM(VLMBackend):
    """A fake vision-language backend that records its requests and answers valid JSON."""

    name = "scripted"

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[VLMRequest] = []

    def model_info(self) -> ModelInfo:
        return ModelInfo(name="scripted-vlm", role="vlm")

    def _complete(self, requests: list[VLMRequest]) -> list[Completion]:
        self.seen.extend(requests)
        ans = {
            "reasoning": "Face: the smile fades into a frown between the keyframes.",
            "cues": [{"view": 1, "observation": "smiling"}, {"view": 3, "observation": "frowning"}],
            "answer": "sadness",
            "emotion": "sadness",
            "scores": {"sadness": 0.7, "happiness": 0.3},
            "confidence": 0.6,
        }
        return [Completion(text=json.dumps(ans)) for _ in requests]


@pytest.mark.slow
def test_video_keyframes_go_to_the_backend(tmp_path: Path) -> None:
    from emotool.media import MediaPolicy, write_video

    frames = []
    for i in range(16):
        img = np.full((120, 160, 3), 90, np.uint8)
        img[30:90, 50:110] = 200 if i < 8 else 140  # bright face, then darker
        frames.append(img)
    path = write_video(tmp_path / "clip.mp4", frames, fps=8)

    def analyze(rgb: np.ndarray) -> FrameResult:
        label = "happiness" if rgb[60, 80, 0] > 170 else "sadness"
        return frame_with((50, 30, 110, 90), w=rgb.shape[1], h=rgb.shape[0], label=label)

    be = ScriptedVLM()
    r = analyze_video_with(
        be,
        path,
        analyze,
        policy=MediaPolicy(allowed_roots=[tmp_path]),
        fps=4,
        options=ReadOptions(views=ViewConfig(keyframes=3)),
    )
    assert r.backend == "scripted" and r.label == "sadness" and r.tracks
    kinds = [(v.kind, v.t) for v in r.views]
    times = [t for k, t in kinds if k == "keyframe"]
    assert len(times) == 2 and times[0] == 0.0 and 0.75 <= times[1] <= 1.25
    assert len(be.seen) == 1 and len(be.seen[0].views) == len(r.views) == 4
    assert any(c.kind == "video" and "frowning" in c.text for c in r.cues)
    classic: Any = get_backend("classic")
    r2 = analyze_video_with(
        classic, path, analyze, policy=MediaPolicy(allowed_roots=[tmp_path]), fps=4, options=ReadOptions()
    )
    assert r2.backend == "classic" and r2.views == [] and r2.task is not None
