"""The ``openai`` backend: any OpenAI-compatible chat-completions server.

Works with OpenAI (GPT-4o family), vLLM (``vllm serve ...``), Ollama
(``http://localhost:11434/v1``), llama.cpp's ``llama-server`` and others that
speak ``POST {base_url}/chat/completions`` with image parts. Every view is sent
as a base64 ``data:`` URL image part; the answer schema is sent as a
``json_schema`` response format, falling back to ``json_object`` and then to
plain prompting when the server rejects it. The transport is the official
``openai`` SDK (``pip install 'emotool[openai]'``): its timeouts, its retries
with exponential backoff on 408/409/429/5xx answers and dropped connections
(honouring ``Retry-After``) and its typed errors, which are turned into
:class:`~emotool.errors.BackendUnavailable` with a message saying what to fix. A
batch runs with bounded concurrency. The API key is read from an environment
variable and never logged.

Example:
    >>> from emotool.backends import get_backend
    >>> backend = get_backend("openai", model="gpt-4o-mini")  # doctest: +SKIP
    >>> local = get_backend("openai", base_url="http://localhost:8000/v1",
    ...                     model="Qwen/Qwen2.5-VL-7B-Instruct")  # doctest: +SKIP
"""

from __future__ import annotations

import base64
import io
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..errors import BackendUnavailable, missing_extra
from ..schema import ModelInfo
from .base import Completion, VLMBackend, VLMRequest

DEFAULT_BASE_URL = "https://api.openai.com/v1"
MODEL_ENV = "EMOTOOL_OPENAI_MODEL"
BASE_URL_ENV = "OPENAI_BASE_URL"
_LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "0.0.0.0"}


class OpenAIOptions(BaseModel):
    """Options of the ``openai`` backend.

    Attributes:
        model: Model name on the server (default ``$EMOTOOL_OPENAI_MODEL`` or ``gpt-4o-mini``).
        base_url: Server URL up to ``/v1`` (default ``$OPENAI_BASE_URL`` or OpenAI's).
        api_key_env: Environment variable holding the API key (``None``: send none).
            Required for remote servers, optional for localhost.
        timeout: Seconds to wait for one answer.
        max_retries: Retries after a 429, a 5xx, a timeout or a dropped connection (the SDK's
            exponential backoff, or the server's ``Retry-After``).
        concurrency: Requests in flight at once for a batch.
        structured: ``auto`` (json_schema, then json_object, then none as the server allows),
            or force ``json_schema``, ``json_object`` or ``none``.
        max_tokens: Longest answer, in tokens.
        max_tokens_field: ``max_tokens`` or ``max_completion_tokens`` (newer OpenAI models).
        temperature: Sampling temperature (0: deterministic where the server allows).
        image_detail: OpenAI's image ``detail`` hint.
        image_format: Encoding of the image parts.
        jpeg_quality: JPEG quality of the image parts.
        trust_env: Use proxy settings from the environment.
        repair_retries: Retries of an unusable answer with a repair message.
    """

    model_config = ConfigDict(extra="forbid")

    model: str | None = None
    base_url: str | None = None
    api_key_env: str | None = "OPENAI_API_KEY"
    timeout: float = Field(default=60.0, gt=0, le=3600)
    max_retries: int = Field(default=3, ge=0, le=10)
    concurrency: int = Field(default=4, ge=1, le=64)
    structured: Literal["auto", "json_schema", "json_object", "none"] = "auto"
    max_tokens: int = Field(default=1024, ge=1, le=32768)
    max_tokens_field: Literal["max_tokens", "max_completion_tokens"] = "max_tokens"
    temperature: float = Field(default=0.0, ge=0, le=2)
    image_detail: Literal["auto", "low", "high"] = "auto"
    image_format: Literal["jpeg", "png"] = "jpeg"
    jpeg_quality: int = Field(default=90, ge=30, le=100)
    trust_env: bool = True
    repair_retries: int = Field(default=1, ge=0, le=3)

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, v: str | None) -> str | None:
        if v is not None and urlsplit(v).scheme not in ("http", "https"):
            raise ValueError(f"base_url must start with http:// or https://, got {v!r}")
        return v.rstrip("/") if v else v


