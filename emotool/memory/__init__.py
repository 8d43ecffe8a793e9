"""Memory of past sessions for empathetic assistants, on Chroma.

``from emotool.memory import Memory`` is cheap: chromadb loads when a
``Memory`` is opened, the embedding model on the first write or recall, and
LangChain only for the retriever and LLM summaries. Importing the package
itself (as the CLI does for ``emotool.memory.cli``) loads nothing.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .models import (
        Affect,
        MemoryConfig,
        MemoryExport,
        MemoryItem,
        NewMemory,
        Recalled,
        RecallWeights,
        SessionInfo,
        salience_of,
    )
    from .redaction import redact
    from .retriever import MemoryRetriever
    from .store import Memory
    from .summary import extractive_summary, summarize_session

_LAZY = {
    "Affect": "models",
    "MemoryConfig": "models",
    "MemoryExport": "models",
    "MemoryItem": "models",
    "NewMemory": "models",
    "Recalled": "models",
    "RecallWeights": "models",
    "SessionInfo": "models",
    "salience_of": "models",
    "redact": "redaction",
    "MemoryRetriever": "retriever",
    "Memory": "store",
    "extractive_summary": "summary",
    "summarize_session": "summary",
}

__all__ = [
    "Affect",
    "Memory",
    "MemoryConfig",
    "MemoryExport",
    "MemoryItem",
    "MemoryRetriever",
    "NewMemory",
    "RecallWeights",
    "Recalled",
    "SessionInfo",
    "extractive_summary",
    "redact",
    "salience_of",
    "summarize_session",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'emotool.memory' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
