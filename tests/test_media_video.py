"""emotool.media video: write/read round trips, sampling, and videos that cannot be decoded."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from emotool.errors import AccessDenied, EmptyMedia, MediaError, MediaTooLarge, UnsupportedFormat
from emotool.media import MediaPolicy, VideoSource, load_image, media_kind, open_video, write_video

FPS = 15
N = 30


@pytest.fixture(scope="module")
def frames() -> list[np.ndarray]:
    """30 frames of a real photo panning left, each with a distinct brightness ramp."""
    data = pytest.importorskip("skimage.data", reason="scikit-image (emotool[samples]) ships the photo")
    photo = data.astronaut()[::2, ::2]  # 256 x 256
    out = []
    for i in range(N):
        crop = photo[40:160, i * 2 : i * 2 + 160].astype(np.int16)
        out.append(np.clip(crop + (i - N // 2) * 3, 0, 255).astype(np.uint8))
    return out


@pytest.fixture
def policy(tmp_path: Path) -> MediaPolicy:
    return MediaPolicy(allowed_roots=[tmp_path])


@pytest.fixture
def mp4(tmp_path: Path, frames: list[np.ndarray]) -> Path:
    return write_video(tmp_path / "clip.mp4", frames, FPS)


def _diff(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a.astype(np.int16) - b.astype(np.int16)).mean())


@pytest.mark.parametrize("ext", ["mp4", "avi", "webm", "mov", "mkv", "gif"])
def test_round_trip(tmp_path: Path, policy: MediaPolicy, frames: list[np.ndarray], ext: str) -> None:
    path = write_video(tmp_path / f"clip.{ext}", frames, FPS)
    assert path.stat().st_size > 0
    assert media_kind(path, policy) == "video"
    with open_video(path, policy) as video:
        assert isinstance(video, VideoSource)
        assert (video.width, video.height) == (160, 120)
        assert video.frame_count == N
        assert video.source == f"clip.{ext}"
        # GIF stores delays in 1/100 s: 1/15 s becomes 0.07 s
        assert video.native_fps == pytest.approx(FPS, rel=0.1 if ext == "gif" else 1e-6)
        assert video.duration_s == pytest.approx(N / FPS, rel=0.1 if ext == "gif" else 1e-6)
        got = list(video.frames())
    assert [i for i, _, _ in got] == list(range(N))
    for i, t, rgb in got:
        assert rgb.shape == (120, 160, 3) and rgb.dtype == np.uint8
        assert t == pytest.approx(i / video.native_fps, abs=0.011)
        assert _diff(rgb, frames[i]) < 12, f"frame {i} of {ext} does not match what was written"
    # colour order survives (RGB in, RGB out): the photo's red suit stays red
    assert _diff(got[0][2], frames[0]) < _diff(got[0][2], frames[0][..., ::-1])


def test_sampling(mp4: Path, policy: MediaPolicy, frames: list[np.ndarray]) -> None:
    with open_video(mp4, policy) as video:
        picked = list(video.frames(5))  # 15 fps -> every 3rd frame
        assert [i for i, _, _ in picked] == list(range(0, N, 3))
        assert [round(t, 3) for _, t, _ in picked] == [round(k / 5, 3) for k in range(10)]
        for i, _, rgb in picked:
            assert _diff(rgb, frames[i]) < 12
        # a rate that is not a divisor: the frame nearest each 1/7 s
        idx = [i for i, _, _ in video.frames(7)]
        want = sorted({round(k / 7 * FPS) for k in range(14) if round(k / 7 * FPS) < N})
        assert idx == want
        assert [i for i, _, _ in video.frames(1)] == [0, 15]
        assert len(list(video.frames(FPS))) == N  # at or above native: every frame
        assert len(list(video.frames(100))) == N
        assert len(list(video.frames(None))) == N  # frames() can be iterated again


def test_sampling_skips_frames_without_converting(
    mp4: Path, policy: MediaPolicy, monkeypatch: pytest.MonkeyPatch
) -> None:
    import cv2

    reads, grabs = [], []
    real = cv2.VideoCapture

    class Counting:
        def __init__(self, *args: object) -> None:
            self._cap = real(*args)

        def read(self):  # type: ignore[no-untyped-def]
            reads.append(1)
            return self._cap.read()

        def grab(self) -> bool:
            grabs.append(1)
            return self._cap.grab()

        def __getattr__(self, name: str) -> object:
            return getattr(self._cap, name)

    monkeypatch.setattr(cv2, "VideoCapture", Counting)
    with open_video(mp4, policy) as video:
        reads.clear()
        assert len(list(video.frames(3))) == 6
    assert len(reads) <= 7 and len(grabs) >= N - 7


def test_gif_sampling_uses_frame_delays(
    tmp_path: Path, policy: MediaPolicy, frames: list[np.ndarray]
) -> None:
    images = [Image.fromarray(f) for f in frames[:5]]
    delays = [100, 300, 100, 500, 100]  # ms, variable
    images[0].save(tmp_path / "var.gif", save_all=True, append_images=images[1:], duration=delays, loop=0)
    with open_video(tmp_path / "var.gif", policy) as video:
        assert video.frame_count == 5 and video.duration_s == pytest.approx(1.1)
        times = [t for _, t, _ in video.frames()]
        assert times == pytest.approx([0.0, 0.1, 0.4, 0.5, 1.0])
        assert [i for i, _, _ in video.frames(2)] == [0, 3, 4]  # nearest frames to 0, .5, 1.0 s


def test_single_frame_gif_is_an_image_but_opens_as_video(
    tmp_path: Path, policy: MediaPolicy, frames: list[np.ndarray]
) -> None:
    Image.fromarray(frames[0]).save(tmp_path / "still.gif")
    assert media_kind(tmp_path / "still.gif", policy) == "image"
    assert load_image(tmp_path / "still.gif", policy).rgb.shape == (120, 160, 3)
    with open_video(tmp_path / "still.gif", policy) as video:
        assert len(list(video.frames(2))) == 1


def test_video_from_bytes_uses_a_temp_file_that_is_removed(mp4: Path) -> None:
    before = set(Path(tempfile.gettempdir()).glob("emotool-*"))
    video = open_video(mp4.read_bytes())
    created = set(Path(tempfile.gettempdir()).glob("emotool-*")) - before
    assert video.source == "<bytes>" and len(created) == 1
    assert len(list(video.frames(5))) == 10
    video.close()
    assert not any(p.exists() for p in created)
    with pytest.raises(MediaError, match="closed"):
        list(video.frames())


def test_video_pixel_cap(mp4: Path) -> None:
    with pytest.raises(MediaTooLarge, match="max_pixels"):
        open_video(mp4, MediaPolicy(allowed_roots=[mp4.parent], max_pixels=160 * 120 - 1))


def test_bad_sample_rate(mp4: Path, policy: MediaPolicy) -> None:
    with open_video(mp4, policy) as video:
        for bad in (0, -1, float("nan"), float("inf")):
            with pytest.raises(ValueError, match="sample_fps"):
                video.frames(bad)


# ----------------------------------------------------------------------------- bad videos


def _next_call_works(mp4: Path, policy: MediaPolicy) -> None:
    with open_video(mp4, policy) as video:
        assert len(list(video.frames(5))) == 10


def test_zero_byte_video(tmp_path: Path, policy: MediaPolicy, mp4: Path) -> None:
    (tmp_path / "empty.mp4").write_bytes(b"")
    with pytest.raises(EmptyMedia):
        open_video(tmp_path / "empty.mp4", policy)
    with pytest.raises(EmptyMedia):
        open_video(b"")
    _next_call_works(mp4, policy)


def test_garbage_named_mp4(tmp_path: Path, policy: MediaPolicy, mp4: Path) -> None:
    (tmp_path / "noise.mp4").write_bytes(np.random.default_rng(0).bytes(50_000))
    with pytest.raises(EmptyMedia, match="no decodable video"):
        open_video(tmp_path / "noise.mp4", policy)
    assert media_kind(tmp_path / "noise.mp4", policy) == "video"  # by name; opening tells the truth
    _next_call_works(mp4, policy)


@pytest.mark.parametrize("keep", [0.5, 0.9, 0.05])
def test_truncated_mp4(tmp_path: Path, policy: MediaPolicy, mp4: Path, keep: float) -> None:
    data = mp4.read_bytes()
    (tmp_path / "cut.mp4").write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(EmptyMedia, match="no decodable video frame"):
        open_video(tmp_path / "cut.mp4", policy)  # OpenCV's mp4v writer puts the index last
    _next_call_works(mp4, policy)


def test_mp4_header_with_garbage_body(tmp_path: Path, policy: MediaPolicy, mp4: Path) -> None:
    data = bytearray(mp4.read_bytes())
    body = np.random.default_rng(1).bytes(len(data) - 64)
    (tmp_path / "scrambled.mp4").write_bytes(bytes(data[:64]) + body)
    with pytest.raises(EmptyMedia):
        open_video(tmp_path / "scrambled.mp4", policy)
    _next_call_works(mp4, policy)


def test_truncated_avi_keeps_what_decodes(
    tmp_path: Path, policy: MediaPolicy, frames: list[np.ndarray]
) -> None:
    full = write_video(tmp_path / "full.avi", frames, FPS).read_bytes()
    (tmp_path / "cut.avi").write_bytes(full[: len(full) // 2])
    try:
        with open_video(tmp_path / "cut.avi", policy) as video:
            got = list(video.frames())
    except EmptyMedia:
        return  # also acceptable: nothing trustworthy decoded
    assert 0 < len(got) < N


def test_playlist_renamed_mp4_is_not_followed(tmp_path: Path, policy: MediaPolicy, mp4: Path) -> None:
    """FFmpeg would follow an HLS playlist to other files or URLs; it never gets to see this one."""
    (tmp_path / "evil.mp4").write_text(f"#EXTM3U\n#EXTINF:1,\n{mp4}\n#EXTINF:1,\nhttp://169.254.169.254/\n")
    with pytest.raises(EmptyMedia):
        open_video(tmp_path / "evil.mp4", policy)


def test_image_and_audio_are_not_videos(
    tmp_path: Path, policy: MediaPolicy, frames: list[np.ndarray]
) -> None:
    Image.fromarray(frames[0]).save(tmp_path / "photo.mp4", format="JPEG")
    with pytest.raises(UnsupportedFormat, match="load_image"):
        open_video(tmp_path / "photo.mp4", policy)
    (tmp_path / "sound.wav").write_bytes(b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(40))
    with pytest.raises(UnsupportedFormat, match="audio"):
        open_video(tmp_path / "sound.wav", policy)
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(UnsupportedFormat):
        open_video(tmp_path / "notes.txt", policy)


def test_video_path_policy(tmp_path: Path, frames: list[np.ndarray]) -> None:
    root = tmp_path / "root"
    root.mkdir()
    outside = write_video(tmp_path / "outside.mp4", frames[:3], FPS)
    policy = MediaPolicy(allowed_roots=[root])
    with pytest.raises(AccessDenied):
        open_video(outside, policy)
    with pytest.raises(AccessDenied):
        open_video(root / ".." / "outside.mp4", policy)
    (root / "link.mp4").symlink_to(outside)
    with pytest.raises(AccessDenied):
        open_video(root / "link.mp4", policy)
    with pytest.raises(MediaError, match="is a directory"):
        open_video(root, policy)
    with pytest.raises(MediaError, match="no such file"):
        open_video(root / "missing.mp4", policy)


def test_video_url_disabled_by_default() -> None:
    with pytest.raises(AccessDenied, match="allow_urls"):
        open_video("https://example.com/clip.mp4")


# ----------------------------------------------------------------------------- writing


def test_write_video_errors(tmp_path: Path, frames: list[np.ndarray]) -> None:
    with pytest.raises(UnsupportedFormat):
        write_video(tmp_path / "x.flv", frames, FPS)
    with pytest.raises(ValueError, match="at least one frame"):
        write_video(tmp_path / "x.mp4", [], FPS)
    with pytest.raises(ValueError, match="fps"):
        write_video(tmp_path / "x.mp4", frames, 0)
    with pytest.raises(ValueError, match="shape"):
        write_video(tmp_path / "x.avi", [frames[0], frames[0][:50]], FPS)


def test_write_gray_frames(tmp_path: Path, policy: MediaPolicy, frames: list[np.ndarray]) -> None:
    gray = [f.mean(axis=2).astype(np.uint8) for f in frames[:5]]
    path = write_video(tmp_path / "gray.avi", gray, FPS)
    with open_video(path, policy) as video:
        first = next(iter(video.frames()))[2]
    assert _diff(first[..., 0], gray[0]) < 6


def test_no_temp_files_left(mp4: Path) -> None:
    before = {p.name for p in Path(tempfile.gettempdir()).glob("emotool-*")}
    for _ in range(3):
        with open_video(mp4.read_bytes()) as video:
            next(iter(video.frames()))
    with pytest.raises(EmptyMedia):
        open_video(b"\x00\x00\x00\x18ftypisom" + os.urandom(2000))
    after = {p.name for p in Path(tempfile.gettempdir()).glob("emotool-*")}
    assert after <= before
