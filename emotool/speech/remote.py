"""Transcription by an OpenAI-compatible server (``POST {base_url}/audio/transcriptions``).

Works with OpenAI itself and with self-hosted servers that speak the same API
(faster-whisper-server/speaches, vLLM, LocalAI, whisper.cpp's server). Each
window of audio is sent as a 16 kHz mono WAV in a multipart form; the
``verbose_json`` answer gives segments and, when asked for, word timings. A
server that only returns ``{"text": ...}`` still works: the window becomes one
segment. Only the URL the user configures is ever contacted.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
import uuid
from typing import Any

import numpy as np

from ..errors import BackendUnavailable
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
        api_key: Bearer token (default ``$EMOTOOL_STT_API_KEY`` or ``$OPENAI_API_KEY``; none is sent
            when neither is set, which local servers accept).
        timeout_s: Timeout of one request.
    """

    name = "openai-api"

    def __init__(
        self,
        model: str | None = None,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        timeout_s: float = 120.0,
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
        self.url = base.rstrip("/") + "/audio/transcriptions"
        self._key = api_key or os.environ.get("EMOTOOL_STT_API_KEY") or os.environ.get("OPENAI_API_KEY")
        self.timeout_s = timeout_s

    def _form(self, audio: np.ndarray, options: TranscribeOptions) -> tuple[bytes, str]:
        fields: list[tuple[str, str]] = [
            ("model", self.model),
            ("response_format", "verbose_json"),
            ("timestamp_granularities[]", "segment"),
        ]
        if options.word_timestamps:
            fields.append(("timestamp_granularities[]", "word"))
        if options.language:
            fields.append(("language", options.language))
        if options.initial_prompt:
            fields.append(("prompt", options.initial_prompt))
        boundary = "emotool-" + uuid.uuid4().hex
        parts: list[bytes] = []
        for k, v in fields:
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
            )
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="audio.wav"\r\n'
            "Content-Type: audio/wav\r\n\r\n".encode()
        )
        parts.append(to_wav_bytes(audio, SAMPLE_RATE))
        parts.append(f"\r\n--{boundary}--\r\n".encode())
        return b"".join(parts), boundary

    def transcribe_window(self, audio: np.ndarray, options: TranscribeOptions) -> WindowResult:
        body, boundary = self._form(audio, options)
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}", "Accept": "application/json"}
        if self._key:
            headers["Authorization"] = f"Bearer {self._key}"
        req = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=self.timeout_s) as resp:
                payload = json.loads(resp.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            detail = exc.read(500).decode("utf-8", "replace").strip()
            raise BackendUnavailable(
                f"the transcription server at {self.url} answered HTTP {exc.code}: "
                f"{detail[:200]}; check the model name and API key"
            ) from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise BackendUnavailable(
                f"cannot reach the transcription server at {self.url} ({reason}); check "
                "base_url and that the server is running"
            ) from None
        except json.JSONDecodeError:
            raise BackendUnavailable(
                f"the transcription server at {self.url} did not answer JSON; is it an "
                "OpenAI-compatible /audio/transcriptions endpoint?"
            ) from None
        return _parse(payload, len(audio) / SAMPLE_RATE, options.language)

    def model_info(self) -> ModelInfo:
        return ModelInfo(name=f"{self.model} (OpenAI-compatible API)", role="other", license=None)


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
