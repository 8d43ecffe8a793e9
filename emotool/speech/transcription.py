"""Speech to text: the ``Transcriber`` protocol, its registry, and :func:`transcribe`.

A backend only has to turn one window of 16 kHz mono samples into segments;
:func:`transcribe` does the rest for every backend alike: decoding any input,
streaming long audio window by window (with a progress bar), skipping windows
of pure silence, shifting timestamps, and assembling a :class:`Transcript`.

Backends (``TRANSCRIBERS``):

* ``faster-whisper`` (default): CTranslate2 Whisper; the embedded ``tiny.en``
  asset, ``base`` (the larger embedded one), or any CTranslate2 model directory.
* ``openai-whisper``: the reference PyTorch implementation (``emotool[openai-whisper]``);
  a local checkpoint (``.pt``) or a model name already in its cache.
* ``openai-api``: any OpenAI-compatible ``/v1/audio/transcriptions`` endpoint (see
  :mod:`emotool.speech.remote`).

A model is loaded once per process and reused (``get_transcriber`` caches it).
"""

from __future__ import annotations

import math
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np

from .. import config
from ..errors import (
    BackendUnavailable,
    EmotoolError,
    MediaTooLarge,
    ProcessingError,
    UnknownName,
    missing_extra,
)
from ..schema import ModelInfo
from ..untrusted import quoted_name as _q
from .audio import SAMPLE_RATE, AudioInput, open_audio
from .schema import TranscribeOptions, Transcript, TranscriptSegment, Word

if TYPE_CHECKING:
    from ..media import MediaPolicy

DEFAULT_BACKEND = "faster-whisper"

#: Windows whose loudest 25 ms is below this level (dB full scale) hold no speech and are skipped.
SILENCE_DBFS = -58.0


@dataclass
class WindowResult:
    """What a backend heard in one window; times are relative to the window's start."""

    segments: list[TranscriptSegment] = field(default_factory=list)
    language: str | None = None
    language_probability: float | None = None


@runtime_checkable
class Transcriber(Protocol):
    """A speech recogniser. Implementations hold their loaded model and are reused across calls."""

    name: str
    """Backend name, the key in ``TRANSCRIBERS``."""
    model: str
    """The model it runs (asset name, path, or remote model id)."""

    def transcribe_window(self, audio: np.ndarray, options: TranscribeOptions) -> WindowResult:
        """Recognise one window of 16 kHz mono float32 samples (at most ``options.chunk_s`` long)."""
        ...

    def model_info(self) -> ModelInfo:
        """Name and license of the model, for readings."""
        ...


TranscriberFactory = Callable[..., Transcriber]
TRANSCRIBERS: dict[str, TranscriberFactory] = {}

_cache: dict[tuple[Any, ...], Transcriber] = {}
_lock = threading.Lock()


def register_transcriber(name: str, factory: TranscriberFactory) -> None:
    """Add a backend: ``factory(model=None, **kwargs)`` must return a :class:`Transcriber`."""
    TRANSCRIBERS[name] = factory


def get_transcriber(backend: str = DEFAULT_BACKEND, model: str | None = None, **kwargs: Any) -> Transcriber:
    """The transcriber for ``backend`` and ``model``, created once per process and then reused.

    Args:
        backend: A key of ``TRANSCRIBERS``.
        model: Backend-specific model (see each backend); ``None`` is the backend's default.
        **kwargs: Backend options (``device``, ``compute_type``, ``base_url``, ...).

    Raises:
        UnknownName: ``backend`` is not registered; the message lists the valid ones.
        BackendUnavailable: the backend's optional package is missing.
        AssetMissing: the embedded model has not been pulled.
    """
    if backend not in TRANSCRIBERS:
        raise UnknownName("transcription backend", backend, list(TRANSCRIBERS))
    key = (backend, model, tuple(sorted((k, repr(v)) for k, v in kwargs.items())))
    with _lock:  # one load per process even when threads ask at once
        t = _cache.get(key)
        if t is None:
            t = TRANSCRIBERS[backend](model=model, **kwargs)
            _cache[key] = t
        return t


def clear_cache() -> None:
    """Forget loaded models (tests; or to free memory)."""
    with _lock:
        _cache.clear()


