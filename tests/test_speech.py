"""Speech, fast tests: decoding of every format, windows, errors, vocal features, the API backend
(against a real HTTP server on 127.0.0.1), with a scripted transcriber instead of Whisper."""

from __future__ import annotations

import http.server
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("av", reason="PyAV is part of emotool[speech]; pip install 'emotool[speech]'")

from speech_helpers import FORMATS, FakeTranscriber, encode, tone, video_without_audio

from emotool.errors import BackendUnavailable, CorruptMedia, EmptyMedia, UnknownName, UnsupportedFormat
from emotool.media import MediaPolicy
from emotool.speech import (
    TranscribeOptions,
    Transcript,
    TranscriptSegment,
    Word,
    analyze_speech,
    get_transcriber,
    open_audio,
    transcribe,
)
from emotool.speech.audio import SAMPLE_RATE
from emotool.speech.vocal import vocal_cues, yin_pitch
from emotool.speech.wer import word_error_rate


@pytest.fixture
def policy(tmp_path: Path) -> MediaPolicy:
    return MediaPolicy(allowed_roots=[tmp_path])


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize(("rate", "channels"), [(8000, 1), (16000, 2), (48000, 2)])
def test_every_format_rate_and_layout_decodes_to_16k_mono(
    tmp_path: Path, policy: MediaPolicy, fmt: str, rate: int, channels: int
) -> None:
    path = encode(tone(2.0, rate), rate, tmp_path / f"a{FORMATS[fmt][2]}", fmt, channels)
    audio = open_audio(path, policy=policy)
    samples = audio.read_all()
    assert samples.dtype == np.float32 and samples.ndim == 1
    assert abs(len(samples) / SAMPLE_RATE - 2.0) < 0.25  # codec padding only
    f0 = yin_pitch(samples)
    assert abs(np.nanmedian(f0) - 220) < 10  # the content survives decoding and resampling
    if channels == 2:
        assert any("mixed down" in n for n in audio.notes)


def test_bytes_and_arrays(tmp_path: Path, policy: MediaPolicy) -> None:
    path = encode(tone(1.0, 44100), 44100, tmp_path / "a.flac", "flac", 2)
    from_bytes = open_audio(path.read_bytes()).read_all()
    assert abs(len(from_bytes) - SAMPLE_RATE) < 200
    stereo_int = (np.stack([tone(1.0, 22050)] * 2, axis=1) * 32767).astype(np.int16)  # samples x channels
    a = open_audio(stereo_int, sample_rate=22050)
    assert abs(len(a.read_all()) - SAMPLE_RATE) < 200 and any("resampled" in n for n in a.notes)


def test_bad_inputs_raise_typed_errors_that_say_what_to_do(tmp_path: Path, policy: MediaPolicy) -> None:
    (tmp_path / "empty.wav").write_bytes(b"")
    with pytest.raises(EmptyMedia, match="0 bytes"):
        open_audio(tmp_path / "empty.wav", policy=policy)
    (tmp_path / "bad.mp3").write_bytes(np.random.default_rng(0).bytes(4000))
    with pytest.raises(CorruptMedia, match="damaged"):
        open_audio(tmp_path / "bad.mp3", policy=policy)
    (tmp_path / "notes.txt").write_text("hello, not audio")
    with pytest.raises(UnsupportedFormat):
        open_audio(tmp_path / "notes.txt", policy=policy)
    with pytest.raises(EmptyMedia, match="no audio track"):
        open_audio(video_without_audio(tmp_path / "silent_film.mp4"), policy=policy)
    with pytest.raises(EmptyMedia):
        open_audio(b"")
    with pytest.raises(EmptyMedia):
        open_audio(np.zeros(0, np.float32))
    with pytest.raises(UnknownName, match="faster-whisper"):
        get_transcriber("nope")


def test_truncated_file_keeps_what_decodes(tmp_path: Path, policy: MediaPolicy) -> None:
    path = encode(tone(3.0, 16000), 16000, tmp_path / "a.mp3", "mp3")
    cut = tmp_path / "cut.mp3"
    cut.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    samples = open_audio(cut, policy=policy).read_all()
    assert 0.8 * SAMPLE_RATE < len(samples) < 2.5 * SAMPLE_RATE


