"""The ``safety:`` section of an agent spec: how risk is assessed and what happens on a crisis turn.

Imports pydantic only, so ``emotool.specs`` can validate specs without loading
the detector.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Layer = Literal["lexicon", "semantic", "classifier", "context"]


class SafetySettings(BaseModel):
    """How an agent assesses risk and what it does on a crisis turn.

    Attributes:
        strictness: ``"strict"`` treats a ``concern`` like a crisis for the reply
            (resources offered, the policy's reply stands).
        judge: Also ask the chat model as a judge on ``concern`` messages (needs a
            chat model given to the policy).
        judge_may_clear: Let the judge lower a ``concern`` to ``none`` (off: the judge
            can only confirm the concern or raise it to a crisis).
        audit: Write an audit record (hashed user id, no text) for every assessed turn.
        audit_text: Also write the message text into the audit record.
        audit_path: Audit log file (JSONL); default ``<emotool home>/safety/audit.jsonl``.
        resources: Crisis resources by locale, relative to the agents folder.
        context_turns: Earlier user messages considered with the current one.
        locale: Locale of the crisis reply when the caller gives none (``en-US``, ``es-ES``...);
            None: from the message's language, else the international fallback.
        layers: Detector layers to run (all four by default; fewer only to measure them):
            ``lexicon``, ``semantic`` (prototype similarity), ``classifier`` (the learned head on
            the same embedding) and ``context``.
        encoder: Sentence encoder of the semantic layer (see ``emotool.safety.semantic``).
        max_chars: Longest text assessed (default 100,000 characters, about 25 pages, read in
            about a second); longer raises ``InputTooLong``. Raise it for longer documents: the
            lexicon reads every character (about 15 s per MB on one core).
    """

    model_config = ConfigDict(extra="forbid")

    strictness: Literal["standard", "strict"] = "standard"
    judge: bool = False
    judge_may_clear: bool = False
    audit: bool = False
    audit_text: bool = False
    audit_path: str | None = None
    resources: str = "resources/crisis_resources.yaml"
    context_turns: int = Field(default=3, ge=0, le=20)
    locale: str | None = None
    layers: tuple[Layer, ...] = ("lexicon", "semantic", "classifier", "context")
    encoder: str = "use-m3"
    max_chars: int = Field(default=100_000, ge=1)