def transcribe(
    src: AudioInput,
    *,
    backend: str = DEFAULT_BACKEND,
    model: str | None = None,
    options: TranscribeOptions | None = None,
    transcriber: Transcriber | None = None,
    sample_rate: int | None = None,
    policy: MediaPolicy | None = None,
    on_window: Callable[[float, np.ndarray], None] | None = None,
    **option_fields: Any,
) -> Transcript:
    """Transcribe speech from an audio file, the audio track of a video, bytes or a numpy array.

    Long inputs are decoded and recognised a window (``options.chunk_s``) at a time, so memory
    stays bounded; silence is skipped (an energy gate, then the backend's voice-activity detection).

    Args:
        src: A path (wav, flac, mp3, ogg/opus, m4a, webm, or a video such as mp4), the bytes of
            such a file, or samples as a numpy array (mono, or with a channel axis).
        backend: A key of ``TRANSCRIBERS``: ``"faster-whisper"`` (default), ``"openai-whisper"``,
            ``"openai-api"``.
        model: The backend's model; default: the embedded Whisper tiny.en for faster-whisper.
        options: How to transcribe; fields may also be given as keyword arguments.
        transcriber: An already built transcriber (overrides ``backend``/``model``).
        sample_rate: The rate of an array input, in Hz (default 16000).
        policy: Where file paths may come from (default: the working directory).
        on_window: Called with ``(start_seconds, samples)`` for every window (silent ones too), so
            other measurements can share the single decoding pass.
        **option_fields: Fields of :class:`TranscribeOptions`, e.g. ``word_timestamps=False``.

    Returns:
        A :class:`Transcript`; its text is empty when no speech was found.

    Raises:
        MediaError: (and subclasses) unreadable, empty, damaged input or a video without audio.
        UnknownName, BackendUnavailable, AssetMissing: see :func:`get_transcriber`.

    Example:
        >>> from emotool.speech import transcribe
        >>> transcribe("jfk.flac").text  # doctest: +SKIP
        'And so, my fellow Americans, ask not what your country can do for you, ...'
    """
    t0 = time.perf_counter()
    opts = TranscribeOptions.model_validate({**(options.model_dump() if options else {}), **option_fields})
    audio = open_audio(src, sample_rate=sample_rate, policy=policy)
    if opts.max_duration_s and audio.duration > opts.max_duration_s:
        raise MediaTooLarge(
            f"{audio.source!r} lasts {audio.duration:.0f} s, over max_duration_s="
            f"{opts.max_duration_s:.0f}; cut it or raise the limit"
        )
    tr = transcriber or get_transcriber(backend, model)
    segments: list[TranscriptSegment] = []
    languages: dict[str, float] = {}
    lang_probs: dict[str, float] = {}
    chunks = 0
    end = 0.0
    show = opts.progress if opts.progress is not None else (sys.stderr.isatty() and audio.duration > 120)
    bar = _progress(audio.duration, audio.source, show)
    try:
        for start, samples in audio.windows(opts.chunk_s):
            chunks += 1
            end = start + len(samples) / SAMPLE_RATE
            if on_window is not None:
                on_window(start, samples)
            if len(samples) < SAMPLE_RATE // 10 or _is_silent(samples):  # pure silence: nothing to hear
                bar.update(len(samples) / SAMPLE_RATE)
                continue
            # long stretches of digital silence are cut out (they hold no word, and over
            # Whisper's 30 s context they shift timestamps and invite invented text)
            for offset, part in sound_spans(samples):
                at = start + offset / SAMPLE_RATE
                try:
                    res = tr.transcribe_window(part, opts)
                except EmotoolError:
                    raise
                except (RuntimeError, MemoryError, ValueError, OSError) as exc:  # CTranslate2, torch, PyAV
                    raise ProcessingError(
                        f"the {getattr(tr, 'name', 'speech')} model failed on {_q(audio.source)} at "
                        f"{at:.0f} s ({type(exc).__name__}: {str(exc)[:160]}); try a re-encoded file"
                    ) from exc
                for seg in res.segments:
                    shifted = _shift(seg, at)
                    if shifted.text:
                        segments.append(shifted)
                if res.language and res.segments:
                    weight = sum(s.end - s.start for s in res.segments)
                    languages[res.language] = languages.get(res.language, 0.0) + weight
                    if res.language_probability is not None:
                        lang_probs[res.language] = max(
                            lang_probs.get(res.language, 0.0), res.language_probability
                        )
            bar.update(len(samples) / SAMPLE_RATE)
    finally:
        bar.close()
    language = max(languages, key=languages.__getitem__) if languages else opts.language
    text = " ".join(s.text for s in segments).strip()
    return Transcript(
        source=audio.source,
        text=text,
        language=language,
        language_probability=lang_probs.get(language or ""),
        duration=round(max(audio.duration, end), 3),
        speech_duration=round(sum(s.end - s.start for s in segments), 3),
        segments=segments,
        backend=tr.name,
        model=tr.model,
        processing_s=round(time.perf_counter() - t0, 3),
        chunks=chunks,
        notes=list(audio.notes),
    )


