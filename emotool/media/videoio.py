"""Reading and writing video frames (used through :mod:`emotool.media`).

OpenCV (imported lazily) reads mp4, mov, webm, mkv and avi; Pillow reads GIF.
The container is recognised from its magic bytes before FFmpeg sees the file.
"""

from __future__ import annotations

import bisect
import contextlib
import math
import os
import tempfile
import weakref
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import numpy as np

from emotool.errors import EmptyMedia, MediaError, MediaTooLarge, UnsupportedFormat
from emotool.untrusted import quoted_name as _q

from .decode import check_animation, check_pixels, gray_to_rgb, looks_like, pil, pil_to_array
from .paths import _checked_size, _read_head, resolve_path
from .policy import _CV2_CONTAINERS, _EXT_KIND, _FORMAT_KIND, _HEAD, Frame, MediaPolicy, is_url, sniff

__all__ = ["VideoSource", "open_video", "write_video"]


# --------------------------------------------------------------------------- video


def _every_nth(step: float | None, fps: float) -> Callable[[int], bool]:
    """For a constant frame rate: is frame ``i`` the one nearest some multiple of ``step`` seconds?"""
    state = {"k": 0}

    def want(i: int) -> bool:
        if step is None:
            return True
        hit = False
        while (target := math.floor(state["k"] * step * fps + 0.5)) <= i:
            hit = hit or target == i
            state["k"] += 1
        return hit

    return want


def _nearest_times(step: float | None, times: list[float]) -> Callable[[int], bool]:
    """For known frame times (GIF): the frames nearest each multiple of ``step`` seconds."""
    if step is None:
        return lambda i: True
    picked: set[int] = set()
    k = 0
    while (g := k * step) <= times[-1] + 1e-9:
        j = bisect.bisect_left(times, g)
        if j == len(times) or (j > 0 and g - times[j - 1] <= times[j] - g):
            j -= 1
        picked.add(j)
        k += 1
    return picked.__contains__


