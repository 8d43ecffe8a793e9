"""Speech (issue 10): emotool's default transcription is never worse than plain faster-whisper tiny.en."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import numpy as np
import pytest

from emotool.speech import TranscribeOptions, transcribe
from emotool.speech.wer import word_error_rate

_spec = importlib.util.spec_from_file_location(
    "bench_vad", Path(__file__).resolve().parents[1] / "benchmarks" / "bench_vad.py"
)
assert _spec is not None and _spec.loader is not None
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)


def test_vad_is_auto_by_default_and_padded_when_on() -> None:
    from emotool.speech.transcription import use_vad

    opts = TranscribeOptions()
    assert opts.vad == "auto"
    assert not use_vad(opts, 16000 * 20) and use_vad(opts, 16000 * 300)  # short clips: plain model
    assert use_vad(TranscribeOptions(vad=True), 16000) and not use_vad(TranscribeOptions(vad=False), 10**9)
    assert opts.vad_pad_ms >= 400 and opts.vad_min_silence_ms >= 1000


@pytest.mark.real
@pytest.mark.slow
@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
def test_default_never_worse_than_plain_faster_whisper(tmp_path: Path) -> None:
    from emotool import assets

    plain = bench.plain_faster_whisper(str(assets.path("whisper-tiny-en")))
    clips = bench.make_clips(tmp_path, 3)
    for _, audio, ref in clips:
        ours = transcribe(audio, sample_rate=bench.RATE, progress=False)
        assert word_error_rate(ref, ours.text) <= word_error_rate(ref, plain(audio)) + 1e-9
    # the clip's last words survive (the issue: a tight VAD cut "recorded by Lord Byron")
    last = clips[0][2].split()[-1].strip(".").lower()
    assert last in transcribe(clips[0][1], sample_rate=bench.RATE, progress=False).text.lower()


@pytest.mark.real
def test_silent_windows_are_still_skipped() -> None:
    silence = np.zeros(16000 * 3, np.float32)
    tr = transcribe(silence, sample_rate=16000, progress=False)
    assert tr.is_empty and tr.chunks == 1
