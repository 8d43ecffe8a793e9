"""Speech benchmark: word error rate, real-time factor, valence accuracy of the verbal cues.

Run from the checkout (needs ``emotool[speech]``, ``emotool models pull speech`` and espeak-ng)::

    python benchmarks/bench_speech.py            # prints a table
    python benchmarks/bench_speech.py --json     # the same figures as JSON

Data: ``../shared/data/speech/jfk.flac`` (11 s of real speech) when present, and sentences
spoken by espeak-ng into a temporary folder. Timings depend on how busy the machine is: run it
on a quiet machine, and read the RTF as the median of several runs after a warm-up.
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
from pathlib import Path

from emotool.media import MediaPolicy
from emotool.speech import analyze_speech, get_transcriber, transcribe, verbal_cues
from emotool.speech.wer import word_error_rate

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
JFK = SHARED / "speech" / "jfk.flac"
JFK_TEXT = (
    "And so, my fellow Americans, ask not what your country can do for you, "
    "ask what you can do for your country."
)

ESPEAK_SENTENCES = [
    "The weather will be sunny tomorrow with a light breeze.",
    "Please call me back when you have a moment.",
    "I would like to book a table for two people at seven.",
    "The museum is closed on Mondays and public holidays.",
    "She bought three apples and a loaf of bread at the market.",
    "Turn left at the second traffic light and park behind the bank.",
    "Our team finished the project two weeks ahead of schedule.",
    "Remember to water the plants while I am away.",
]

# sentences with clearly emotional wording, written for this benchmark (not the scorer's references)
EMOTIONAL = [
    ("positive", "I just got the job offer and I am so happy!"),
    ("positive", "We had a wonderful holiday and the kids loved every minute."),
    ("positive", "My sister had a healthy baby girl this morning, we are overjoyed."),
    ("positive", "I passed my driving test on the first try, what a great day."),
    ("positive", "Thank you, your kind words really cheered me up."),
    ("positive", "The concert was fantastic and I danced all night."),
    ("positive", "I'm so proud of my son, he graduated with honours."),
    ("negative", "My best friend died last night and I cannot stop crying."),
    ("negative", "I am furious, they cancelled my flight and refused to help."),
    ("negative", "I am terrified of the operation next week."),
    ("negative", "I've been so lonely and miserable since the divorce."),
    ("negative", "That restaurant was filthy, there were cockroaches everywhere."),
    ("negative", "I keep panicking that I will fail all my exams."),
    ("negative", "He shouted at me in front of everyone and I'm still angry."),
    ("neutral", "The library closes at six on weekdays."),
    ("neutral", "I need to renew my passport before March."),
    ("neutral", "The package should arrive on Thursday afternoon."),
    ("neutral", "We moved the meeting to the small conference room."),
]


def espeak(text: str, path: Path, speed: int = 160) -> Path:
    exe = shutil.which("espeak-ng") or shutil.which("espeak")
    if exe is None:
        raise SystemExit("espeak-ng is not installed: run scripts/setup.sh (or apt-get install espeak-ng)")
    subprocess.run(
        [exe, "-v", "en-us", "-s", str(speed), "-w", str(path), text], check=True, capture_output=True
    )
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--runs", type=int, default=5, help="timed runs for the real-time factor")
    ap.add_argument("--model", default="tiny.en")
    args = ap.parse_args(argv)
    rows: list[tuple[str, str, str]] = []
    out: dict[str, object] = {}
    tmp = Path(tempfile.mkdtemp(prefix="emotool-bench-speech-"))
    policy = MediaPolicy(allowed_roots=[tmp, SHARED])
    t0 = time.perf_counter()
    get_transcriber("faster-whisper", args.model)
    out["load_s"] = round(time.perf_counter() - t0, 2)
    rows.append(("model load", f"{out['load_s']} s", f"faster-whisper {args.model}, int8, CPU"))

    if JFK.is_file():
        tr = transcribe(JFK, model=args.model, policy=policy)
        out["jfk_wer"] = round(word_error_rate(JFK_TEXT, tr.text), 4)
        rows.append(("WER jfk.flac", f"{out['jfk_wer']:.1%}", repr(tr.text)))
        for label, opts in (
            ("default (beam 5, words, VAD)", {}),
            ("greedy, no word timestamps", {"beam_size": 1, "word_timestamps": False}),
        ):
            transcribe(JFK, model=args.model, policy=policy, **opts)  # warm-up
            times = []
            for _ in range(args.runs):
                t = time.perf_counter()
                transcribe(JFK, model=args.model, policy=policy, **opts)
                times.append(time.perf_counter() - t)
            rtf = statistics.median(times) / 11.0
            out[f"rtf_{'default' if not opts else 'greedy'}"] = round(rtf, 3)
            rows.append(
                (
                    f"RTF jfk 11 s, {label}",
                    f"{rtf:.3f}",
                    f"median of {args.runs}; min {min(times) / 11:.3f}, max {max(times) / 11:.3f}",
                )
            )
    else:
        rows.append(("WER/RTF jfk.flac", "skipped", f"{JFK} not found"))

    wers = []
    for i, text in enumerate(ESPEAK_SENTENCES):
        wav = espeak(text, tmp / f"s{i}.wav")
        wers.append(word_error_rate(text, transcribe(wav, model=args.model, policy=policy).text))
    out["espeak_wer"] = round(statistics.mean(wers), 4)
    rows.append(
        (
            "WER espeak-ng sentences",
            f"{out['espeak_wer']:.1%}",
            f"{len(wers)} sentences; worst {max(wers):.0%}",
        )
    )

    hits = [verbal_cues(text).valence_label == want for want, text in EMOTIONAL]
    out["valence_acc_text"] = round(sum(hits) / len(hits), 3)
    rows.append(
        (
            "valence accuracy, text",
            f"{out['valence_acc_text']:.0%}",
            f"{sum(hits)}/{len(hits)} sentences, 3 classes",
        )
    )
    spoken = []
    for i, (want, text) in enumerate(EMOTIONAL):
        wav = espeak(text, tmp / f"e{i}.wav")
        spoken.append(analyze_speech(wav, model=args.model, policy=policy).verbal.valence_label == want)
    out["valence_acc_spoken"] = round(sum(spoken) / len(spoken), 3)
    rows.append(
        (
            "valence accuracy, spoken (espeak -> Whisper -> words)",
            f"{out['valence_acc_spoken']:.0%}",
            f"{sum(spoken)}/{len(spoken)}",
        )
    )
    shutil.rmtree(tmp, ignore_errors=True)

    if args.json:
        print(json.dumps(out, indent=2))
        return 0
    w = max(len(r[0]) for r in rows)
    print(f"{'measure':<{w}}  {'value':>8}  notes")
    for name, value, note in rows:
        print(f"{name:<{w}}  {value:>8}  {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
