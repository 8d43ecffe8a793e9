"""A LangChain retriever over one user's memories."""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, Field

from ..untrusted import quote_data
from .models import Kind, RecallWeights


class MemoryRetriever(BaseRetriever):
    """Returns ``Memory.recall`` results as LangChain ``Document`` objects.

    ``page_content`` is the memory's text quoted as data (``<data label="memory">...</data>``,
    see :mod:`emotool.untrusted`: what a user once said must not read as an instruction when
    it is put in a prompt; ``quote_as_data=False`` gives the raw text); ``metadata`` has its
    id, session, time (ISO 8601), kind, role, dominant emotion, salience and ranking scores.

    Example:
        >>> retriever = memory.as_retriever(user_id="ana", k=3)          # doctest: +SKIP
        >>> retriever.invoke("how did the exam go?")                       # doctest: +SKIP
    """

    model_config = ConfigDict(arbitrary_types_allowed=True, extra="forbid")

    memory: Any = Field(description="The emotool Memory to search.")
    user_id: str = Field(min_length=1, description="Whose memories to search.")
    k: int = Field(default=4, ge=1, description="How many memories to return.")
    weights: RecallWeights | None = Field(default=None, description="Overrides the memory's recall weights.")
    session_id: str | None = Field(default=None, description="Only this session.")
    kind: Kind | None = Field(default=None, description="Only this kind of memory.")
    quote_as_data: bool = Field(
        default=True, description="Wrap page_content in the untrusted-data delimiters (escaped inside)."
    )

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        hits = self.memory.recall(
            query, self.user_id, self.k, weights=self.weights, session_id=self.session_id, kind=self.kind
        )
        docs = []
        for r in hits:
            m = r.memory
            label = next((a.label for a in sorted(m.emotions, key=lambda a: -a.confidence) if a.label), None)
            docs.append(
                Document(
                    page_content=quote_data(m.text, "memory") if self.quote_as_data else m.text,
                    id=m.id,
                    metadata={
                        "id": m.id,
                        "session_id": m.session_id,
                        "at": m.at.isoformat(),
                        "kind": m.kind,
                        "role": m.role,
                        "emotion": label,
                        "salience": m.salience,
                        "score": r.score,
                        "similarity": r.similarity,
                        "recency": r.recency,
                    },
                )
            )
        return docs
