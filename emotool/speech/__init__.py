"""Speech: transcription with Whisper, and the emotion in the voice and in the words.

::

    from emotool.speech import transcribe, analyze_speech
    transcribe("note.ogg").text                  # embedded Whisper tiny.en, offline, CPU
    reading = analyze_speech("note.ogg")         # a SpeechReading: transcript + vocal + verbal
    reading.summary

Backends sit behind the :class:`Transcriber` protocol in the ``TRANSCRIBERS``
registry: ``faster-whisper`` (default), ``openai-whisper``, ``openai-api``.
Importing this package is light: Whisper, PyAV and the embedding model load on
first use.
"""

from __future__ import annotations

from .analyze import analyze_speech, combine
from .audio import SAMPLE_RATE, AudioSource, open_audio
from .schema import (
    SpeechReading,
    TranscribeOptions,
    Transcript,
    TranscriptSegment,
    VerbalCues,
    VocalCues,
    Word,
)
from .transcribe import (
    DEFAULT_BACKEND,
    TRANSCRIBERS,
    Transcriber,
    WindowResult,
    clear_cache,
    get_transcriber,
    register_transcriber,
    transcribe,
)
from .verbal import PROTOTYPES, VerbalScorer, verbal_cues

__all__ = [
    "DEFAULT_BACKEND",
    "PROTOTYPES",
    "SAMPLE_RATE",
    "TRANSCRIBERS",
    "AudioSource",
    "SpeechReading",
    "TranscribeOptions",
    "Transcriber",
    "Transcript",
    "TranscriptSegment",
    "VerbalCues",
    "VerbalScorer",
    "VocalCues",
    "WindowResult",
    "Word",
    "analyze_speech",
    "clear_cache",
    "combine",
    "get_transcriber",
    "open_audio",
    "register_transcriber",
    "transcribe",
    "verbal_cues",
]
