"""Bounded cost on hostile and careless inputs (issue 10): a typed error or a fast answer.

The inputs are built in a temporary folder by the same builders as
``benchmarks/bench_badinput.py`` (which measures their time and peak memory).
"""

from __future__ import annotations

import importlib.util
import io
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from emotool import EmotionTool
from emotool.analyzer import Analyzer
from emotool.errors import BadDimensions, InputTooLong, MediaTooLarge, ProcessingError
from emotool.media import MediaPolicy, load_image, media_kind, open_video
from emotool.perception.pipeline import DETECT_MAX_PIXELS, DETECT_MAX_SIDE, scale_detection, working_copy
from emotool.perception.types import Detection

_spec = importlib.util.spec_from_file_location(
    "bench_badinput", Path(__file__).resolve().parents[1] / "benchmarks" / "bench_badinput.py"
)
assert _spec is not None and _spec.loader is not None
bad = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bad)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("bad")
    return {
        "strip": bad.make_strip_1x20000(d / "strip.png"),
        "strip30m": bad.make_strip_1x30m(d / "strip30m.png"),
        "blank": bad.make_blank_6300(d / "blank.png"),
        "frames": bad.make_gif_many_frames(d / "frames.gif"),
    }


def _invoke(tool: EmotionTool, media: str) -> str:
    msg = tool.invoke({"type": "tool_call", "id": "1", "name": tool.name, "args": {"media": media}})
    return str(msg.content)


def _fake_tool(root: Path, pipeline: object) -> EmotionTool:
    return EmotionTool.from_analyzer(Analyzer(pipeline=pipeline, policy=MediaPolicy(allowed_roots=[root])))


@pytest.mark.parametrize("name", ["strip", "strip30m"])
def test_extreme_aspect_ratio_is_refused_at_once(files: dict[str, Path], fake_pipeline, name: str) -> None:
    path = files[name]
    policy = MediaPolicy(allowed_roots=[path.parent])
    t0 = time.perf_counter()
    with pytest.raises(BadDimensions, match="aspect ratio"):
        load_image(path, policy)
    content = _invoke(_fake_tool(path.parent, fake_pipeline), str(path))
    assert content.startswith("BadDimensions") and "crop it" in content
    assert time.perf_counter() - t0 < 5
    assert fake_pipeline.calls == 0


def test_extreme_aspect_ratio_array_is_refused() -> None:
    with pytest.raises(BadDimensions):
        load_image(np.zeros((1, 30_000, 3), np.uint8))
    wide = load_image(np.zeros((40, 1000, 3), np.uint8))  # 25:1 is still allowed
    assert wide.width == 1000


def test_gif_frames_are_counted_before_decoding(files: dict[str, Path]) -> None:
    path = files["frames"]
    policy = MediaPolicy(allowed_roots=[path.parent])
    t0 = time.perf_counter()
    assert media_kind(path, policy) == "video"
    with pytest.raises(MediaTooLarge, match="72,000,000,000 pixels"):
        open_video(path, policy)
    assert time.perf_counter() - t0 < 3  # decoding the frames takes minutes


def test_gif_frame_cap(tmp_path: Path) -> None:
    path = bad.make_gif_many_frames(tmp_path / "f.gif", side=16, frames=40)
    with pytest.raises(MediaTooLarge, match="more than 30 frames"):
        open_video(path, MediaPolicy(allowed_roots=[tmp_path], max_frames=30))
    with open_video(path, MediaPolicy(allowed_roots=[tmp_path])) as video:
        assert video.frame_count == 40
        assert video.duration_s == pytest.approx(1.6)


def test_animated_webp_frame_cap(tmp_path: Path) -> None:
    from PIL import Image

    frames = [Image.new("RGB", (32, 32), (i * 20, 0, 0)) for i in range(8)]
    buf = io.BytesIO()
    frames[0].save(buf, format="WEBP", save_all=True, append_images=frames[1:], duration=50)
    with pytest.raises(MediaTooLarge, match="more than 5 frames"):
        load_image(buf.getvalue(), MediaPolicy(max_frames=5))
    assert load_image(buf.getvalue()).width == 32  # the first frame, under the default cap


