"""Helpers for the speech tests: encode audio with PyAV, speak with espeak-ng, a scripted transcriber."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np

from emotool.schema import ModelInfo
from emotool.speech import TranscribeOptions, TranscriptSegment, WindowResult, Word

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
JFK = SHARED_DATA / "speech" / "jfk.flac"
JFK_TEXT = (
    "And so, my fellow Americans, ask not what your country can do for you, "
    "ask what you can do for your country."
)

#: container format, codec, file suffix
FORMATS = {
    "wav": ("wav", "pcm_s16le", ".wav"),
    "flac": ("flac", "flac", ".flac"),
    "mp3": ("mp3", "libmp3lame", ".mp3"),
    "ogg": ("ogg", "vorbis", ".ogg"),
    "opus": ("ogg", "libopus", ".opus"),
    "m4a": ("ipod", "aac", ".m4a"),
    "webm": ("webm", "libopus", ".webm"),
}


def encode(samples: np.ndarray, rate: int, path: Path, fmt: str, channels: int = 1) -> Path:
    """Write float samples in [-1, 1] (mono) to ``path`` in one of ``FORMATS`` with PyAV."""
    import av

    container_fmt, codec, _ = FORMATS[fmt]
    if codec in ("libopus",) and rate not in (8000, 12000, 16000, 24000, 48000):
        raise ValueError("opus needs 8/12/16/24/48 kHz")
    if codec == "vorbis":
        channels = 2  # FFmpeg's own Vorbis encoder writes stereo only
    layout = "stereo" if channels == 2 else "mono"
    data = np.tile(samples.astype(np.float32), (channels, 1))
    with av.open(str(path), "w", format=container_fmt) as out:
        stream = out.add_stream(codec, rate=rate, layout=layout, options={"strict": "experimental"})
        fmt_name = stream.codec_context.codec.audio_formats[0].name
        frame_size = stream.codec_context.frame_size or 1024
        resampler = av.AudioResampler(format=fmt_name, layout=layout, rate=rate, frame_size=frame_size)
        for i in range(0, data.shape[1], frame_size):
            chunk = np.ascontiguousarray(data[:, i : i + frame_size])
            frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout=layout)
            frame.sample_rate = rate
            for f in resampler.resample(frame):
                for packet in stream.encode(f):
                    out.mux(packet)
        for f in resampler.resample(None):
            for packet in stream.encode(f):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return path


def video_without_audio(path: Path) -> Path:
    """A 1-second mp4 with a video stream only."""
    import av

    with av.open(str(path), "w") as out:
        stream = out.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"
        for i in range(10):
            img = np.full((64, 64, 3), i * 20, np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return path


def espeak(text: str, path: Path, speed: int = 150, pitch: int = 50, amplitude: int = 100) -> Path | None:
    """Speak ``text`` into a WAV with espeak-ng; None when espeak-ng is not installed."""
    exe = shutil.which("espeak-ng") or shutil.which("espeak")
    if exe is None:
        return None
    subprocess.run(
        [exe, "-v", "en-us", "-s", str(speed), "-p", str(pitch), "-a", str(amplitude), "-w", str(path), text],
        check=True,
        capture_output=True,
    )
    return path


def tone(seconds: float, rate: int = 16000, freq: float = 220.0, amp: float = 0.3) -> np.ndarray:
    """A voiced-looking test signal: a tone with a harmonic and a slow vibrato."""
    t = np.arange(int(seconds * rate)) / rate
    f = freq * (1 + 0.03 * np.sin(2 * np.pi * 3 * t))
    phase = 2 * np.pi * np.cumsum(f) / rate
    return (amp * (np.sin(phase) + 0.3 * np.sin(2 * phase))).astype(np.float32)


class FakeTranscriber:
    """Scripted: every non-silent window yields one segment 'window N' with three timed words."""

    name = "fake"
    model = "fake-model"

    def __init__(self) -> None:
        self.calls: list[int] = []

    def transcribe_window(self, audio: np.ndarray, options: TranscribeOptions) -> WindowResult:
        self.calls.append(len(audio))
        n = len(self.calls)
        dur = len(audio) / 16000
        words = [
            Word(text=f" w{k}", start=0.1 + k * 0.3, end=0.3 + k * 0.3, probability=0.9) for k in range(3)
        ]
        seg = TranscriptSegment(
            start=0.1,
            end=min(dur, 1.0),
            text=f" window {n} ",
            confidence=0.8,
            words=words if options.word_timestamps else [],
        )
        return WindowResult([seg], "en", 0.99)

    def model_info(self) -> ModelInfo:
        return ModelInfo(name="fake", role="other")
