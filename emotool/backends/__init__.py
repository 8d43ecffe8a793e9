"""Reasoning backends behind one Protocol, in a registry keyed by name.

- ``classic``: the embedded CPU face pipeline; its reasoning is built from its
  measured cues, without a language model.
- ``hf``: a local Hugging Face vision-language model (``pip install 'emotool[hf]'``).
- ``openai``: any OpenAI-compatible chat server (OpenAI, vLLM, Ollama, llama.cpp server).

Choose one with :func:`get_backend` (``name`` or ``$EMOTOOL_BACKEND``, default
``classic``). Importing this package costs nothing: the names below load on
first use, and torch, transformers and httpx only when a backend that needs
them is created (``emotool --help`` stays fast).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .base import Backend, ReadOptions, VLMBackend
    from .registry import (
        BACKENDS,
        DEFAULT_BACKEND,
        ENV_VAR,
        analyze_video_with,
        available_backends,
        get_backend,
        register_backend,
        resolve_name,
    )

_EXPORTS = {
    "Backend": ".base",
    "ReadOptions": ".base",
    "VLMBackend": ".base",
    "BACKENDS": ".registry",
    "DEFAULT_BACKEND": ".registry",
    "ENV_VAR": ".registry",
    "analyze_video_with": ".registry",
    "available_backends": ".registry",
    "get_backend": ".registry",
    "register_backend": ".registry",
    "resolve_name": ".registry",
}

__all__ = [
    "BACKENDS",
    "DEFAULT_BACKEND",
    "ENV_VAR",
    "Backend",
    "ReadOptions",
    "VLMBackend",
    "analyze_video_with",
    "available_backends",
    "get_backend",
    "register_backend",
    "resolve_name",
]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
