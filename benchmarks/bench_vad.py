"""Word error rate with and without voice-activity detection (issue 10), against plain faster-whisper.

Usage (needs ``emotool[speech]``, ``emotool models pull speech`` and espeak-ng)::

    python benchmarks/bench_vad.py              # a table
    python benchmarks/bench_vad.py --json

The clips are made here, FLEURS-style: read sentences of encyclopedic prose written for
this benchmark, spoken by espeak-ng in several English voices and speeds, three to a
clip, joined by silences of 0.3 to 2.5 s over a faint noise floor, with little silence
after the last word (where a tight voice-activity cut loses the last words). Plus
``../shared/data/speech/jfk.flac`` when it is there.

Rows: ``plain`` is ``faster_whisper.WhisperModel(tiny.en).transcribe(audio)`` with every
default (no VAD); the other rows are ``emotool.speech.transcribe`` with its default (VAD
off) and with VAD on at several paddings (one 70 s clip with 20 s pauses is in the set).
emotool's default must never be worse than ``plain``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

import numpy as np

from emotool.media import MediaPolicy
from emotool.speech import transcribe
from emotool.speech.schema import VAD_MIN_SILENCE_MS, VAD_PAD_MS
from emotool.speech.wer import word_error_rate

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
JFK = SHARED / "speech" / "jfk.flac"
JFK_TEXT = (
    "And so, my fellow Americans, ask not what your country can do for you, "
    "ask what you can do for your country."
)

# read-speech sentences in the style of FLEURS (encyclopedic prose), written for this benchmark
SENTENCES = [
    "The river rises in the northern hills and reaches the sea after four hundred kilometres.",
    "Most of the island is covered by dense forest and a few small farming villages.",
    "The poem was first published in a literary magazine and later recorded by Lord Byron.",
    "Copper was mined in the valley for more than two centuries before the pits were closed.",
    "The festival takes place every summer and attracts visitors from many countries.",
    "Bees collect nectar from flowers and store it as honey inside the hive.",
    "The old bridge was rebuilt in stone after a flood destroyed the wooden one.",
    "Several species of birds migrate south when the days grow shorter.",
    "The library holds thousands of manuscripts written by hand in the middle ages.",
    "A new railway line now connects the capital with the coastal towns.",
    "The volcano last erupted nearly a hundred years ago and is closely watched.",
    "Students in the region learn two languages from their first year at school.",
    "The painter spent the last years of her life in a small house by the lake.",
    "Heavy rain in the spring often causes the lower streets to flood.",
    "The treaty was signed by both kings in a castle near the border.",
    "Wolves returned to the mountains after an absence of almost a century.",
    "The museum shows tools and pottery found during the excavation of the harbour.",
    "Rice is planted at the start of the wet season and harvested in autumn.",
    "The composer wrote his first symphony while he was still a student.",
    "Ferries leave the port every hour and cross the strait in forty minutes.",
    "The desert receives less than ten centimetres of rain in a typical year.",
    "Early astronomers used simple instruments to measure the positions of stars.",
    "The cathedral took more than a hundred years to complete.",
    "Local markets sell fresh fish, fruit and vegetables every morning.",
    "The glacier has retreated several hundred metres over the last fifty years.",
    "Traditional houses in the village are built from timber and clay.",
    "The company began as a small workshop that repaired bicycles.",
    "Dolphins are often seen near the coast in the early hours of the day.",
    "The mountain pass is closed in winter because of heavy snow.",
    "Her first novel was translated into more than twenty languages.",
]
VOICES = [("en-us", 160), ("en-gb", 150), ("en-us+f3", 170), ("en-gb-x-rp", 140), ("en-us+m3", 180)]
RATE = 16000


def espeak(text: str, voice: str, speed: int, path: Path) -> np.ndarray:
    """``text`` spoken by espeak-ng, as float samples at 16 kHz."""
    exe = shutil.which("espeak-ng") or shutil.which("espeak")
    if exe is None:
        raise SystemExit("espeak-ng is not installed: run scripts/setup.sh (or apt-get install espeak-ng)")
    subprocess.run([exe, "-v", voice, "-s", str(speed), "-w", str(path), text], check=True)
    with wave.open(str(path)) as w:
        rate, data = w.getframerate(), w.readframes(w.getnframes())
    x = np.frombuffer(data, dtype=np.int16).astype(np.float32) / 32768.0
    n = round(len(x) * RATE / rate)
    return np.interp(np.linspace(0, len(x) - 1, n), np.arange(len(x)), x).astype(np.float32)


def make_clips(folder: Path, n: int = 10) -> list[tuple[str, np.ndarray, str]]:
    """``n`` clips of three sentences each: (name, samples, reference text)."""
    rng = np.random.default_rng(7)
    clips = []
    for c in range(n):
        parts: list[np.ndarray] = [np.zeros(int(RATE * rng.uniform(0.2, 0.8)), np.float32)]
        texts = []
        for k in range(3):
            text = SENTENCES[(3 * c + k) % len(SENTENCES)]
            voice, speed = VOICES[(c + k) % len(VOICES)]
            speech = espeak(text, voice, speed, folder / f"c{c}-{k}.wav")
            parts.append(speech * float(rng.uniform(0.3, 1.0)))
            gap = rng.uniform(0.3, 2.5) if k < 2 else rng.uniform(0.05, 0.2)  # little room at the end
            parts.append(np.zeros(int(RATE * gap), np.float32))
            texts.append(text)
        audio = np.concatenate(parts)
        audio = audio + rng.normal(0, 0.002, len(audio)).astype(np.float32)  # faint noise floor
        clips.append((f"clip{c}", np.clip(audio, -1, 1), " ".join(texts)))
    return clips


def make_long_clip(folder: Path, noise: bool = True) -> tuple[str, np.ndarray, str]:
    """Three sentences 20 s apart (70 s): longer than Whisper's 30 s context.

    With ``noise=False`` the pauses are digital silence (as in an edited or generated file),
    which emotool cuts out before recognition.
    """
    rng = np.random.default_rng(11)
    parts: list[np.ndarray] = [np.zeros(RATE * 5, np.float32)]
    texts = []
    for k, text in enumerate(SENTENCES[-3:]):
        voice, speed = VOICES[k % len(VOICES)]
        parts.append(espeak(text, voice, speed, folder / f"long-{k}.wav"))
        parts.append(np.zeros(RATE * (20 if k < 2 else 1), np.float32))
        texts.append(text)
    audio = np.concatenate(parts)
    if noise:
        audio = audio + rng.normal(0, 0.002, len(audio)).astype(np.float32)
    return ("long70s" if noise else "long70s-digital-silence"), np.clip(audio, -1, 1), " ".join(texts)


def plain_faster_whisper(model_dir: str) -> object:
    from faster_whisper import WhisperModel

    model = WhisperModel(model_dir, device="cpu", compute_type="int8", cpu_threads=1)

    def run(audio: np.ndarray) -> str:
        segments, _ = model.transcribe(audio)
        return " ".join(s.text.strip() for s in segments)

    return run


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--clips", type=int, default=10)
    args = ap.parse_args()
    from emotool import assets

    configs: dict[str, dict[str, object]] = {
        "emotool default (VAD off)": {},
        "emotool, VAD 500 ms silence, 200 ms pad (the old default)": {
            "vad": True,
            "vad_min_silence_ms": 500,
            "vad_pad_ms": 200,
        },
        "emotool, VAD 1000 ms silence, 400 ms pad": {
            "vad": True,
            "vad_min_silence_ms": 1000,
            "vad_pad_ms": 400,
        },
        f"emotool --vad ({VAD_MIN_SILENCE_MS} ms silence, {VAD_PAD_MS} ms pad)": {"vad": True},
    }
    with tempfile.TemporaryDirectory(prefix="emotool-vad-") as tmp:
        folder = Path(tmp)
        clips = make_clips(folder, args.clips)
        clips.append(make_long_clip(folder))
        clips.append(make_long_clip(folder, noise=False))
        if JFK.is_file():
            from emotool.speech.audio import open_audio

            jfk = open_audio(JFK, policy=MediaPolicy(allowed_roots=[JFK.parent])).read_all()
            clips.append(("jfk.flac", jfk, JFK_TEXT))
        plain = plain_faster_whisper(str(assets.path("whisper-tiny-en")))
        rows: dict[str, list[float]] = {"plain faster-whisper tiny.en (defaults)": []}
        secs: dict[str, float] = {name: 0.0 for name in [*rows, *configs]}
        for _, audio, ref in clips:
            t0 = time.perf_counter()
            rows["plain faster-whisper tiny.en (defaults)"].append(word_error_rate(ref, plain(audio)))  # type: ignore[operator]
            secs["plain faster-whisper tiny.en (defaults)"] += time.perf_counter() - t0
        for name, opts in configs.items():
            rows[name] = []
            for _, audio, ref in clips:
                t0 = time.perf_counter()
                tr = transcribe(audio, sample_rate=RATE, progress=False, **opts)  # type: ignore[arg-type]
                secs[name] += time.perf_counter() - t0
                rows[name].append(word_error_rate(ref, tr.text))
    names = [c[0] for c in clips]
    if args.json:
        for name, wers in rows.items():
            print(
                json.dumps(
                    {
                        "config": name,
                        "mean_wer": statistics.mean(wers),
                        "per_clip": dict(zip(names, wers, strict=True)),
                        "seconds": secs[name],
                    }
                )
            )
        return
    print(f"{len(clips)} clips ({', '.join(names)}); WER averaged over clips; lower is better\n")
    print("| configuration | mean WER | worst clip WER | clips worse than plain | seconds |")
    print("|---|---|---|---|---|")
    base = rows["plain faster-whisper tiny.en (defaults)"]
    for name, wers in rows.items():
        worse = sum(w > b + 1e-9 for w, b in zip(wers, base, strict=True))
        mean, top = 100 * statistics.mean(wers), 100 * max(wers)
        print(f"| {name} | {mean:.1f}% | {top:.1f}% | {worse} | {secs[name]:.1f} |")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
