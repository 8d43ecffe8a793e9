"""Speech on real audio with the real embedded models (Whisper tiny.en, all-MiniLM-L6-v2)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("faster_whisper", reason="needs emotool[speech]: pip install 'emotool[speech]'")

from speech_helpers import JFK, JFK_TEXT, encode, espeak

from emotool import assets
from emotool.errors import CorruptMedia, EmptyMedia
from emotool.media import MediaPolicy
from emotool.speech import analyze_speech, open_audio, transcribe, verbal_cues
from emotool.speech.wer import word_error_rate

pytestmark = pytest.mark.real

ESPEAK_SENTENCES = [
    "The weather will be sunny tomorrow with a light breeze.",
    "Please call me back when you have a moment.",
    "I would like to book a table for two people at seven.",
]
EMOTIONAL = [
    ("positive", "I just got the job offer and I am so happy!"),
    ("positive", "We had a wonderful holiday and the kids loved every minute."),
    ("negative", "My best friend died last night and I cannot stop crying."),
    ("negative", "I am furious, they cancelled my flight and refused to help."),
    ("negative", "I am terrified of the operation next week."),
    ("neutral", "The library closes at six on weekdays."),
]


@pytest.fixture(scope="module", autouse=True)
def _whisper_present() -> None:
    if not assets.is_present("whisper-tiny-en"):
        pytest.skip("Whisper tiny.en is not installed: run `emotool models pull whisper-tiny-en`")


@pytest.fixture(scope="module")
def jfk() -> Path:
    if not JFK.is_file():
        pytest.skip(f"real data not found: expected {JFK} (../shared/data beside the checkout)")
    return JFK


@pytest.fixture
def policy(tmp_path: Path) -> MediaPolicy:
    return MediaPolicy(allowed_roots=[tmp_path, JFK.parent])


def test_jfk_word_error_rate_at_most_5_percent(jfk: Path, policy: MediaPolicy) -> None:
    tr = transcribe(jfk, policy=policy)
    wer = word_error_rate(JFK_TEXT, tr.text)
    assert wer <= 0.05, (wer, tr.text)
    assert tr.language == "en" and tr.segments and all(0 <= s.start < s.end <= 11.5 for s in tr.segments)
    assert tr.words and all(0 <= w.probability <= 1 for w in tr.words)
    assert any("stereo" in n or "channels" in n or "resampled" in n for n in tr.notes)


def test_larger_multilingual_whisper_base_on_real_speech(jfk: Path, policy: MediaPolicy) -> None:
    """The embedded Whisper base (the `speech-large` asset, joined from two packages) for real."""
    tr = transcribe(jfk, policy=policy, model="base", beam_size=1, word_timestamps=False)
    assert word_error_rate(JFK_TEXT, tr.text) <= 0.10, tr.text
    assert tr.language == "en"  # detected: base is multilingual, no language was forced
    assert tr.model and "base" in tr.model


def test_compressed_formats_and_video_track_of_real_speech(
    jfk: Path, tmp_path: Path, policy: MediaPolicy
) -> None:
    samples = open_audio(jfk, policy=policy).read_all()
    for fmt, rate in (("mp3", 44100), ("webm", 48000), ("m4a", 8000)):
        path = encode(
            samples if rate == 16000 else _resample(samples, rate), rate, tmp_path / f"j.{fmt}", fmt, 2
        )
        tr = transcribe(path, policy=policy, beam_size=1, word_timestamps=False)
        assert word_error_rate(JFK_TEXT, tr.text) <= 0.15, (fmt, tr.text)
    data = (tmp_path / "j.mp3").read_bytes()
    assert word_error_rate(JFK_TEXT, transcribe(data, beam_size=1).text) <= 0.15


def _resample(x: np.ndarray, rate: int) -> np.ndarray:
    t_new = np.arange(int(len(x) * rate / 16000)) / rate
    return np.interp(t_new, np.arange(len(x)) / 16000, x).astype(np.float32)


def test_espeak_sentences_are_transcribed(tmp_path: Path, policy: MediaPolicy) -> None:
    wers = []
    for i, text in enumerate(ESPEAK_SENTENCES):
        wav = espeak(text, tmp_path / f"s{i}.wav")
        if wav is None:
            pytest.skip("espeak-ng is not installed (scripts/setup.sh installs it)")
        wers.append(word_error_rate(text, transcribe(wav, policy=policy).text))
    assert float(np.mean(wers)) <= 0.25, wers  # robotic voice; the benchmark reports the exact figure


def test_silence_and_noise_give_empty_transcripts_then_speech_works(jfk: Path, policy: MediaPolicy) -> None:
    rng = np.random.default_rng(0)
    for x in (
        np.zeros(16000 * 8, np.float32),
        (rng.standard_normal(16000 * 8) * 0.05).astype(np.float32),
        (rng.standard_normal(16000 * 8) * 0.3).astype(np.float32),
    ):
        tr = transcribe(x)
        assert tr.is_empty and tr.segments == [], tr.text
    with pytest.raises(EmptyMedia):
        transcribe(b"")
    with pytest.raises(CorruptMedia):
        transcribe(b"RIFF\x00\x00\x00\x00WAVEfmt garbage" * 10, beam_size=1)
    assert word_error_rate(JFK_TEXT, transcribe(jfk, policy=policy).text) <= 0.05  # the next call works


def test_emotional_sentences_get_the_right_valence() -> None:
    for want, text in EMOTIONAL:
        got = verbal_cues(text)
        assert got.valence_label == want, (text, got)


def test_speech_reading_end_to_end_with_espeak(tmp_path: Path, policy: MediaPolicy) -> None:
    wav = espeak(
        "I am so happy, I just won the lottery and I love everyone!", tmp_path / "happy.wav", speed=190
    )
    if wav is None:
        pytest.skip("espeak-ng is not installed (scripts/setup.sh installs it)")
    r = analyze_speech(wav, policy=policy)
    assert (
        r.speech_found and r.valence is not None and r.valence > 0.15 and r.verbal.valence_label == "positive"
    )
    assert r.arousal is not None and r.vocal.pitch_hz and r.vocal.speaking_rate_wpm
    assert "happy" in r.summary and r.models
    sad = espeak("My father passed away and I feel so alone.", tmp_path / "sad.wav", speed=110)
    assert sad is not None
    r2 = analyze_speech(sad, policy=policy)
    assert r2.verbal.valence_label == "negative" and r2.label == "sadness"


@pytest.mark.slow
def test_two_hour_file_is_streamed_in_bounded_memory(jfk: Path, tmp_path: Path) -> None:
    """A 2-hour file (silence with one spoken clip in the middle) is processed window by window:
    peak memory grows by far less than the 460 MB its samples would take at 16 kHz float32."""
    import av

    long = tmp_path / "long.flac"
    speech = open_audio(jfk, policy=MediaPolicy(allowed_roots=[jfk.parent])).read_all()
    hour = 3600 * 16000
    with av.open(str(long), "w", format="flac") as out:
        stream = out.add_stream("flac", rate=16000, layout="mono")
        zeros = np.zeros((1, 16000 * 60), np.int16)
        pts = 0

        def write(block: np.ndarray) -> None:
            nonlocal pts
            frame = av.AudioFrame.from_ndarray(block, format="s16", layout="mono")
            frame.sample_rate, frame.pts = 16000, pts
            pts += block.shape[1]
            for packet in stream.encode(frame):
                out.mux(packet)

        for _ in range(hour // zeros.shape[1]):
            write(zeros)
        write((speech * 32767).astype(np.int16).reshape(1, -1))
        for _ in range(hour // zeros.shape[1]):
            write(zeros)
        for packet in stream.encode(None):
            out.mux(packet)
    code = textwrap.dedent(f"""
        import resource, json
        from emotool.speech import analyze_speech, transcribe
        from emotool.media import MediaPolicy
        pol = MediaPolicy(allowed_roots=[{str(tmp_path)!r}, {str(jfk.parent)!r}])
        transcribe({str(jfk)!r}, policy=pol)  # model loaded, buffers warm
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        r = analyze_speech({str(long)!r}, policy=pol, verbal=False)
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(json.dumps({{"grew_mb": (after - before) / 1024, "text": r.transcript.text,
                           "chunks": r.transcript.chunks, "duration": r.transcript.duration,
                           "start": r.transcript.segments[0].start}}))
    """)
    import json

    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    assert res["duration"] > 7200 and res["chunks"] >= 24
    assert 3590 < res["start"] < 3610 and word_error_rate(JFK_TEXT, res["text"]) <= 0.1
    assert res["grew_mb"] < 200, res


def test_openai_whisper_backend(jfk: Path, policy: MediaPolicy) -> None:
    pytest.importorskip(
        "whisper",
        reason="openai-whisper is not installed here: it pulls triton (1 GB) and an "
        "unpinned torch; install emotool[openai-whisper] to run this test",
    )
    from emotool.speech import get_transcriber

    ckpt = Path.home() / ".cache" / "whisper" / "tiny.en.pt"
    if not ckpt.is_file():
        pytest.skip(f"no openai-whisper checkpoint at {ckpt}")
    tr = transcribe(jfk, transcriber=get_transcriber("openai-whisper", str(ckpt)), policy=policy)
    assert word_error_rate(JFK_TEXT, tr.text) <= 0.1
