"""OpenAI and any OpenAI-compatible server (Ollama, vLLM, llama.cpp's server) through ``langchain-openai``.

:class:`ServerChatModel` is ``ChatOpenAI`` whose failures are emotool's typed errors
(see :mod:`emotool.llm.guard`) at invoke and stream time, so an agent built on it
gets "could not reach ...; is the server running?" instead of a transport traceback,
and an empty answer is an error rather than a silent blank reply.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from typing import Any

from ..errors import BackendUnavailable, missing_extra
from .guard import _has_answer, empty_answer, map_chat_error

#: The key sent to a ``base_url`` server when none is given (local servers ignore it).
NO_KEY = "not-needed"
API_KEY_ENV = "EMOTOOL_CHAT_API_KEY"


def _server_model_class() -> type:
    try:
        from langchain_openai import ChatOpenAI
    except ImportError:
        raise missing_extra("langchain-openai", "chat") from None

    from langchain_core.outputs import ChatGenerationChunk, ChatResult

    class ServerChatModel(ChatOpenAI):
        """``ChatOpenAI`` with emotool's errors: unreachable, timeout, HTTP errors, empty answers."""

        def _generate(self, *args: Any, **kwargs: Any) -> ChatResult:
            try:
                result = super()._generate(*args, **kwargs)
            except Exception as exc:
                raise map_chat_error(exc, self) from exc
            if not any(_has_answer(g.message) for g in result.generations):
                raise empty_answer(self)
            return result

        async def _agenerate(self, *args: Any, **kwargs: Any) -> ChatResult:
            try:
                result = await super()._agenerate(*args, **kwargs)
            except Exception as exc:
                raise map_chat_error(exc, self) from exc
            if not any(_has_answer(g.message) for g in result.generations):
                raise empty_answer(self)
            return result

        def _stream(self, *args: Any, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
            got = False
            try:
                for chunk in super()._stream(*args, **kwargs):
                    got = got or _has_answer(chunk.message)
                    yield chunk
            except Exception as exc:
                raise map_chat_error(exc, self) from exc
            if not got:
                raise empty_answer(self)

        async def _astream(self, *args: Any, **kwargs: Any) -> AsyncIterator[ChatGenerationChunk]:
            got = False
            try:
                async for chunk in super()._astream(*args, **kwargs):
                    got = got or _has_answer(chunk.message)
                    yield chunk
            except Exception as exc:
                raise map_chat_error(exc, self) from exc
            if not got:
                raise empty_answer(self)

    return ServerChatModel


_cls: type | None = None


def server_model_class() -> type:
    """The ``ServerChatModel`` class (defined on first use: importing it loads langchain-openai)."""
    global _cls
    if _cls is None:
        _cls = _server_model_class()
    return _cls


def served_models(base_url: str, api_key: str | None = None, timeout: float = 10.0) -> list[str]:
    """The model ids an OpenAI-compatible server lists at ``GET /v1/models``.

    Raises:
        BackendUnavailable: The server cannot be reached or answers something else.
    """
    import httpx

    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    url = base_url.rstrip("/") + "/models"
    try:
        resp = httpx.get(url, headers=headers, timeout=timeout)
        resp.raise_for_status()
        data = resp.json()
        return [str(m["id"]) for m in data.get("data", [])]
    except Exception as exc:
        mapped = map_chat_error(exc)
        if mapped is exc:
            raise BackendUnavailable(
                f"the server at {base_url} did not list its models ({exc}); pass the model name "
                "(load_chat_model(NAME, base_url=...))"
            ) from exc
        raise mapped from exc


def openai_chat_model(
    model: str,
    *,
    base_url: str | None = None,
    api_key: str | None = None,
    timeout: float = 60.0,
    max_retries: int = 1,
    **options: Any,
) -> Any:
    """A ``ChatOpenAI`` (with emotool's errors) for OpenAI or an OpenAI-compatible server.

    Args:
        model: The model id; with ``base_url`` and no id, the server's first listed model.
        base_url: The server's ``/v1`` address; None for OpenAI itself.
        api_key: The key; default ``$OPENAI_API_KEY`` for OpenAI, ``$EMOTOOL_CHAT_API_KEY``
            (or none) for a ``base_url`` server.
        timeout: Seconds to wait for an answer.
        max_retries: Retries after a connection error, a timeout or HTTP 429/5xx.
        **options: Other ``ChatOpenAI`` fields (``temperature``, ``max_tokens``, ``top_p``...).

    Raises:
        BackendUnavailable: No key for OpenAI, langchain-openai missing, or (with no model
            id) a server that cannot be reached.
    """
    cls = server_model_class()
    if base_url is None:
        key = api_key or os.environ.get("OPENAI_API_KEY")
        if not key:
            raise BackendUnavailable(
                "openai: needs an API key: set OPENAI_API_KEY or pass api_key=...; for a local "
                "OpenAI-compatible server pass base_url (or set EMOTOOL_CHAT_BASE_URL)"
            )
        if not model:
            raise BackendUnavailable("openai: needs a model name, e.g. openai:gpt-4o-mini")
    else:
        key = api_key or os.environ.get(API_KEY_ENV) or NO_KEY
        if not model:
            models = served_models(base_url, key, timeout=min(timeout, 10.0))
            if not models:
                raise BackendUnavailable(f"the server at {base_url} lists no models; pass the model name")
            model = models[0]
    return cls(
        model=model,
        base_url=base_url,
        api_key=key,
        timeout=timeout,
        max_retries=max_retries,
        **options,
    )