class VideoSource:
    """An opened video; iterate :meth:`frames`. Use as a context manager.

    Attributes:
        source: File name, redacted URL or ``"<bytes>"`` (never a full local path).
        native_fps: Frames per second the container declares (25 when it
            declares nothing usable).
        frame_count: Frames the container declares (0 when unknown); a damaged
            file may yield fewer.
        duration_s: ``frame_count / native_fps`` (for GIF: the sum of frame delays).
        width: Frame width in pixels.
        height: Frame height in pixels.
        notes: Anything estimated or assumed about the video, in words.
    """

    def __init__(self, path: Path, source: str, fmt: str, policy: MediaPolicy, temp: bool = False) -> None:
        self._path = path
        self._fmt = fmt
        self.source = source
        self.notes: list[str] = []
        self._closed = False
        self._finalizer = weakref.finalize(self, _unlink, path) if temp else None
        self._gif_times: list[float] = []
        self._max_frames = 0  # decode budget in frames (cv2 path), set by the probe
        try:
            if fmt == "gif":
                self._probe_gif(policy)
            else:
                self._probe_cv2(policy)
        except BaseException:
            self.close()
            raise

    # -- probing
    def _probe_cv2(self, policy: MediaPolicy) -> None:
        import cv2

        cap = cv2.VideoCapture(str(self._path), cv2.CAP_FFMPEG)
        try:
            ok, frame = cap.read() if cap.isOpened() else (False, None)
            if not ok or frame is None:
                raise EmptyMedia(
                    f"{_q(self.source)} holds no decodable video frame (damaged, truncated or "
                    "not really a video); re-encode or re-export it"
                )
            fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0)
            count = cap.get(cv2.CAP_PROP_FRAME_COUNT)
        finally:
            cap.release()
        self.height, self.width = int(frame.shape[0]), int(frame.shape[1])
        check_pixels(self.width, self.height, self.source, policy)
        if not math.isfinite(fps) or fps <= 0 or fps > 1000:
            self.notes.append(f"container declares no usable frame rate ({fps}); assumed 25 fps")
            fps = 25.0
        self.native_fps = fps
        self.frame_count = int(count) if math.isfinite(count) and count > 0 else 0
        self.duration_s = self.frame_count / fps
        per_frame = self.width * self.height
        self._max_frames = max(1, policy.max_video_pixels // per_frame)
        if self.frame_count > self._max_frames:
            raise MediaTooLarge(
                f"{_q(self.source)} is {self.frame_count:,} frames of {self.width}x{self.height} "
                f"({self.duration_s:,.0f} s): decoding it would take {self.frame_count * per_frame:,} "
                f"pixels, over the cap of {policy.max_video_pixels:,}; cut, downscale or re-encode it "
                "at a lower frame rate, or raise MediaPolicy(max_video_pixels=...)"
            )

    def _probe_gif(self, policy: MediaPolicy) -> None:
        from .animation import scan_gif

        # the headers alone: frame count, canvas and delays, checked before any frame is decoded
        info = scan_gif(self._path, self.source, max_frames=policy.max_frames)
        self.width, self.height = info.width, info.height
        check_pixels(self.width, self.height, self.source, policy)
        check_animation(info.frames, info.width, info.height, self.source, policy)
        if info.frames == 0:
            raise EmptyMedia(f"{_q(self.source)} is a GIF with no frame; re-export it")
        t, times = 0.0, []
        for delay in info.delays_ms:
            times.append(t)
            t += (delay if delay >= 20 else 100) / 1000.0  # as browsers do for 0-10 ms
        self._gif_times = times
        self.frame_count = len(times)
        self.duration_s = t
        self.native_fps = len(times) / t if t > 0 else 10.0

    # -- reading
    def frames(self, sample_fps: float | None = None) -> Iterator[Frame]:
        """Decoded frames, optionally sampled.

        Args:
            sample_fps: Frames per second wanted; the frame nearest each
                multiple of ``1 / sample_fps`` seconds is yielded. ``None``, or a
                rate at or above the native one, yields every frame. Skipped
                frames are not converted (``grab`` without ``retrieve``).

        Yields:
            ``(frame_index, t_seconds, rgb)`` with ``rgb`` of shape
            (height, width, 3), uint8. ``t_seconds`` is ``frame_index / native_fps``
            (GIF: the sum of the preceding frame delays).

        Raises:
            ValueError: ``sample_fps`` is not a positive number.
            EmptyMedia: Not a single frame could be decoded.
        """
        if sample_fps is not None and not (
            isinstance(sample_fps, (int, float)) and math.isfinite(sample_fps) and sample_fps > 0
        ):
            raise ValueError(f"sample_fps must be a positive number or None, not {sample_fps!r}")
        if self._closed:
            raise MediaError(f"the video {_q(self.source)} is closed; open it again with open_video()")
        step = None if sample_fps is None or sample_fps >= self.native_fps else 1.0 / sample_fps
        if self._fmt == "gif":
            return self._nonempty(self._gif_frames(_nearest_times(step, self._gif_times)))
        return self._nonempty(self._cv2_frames(_every_nth(step, self.native_fps)))

    def _nonempty(self, it: Iterator[Frame]) -> Iterator[Frame]:
        n = 0
        for item in it:
            n += 1
            yield item
        if n == 0:
            raise EmptyMedia(f"{_q(self.source)} holds no decodable video frame; re-encode it")

    def _cv2_frames(self, want: Callable[[int], bool]) -> Iterator[Frame]:
        import cv2

        cap = cv2.VideoCapture(str(self._path), cv2.CAP_FFMPEG)
        try:
            i = 0
            while cap.isOpened():
                if i >= self._max_frames:  # the container hid frames beyond its declared count
                    self.notes.append(
                        f"stopped after {i:,} frames ({i / self.native_fps:,.0f} s): the decoding budget "
                        "(MediaPolicy.max_video_pixels) was spent"
                    )
                    break
                if want(i):
                    ok, bgr = cap.read()
                    if not ok or bgr is None:
                        break
                    if bgr.shape[:2] != (self.height, self.width):
                        break  # a stream that changes size mid-way: stop at what we trust
                    yield i, i / self.native_fps, cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
                elif not cap.grab():
                    break
                i += 1
        finally:
            cap.release()

    def _gif_frames(self, want: Callable[[int], bool]) -> Iterator[Frame]:
        Image = pil()

        with Image.open(self._path, formats=["GIF"]) as im:
            for i, t in enumerate(self._gif_times):
                if not want(i):
                    continue
                try:
                    im.seek(i)
                    im.load()
                    rgb = pil_to_array(im, [])
                except Exception:
                    break  # a damaged tail: keep what decoded
                yield i, t, rgb

    # -- lifetime
    def close(self) -> None:
        """Release the video (and delete its temporary copy, if any)."""
        self._closed = True
        if self._finalizer is not None:
            self._finalizer()

    def __enter__(self) -> VideoSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return (
            f"VideoSource({_q(self.source)}, {self.width}x{self.height}, {self.native_fps:.3g} fps, "
            f"{self.frame_count} frames)"
        )


def _unlink(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def open_video(src: str | os.PathLike[str] | bytes, policy: MediaPolicy | None = None) -> VideoSource:
    """Open a video (mp4, mov, webm, mkv, avi or gif) for frame-by-frame reading.

    Bytes and URLs are written to a temporary file that :meth:`VideoSource.close`
    deletes. The container is recognised from its magic bytes before FFmpeg sees
    the file; the first frame is decoded to make sure the video is readable.

    Args:
        src: A path (checked against ``policy.allowed_roots``), an ``http(s)`` URL
            (only if ``policy.allow_urls``) or the encoded bytes of a video.
        policy: The media policy; default :meth:`MediaPolicy.default`.

    Returns:
        An open :class:`VideoSource`.

    Raises:
        EmptyMedia: Zero bytes, or no decodable frame (garbage, truncated file).
        UnsupportedFormat: An image, audio or unknown format.
        MediaTooLarge: Frames over ``max_pixels``, or a file over the byte cap.
        AccessDenied, MediaError: As for :func:`resolve_path` and :func:`fetch_url`.
    """
    policy = policy or MediaPolicy.default()
    if isinstance(src, (bytes, bytearray, memoryview)) or (isinstance(src, str) and is_url(src)):
        if isinstance(src, str):
            from .netfetch import fetch_url, redact_url

            name, data = redact_url(src), fetch_url(src, policy)
        else:
            name, data = "<bytes>", bytes(src)
            if len(data) > policy.max_bytes:
                raise MediaTooLarge(
                    f"the video bytes ({len(data):,}) exceed the cap of "
                    f"{policy.max_bytes:,}; raise MediaPolicy(max_bytes=...)"
                )
        if not data:
            raise EmptyMedia(f"{name} is empty (0 bytes); give a real video")
        fmt = _video_format(data[:_HEAD], name, "")
        fd, tmp = tempfile.mkstemp(prefix="emotool-", suffix=f".{fmt}")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
        except BaseException:
            _unlink(Path(tmp))
            raise
        return VideoSource(Path(tmp), name, fmt, policy, temp=True)
    if not isinstance(src, (str, os.PathLike)):
        raise UnsupportedFormat(f"cannot open a video from a {type(src).__name__}; pass a path, URL or bytes")
    given = os.fspath(src)
    real = resolve_path(given, policy)
    _checked_size(real, given, policy)
    fmt = _video_format(_read_head(real, given, policy), given, Path(given).suffix.lower())
    return VideoSource(real, Path(given).name, fmt, policy)


def _video_format(head: bytes, name: str, ext: str) -> str:
    fmt = sniff(head)
    if fmt is not None and (fmt in _CV2_CONTAINERS or fmt == "gif"):
        return fmt
    if fmt is not None:
        kind = _FORMAT_KIND[fmt]
        hint = "use load_image() for images" if kind == "image" else "audio has no video frames"
        raise UnsupportedFormat(f"{_q(name)} is {kind} ({fmt}), not a video; {hint}")
    if _EXT_KIND.get(ext) == "video":
        raise EmptyMedia(
            f"{_q(name)} holds no decodable video (its content is not a {ext.lstrip('.')} "
            "container: damaged, truncated or not really a video); re-encode or re-export it"
        )
    raise UnsupportedFormat(
        f"{_q(name)} is not a supported video ({looks_like(head)}); give mp4, mov, webm, mkv, avi or gif"
    )


# --------------------------------------------------------------------------- writing


_FOURCC = {".mp4": "mp4v", ".mov": "mp4v", ".avi": "MJPG", ".mkv": "MJPG", ".webm": "VP80"}


def write_video(path: str | os.PathLike[str], frames: Iterable[np.ndarray], fps: float) -> Path:
    """Write RGB frames to a video file; the extension picks the format.

    mp4 and mov use MPEG-4 Part 2 (``mp4v``), avi and mkv Motion-JPEG, webm VP8
    (all through OpenCV's FFmpeg, which is checked to round-trip here), gif
    Pillow (frame delay ``1000 / fps`` ms rounded to the 10 ms steps GIF stores).

    Args:
        path: Output file (.mp4, .mov, .avi, .mkv, .webm or .gif).
        frames: RGB uint8 arrays of one shape (H, W, 3); (H, W) is taken as gray.
        fps: Frames per second.

    Returns:
        ``Path(path)``.

    Raises:
        ValueError: No frames, frames of different sizes, or a bad ``fps``.
        UnsupportedFormat: An extension not listed above.
        MediaError: OpenCV could not create the file.
    """
    out = Path(path)
    ext = out.suffix.lower()
    if not (math.isfinite(fps) and fps > 0):
        raise ValueError(f"fps must be a positive number, not {fps!r}")
    if ext != ".gif" and ext not in _FOURCC:
        raise UnsupportedFormat(
            f"cannot write {ext or 'extensionless'} video; use one of .mp4 .mov .avi .mkv .webm .gif"
        )
    it = iter(frames)
    first = next(it, None)
    if first is None:
        raise ValueError("write_video needs at least one frame")

    def rgb_frames() -> Iterator[np.ndarray]:
        for f in _chain(first, it):
            f = np.asarray(f)
            if f.ndim == 2:
                f = gray_to_rgb(f)
            if f.shape != shape or f.dtype != np.uint8:
                raise ValueError(f"every frame must be uint8 of shape {shape}; got {f.dtype} {f.shape}")
            yield f

    shape = np.asarray(first).shape if np.asarray(first).ndim == 3 else (*np.asarray(first).shape, 3)
    h, w = shape[:2]
    if ext == ".gif":
        Image = pil()

        images = (Image.fromarray(f) for f in rgb_frames())
        head = next(images)
        head.save(
            out,
            format="GIF",
            save_all=True,
            append_images=images,
            duration=max(20, round(100.0 / fps) * 10),
            loop=0,
        )
        return out
    import cv2

    writer = cv2.VideoWriter(str(out), cv2.VideoWriter.fourcc(*_FOURCC[ext]), float(fps), (int(w), int(h)))
    try:
        if not writer.isOpened():
            raise MediaError(f"OpenCV cannot write {ext} files here (codec {_FOURCC[ext]}); try .mp4 or .avi")
        for f in rgb_frames():
            writer.write(cv2.cvtColor(f, cv2.COLOR_RGB2BGR))
    finally:
        writer.release()
    return out


def _chain(first: np.ndarray, rest: Iterator[np.ndarray]) -> Iterator[np.ndarray]:
    yield first
    yield from rest
