"""Choose a chat model by name: the backends behind one Protocol, in a registry keyed by prefix.

``load_chat_model(name)`` reads the prefix before the first ``:``:

- none, ``embedded`` or ``embedded:NAME``: :class:`~emotool.llm.embedded.EmbeddedChatModel`
  (names in :data:`EMBEDDED_MODELS`),
- ``openai:MODEL``: OpenAI (``OPENAI_API_KEY``),
- ``hf:NAME``: a local Hugging Face model (:class:`~emotool.llm.hf.HFChatModel`),
- any name with ``base_url``: that OpenAI-compatible server (Ollama names such as
  ``qwen2.5:7b`` keep their colon).

``$EMOTOOL_CHAT_MODEL`` and ``$EMOTOOL_CHAT_BASE_URL`` give the defaults.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from ..errors import InvalidOption, UnknownName

if TYPE_CHECKING:
    from langchain_core.language_models.chat_models import BaseChatModel

#: Environment variables that set the default chat model and server.
MODEL_ENV = "EMOTOOL_CHAT_MODEL"
BASE_URL_ENV = "EMOTOOL_CHAT_BASE_URL"


@dataclass(frozen=True)
class EmbeddedModel:
    """A GGUF chat model emotool can run offline."""

    name: str
    asset: str
    """Its file in ``emotool.assets`` (``emotool models pull ASSET``)."""
    description: str


EMBEDDED_MODELS: dict[str, EmbeddedModel] = {
    m.name: m
    for m in [
        EmbeddedModel(
            "qwen2.5-1.5b",
            "chat-qwen2.5-1.5b",
            "Qwen2.5-Coder-1.5B-Instruct Q4_K_M: the default; about 7 tokens/s on 2 cores",
        ),
        EmbeddedModel(
            "qwen2.5-0.5b",
            "chat-qwen2.5-0.5b",
            "Qwen2.5-Coder-0.5B-Instruct: about 3x faster, weaker replies; for low-memory machines",
        ),
        EmbeddedModel(
            "smollm2-135m",
            "chat-smollm2-135m",
            "SmolLM2-135M-Instruct Q4_1: very fast, repeats itself; for tests",
        ),
    ]
}
DEFAULT_EMBEDDED = "qwen2.5-1.5b"


def embedded_model(name: str) -> EmbeddedModel:
    """The embedded model called ``name``; an unknown name lists the valid ones."""
    try:
        return EMBEDDED_MODELS[name]
    except KeyError:
        raise UnknownName("embedded chat model", name, list(EMBEDDED_MODELS)) from None


class ChatBackend(Protocol):
    """Builds a chat model from the part of the name after the prefix."""

    def __call__(
        self,
        model: str,
        *,
        base_url: str | None,
        api_key: str | None,
        options: dict[str, Any],
    ) -> BaseChatModel: ...


def _embedded(model: str, *, base_url: str | None, api_key: str | None, options: dict[str, Any]) -> Any:
    from pydantic import ValidationError

    from .embedded import EmbeddedChatModel

    embedded_model(model or DEFAULT_EMBEDDED)
    try:
        return EmbeddedChatModel(model_name=model or DEFAULT_EMBEDDED, **options)
    except ValidationError as exc:
        raise _invalid(exc, EmbeddedChatModel.model_fields) from None


def _openai(model: str, *, base_url: str | None, api_key: str | None, options: dict[str, Any]) -> Any:
    from .openai_compat import openai_chat_model

    return openai_chat_model(model, base_url=base_url, api_key=api_key, **options)


def _hf(model: str, *, base_url: str | None, api_key: str | None, options: dict[str, Any]) -> Any:
    from pydantic import ValidationError

    from .hf import HFChatModel

    if not model:
        raise InvalidOption("hf: needs a model, e.g. hf:Qwen/Qwen2.5-7B-Instruct or hf:/path/to/folder")
    try:
        return HFChatModel(model_name=model, **options)
    except ValidationError as exc:
        raise _invalid(exc, HFChatModel.model_fields) from None


def _invalid(exc: Any, fields: dict[str, Any]) -> Exception:
    err = exc.errors()[0]
    key = ".".join(str(p) for p in err.get("loc", ()))
    if err.get("type") == "extra_forbidden":
        return UnknownName("chat model option", key, [f for f in fields if not f.startswith("_")])
    return InvalidOption(f"chat model option {key}: {err.get('msg')}")


#: The chat-model backends, by the prefix of a model name.
CHAT_MODELS: dict[str, ChatBackend] = {"embedded": _embedded, "openai": _openai, "hf": _hf}


def available_chat_models() -> list[str]:
    """Example names for every backend (embedded ones in full)."""
    return [
        *(f"embedded:{n}" for n in EMBEDDED_MODELS),
        "openai:MODEL",
        "hf:NAME",
        "MODEL with base_url=http://HOST:PORT/v1",
    ]


def load_chat_model(
    name: str | None = None,
    *,
    base_url: str | None = None,
    api_key: str | None = None,
    temperature: float | None = None,
    max_tokens: int | None = None,
    **kwargs: Any,
) -> BaseChatModel:
    """A LangChain chat model by name; the embedded default runs offline on the CPU.

    Args:
        name: ``None`` or ``"embedded"`` (the 1.5B default), ``"embedded:qwen2.5-0.5b"``,
            ``"embedded:smollm2-135m"``, ``"openai:gpt-4o-mini"``, ``"hf:Qwen/Qwen2.5-7B-Instruct"``,
            or a server's model name with ``base_url``. Default ``$EMOTOOL_CHAT_MODEL``.
        base_url: An OpenAI-compatible server (``http://localhost:11434/v1`` for Ollama);
            default ``$EMOTOOL_CHAT_BASE_URL``. Without a name, the server's first model is used.
        api_key: The server's key. ``openai:`` falls back to ``$OPENAI_API_KEY``; a ``base_url``
            server to ``$EMOTOOL_CHAT_API_KEY`` (your OpenAI key is never sent to another server)
            and works without one (local servers need none).
        temperature: Sampling temperature (the backend's default when None).
        max_tokens: Longest answer in tokens (the backend's default when None).
        **kwargs: Backend options: for ``embedded`` the fields of ``EmbeddedChatModel``
            (``n_ctx``, ``n_threads``, ``top_p``, ``repeat_penalty``, ``seed``, ``model_path``);
            for servers ``timeout`` (s), ``max_retries`` and ``ChatOpenAI`` fields; for ``hf``
            the fields of ``HFChatModel`` (``device``, ``dtype``).

    Returns:
        A chat model with ``invoke``, ``stream``, ``ainvoke`` and ``astream``.

    Raises:
        UnknownName: An unknown prefix, embedded model or option.
        BackendUnavailable: A missing extra, a missing API key or an unreachable server.
        AssetMissing: An embedded model that is not fetched (raised on first use).
    """
    name = name or os.environ.get(MODEL_ENV) or None
    base_url = base_url or os.environ.get(BASE_URL_ENV) or None
    options = dict(kwargs)
    if temperature is not None:
        options["temperature"] = temperature
    if max_tokens is not None:
        options["max_tokens"] = max_tokens
    if base_url:
        prefix = name.split(":", 1)[0] if name else ""
        if prefix in ("embedded", "hf"):
            raise InvalidOption(
                f"base_url is for OpenAI-compatible servers, not {name!r}; drop base_url "
                f"(or ${BASE_URL_ENV}) or name a model the server serves"
            )
        model = name[len("openai:") :] if name and prefix == "openai" else (name or "")
        return _openai(model, base_url=base_url, api_key=api_key, options=options)
    if name is None or name == "embedded":
        return _embedded(DEFAULT_EMBEDDED, base_url=None, api_key=api_key, options=options)
    if ":" not in name:
        if name in EMBEDDED_MODELS:
            return _embedded(name, base_url=None, api_key=api_key, options=options)
        raise UnknownName(
            "chat model (use a prefix, or base_url for a server's model)",
            name,
            available_chat_models(),
        )
    prefix, rest = name.split(":", 1)
    if prefix not in CHAT_MODELS:
        raise UnknownName(
            "chat model prefix (a server's model such as qwen2.5:7b needs base_url)",
            prefix,
            list(CHAT_MODELS),
        )
    return CHAT_MODELS[prefix](rest, base_url=None, api_key=api_key, options=options)


def supports_tools(model: Any) -> bool:
    """Whether ``model`` can be given tools (``bind_tools``).

    The embedded models and local ``hf`` models cannot: they get the observations
    in the prompt. A model whose class does not implement ``bind_tools`` cannot either.
    """
    from langchain_core.language_models.chat_models import BaseChatModel

    inner = model
    while hasattr(inner, "bound") and not isinstance(inner, BaseChatModel):  # a RunnableBinding
        inner = inner.bound
    if not isinstance(inner, BaseChatModel):
        return False
    if getattr(inner, "supports_tool_calling", None) is False:
        return False
    return type(inner).bind_tools is not BaseChatModel.bind_tools
