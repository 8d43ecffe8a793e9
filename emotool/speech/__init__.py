"""Speech: transcription with Whisper, and the emotion in the voice and in the words.

::

    from emotool.speech import transcribe, analyze_speech
    transcribe("note.ogg").text                  # embedded Whisper tiny.en, offline, CPU
    reading = analyze_speech("note.ogg")         # a SpeechReading: transcript + vocal + verbal
    reading.summary

Backends sit behind the :class:`Transcriber` protocol in the ``TRANSCRIBERS``
registry: ``faster-whisper`` (default), ``openai-whisper``, ``openai-api``.
Importing this package is light: the names load on first use, and Whisper, PyAV
and the embedding model only when they are needed.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "analyze_speech": ".analyze",
    "combine": ".analyze",
    "SAMPLE_RATE": ".audio",
    "AudioSource": ".audio",
    "open_audio": ".audio",
    "SpeechReading": ".schema",
    "TranscribeOptions": ".schema",
    "Transcript": ".schema",
    "TranscriptSegment": ".schema",
    "VerbalCues": ".schema",
    "VocalCues": ".schema",
    "Word": ".schema",
    "DEFAULT_BACKEND": ".transcription",
    "TRANSCRIBERS": ".transcription",
    "Transcriber": ".transcription",
    "WindowResult": ".transcription",
    "clear_cache": ".transcription",
    "get_transcriber": ".transcription",
    "register_transcriber": ".transcription",
    "transcribe": ".transcription",
    "PROTOTYPES": ".verbal",
    "VerbalScorer": ".verbal",
    "verbal_cues": ".verbal",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
