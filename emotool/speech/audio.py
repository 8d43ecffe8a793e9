"""Reading audio for speech: any common format, the audio track of a video, bytes or arrays.

Everything is decoded with PyAV (FFmpeg's libraries, shipped in the ``av``
wheel) and resampled to 16 kHz mono float32, the rate Whisper works at.
Files are *streamed*: :meth:`AudioSource.windows` yields the audio a window at
a time, so a two-hour recording never sits in memory whole. Windows end in the
quietest moment of their last seconds, so a word is rarely cut in two.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import CorruptMedia, EmptyMedia, MediaError, MediaTooLarge, UnsupportedFormat
from ..untrusted import quoted_name as _q
from ..untrusted import safe_display

if TYPE_CHECKING:
    from ..media import MediaPolicy

SAMPLE_RATE = 16000
"""The rate every window is delivered at."""

AUDIO_EXTENSIONS = (
    ".wav",
    ".flac",
    ".mp3",
    ".ogg",
    ".oga",
    ".opus",
    ".m4a",
    ".aac",
    ".wma",
    ".webm",
    ".mp4",
    ".mkv",
    ".mov",
    ".avi",
)

AudioInput = str | os.PathLike[str] | bytes | np.ndarray
"""A path, the bytes of a file, or samples (1-D mono, or 2-D channels x samples / samples x channels)."""

_FRAME = 400  # 25 ms at 16 kHz: the step at which window ends look for quiet
_SEARCH_S = 30.0  # how far back from a window's end to look for a quiet cut
_QUIET_RUN = 20  # frames (0.5 s) averaged when looking for quiet: prefer real pauses to a short gap


def _av() -> Any:
    try:
        import av
    except ImportError:
        from ..errors import missing_extra

        raise missing_extra("av", "speech") from None
    return av


@dataclass
class AudioSource:
    """An opened audio input; iterate :meth:`windows` to read it.

    Attributes:
        source: A short display name: the file name, ``"<bytes>"`` or ``"<array>"``.
        duration: Length in seconds as declared by the container (estimated for some formats);
            0 when unknown.
        notes: Conversions made (downmix, resampling), in plain words.
    """

    source: str
    duration: float
    notes: list[str] = field(default_factory=list)
    _path: Path | None = None
    _data: bytes | None = None
    _array: np.ndarray | None = None

    def windows(self, window_s: float = 300.0) -> Iterator[tuple[float, np.ndarray]]:
        """Yield ``(start_seconds, samples)`` windows of 16 kHz mono float32 audio, in order.

        Args:
            window_s: Target window length; each window is cut in the quietest half second of its
                last 30 seconds, and the remainder starts the next window.

        Raises:
            CorruptMedia: The stream is damaged before any audio could be decoded.
        """
        target = max(int(window_s * SAMPLE_RATE), 2 * int(_SEARCH_S * SAMPLE_RATE))
        pending: list[np.ndarray] = []
        have = 0
        start = 0
        for block in self._blocks():
            pending.append(block)
            have += len(block)
            while have >= target:
                buf = np.concatenate(pending)
                cut = _quiet_cut(buf, target)
                yield start / SAMPLE_RATE, buf[:cut]
                start += cut
                rest = buf[cut:]
                pending, have = [rest], len(rest)
        if have:
            yield start / SAMPLE_RATE, np.concatenate(pending)

    def read_all(self) -> np.ndarray:
        """The whole input at 16 kHz mono (only for short inputs; prefer :meth:`windows`)."""
        parts = [w for _, w in self.windows(3600.0)]
        return np.concatenate(parts) if parts else np.zeros(0, np.float32)

    def _blocks(self) -> Iterator[np.ndarray]:
        if self._array is not None:
            step = 30 * SAMPLE_RATE
            for i in range(0, len(self._array), step):
                yield self._array[i : i + step]
            return
        yield from _decode_stream(
            self._path if self._path is not None else io.BytesIO(self._data or b""), self.source
        )


def _quiet_cut(buf: np.ndarray, target: int) -> int:
    """Index near ``target`` where the signal is quietest (in 25 ms frames over the last seconds)."""
    lo = max(_FRAME, target - int(_SEARCH_S * SAMPLE_RATE))
    seg = buf[lo:target]
    n = len(seg) // _FRAME
    if n < 2:
        return target
    frames = seg[: n * _FRAME].reshape(n, _FRAME)
    energy = np.einsum("ij,ij->i", frames, frames, dtype=np.float64)
    k = min(_QUIET_RUN, n)
    run = np.convolve(energy, np.ones(k) / k, mode="same")  # centre of the quietest half second
    return lo + int(np.argmin(run)) * _FRAME + _FRAME // 2


def _decode_stream(src: Path | io.BytesIO, name: str) -> Iterator[np.ndarray]:
    av = _av()
    container = _open_container(src, name)
    try:
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
        got = 0
        try:
            for frame in container.decode(stream):
                frame.pts = None  # let the resampler count samples itself
                for out in resampler.resample(frame):
                    a = out.to_ndarray().reshape(-1)
                    got += len(a)
                    yield a.astype(np.float32, copy=False)
            for out in resampler.resample(None):
                a = out.to_ndarray().reshape(-1)
                got += len(a)
                yield a.astype(np.float32, copy=False)
        except av.error.FFmpegError as exc:
            if got == 0:
                raise CorruptMedia(
                    f"{_q(name)} could not be decoded ({_why(exc)}); the file is damaged or "
                    "not really audio - re-export or re-record it"
                ) from None
            # a truncated tail: keep what was decoded
        if got == 0:
            raise EmptyMedia(f"{_q(name)} contains no audio samples; give a recording with sound in it")
    finally:
        container.close()


def _why(exc: BaseException) -> str:
    msg = getattr(exc, "strerror", None) or str(exc).split(":")[-1].strip() or type(exc).__name__
    return str(msg)[:120]


_IMAGE_FORMATS = ("jpeg", "png", "bmp", "webp", "tiff", "gif")


def _head(src: Path | io.BytesIO) -> bytes:
    try:
        if isinstance(src, Path):
            with open(src, "rb") as f:
                return f.read(64)
        return src.getvalue()[:64]
    except OSError:
        return b""


def _refuse_non_audio(src: Path | io.BytesIO, name: str) -> None:
    """Refuse pictures and text before FFmpeg sees them.

    FFmpeg picks a demuxer from the extension when the content is unknown: a text file
    named ``.jpg`` opens as a one-frame picture ("only video streams"), and a playlist
    is followed to other files or URLs.
    """
    from ..media.decode import looks_like
    from ..media.policy import _EXT_KIND, sniff

    head = _head(src)
    fmt = sniff(head)
    shown = safe_display(name, 160)
    if fmt in _IMAGE_FORMATS:
        raise UnsupportedFormat(
            f"'{shown}' is a picture ({fmt}), not audio; give an audio file or a video with sound "
            f"({', '.join(e[1:] for e in AUDIO_EXTENSIONS)})"
        )
    if (
        fmt is None
        and head
        and (looks_like(head) == "it looks like text" or _EXT_KIND.get(Path(name).suffix.lower()) == "image")
    ):
        raise UnsupportedFormat(
            f"'{shown}' is not audio or video ({looks_like(head)}); give an audio file or a video "
            f"with sound ({', '.join(e[1:] for e in AUDIO_EXTENSIONS)})"
        )


def _open_container(src: Path | io.BytesIO, name: str) -> Any:
    av = _av()
    _refuse_non_audio(src, name)
    try:
        container = av.open(
            str(src) if isinstance(src, Path) else src, mode="r", options={"probesize": "5000000"}
        )
    except av.error.FFmpegError as exc:
        ext = Path(name).suffix.lower()
        if ext in AUDIO_EXTENSIONS or _audio_magic(src):
            raise CorruptMedia(
                f"{_q(name)} is not a readable {ext[1:] or 'audio'} file ({_why(exc)}); it is damaged or "
                "mislabelled - re-export it, or convert it with ffmpeg -i IN out.wav"
            ) from None
        raise UnsupportedFormat(
            f"{_q(name)} is not an audio or video file emotool can read ({_why(exc)}); "
            f"use one of: {', '.join(e[1:] for e in AUDIO_EXTENSIONS)}"
        ) from None
    except (OSError, ValueError) as exc:
        raise MediaError(f"cannot open {_q(name)} ({exc}); check the path") from None
    if not container.streams.audio:
        kinds = sorted({s.type for s in container.streams})
        container.close()
        what = f"it has only {'/'.join(kinds)} streams" if kinds else "it has no streams"
        raise EmptyMedia(
            f"{_q(name)} has no audio track ({what}); give a file with sound, e.g. a video "
            "recorded with its microphone on"
        )
    return container


_MAGIC = (b"RIFF", b"fLaC", b"OggS", b"ID3", b"\xff\xfb", b"\xff\xf3", b"\xff\xf2", b"\x1aE\xdf\xa3")


def _audio_magic(src: Path | io.BytesIO) -> bool:
    """Whether the data starts like a known audio container (so a failure means damage)."""
    try:
        if isinstance(src, Path):
            with open(src, "rb") as f:
                head = f.read(12)
        else:
            head = src.getvalue()[:12]
    except OSError:
        return False
    return head.startswith(_MAGIC) or head[4:8] == b"ftyp"


def _duration(container: Any) -> float:
    stream = container.streams.audio[0]
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return container.duration / 1_000_000
    return 0.0


def open_audio(
    src: AudioInput,
    *,
    sample_rate: int | None = None,
    policy: MediaPolicy | None = None,
    max_bytes: int | None = None,
) -> AudioSource:
    """Open an audio input for streaming.

    Args:
        src: A file path (audio, or a video whose audio track is used), the bytes of such a file,
            or a numpy array of samples.
        sample_rate: The rate of an array input (required for arrays unless it is 16000).
        policy: Which folders paths may come from (:class:`emotool.media.MediaPolicy`; default:
            the working directory).
        max_bytes: Largest ``bytes`` input (default: the policy's ``max_bytes``). Files are
            streamed, so their size is not capped.

    Returns:
        An :class:`AudioSource`; nothing is decoded until it is iterated.

    Raises:
        EmptyMedia: Zero bytes, an empty array, or a video without an audio track.
        CorruptMedia: A damaged file of a known audio format.
        UnsupportedFormat: Something that is not audio or video at all.
        AccessDenied: A path outside the allowed folders.
    """
    if isinstance(src, np.ndarray):
        return _from_array(src, sample_rate)
    if isinstance(src, (bytes, bytearray, memoryview)):
        data = bytes(src)
        if not data:
            raise EmptyMedia("the audio bytes are empty (0 bytes); pass the content of an audio file")
        limit = max_bytes if max_bytes is not None else _policy(policy).max_bytes
        if len(data) > limit:
            raise MediaTooLarge(
                f"the audio bytes are {len(data) / 1e6:.0f} MB, over the {limit / 1e6:.0f} MB "
                "limit; pass a file path instead (files are streamed) or raise max_bytes"
            )
        container = _open_container(io.BytesIO(data), "<bytes>")
        try:
            dur = _duration(container)
        finally:
            container.close()
        return AudioSource("<bytes>", dur, _data=data)
    if not isinstance(src, (str, os.PathLike)):
        raise MediaError(
            f"cannot read audio from a {type(src).__name__}; pass a path, bytes or a numpy array"
        )
    from ..media import resolve_path

    real = resolve_path(src, _policy(policy))
    name = os.fspath(src)
    if real.stat().st_size == 0:
        raise EmptyMedia(f"{_q(name)} is empty (0 bytes); give a real audio or video file")
    container = _open_container(real, name)
    try:
        dur = _duration(container)
        stream = container.streams.audio[0]
        notes = []
        if stream.channels and stream.channels > 1:
            notes.append(f"{stream.channels} channels mixed down to mono")
        if stream.rate and stream.rate != SAMPLE_RATE:
            notes.append(f"resampled from {stream.rate} Hz to {SAMPLE_RATE} Hz")
    finally:
        container.close()
    return AudioSource(Path(name).name, dur, notes, _path=real)


def _policy(policy: MediaPolicy | None) -> MediaPolicy:
    from ..media import MediaPolicy

    return policy or MediaPolicy.default()


def _from_array(a: np.ndarray, sample_rate: int | None) -> AudioSource:
    rate = int(sample_rate or SAMPLE_RATE)
    if not 1000 <= rate <= 384000:
        raise MediaError(f"sample_rate {rate} is not a plausible audio rate; give the rate in Hz, e.g. 16000")
    if a.size == 0:
        raise EmptyMedia("the audio array is empty; pass at least some samples")
    notes: list[str] = []
    if a.ndim == 2:  # channels x samples or samples x channels: the short side is the channels
        if a.shape[0] > a.shape[1]:
            a = a.T
        notes.append(f"{a.shape[0]} channels mixed down to mono")
        a = a.mean(axis=0)
    elif a.ndim != 1:
        raise MediaError(f"an audio array must be 1-D (mono) or 2-D (with channels), got shape {a.shape}")
    if np.issubdtype(a.dtype, np.integer):
        a = a.astype(np.float32) / float(np.iinfo(a.dtype).max)
    a = np.asarray(a, dtype=np.float32)
    if not np.isfinite(a).all():
        raise CorruptMedia("the audio array contains NaN or infinite values; clean it before analysis")
    if rate != SAMPLE_RATE:
        a = _resample(a, rate)
        notes.append(f"resampled from {rate} Hz to {SAMPLE_RATE} Hz")
    return AudioSource("<array>", len(a) / SAMPLE_RATE, notes, _array=a)


def _resample(a: np.ndarray, rate: int) -> np.ndarray:
    """Band-limited resampling of a mono array to 16 kHz with FFmpeg's resampler (via PyAV)."""
    av = _av()
    resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
    out: list[np.ndarray] = []
    step = rate * 10
    for i in range(0, len(a), step):
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(a[i : i + step]).reshape(1, -1), format="flt", layout="mono"
        )
        frame.sample_rate = rate
        out.extend(f.to_ndarray().reshape(-1) for f in resampler.resample(frame))
    out.extend(f.to_ndarray().reshape(-1) for f in resampler.resample(None))
    return np.concatenate(out).astype(np.float32) if out else np.zeros(0, np.float32)


def to_wav_bytes(samples: np.ndarray, rate: int = SAMPLE_RATE) -> bytes:
    """16-bit PCM WAV bytes of a mono float array (for sending a window to a remote service)."""
    import wave

    pcm = (np.clip(samples, -1.0, 1.0) * 32767.0).astype("<i2")
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    return buf.getvalue()
