"""Command-line pieces for speech, wired into ``emotool`` by :mod:`emotool.cli`.

``add_speech_commands(subparsers)`` adds ``emotool transcribe FILE [--json]``;
``is_audio_path(path)`` and ``analyze_audio_cli(args)`` let ``emotool analyze``
handle audio files. Nothing heavy is imported until a command runs.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

AUDIO_ONLY_EXTENSIONS = (".wav", ".flac", ".mp3", ".ogg", ".oga", ".opus", ".m4a", ".aac", ".wma")


def add_speech_arguments(p: argparse.ArgumentParser) -> None:
    """Options shared by ``transcribe`` and ``analyze`` on audio."""
    p.add_argument(
        "--backend",
        default=None,
        help="transcription backend: faster-whisper (default), openai-whisper, openai-api",
    )
    p.add_argument(
        "--model",
        default=None,
        help="model: tiny.en (default), base, a CTranslate2 directory, "
        "or the server's model id for openai-api",
    )
    p.add_argument("--language", default=None, help="language code to force, e.g. en (default: detect)")
    p.add_argument(
        "--base-url", default=None, help="for openai-api: the API root, e.g. http://127.0.0.1:8000/v1"
    )
    p.add_argument(
        "--vad",
        action="store_true",
        help="cut the audio to the speech Silero VAD finds first (default: off)",
    )
    p.add_argument("--no-vad", action="store_true", help="no voice-activity detection (the default)")
    p.add_argument(
        "--allow-root",
        action="append",
        default=[],
        metavar="DIR",
        help="also allow reading files under DIR (repeatable; default: the working directory)",
    )


def add_speech_commands(subparsers: Any) -> None:
    """Add ``transcribe`` to the ``emotool`` sub-command parsers."""
    t = subparsers.add_parser("transcribe", help="transcribe speech in an audio or video file")
    t.add_argument("file", help="audio (wav, flac, mp3, ogg, opus, m4a) or video (mp4, webm, ...) file")
    t.add_argument("--json", action="store_true", help="print the Transcript as JSON")
    t.add_argument(
        "--emotion",
        action="store_true",
        help="also read vocal and verbal emotion cues (prints a SpeechReading)",
    )
    add_speech_arguments(t)
    t.set_defaults(func=transcribe_cli)


def is_audio_path(path: str) -> bool:
    """Whether ``emotool analyze`` should treat ``path`` as speech (by its extension)."""
    return Path(path).suffix.lower() in AUDIO_ONLY_EXTENSIONS


def _common(args: argparse.Namespace) -> dict[str, Any]:
    from ..cli import typed_folders
    from ..media import MediaPolicy

    # the file the person typed is theirs: its folder is allowed too
    roots = [Path.cwd(), *[Path(r) for r in getattr(args, "allow_root", []) or []]]
    roots += typed_folders([args.file]) if getattr(args, "file", None) else []
    kw: dict[str, Any] = {"policy": MediaPolicy(allowed_roots=roots), "progress": None}
    if getattr(args, "language", None):
        kw["language"] = args.language
    if getattr(args, "no_vad", False):
        kw["vad"] = False
    elif getattr(args, "vad", False):
        kw["vad"] = True
    backend = getattr(args, "backend", None) or "faster-whisper"
    model = getattr(args, "model", None)
    if backend == "openai-api" and getattr(args, "base_url", None):
        from .transcription import get_transcriber

        kw["transcriber"] = get_transcriber(backend, model, base_url=args.base_url)
    else:
        kw["backend"], kw["model"] = backend, model
    return kw


def transcribe_cli(args: argparse.Namespace) -> int:
    """Run ``emotool transcribe``; returns the exit code (errors propagate as EmotoolError)."""
    if getattr(args, "emotion", False):
        return analyze_audio_cli(args)
    from .transcription import transcribe

    tr = transcribe(args.file, **_common(args))
    if args.json:
        print(tr.model_dump_json(indent=2))
        return 0
    for s in tr.segments:
        print(f"[{_ts(s.start)} -> {_ts(s.end)}] {s.text}")
    if tr.is_empty:
        print(f"(no speech found in {tr.duration:.1f} s)")
    print(
        f"\n{tr.backend} {tr.model}, language {tr.language or '?'}, {tr.duration:.1f} s audio in "
        f"{tr.processing_s:.1f} s",
        file=sys.stderr,
    )
    return 0


def analyze_audio_cli(args: argparse.Namespace) -> int:
    """Run ``emotool analyze`` on an audio file (or ``transcribe --emotion``): prints a SpeechReading."""
    from .analyze import analyze_speech

    reading = analyze_speech(args.file, **_common(args))
    if getattr(args, "json", False):
        print(reading.model_dump_json(indent=2))
        return 0
    print(reading.summary)
    v = reading.vocal
    print(
        json.dumps(
            {
                "label": reading.label,
                "valence": reading.valence,
                "arousal": reading.arousal,
                "pitch_hz": v.pitch_hz,
                "loudness_db": v.loudness_db,
                "rate_wpm": v.speaking_rate_wpm,
                "pauses": v.pause_count,
            }
        )
    )
    return 0


def _ts(t: float) -> str:
    m, s = divmod(t, 60)
    h, m = divmod(int(m), 60)
    return f"{h:d}:{m:02d}:{s:05.2f}" if h else f"{m:02d}:{s:05.2f}"