def test_windows_cut_in_quiet_places_and_cover_everything() -> None:
    # 100 s of tone with a 1 s gap every 5 s; windows of 30 s should end inside gaps
    x = np.concatenate([np.concatenate([tone(4.0), np.zeros(SAMPLE_RATE, np.float32)]) for _ in range(20)])
    wins = list(open_audio(x).windows(30.0))
    assert sum(len(w) for _, w in wins) == len(x)
    for start, w in wins[:-1]:
        end = start + len(w) / SAMPLE_RATE
        assert end % 5 >= 3.99 or end % 5 < 0.05, end  # in a gap


def test_transcribe_shifts_times_skips_silence_and_reports(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeTranscriber()
    x = np.concatenate([tone(40.0), np.zeros(80 * SAMPLE_RATE, np.float32), tone(40.0)])
    tr = transcribe(x, transcriber=fake, chunk_s=40.0)
    assert len(fake.calls) < tr.chunks  # the silent windows never reached the model
    assert [s.text for s in tr.segments] == [f"window {i + 1}" for i in range(len(fake.calls))]
    assert tr.segments[-1].start > 100 and tr.segments[-1].words[0].start > 100
    assert tr.backend == "fake" and tr.language == "en" and tr.duration == pytest.approx(160, abs=0.1)
    silent = transcribe(np.zeros(5 * SAMPLE_RATE, np.float32), transcriber=fake)
    assert silent.is_empty and silent.segments == [] and silent.text == ""


def test_options_are_validated() -> None:
    with pytest.raises(ValueError):
        TranscribeOptions(beam_sze=3)  # type: ignore[call-arg]
    with pytest.raises(ValueError):
        transcribe(tone(1.0), transcriber=FakeTranscriber(), chunk_s=1)


def _transcript(words: list[tuple[float, float]]) -> Transcript:
    ws = [Word(text=f" w{i}", start=a, end=b, probability=0.9) for i, (a, b) in enumerate(words)]
    seg = TranscriptSegment(
        start=ws[0].start, end=ws[-1].end, text=" ".join(w.text for w in ws), confidence=0.9, words=ws
    )
    return Transcript(
        source="<array>",
        text=seg.text,
        language="en",
        duration=60,
        speech_duration=seg.end,
        segments=[seg],
        backend="fake",
        model="fake",
        processing_s=0,
    )


def test_vocal_cues_separate_calm_from_excited_speech() -> None:
    rng = np.random.default_rng(1)
    # excited: 4 words/s, lively pitch, loud; calm: 1.5 words/s with long pauses, flat, quiet
    fast = _transcript([(i * 0.25, i * 0.25 + 0.2) for i in range(40)])
    slow = _transcript(
        [
            (
                i * 0.7 + (2.5 if i % 5 == 4 else 0) * (i // 5 + 1),
                i * 0.7 + 0.5 + (2.5 if i % 5 == 4 else 0) * (i // 5 + 1),
            )
            for i in range(15)
        ]
    )
    lively = 200 * 2 ** (rng.normal(0, 6, 500) / 12)
    flat = 120 * 2 ** (rng.normal(0, 0.5, 500) / 12)
    excited = vocal_cues(lively, np.full(500, -12.0), 1000, fast)
    calm = vocal_cues(flat, np.full(500, -40.0), 1000, slow)
    assert excited.arousal is not None and calm.arousal is not None
    assert excited.arousal > 0.7 > 0.3 > calm.arousal
    assert any("fast and loud" in n for n in excited.notes) and any("lively" in n for n in excited.notes)
    assert any("monotone" in n for n in calm.notes) and any("long pauses" in n for n in calm.notes)
    assert calm.pause_count >= 2 and calm.longest_pause_s and calm.longest_pause_s > 2


def test_yin_finds_pitch_and_ignores_noise() -> None:
    for f in (90.0, 150.0, 260.0):
        assert abs(np.nanmedian(yin_pitch(tone(1.0, freq=f))) - f) < 0.02 * f
    noise = np.random.default_rng(0).normal(0, 0.1, SAMPLE_RATE).astype(np.float32)
    assert np.isfinite(yin_pitch(noise)).mean() < 0.05


def test_word_error_rate() -> None:
    assert word_error_rate("Ask not, what", "ask not what") == 0
    assert word_error_rate("a b c d", "a x c") == pytest.approx(0.5)
    assert word_error_rate("", "") == 0 and word_error_rate("", "hi") == 1


def test_analyze_speech_without_words_is_explicit() -> None:
    r = analyze_speech(np.zeros(3 * SAMPLE_RATE, np.float32), transcriber=FakeTranscriber(), verbal=False)
    assert not r.speech_found and r.label is None and r.valence is None and r.arousal is None
    assert "No speech" in r.summary
    json.loads(r.model_dump_json())


# ------------------------------------------------------------------ the OpenAI-compatible endpoint


class _Handler(http.server.BaseHTTPRequestHandler):
    requests: list[dict[str, object]] = []  # noqa: RUF012
    status = 200

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).requests.append(
            {
                "path": self.path,
                "auth": self.headers.get("Authorization"),
                "body": body,
                "ctype": self.headers["Content-Type"],
            }
        )
        if type(self).status != 200:
            self.send_response(type(self).status)
            self.end_headers()
            self.wfile.write(b'{"error": {"message": "no such model"}}')
            return
        answer = {
            "text": " I am so happy today.",
            "language": "english",
            "duration": 2.0,
            "segments": [
                {
                    "start": 0.0,
                    "end": 1.8,
                    "text": " I am so happy today.",
                    "avg_logprob": -0.1,
                    "no_speech_prob": 0.01,
                }
            ],
            "words": [
                {"word": w, "start": 0.3 * i, "end": 0.3 * i + 0.25}
                for i, w in enumerate(["I", "am", "so", "happy", "today."])
            ],
        }
        data = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def stt_server() -> Iterator[str]:
    _Handler.requests, _Handler.status = [], 200
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


def test_openai_api_backend_against_a_local_server(stt_server: str) -> None:
    from emotool.speech.remote import OpenAIAPITranscriber

    t = OpenAIAPITranscriber(model="whisper-large-v3", base_url=stt_server, api_key="sk-test")
    tr = transcribe(tone(2.0), transcriber=t, language="en")
    assert tr.text == "I am so happy today." and tr.language == "en" and tr.backend == "openai-api"
    assert [w.text.strip() for w in tr.words] == ["I", "am", "so", "happy", "today."]
    req = _Handler.requests[0]
    assert req["path"] == "/v1/audio/transcriptions" and req["auth"] == "Bearer sk-test"
    body = req["body"]
    assert (
        isinstance(body, bytes)
        and b"whisper-large-v3" in body
        and b"RIFF" in body
        and b"verbose_json" in body
    )
    _Handler.status = 404
    with pytest.raises(BackendUnavailable, match="HTTP 404"):
        transcribe(tone(1.0), transcriber=t)
    _Handler.status = 200
    assert transcribe(tone(1.0), transcriber=t).text  # the next call works


def test_openai_api_backend_unreachable_server_is_a_clear_error() -> None:
    from emotool.speech.remote import OpenAIAPITranscriber

    t = OpenAIAPITranscriber(base_url="http://127.0.0.1:9/v1", timeout_s=2)
    with pytest.raises(BackendUnavailable, match="cannot reach"):
        transcribe(tone(1.0), transcriber=t)


def test_importing_speech_is_light() -> None:
    code = (
        "import sys, emotool.speech, emotool.embeddings, emotool.speech.cli; "
        "print(' '.join(m for m in ('torch', 'faster_whisper', 'sentence_transformers', 'av', 'ctranslate2') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == ""


def test_openai_whisper_backend_missing_extra_says_how_to_install() -> None:
    try:
        import whisper  # noqa: F401
    except ImportError:
        with pytest.raises(BackendUnavailable, match=r"emotool\[openai-whisper\]"):
            get_transcriber("openai-whisper", "tiny.en")
    else:
        pytest.skip("openai-whisper is installed; tested in test_speech_real.py")