def _progress(total: float, name: str, show: bool) -> Any:
    from tqdm import tqdm

    return tqdm(
        total=round(total, 1) or None,
        unit="s",
        desc=f"transcribing {name}",
        disable=not show,
        leave=False,
        bar_format="{l_bar}{bar}| {n:.0f}/{total:.0f} s [{elapsed}<{remaining}]",
    )


#: A run of digital silence (every 25 ms frame below ``SILENCE_DBFS``) at least this long is cut out.
SILENT_RUN_S = 2.0
#: Silence kept on each side of what remains.
SILENT_KEEP_S = 0.5


def sound_spans(samples: np.ndarray) -> list[tuple[int, np.ndarray]]:
    """``samples`` without its runs of digital silence longer than ``SILENT_RUN_S``.

    Only true silence (below ``SILENCE_DBFS``, far under any voice or room noise) is cut, so
    a recording without such gaps is returned whole and transcribed exactly as the plain
    model would.

    Returns:
        ``(offset_in_samples, part)`` for each stretch with sound in it, in order.
    """
    hop = 400
    n = len(samples) // hop
    if n == 0:
        return [(0, samples)]
    frames = samples[: n * hop].reshape(n, hop)
    rms = np.sqrt(np.einsum("ij,ij->i", frames, frames, dtype=np.float64) / hop)
    silent = 20 * np.log10(rms + 1e-12) < SILENCE_DBFS
    run_min, keep = int(SILENT_RUN_S * SAMPLE_RATE / hop), int(SILENT_KEEP_S * SAMPLE_RATE / hop)
    cuts: list[tuple[int, int]] = []  # frame ranges to drop
    i = 0
    while i < n:
        if not silent[i]:
            i += 1
            continue
        j = i
        while j < n and silent[j]:
            j += 1
        if j - i >= run_min:
            lo = 0 if i == 0 else i + keep
            hi = n if j == n else j - keep
            if hi > lo:
                cuts.append((lo, hi))
        i = j
    if not cuts:
        return [(0, samples)]
    spans, pos = [], 0
    for lo, hi in cuts:
        if lo * hop > pos:
            spans.append((pos, samples[pos : lo * hop]))
        pos = hi * hop if hi < n else len(samples)
    if pos < len(samples):
        spans.append((pos, samples[pos:]))
    return [(o, p) for o, p in spans if len(p) >= SAMPLE_RATE // 10]


def _is_silent(samples: np.ndarray) -> bool:
    n = len(samples) // 400
    if n == 0:
        return True
    frames = samples[: n * 400].reshape(n, 400)
    peak_rms = float(np.sqrt(np.einsum("ij,ij->i", frames, frames, dtype=np.float64).max() / 400))
    return 20 * math.log10(peak_rms + 1e-12) < SILENCE_DBFS


def _shift(seg: TranscriptSegment, by: float) -> TranscriptSegment:
    words = [
        w.model_copy(update={"start": round(w.start + by, 3), "end": round(w.end + by, 3)}) for w in seg.words
    ]
    return seg.model_copy(
        update={
            "start": round(seg.start + by, 3),
            "end": round(seg.end + by, 3),
            "text": seg.text.strip(),
            "words": words,
        }
    )


def _confidence(avg_logprob: float | None) -> float:
    if avg_logprob is None or not math.isfinite(avg_logprob):
        return 0.0
    return float(min(1.0, max(0.0, math.exp(avg_logprob))))


def _clip01(x: float | None) -> float | None:
    return None if x is None else float(min(1.0, max(0.0, x)))


# ---------------------------------------------------------------- faster-whisper

#: Short names of the embedded CTranslate2 Whisper models -> asset names.
EMBEDDED_MODELS = {"tiny.en": "whisper-tiny-en", "base": "whisper-base"}
DEFAULT_MODEL = "tiny.en"


class FasterWhisperTranscriber:
    """Whisper on CTranslate2 (``faster-whisper``), int8 on the CPU by default.

    Args:
        model: ``"tiny.en"`` (default, embedded), ``"base"`` (embedded, multilingual), an asset
            name, a CTranslate2 model directory, or a faster-whisper model name that is already
            in the local Hugging Face cache (nothing is downloaded unless ``allow_download``).
        device: ``"cpu"``, ``"cuda"`` or ``"auto"`` (see :func:`emotool.config.ct2_device`).
        compute_type: CTranslate2 precision (see :func:`emotool.config.compute_type`).
        allow_download: Let faster-whisper fetch a named model from the Hugging Face Hub.
    """

    name = "faster-whisper"

    def __init__(
        self,
        model: str | None = None,
        *,
        device: str | None = None,
        compute_type: str | None = None,
        allow_download: bool = False,
    ) -> None:
        try:
            from faster_whisper import WhisperModel
        except ImportError:
            raise missing_extra("faster-whisper", "speech") from None
        self.model = model or DEFAULT_MODEL
        self._license = "MIT"
        where = self._resolve(self.model)
        self.device = config.ct2_device(device)
        self.compute_type = config.compute_type(self.device, compute_type)
        try:
            self._model = WhisperModel(
                where,
                device=self.device,
                compute_type=self.compute_type,
                cpu_threads=config.cpu_threads(),
                num_workers=1,
                local_files_only=not allow_download,
            )
        except Exception as exc:  # ctranslate2/huggingface errors vary by version
            raise BackendUnavailable(
                f"faster-whisper could not load model {self.model!r} ({type(exc).__name__}: {exc}); give "
                "'tiny.en', 'base', or the path of a CTranslate2 Whisper model directory"
                + ("" if allow_download else " (named Hub models need allow_download=True and network)")
            ) from None
        self.english_only = bool(getattr(self._model.model, "is_multilingual", True) is False)

    @staticmethod
    def _resolve(model: str) -> str:
        from .. import assets

        asset = EMBEDDED_MODELS.get(model, model)
        if asset in assets.ASSETS:
            return str(assets.path(asset))
        p = Path(model).expanduser()
        if p.exists():
            if not (p / "model.bin").is_file():
                raise BackendUnavailable(
                    f"{model!r} is not a CTranslate2 model directory (no model.bin in it); "
                    "convert a Whisper model with ct2-transformers-converter"
                )
            return str(p)
        return model

    def transcribe_window(self, audio: np.ndarray, options: TranscribeOptions) -> WindowResult:
        language = "en" if self.english_only else options.language
        segments, info = self._model.transcribe(
            audio,
            language=language,
            beam_size=options.beam_size,
            word_timestamps=options.word_timestamps,
            vad_filter=options.vad,
            vad_parameters={
                "min_silence_duration_ms": options.vad_min_silence_ms,
                "speech_pad_ms": options.vad_pad_ms,
            },
            initial_prompt=options.initial_prompt,
            condition_on_previous_text=False,  # avoids repetition loops on long audio
            without_timestamps=False,
        )
        out = []
        for s in segments:  # a generator: decoding happens while iterating
            if s.no_speech_prob > 0.6 and s.avg_logprob < -1.0:
                continue  # Whisper's own rule for a segment that is probably not speech
            words = [
                Word(
                    text=w.word,
                    start=max(0.0, w.start),
                    end=max(0.0, w.end),
                    probability=float(min(1.0, max(0.0, w.probability))),
                )
                for w in (s.words or [])
            ]
            out.append(
                TranscriptSegment(
                    start=max(0.0, s.start),
                    end=max(0.0, s.end),
                    text=s.text.strip(),
                    confidence=_confidence(s.avg_logprob),
                    no_speech_prob=_clip01(s.no_speech_prob),
                    words=words,
                )
            )
        return WindowResult(out, info.language, _clip01(info.language_probability))

    def model_info(self) -> ModelInfo:
        return ModelInfo(
            name=f"whisper-{self.model} (faster-whisper, {self.compute_type})",
            role="other",
            license=self._license,
        )


# ---------------------------------------------------------------- openai-whisper


class OpenAIWhisperTranscriber:
    """The reference Whisper implementation (``pip install 'emotool[openai-whisper]'``).

    Args:
        model: A checkpoint file (``.pt``), or a model name (``"tiny.en"``, ``"base"``, ...) already
            in openai-whisper's cache (``~/.cache/whisper``); nothing is downloaded unless
            ``allow_download``.
        device: A torch device (see :func:`emotool.config.torch_device`).
        allow_download: Let openai-whisper fetch a named model from its servers.
    """

    name = "openai-whisper"

    def __init__(
        self,
        model: str | None = None,
        *,
        device: str | None = None,
        allow_download: bool = False,
        download_root: str | None = None,
    ) -> None:
        try:
            import whisper
        except ImportError:
            raise missing_extra("openai-whisper", "openai-whisper") from None
        self.model = model or DEFAULT_MODEL
        self.device = config.torch_device(device)
        config.init_torch()
        p = Path(self.model).expanduser()
        root = Path(download_root or Path.home() / ".cache" / "whisper").expanduser()
        if not p.is_file() and not allow_download and not (root / f"{self.model}.pt").is_file():
            raise BackendUnavailable(
                f"openai-whisper model {self.model!r} is not a checkpoint file and is not in {root}; "
                "give a .pt checkpoint path, or pass allow_download=True to let openai-whisper get it"
            )
        try:
            self._model = whisper.load_model(
                str(p) if p.is_file() else self.model, device=self.device, download_root=str(root)
            )
        except Exception as exc:
            raise BackendUnavailable(f"openai-whisper could not load {self.model!r} ({exc})") from None
        self._whisper = whisper

    def transcribe_window(self, audio: np.ndarray, options: TranscribeOptions) -> WindowResult:
        language = "en" if not self._model.is_multilingual else options.language
        kwargs: dict[str, Any] = {
            "language": language,
            "word_timestamps": options.word_timestamps,
            "initial_prompt": options.initial_prompt,
            "fp16": self.device != "cpu",
            "condition_on_previous_text": False,
            "verbose": None,
        }
        if options.beam_size > 1:
            kwargs.update(beam_size=options.beam_size, best_of=options.beam_size)
        result = self._model.transcribe(audio.astype(np.float32), **kwargs)
        out = []
        for s in result.get("segments", []):
            if s.get("no_speech_prob", 0) > 0.6 and s.get("avg_logprob", 0) < -1.0:
                continue
            words = [
                Word(
                    text=w["word"],
                    start=max(0.0, float(w["start"])),
                    end=max(0.0, float(w["end"])),
                    probability=float(min(1.0, max(0.0, w.get("probability", 0.0)))),
                )
                for w in s.get("words", []) or []
            ]
            out.append(
                TranscriptSegment(
                    start=max(0.0, float(s["start"])),
                    end=max(0.0, float(s["end"])),
                    text=str(s["text"]).strip(),
                    confidence=_confidence(s.get("avg_logprob")),
                    no_speech_prob=_clip01(s.get("no_speech_prob")),
                    words=words,
                )
            )
        return WindowResult(out, result.get("language") or language, None)

    def model_info(self) -> ModelInfo:
        return ModelInfo(
            name=f"whisper-{Path(self.model).stem} (openai-whisper)", role="other", license="MIT"
        )


def _remote_factory(model: str | None = None, **kwargs: Any) -> Transcriber:
    from .remote import OpenAIAPITranscriber

    return OpenAIAPITranscriber(model=model, **kwargs)


register_transcriber("faster-whisper", FasterWhisperTranscriber)
register_transcriber("openai-whisper", OpenAIWhisperTranscriber)
register_transcriber("openai-api", _remote_factory)