def test_working_copy_caps_side_and_pixels() -> None:
    big = np.zeros((6300, 6300, 3), np.uint8)
    small, (fx, _fy) = working_copy(big, DETECT_MAX_SIDE, DETECT_MAX_PIXELS)
    assert max(small.shape[:2]) <= DETECT_MAX_SIDE
    assert small.shape[0] * small.shape[1] <= DETECT_MAX_PIXELS * 1.01
    assert fx * small.shape[1] == pytest.approx(6300)
    same, f = working_copy(np.zeros((480, 640, 3), np.uint8), DETECT_MAX_SIDE, DETECT_MAX_PIXELS)
    assert f == (1.0, 1.0) and same.shape == (480, 640, 3)
    d = Detection(10, 20, 30, 40, 0.9, "x", landmarks=np.array([[15.0, 25.0]] * 5))
    back = scale_detection(d, 2.0, 3.0)
    assert (back.x1, back.y1, back.x2, back.y2) == (20, 60, 60, 120)
    assert back.landmarks is not None and back.landmarks[0].tolist() == [30.0, 75.0]


def test_rotated_search_runs_on_a_capped_canvas() -> None:
    from emotool.perception.detect import AutoDetector
    from emotool.perception.mtcnn import _empty

    seen: list[tuple[int, ...]] = []

    class Recorder:
        def detect(self, rgb: np.ndarray):  # type: ignore[no-untyped-def]
            seen.append(rgb.shape)
            return _empty()

    det = AutoDetector()
    det._mtcnn = Recorder()  # type: ignore[assignment]
    assert det._detect_rotated(np.zeros((1000, 1000, 3), np.uint8), 35.0) == []
    h, w = seen[0][:2]
    assert h * w <= det.tilt_max_pixels * 1.01


def test_native_failure_becomes_a_typed_error(tmp_path: Path) -> None:
    class Exploding:
        def analyze(self, rgb: np.ndarray) -> None:
            raise cv2.error("Insufficient memory")

        def model_infos(self) -> list:  # type: ignore[type-arg]
            return []

    cv2.imwrite(str(tmp_path / "x.png"), np.full((64, 64, 3), 128, np.uint8))
    tool = _fake_tool(tmp_path, Exploding())
    with pytest.raises(ProcessingError, match="cv2"):
        tool.analyze(str(tmp_path / "x.png"))
    content = _invoke(tool, str(tmp_path / "x.png"))
    assert content.startswith("ProcessingError")


def test_ten_megabyte_text_to_memory_is_refused_fast(tmp_path: Path) -> None:
    pytest.importorskip("chromadb")
    from emotool.memory import Memory
    from emotool.memory.testing import hash_embed

    mem = Memory(path=tmp_path / "m", url=None, embedder=hash_embed)
    text = "I feel anxious about tomorrow. " * 340_000
    t0 = time.perf_counter()
    with pytest.raises(InputTooLong, match="20,000"):
        mem.remember(text, user_id="ana", session_id="s1")
    with pytest.raises(InputTooLong):
        mem.recall(text[:5000], user_id="ana")
    assert time.perf_counter() - t0 < 2
    assert mem.count("ana") == 0
    mem.close()


def test_long_text_for_verbal_cues_is_refused_before_the_model_loads() -> None:
    from emotool.speech.verbal import verbal_cues

    with pytest.raises(InputTooLong):
        verbal_cues("so sad " * 10_000)


@pytest.mark.real
def test_blank_6300_png_is_fast_with_the_real_pipeline(files: dict[str, Path]) -> None:
    path = files["blank"]
    tool = EmotionTool(allowed_roots=[path.parent])
    tool.warmup()
    t0 = time.perf_counter()
    content = _invoke(tool, str(path))
    took = time.perf_counter() - t0
    assert "No face found" in content
    assert took < 15, took  # 1.2 s on an idle 2-core machine; was 108 s


@pytest.mark.real
def test_real_pipeline_maps_opencv_failures(monkeypatch: pytest.MonkeyPatch) -> None:
    from emotool.analyzer import shared_pipeline

    pipe, _ = shared_pipeline()

    def boom(rgb: np.ndarray, thorough: bool = True) -> list[Detection]:
        raise cv2.error("Insufficient memory")

    monkeypatch.setattr(pipe, "detect", boom)
    with pytest.raises(ProcessingError, match="64x64"):
        pipe.analyze(np.zeros((64, 64, 3), np.uint8))


def test_video_decode_budget(tmp_path: Path) -> None:
    from emotool.media import write_video

    frames = [np.full((64, 64, 3), 5 * i, np.uint8) for i in range(40)]
    path = write_video(tmp_path / "v.mp4", frames, fps=10)
    with pytest.raises(MediaTooLarge, match="max_video_pixels"):
        open_video(path, MediaPolicy(allowed_roots=[tmp_path], max_video_pixels=64 * 64 * 20))
    with open_video(path, MediaPolicy(allowed_roots=[tmp_path])) as video:
        video._max_frames = 10  # as if the container had hidden frames beyond its declared count
        got = list(video.frames())
        assert len(got) == 10
        assert any("decoding budget" in n for n in video.notes)
