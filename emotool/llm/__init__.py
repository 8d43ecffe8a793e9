"""Chat models for the empathetic agent: every one a LangChain ``BaseChatModel`` that streams.

- ``embedded`` (default): a small GGUF model run by llama.cpp on the CPU, offline
  (``embedded:qwen2.5-1.5b``, ``embedded:qwen2.5-0.5b``, ``embedded:smollm2-135m``).
- ``openai:MODEL``, or any model name with ``base_url``: an OpenAI-compatible server
  (OpenAI, Ollama, vLLM, llama.cpp's server) through ``langchain-openai``.
- ``hf:NAME``: a local Hugging Face causal LM through transformers (a GPU when present).

Pick one with :func:`load_chat_model`. Importing this package costs nothing: llama.cpp,
langchain-openai and transformers load when a model of theirs is created.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .embedded import EmbeddedChatModel, clear_model_cache
    from .guard import asafe_invoke, asafe_stream, map_chat_error, safe_invoke, safe_stream
    from .hf import HFChatModel
    from .registry import (
        BASE_URL_ENV,
        CHAT_MODELS,
        EMBEDDED_MODELS,
        MODEL_ENV,
        ChatBackend,
        EmbeddedModel,
        available_chat_models,
        load_chat_model,
        supports_tools,
    )

_EXPORTS = {
    "EmbeddedChatModel": ".embedded",
    "clear_model_cache": ".embedded",
    "HFChatModel": ".hf",
    "asafe_invoke": ".guard",
    "asafe_stream": ".guard",
    "map_chat_error": ".guard",
    "safe_invoke": ".guard",
    "safe_stream": ".guard",
    "BASE_URL_ENV": ".registry",
    "CHAT_MODELS": ".registry",
    "EMBEDDED_MODELS": ".registry",
    "MODEL_ENV": ".registry",
    "ChatBackend": ".registry",
    "EmbeddedModel": ".registry",
    "available_chat_models": ".registry",
    "load_chat_model": ".registry",
    "supports_tools": ".registry",
}

__all__ = [
    "BASE_URL_ENV",
    "CHAT_MODELS",
    "EMBEDDED_MODELS",
    "MODEL_ENV",
    "ChatBackend",
    "EmbeddedChatModel",
    "EmbeddedModel",
    "HFChatModel",
    "asafe_invoke",
    "asafe_stream",
    "available_chat_models",
    "clear_model_cache",
    "load_chat_model",
    "map_chat_error",
    "safe_invoke",
    "safe_stream",
    "supports_tools",
]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
