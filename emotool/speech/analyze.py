"""``analyze_speech``: transcript + vocal cues + verbal cues in one explained :class:`SpeechReading`."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from ..schema import ModelInfo
from ..untrusted import quote_data
from .audio import AudioInput
from .schema import SpeechReading, TranscribeOptions, Transcript, VerbalCues, VocalCues
from .transcription import DEFAULT_BACKEND, Transcriber, transcribe
from .verbal import empty_cues, verbal_cues
from .vocal import VocalAnalyzer

if TYPE_CHECKING:
    from ..media import MediaPolicy

#: How much the words' emotion counts in the overall arousal (the voice carries most of it).
WORDS_AROUSAL_WEIGHT = 0.3


def analyze_speech(
    src: AudioInput,
    *,
    backend: str = DEFAULT_BACKEND,
    model: str | None = None,
    options: TranscribeOptions | None = None,
    transcriber: Transcriber | None = None,
    sample_rate: int | None = None,
    policy: MediaPolicy | None = None,
    verbal: bool = True,
    **option_fields: Any,
) -> SpeechReading:
    """Transcribe speech and read the emotion in how it was said and in what was said.

    The audio is decoded once: each window is transcribed and measured for pitch and loudness
    in the same pass, so long recordings stay within bounded memory.

    Args:
        src: A path (audio or video file), bytes of such a file, or a numpy array of samples.
        backend: Transcription backend (see :func:`emotool.speech.transcribe`).
        model: The backend's model (default: embedded Whisper tiny.en).
        options: Transcription options; word timestamps are needed for speaking rate and pauses.
        transcriber: An already built transcriber.
        sample_rate: The rate of an array input.
        policy: Where file paths may come from.
        verbal: Score the words with the sentence-embedding model (turn off to skip loading it).
        **option_fields: Fields of :class:`TranscribeOptions`.

    Returns:
        A :class:`SpeechReading`; without speech, ``speech_found`` is False, the transcript empty
        and label/valence/arousal None.

    Example:
        >>> from emotool.speech import analyze_speech
        >>> r = analyze_speech("voice_note.ogg")  # doctest: +SKIP
        >>> r.summary  # doctest: +SKIP
        'Said: <data label="transcript">I got the job!</data> Words sound happy (positive). ...'
    """
    t0 = time.perf_counter()
    vocal = VocalAnalyzer()
    tr = transcribe(
        src,
        backend=backend,
        model=model,
        options=options,
        transcriber=transcriber,
        sample_rate=sample_rate,
        policy=policy,
        on_window=vocal.add,
        **option_fields,
    )
    vcues = vocal.finish(tr)
    wcues = verbal_cues(tr) if verbal and not tr.is_empty else empty_cues()
    return combine(
        tr, vcues, wcues, processing_s=time.perf_counter() - t0, models=_models(transcriber, tr, wcues)
    )


def _models(transcriber: Transcriber | None, tr: Transcript, wcues: VerbalCues) -> list[ModelInfo]:
    out = [
        transcriber.model_info()
        if transcriber
        else ModelInfo(name=f"{tr.model} ({tr.backend})", role="other")
    ]
    if wcues.scores is not None:
        from ..embeddings import MODEL_LICENSE, MODEL_NAME

        out.append(ModelInfo(name=MODEL_NAME, role="classifier", license=MODEL_LICENSE))
    return out


def combine(
    tr: Transcript,
    vocal: VocalCues,
    verbal: VerbalCues,
    *,
    processing_s: float = 0.0,
    models: list[ModelInfo] | None = None,
) -> SpeechReading:
    """Assemble a :class:`SpeechReading` (and its summary) from its three parts."""
    found = not tr.is_empty
    valence = verbal.valence if found else None
    arousal = None
    if found:
        words_arousal = verbal.scores.affect()[1] if verbal.scores is not None else None
        if vocal.arousal is not None and words_arousal is not None:
            arousal = (1 - WORDS_AROUSAL_WEIGHT) * vocal.arousal + WORDS_AROUSAL_WEIGHT * words_arousal
        else:
            arousal = vocal.arousal if vocal.arousal is not None else words_arousal
    return SpeechReading(
        source=tr.source,
        transcript=tr,
        vocal=vocal,
        verbal=verbal,
        speech_found=found,
        label=verbal.label if found else None,
        valence=None if valence is None else round(valence, 3),
        arousal=None if arousal is None else round(float(arousal), 3),
        summary=summary(tr, vocal, verbal),
        models=models or [],
        processing_s=round(processing_s, 3),
    )


def summary(tr: Transcript, vocal: VocalCues, verbal: VerbalCues, max_quote: int = 160) -> str:
    """A few plain sentences for a dialogue agent."""
    if tr.is_empty:
        return f"No speech was heard in {tr.duration:.0f} s of audio."
    quote = tr.text if len(tr.text) <= max_quote else tr.text[: max_quote - 3].rsplit(" ", 1)[0] + "..."
    # what was said is the speaker's, not ours: quoted data, so an agent cannot mistake it for
    # an instruction (see emotool.untrusted)
    parts = [f"Said: {quote_data(quote, 'transcript')}"]
    if verbal.label is not None:
        feel = (
            "neutral"
            if verbal.label == "neutral"
            else {
                "anger": "angry",
                "disgust": "disgusted",
                "fear": "afraid or worried",
                "happiness": "happy",
                "sadness": "sad",
                "surprise": "surprised",
            }[verbal.label]
        )
        lean = (
            verbal.valence_label
            if verbal.label != "neutral"
            else ("" if verbal.valence_label == "neutral" else f"leaning {verbal.valence_label}")
        )
        detail = ", ".join(x for x in (lean, f"confidence {verbal.confidence:.2f}") if x)
        parts.append(f"The words sound {feel} ({detail}).")
    if vocal.notes:
        arousal = "" if vocal.arousal is None else f" (vocal arousal {vocal.arousal:.2f})"
        parts.append(f"Voice: {'; '.join(vocal.notes)}{arousal}.")
    return " ".join(parts)
