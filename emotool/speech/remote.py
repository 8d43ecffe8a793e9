"""Transcription by an OpenAI-compatible server (``POST {base_url}/audio/transcriptions``).

Works with OpenAI itself and with self-hosted servers that speak the same API
(faster-whisper-server/speaches, vLLM, LocalAI, whisper.cpp's server). The
transport is the official ``openai`` SDK (``client.audio.transcriptions``, with
its timeouts, retries and typed errors, turned into
:class:`~emotool.errors.BackendUnavailable` here). Each window of audio is sent
as a 16 kHz mono WAV; the ``verbose_json`` answer gives segments and, when
asked for, word timings. A server that only returns ``{"text": ...}`` still
works: the window becomes one segment. Only the URL the user configures is
ever contacted.
"""

from __future__ import annotations

import os
import threading
from typing import Any

import numpy as np

from ..errors import BackendUnavailable, missing_extra
from ..schema import ModelInfo
from .audio import SAMPLE_RATE, to_wav_bytes
from .schema import TranscribeOptions, TranscriptSegment, Word
from .transcription import WindowResult, _clip01, _confidence


class OpenAIAPITranscriber:
    """A client of an OpenAI-compatible transcription endpoint.

    Args:
        model: The server's model id (default ``$EMOTOOL_STT_MODEL`` or ``"whisper-1"``).
        base_url: The API root, e.g. ``http://127.0.0.1:8000/v1`` (default ``$EMOTOOL_STT_BASE_URL``,
            then ``$OPENAI_BASE_URL``, then ``https://api.openai.com/v1``).
        api_key: Bearer token (default ``$EMOTOOL_STT_API_KEY`` or ``$OPENAI_API_KEY``; a
            placeholder is sent when neither is set, which local servers accept).
        timeout_s: Timeout of one request.
        max_retries: Retries after a 429, a 5xx, a timeout or a dropped connection.
    """

    name = "openai-api"

    def __init__(
        self,
        model: str | None = None,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        timeout_s: float = 120.0,
        max_retries: int = 2,
    ) -> None:
        self.model = model or os.environ.get("EMOTOOL_STT_MODEL") or "whisper-1"
        base = (
            base_url
            or os.environ.get("EMOTOOL_STT_BASE_URL")
            or os.environ.get("OPENAI_BASE_URL")
            or "https://api.openai.com/v1"
        )
        if not base.startswith(("http://", "https://")):
            raise BackendUnavailable(
                f"base_url {base!r} must start with http:// or https://, e.g. http://127.0.0.1:8000/v1"
            )
        self.base_url = base.rstrip("/")
        self.url = self.base_url + "/audio/transcriptions"
        self._key = api_key or os.environ.get("EMOTOOL_STT_API_KEY") or os.environ.get("OPENAI_API_KEY")
        self.timeout_s = timeout_s
        self.max_retries = max_retries
        self._client: Any = None
        self._lock = threading.Lock()

    def _sdk(self) -> Any:
        with self._lock:
            if self._client is None:
                try:
                    import openai
                except ImportError:
                    raise missing_extra("openai", "openai") from None
                self._client = openai.OpenAI(
                    api_key=self._key or "no-key",
                    base_url=self.base_url,
                    timeout=self.timeout_s,
                    max_retries=self.max_retries,
                )
            return self._client

    def transcribe_window(self, audio: np.ndarray, options: TranscribeOptions) -> WindowResult:
        import openai

        kwargs: dict[str, Any] = {
            "model": self.model,
            "file": ("audio.wav", to_wav_bytes(audio, SAMPLE_RATE), "audio/wav"),
            "response_format": "verbose_json",
            "timestamp_granularities": ["segment", "word"] if options.word_timestamps else ["segment"],
        }
        if options.language:
            kwargs["language"] = options.language
        if options.initial_prompt:
            kwargs["prompt"] = options.initial_prompt
        try:
            raw = self._sdk().audio.transcriptions.with_raw_response.create(**kwargs)
            payload = raw.http_response.json()
        except openai.APIStatusError as exc:
            detail = _status_detail(exc)
            raise BackendUnavailable(
                f"the transcription server at {self.url} answered HTTP {exc.status_code}: "
                f"{detail[:200]}; check the model name and API key"
            ) from None
        except openai.APITimeoutError:
            raise BackendUnavailable(
                f"the transcription server at {self.url} gave no answer within {self.timeout_s:g} s "
                f"({self.max_retries + 1} tries); raise timeout_s, or check the server"
            ) from None
        except openai.APIConnectionError as exc:
            reason = exc.__cause__ or exc
            raise BackendUnavailable(
                f"cannot reach the transcription server at {self.url} ({reason}); check "
                "base_url and that the server is running"
            ) from None
        except ValueError:  # the answer is not JSON
            raise BackendUnavailable(
                f"the transcription server at {self.url} did not answer JSON; is it an "
                "OpenAI-compatible /audio/transcriptions endpoint?"
            ) from None
        return _parse(payload, len(audio) / SAMPLE_RATE, options.language)

    def model_info(self) -> ModelInfo:
        return ModelInfo(name=f"{self.model} (OpenAI-compatible API)", role="other", license=None)


def _status_detail(exc: Any) -> str:
    body = getattr(exc, "body", None)
    err = body.get("error", body) if isinstance(body, dict) else body
    msg = err.get("message") if isinstance(err, dict) else err
    return str(msg if msg is not None else getattr(getattr(exc, "response", None), "text", exc)).strip()


def _parse(payload: Any, window_s: float, language: str | None) -> WindowResult:
    if not isinstance(payload, dict) or not isinstance(payload.get("text", ""), str):
        raise BackendUnavailable("the transcription server's answer has no 'text'; is it OpenAI-compatible?")
    words = [
        Word(
            text=" " + str(w.get("word", "")).strip(),
            start=max(0.0, float(w.get("start", 0.0))),
            end=max(0.0, float(w.get("end", 0.0))),
            probability=float(min(1.0, max(0.0, w.get("probability", 1.0)))),
        )
        for w in payload.get("words") or []
        if isinstance(w, dict)
    ]
    raw = payload.get("segments") or []
    segs: list[TranscriptSegment] = []
    for s in raw:
        if not isinstance(s, dict):
            continue
        if s.get("no_speech_prob", 0) > 0.6 and s.get("avg_logprob", 0) < -1.0:
            continue
        start, end = max(0.0, float(s.get("start", 0.0))), max(0.0, float(s.get("end", 0.0)))
        mine = [w for w in words if start - 0.05 <= (w.start + w.end) / 2 <= end + 0.05]
        segs.append(
            TranscriptSegment(
                start=start,
                end=end,
                text=str(s.get("text", "")).strip(),
                confidence=_confidence(s.get("avg_logprob", 0.0)),
                no_speech_prob=_clip01(s.get("no_speech_prob")),
                words=mine,
            )
        )
    text = str(payload.get("text", "")).strip()
    if not raw and text:
        segs = [TranscriptSegment(start=0.0, end=round(window_s, 3), text=text, confidence=1.0, words=words)]
    lang = payload.get("language")
    if isinstance(lang, str) and len(lang) > 3:  # OpenAI answers "english"
        lang = {"english": "en"}.get(lang.lower(), lang)
    return WindowResult(segs, lang or language, None)
