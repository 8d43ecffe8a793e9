"""Turn a chat model's failures into emotool's typed errors, with a message that says what to do.

Any LangChain chat model may be handed to the agent, and each client raises its own
exceptions (openai's, httpx's, the standard library's). :func:`map_chat_error`
recognises the usual ones: an unreachable server, a timeout, a refused key, an
unknown model, a server error or an answer that is not a chat completion, and
:func:`safe_invoke` / :func:`safe_stream` (and their async twins) also refuse an
empty answer. Errors the guard does not recognise pass through unchanged.
"""

from __future__ import annotations

import json
import sys
from collections.abc import AsyncIterator, Iterator
from typing import Any

from ..errors import BackendUnavailable, EmotoolError


def describe(model: Any) -> str:
    """A short phrase naming a chat model and where it runs, for error messages."""
    inner = getattr(model, "bound", model)
    base = getattr(inner, "openai_api_base", None)
    name = getattr(inner, "model_name", None) or getattr(inner, "model", None) or type(inner).__name__
    if base:
        return f"the chat model {name!r} at {base}"
    return f"the chat model {name!r}"


def _status_error(exc: Any, where: str) -> EmotoolError:
    status = getattr(exc, "status_code", None)
    body = getattr(exc, "body", None)
    detail = body.get("message") if isinstance(body, dict) else None
    detail = detail or str(getattr(exc, "message", "") or exc)
    if status in (401, 403):
        return BackendUnavailable(
            f"{where} refused the API key (HTTP {status}: {detail}); set the right key "
            "(OPENAI_API_KEY for openai:, api_key= or EMOTOOL_CHAT_API_KEY for a server)"
        )
    if status == 404:
        return BackendUnavailable(
            f"{where} does not serve that model (HTTP 404: {detail}); list the served models at "
            "GET /v1/models and pass one of them as the model name"
        )
    if status == 429:
        return BackendUnavailable(f"{where} is rate limiting (HTTP 429: {detail}); wait and try again")
    return BackendUnavailable(
        f"{where} answered with an error (HTTP {status}: {detail}); check the server's log, "
        "or try again when it is healthy"
    )


def map_chat_error(exc: BaseException, model: Any = None) -> BaseException:
    """The emotool error for a chat model's exception (or ``exc`` itself when not recognised)."""
    if isinstance(exc, EmotoolError):
        return exc
    where = describe(model) if model is not None else "the chat model"
    openai = sys.modules.get("openai")
    httpx = sys.modules.get("httpx")
    timeout_types: tuple[type[BaseException], ...] = (TimeoutError,)
    connect_types: tuple[type[BaseException], ...] = (ConnectionError,)
    if openai is not None:
        timeout_types += (openai.APITimeoutError,)
        connect_types += (openai.APIConnectionError,)
        if isinstance(exc, openai.APIStatusError):
            return _status_error(exc, where)
        if isinstance(exc, openai.APIResponseValidationError):
            return BackendUnavailable(
                f"{where} answered something that is not a chat completion ({exc}); is base_url an "
                "OpenAI-compatible server's /v1 address?"
            )
    if httpx is not None:
        timeout_types += (httpx.TimeoutException,)
        connect_types += (httpx.TransportError,)
        if isinstance(exc, httpx.HTTPStatusError):
            exc.status_code = exc.response.status_code
            return _status_error(exc, where)
    if isinstance(exc, timeout_types):
        return BackendUnavailable(
            f"{where} did not answer in time ({exc}); the server may be overloaded or the model still "
            "loading: try again, or raise the timeout (load_chat_model(..., timeout=SECONDS))"
        )
    if isinstance(exc, connect_types):
        return BackendUnavailable(
            f"could not reach {where} ({exc}); is the server running? Start it (ollama serve, "
            "vllm serve MODEL, llama-server -m FILE) or fix base_url / EMOTOOL_CHAT_BASE_URL"
        )
    if isinstance(exc, json.JSONDecodeError):
        return BackendUnavailable(
            f"{where} answered something that is not JSON ({exc}); is base_url an OpenAI-compatible "
            "server's /v1 address?"
        )
    return exc


def empty_answer(model: Any) -> BackendUnavailable:
    """The error for a model that answered nothing."""
    return BackendUnavailable(
        f"{describe(model)} returned an empty answer; check the model is loaded and max_tokens is not "
        "tiny, or try again"
    )


def _has_answer(message: Any) -> bool:
    text = str(getattr(message, "text", "") or "")  # content blocks' text, as a str
    calls = getattr(message, "tool_calls", None) or getattr(message, "tool_call_chunks", None)
    return bool((text or "").strip() or calls)


def safe_invoke(model: Any, messages: Any, **kwargs: Any) -> Any:
    """``model.invoke(messages)`` with its failures and an empty answer as ``BackendUnavailable``."""
    try:
        answer = model.invoke(messages, **kwargs)
    except Exception as exc:
        raise map_chat_error(exc, model) from exc
    if not _has_answer(answer):
        raise empty_answer(model)
    return answer


async def asafe_invoke(model: Any, messages: Any, **kwargs: Any) -> Any:
    """The async twin of :func:`safe_invoke`."""
    try:
        answer = await model.ainvoke(messages, **kwargs)
    except Exception as exc:
        raise map_chat_error(exc, model) from exc
    if not _has_answer(answer):
        raise empty_answer(model)
    return answer


def safe_stream(model: Any, messages: Any, **kwargs: Any) -> Iterator[Any]:
    """``model.stream(messages)`` chunk by chunk, failing as :func:`safe_invoke` does."""
    got = False
    try:
        for chunk in model.stream(messages, **kwargs):
            got = got or _has_answer(chunk)
            yield chunk
    except Exception as exc:
        raise map_chat_error(exc, model) from exc
    if not got:
        raise empty_answer(model)


async def asafe_stream(model: Any, messages: Any, **kwargs: Any) -> AsyncIterator[Any]:
    """The async twin of :func:`safe_stream`."""
    got = False
    try:
        async for chunk in model.astream(messages, **kwargs):
            got = got or _has_answer(chunk)
            yield chunk
    except Exception as exc:
        raise map_chat_error(exc, model) from exc
    if not got:
        raise empty_answer(model)
