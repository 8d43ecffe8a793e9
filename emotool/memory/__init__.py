"""Memory of past sessions for empathetic assistants, on Chroma.

``from emotool.memory import Memory`` is cheap: chromadb loads when a
``Memory`` is opened, the embedding model on the first write or recall, and
LangChain only for the retriever and LLM summaries.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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
from .redact import redact
from .store import Memory
from .summary import extractive_summary, summarize_session

if TYPE_CHECKING:
    from .retriever import MemoryRetriever

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
    if name == "MemoryRetriever":
        from .retriever import MemoryRetriever

        return MemoryRetriever
    raise AttributeError(f"module 'emotool.memory' has no attribute {name!r}")
