"""The pydantic models of the speech part: transcripts, vocal and verbal cues, speech readings.

Like :mod:`emotool.schema`, every model has the same shape whatever the input:
a field that does not apply is ``None`` or an empty list, never missing.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..labels import Emotion
from ..schema import EmotionScores, ModelInfo

SPEECH_SCHEMA_VERSION = "1.0"

Valence = Literal["positive", "neutral", "negative"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Word(_Model):
    """One recognised word with its timing."""

    text: str = Field(description="The word as written, with its leading space or punctuation.")
    start: float = Field(ge=0, description="Start in seconds from the beginning of the input.")
    end: float = Field(ge=0, description="End in seconds.")
    probability: float = Field(ge=0, le=1, description="The recogniser's confidence in this word.")


class TranscriptSegment(_Model):
    """A stretch of speech, usually a phrase or a sentence."""

    start: float = Field(ge=0, description="Start in seconds from the beginning of the input.")
    end: float = Field(ge=0, description="End in seconds.")
    text: str = Field(description="What was said, stripped of surrounding spaces.")
    confidence: float = Field(ge=0, le=1, description="Mean per-token probability (exp of avg log-prob).")
    no_speech_prob: float | None = Field(
        default=None, ge=0, le=1, description="Probability that the stretch holds no speech, if known."
    )
    words: list[Word] = Field(default_factory=list, description="Word timings (empty unless requested).")


class Transcript(_Model):
    """What was said in an audio input, with timings."""

    schema_version: str = Field(default=SPEECH_SCHEMA_VERSION, description="Version of this schema.")
    source: str = Field(description="File name, or '<bytes>'/'<array>' of the input.")
    text: str = Field(description="The whole transcript; empty when no speech was found.")
    language: str | None = Field(description="Language code (e.g. 'en'); None when unknown.")
    language_probability: float | None = Field(
        default=None, ge=0, le=1, description="Confidence in `language`, if known."
    )
    duration: float = Field(ge=0, description="Length of the input in seconds.")
    speech_duration: float = Field(ge=0, description="Seconds covered by the segments.")
    segments: list[TranscriptSegment] = Field(default_factory=list, description="Segments in time order.")
    backend: str = Field(description="The transcription backend, e.g. 'faster-whisper'.")
    model: str = Field(description="The model used (asset name, path or remote model id).")
    processing_s: float = Field(ge=0, description="Wall-clock seconds spent transcribing.")
    chunks: int = Field(default=1, ge=0, description="How many windows the audio was processed in.")
    notes: list[str] = Field(default_factory=list, description="Conversions and warnings, in plain words.")

    @property
    def words(self) -> list[Word]:
        """All words of all segments, in order."""
        return [w for s in self.segments for w in s.words]

    @property
    def is_empty(self) -> bool:
        """Whether no speech was recognised."""
        return not self.text.strip()


#: Defaults of the voice-activity detection (see ``benchmarks/bench_vad.py`` for how they were chosen).
VAD_PAD_MS = 800
VAD_MIN_SILENCE_MS = 2000


class TranscribeOptions(_Model):
    """How to transcribe. Every field has a sensible default.

    Attributes:
        language: Language code to force (e.g. ``"en"``); ``None`` detects it (English-only
            models such as tiny.en always use ``"en"``).
        word_timestamps: Return word timings (needed for speaking rate and pauses).
        vad: Cut the audio to the speech regions Silero voice-activity detection finds before
            recognition (faster-whisper only). Off by default: on read-speech clips every
            padding tried was worse than the plain model on some clip
            (``benchmarks/bench_vad.py``), while with it off the transcript is the plain
            model's. Stretches of digital silence over 2 s are cut out either way (they hold
            no word; over Whisper's 30 s context they shift timestamps).
        vad_pad_ms: Audio kept on each side of every speech region the detector finds
            (a region cut tight loses quiet word endings: "recorded by Lord Byron" became
            "a board buyer" with 200 ms).
        vad_min_silence_ms: Shortest silence that splits two speech regions.
        beam_size: Beam width of the decoder (1 = greedy, fastest).
        initial_prompt: Text that primes the vocabulary (names, jargon).
        chunk_s: Length of the windows long audio is decoded and processed in.
        progress: Show a progress bar (``None``: only on a terminal and for inputs over 2 minutes).
        max_duration_s: Refuse inputs longer than this (``None``: no limit).
    """

    language: str | None = None
    word_timestamps: bool = True
    vad: bool = False
    vad_pad_ms: int = Field(default=VAD_PAD_MS, ge=0, le=5000)
    vad_min_silence_ms: int = Field(default=VAD_MIN_SILENCE_MS, ge=100, le=10000)
    beam_size: int = Field(default=5, ge=1, le=20)
    initial_prompt: str | None = None
    chunk_s: float = Field(default=300.0, ge=30.0, le=3600.0)
    progress: bool | None = None
    max_duration_s: float | None = Field(default=None, gt=0)


class VocalCues(_Model):
    """How the words were spoken, measured from the signal and the word timings."""

    pitch_hz: float | None = Field(description="Median voice pitch (F0) in Hz; None if no voiced speech.")
    pitch_variability_st: float | None = Field(
        description="Spread of the pitch in semitones (half the 10-90% range); None if no voiced speech."
    )
    loudness_db: float | None = Field(description="Mean loudness of speech in dB relative to full scale.")
    loudness_variability_db: float | None = Field(description="Standard deviation of speech loudness, dB.")
    speaking_rate_wpm: float | None = Field(
        description="Words per minute of speaking time; None if no words."
    )
    pause_count: int = Field(ge=0, description="Pauses of at least 0.4 s between words.")
    mean_pause_s: float | None = Field(description="Mean length of those pauses; None if none.")
    longest_pause_s: float | None = Field(description="Longest pause; None if none.")
    pause_ratio: float | None = Field(ge=0, le=1, description="Share of the speaking span spent in pauses.")
    voiced_ratio: float = Field(ge=0, le=1, description="Share of the input where a voice was heard.")
    arousal: float | None = Field(
        ge=0, le=1, description="Activation, 0 (calm) to 1 (excited); None if no speech."
    )
    notes: list[str] = Field(default_factory=list, description="Plain-language observations.")


class VerbalCues(_Model):
    """What the words themselves express."""

    scores: EmotionScores | None = Field(description="Emotion of the words; None when there are no words.")
    label: Emotion | None = Field(description="Most probable emotion of the words.")
    valence: float | None = Field(ge=-1, le=1, description="Pleasantness of the words, -1 to 1.")
    valence_label: Valence | None = Field(description="'positive', 'neutral' or 'negative'.")
    confidence: float = Field(
        ge=0, le=1, description="How clearly the words point to `label` (0 if no words)."
    )
    evidence: list[str] = Field(
        default_factory=list, description="The reference sentences the words were closest to."
    )
    strongest_segment: str | None = Field(default=None, description="The segment with the clearest emotion.")


class SpeechReading(_Model):
    """An explained reading of speech: what was said, how, and what the words express."""

    schema_version: str = Field(default=SPEECH_SCHEMA_VERSION, description="Version of this schema.")
    kind: Literal["speech"] = Field(default="speech", description="The kind of input.")
    source: str = Field(description="File name, or '<bytes>'/'<array>' of the input.")
    transcript: Transcript = Field(description="What was said.")
    vocal: VocalCues = Field(description="How it was said.")
    verbal: VerbalCues = Field(description="What the words express.")
    speech_found: bool = Field(description="Whether any speech was recognised.")
    label: Emotion | None = Field(description="Overall emotion (from the words); None without speech.")
    valence: float | None = Field(ge=-1, le=1, description="Overall valence (mostly from the words).")
    arousal: float | None = Field(ge=0, le=1, description="Overall arousal (mostly from the voice).")
    summary: str = Field(description="Plain-language account for a dialogue agent.")
    models: list[ModelInfo] = Field(default_factory=list, description="Models used.")
    processing_s: float = Field(ge=0, description="Wall-clock seconds end to end.")