def data_url(rgb: Any, fmt: str = "jpeg", quality: int = 90) -> str:
    """An RGB array as a ``data:image/...;base64,`` URL."""
    from PIL import Image

    buf = io.BytesIO()
    im = Image.fromarray(rgb)
    if fmt == "png":
        im.save(buf, format="PNG")
    else:
        im.save(buf, format="JPEG", quality=quality)
    return f"data:image/{fmt};base64,{base64.b64encode(buf.getvalue()).decode('ascii')}"


class _SchemaRejected(Exception):
    pass


class OpenAIBackend(VLMBackend):
    """An OpenAI-compatible chat server as the reasoning backend.

    Args:
        **options: See :class:`OpenAIOptions`.

    Raises:
        BackendUnavailable: A remote server and no API key in the environment.
    """

    name = "openai"

    def __init__(self, **options: Any) -> None:
        self.options = OpenAIOptions(**options)
        super().__init__(repair_retries=self.options.repair_retries)
        o = self.options
        self.base_url = (o.base_url or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL).rstrip("/")
        self.model = o.model or os.environ.get(MODEL_ENV) or "gpt-4o-mini"
        host = urlsplit(self.base_url).hostname or ""
        self._api_key = os.environ.get(o.api_key_env) if o.api_key_env else None
        if o.api_key_env and not self._api_key and host not in _LOCAL_HOSTS:
            raise BackendUnavailable(
                f"the openai backend needs an API key for {host}: set ${o.api_key_env} "
                "(or pass api_key_env='NAME' to read another variable, or api_key_env=None for servers "
                "that need none)"
            )
        self._mode = "json_schema" if o.structured == "auto" else o.structured
        self._client: Any = None
        self._client_lock = threading.Lock()

    def model_info(self) -> ModelInfo:
        """The model, as recorded in readings."""
        return ModelInfo(name=self.model, role="vlm")

    @property
    def structured_mode(self) -> str:
        """The response format currently used (``auto`` may have fallen back)."""
        return self._mode

    def _sdk(self) -> Any:
        """The ``openai.OpenAI`` client, made on first use."""
        with self._client_lock:
            if self._client is None:
                try:
                    import openai
                except ImportError:
                    raise missing_extra("openai", "openai") from None
                o = self.options
                self._client = openai.OpenAI(
                    # servers that need no key (localhost) get a placeholder the SDK insists on
                    api_key=self._api_key or "no-key",
                    base_url=self.base_url,
                    timeout=o.timeout,
                    max_retries=o.max_retries,
                    http_client=openai.DefaultHttpxClient(trust_env=o.trust_env),
                )
            return self._client

    def close(self) -> None:
        """Close the HTTP connection pool."""
        if self._client is not None:
            self._client.close()
            self._client = None

    # request body -----------------------------------------------------------
    def body(self, req: VLMRequest, mode: str | None = None) -> dict[str, Any]:
        """The JSON body of one chat-completions request."""
        o = self.options
        mode = mode or self._mode
        urls = [data_url(v.rgb, o.image_format, o.jpeg_quality) for v in req.views]
        messages = []
        for m in req.messages():
            if isinstance(m["content"], str):
                messages.append(m)
                continue
            parts = []
            for p in m["content"]:
                if p["type"] == "image":
                    parts.append(
                        {
                            "type": "image_url",
                            "image_url": {"url": urls[p["index"]], "detail": o.image_detail},
                        }
                    )
                else:
                    parts.append(p)
            messages.append({"role": m["role"], "content": parts})
        body: dict[str, Any] = {
            "model": self.model,
            "messages": messages,
            "temperature": o.temperature,
            o.max_tokens_field: o.max_tokens,
        }
        if mode == "json_schema":
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": f"emotool_{req.task}", "schema": req.schema, "strict": True},
            }
        elif mode == "json_object":
            body["response_format"] = {"type": "json_object"}
        return body

    # transport --------------------------------------------------------------
    def _post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Send one chat-completions request through the SDK; our errors at the boundary."""
        import openai

        o = self.options
        url = f"{self.base_url}/chat/completions"
        tries = o.max_retries + 1
        failed = f"the server at {self.base_url} failed {tries} time{'s' if tries != 1 else ''}"
        try:
            raw = self._sdk().chat.completions.with_raw_response.create(**body)
            data = raw.http_response.json()
        except openai.APITimeoutError:
            raise BackendUnavailable(
                f"{failed} (no answer within {o.timeout:g} s; raise timeout=... for slow servers); "
                "retry later, or raise max_retries/timeout"
            ) from None
        except openai.APIConnectionError as exc:
            raise BackendUnavailable(
                f"{failed}: cannot connect to {self.base_url} ({_cause(exc)}); is the server running?"
            ) from None
        except openai.APIStatusError as exc:
            code, detail = exc.status_code, _error_text(exc)
            if code == 429 or code >= 500:
                raise BackendUnavailable(
                    f"{failed} (HTTP {code}: {detail}); retry later, or raise max_retries/timeout"
                ) from None
            if code == 400 and "response_format" in body and _mentions_format(detail):
                raise _SchemaRejected(detail) from None
            if code in (401, 403):
                env = o.api_key_env or "the API key variable"
                raise BackendUnavailable(
                    f"{self.base_url} refused the request (HTTP {code}: {detail}); check ${env}"
                ) from None
            if code == 404:
                raise BackendUnavailable(
                    f"{url} answered 404 ({detail}); check base_url (it ends in /v1) and that the "
                    f"server serves model {self.model!r}"
                ) from None
            raise BackendUnavailable(f"{url} rejected the request (HTTP {code}: {detail})") from None
        except ValueError:  # the body of a 200 answer is not JSON
            raise BackendUnavailable(
                f"{url} answered 200 with a body that is not JSON; is base_url the /v1 root "
                "of an OpenAI-compatible server?"
            ) from None
        if not isinstance(data, dict):
            raise BackendUnavailable(f"{url} answered with JSON that is not an object")
        return data

    def complete_one(self, req: VLMRequest) -> Completion:
        """Send one request (with the structured-output fallback) and return the model's text."""
        while True:
            mode = self._mode
            try:
                data = self._post(self.body(req, mode))
                break
            except _SchemaRejected as exc:
                if self.options.structured != "auto" or mode == "none":
                    raise BackendUnavailable(
                        f"the server rejected response_format {mode!r} ({exc}); "
                        "use structured='auto' or 'none'"
                    ) from None
                with self._client_lock:
                    if self._mode == mode:
                        self._mode = "json_object" if mode == "json_schema" else "none"
        choices = data.get("choices") or []
        if not choices or not isinstance(choices[0], dict):
            raise BackendUnavailable(f"the server's answer has no choices: {str(data)[:200]}")
        msg = choices[0].get("message") or {}
        content = msg.get("content")
        if isinstance(content, list):  # some servers return content parts
            content = "".join(p.get("text", "") for p in content if isinstance(p, dict))
        usage = data.get("usage") or {}
        return Completion(
            text=content or "",
            refusal=msg.get("refusal") or None,
            prompt_tokens=int(usage.get("prompt_tokens") or 0),
            completion_tokens=int(usage.get("completion_tokens") or 0),
        )

    def _complete(self, requests: list[VLMRequest]) -> list[Completion]:
        if len(requests) == 1:
            return [self.complete_one(requests[0])]
        workers = min(self.options.concurrency, len(requests))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="emotool-openai") as pool:
            return list(pool.map(self.complete_one, requests))


def _error_text(exc: Any) -> str:
    """The server's own error message from an SDK status error."""
    body = getattr(exc, "body", None)
    err = body.get("error", body) if isinstance(body, dict) else body
    msg = err.get("message") if isinstance(err, dict) else err
    if msg is None:
        response = getattr(exc, "response", None)
        msg = getattr(response, "text", "") or getattr(response, "reason_phrase", "") or str(exc)
    return str(msg)[:300]


def _cause(exc: BaseException) -> str:
    cause = exc.__cause__ or exc.__context__
    return f"{type(cause).__name__}: {cause}" if cause is not None else str(exc)


def _mentions_format(detail: str) -> bool:
    d = detail.lower()
    return any(k in d for k in ("response_format", "json_schema", "json schema", "structured", "schema"))
