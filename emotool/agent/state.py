"""The agent graph's state and per-turn context, shared by the middleware.

The conversation (``messages``) is checkpointed as LangGraph keeps it. The
record of the current turn lives under one key, ``emotool_turn``, a JSON-able
dict that each middleware adds its part to (perception resets it at the start
of a turn); :class:`~emotool.agent.EmpatheticAgent` turns it into an
:class:`~emotool.agent.turn.AgentTurn`. What comes with one turn only (the
attachments, the user, the time) travels in the run's context,
:class:`TurnContext`, and is never stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated, Any

from langchain.agents.middleware import AgentState
from langchain_core.messages import AnyMessage, HumanMessage
from typing_extensions import NotRequired

#: Keys of the turn record whose updates add up instead of replacing.
_LISTS = ("errors",)
_DICTS = ("timings",)


def merge_turn(old: dict[str, Any] | None, new: dict[str, Any] | None) -> dict[str, Any]:
    """The reducer of ``emotool_turn``: ``{"_reset": True, ...}`` starts a new record; otherwise
    ``timings`` merge, ``errors`` append and other keys replace."""
    if new is None:
        return dict(old or {})
    if new.get("_reset"):
        base: dict[str, Any] = {}
        new = {k: v for k, v in new.items() if k != "_reset"}
    else:
        base = dict(old or {})
    for key, value in new.items():
        if key in _LISTS:
            base[key] = [*base.get(key, []), *value]
        elif key in _DICTS:
            base[key] = {**base.get(key, {}), **value}
        else:
            base[key] = value
    return base


class EmpatheticState(AgentState[Any]):
    """The agent's state: the conversation, plus the record of the current turn."""

    emotool_turn: NotRequired[Annotated[dict[str, Any], merge_turn]]


@dataclass(frozen=True)
class TurnContext:
    """What comes with one turn and is not stored: who, which session, when, and the attachments.

    Attributes:
        user_id: Whose turn it is (memory and audit are per user).
        session_id: The conversation thread.
        now: The turn's time (a scripted conversation may set it; default now).
        image: A photo to read.
        video: A video to read.
        audio: A voice message to transcribe and read.
        extra_roots: Folders the attachments of this turn may also come from.
    """

    user_id: str
    session_id: str
    now: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    image: Path | None = None
    video: Path | None = None
    audio: Path | None = None
    extra_roots: tuple[Path, ...] = ()


def last_human(messages: list[AnyMessage]) -> tuple[int, HumanMessage | None]:
    """The index and the last human message of the conversation (``(-1, None)`` when none)."""
    for i in range(len(messages) - 1, -1, -1):
        if isinstance(messages[i], HumanMessage):
            return i, messages[i]  # type: ignore[return-value]
    return -1, None


def human_texts(messages: list[AnyMessage]) -> list[str]:
    """The text of every human message, oldest first."""
    from .shaping import message_text

    return [message_text(m.content) for m in messages if isinstance(m, HumanMessage)]


def context_of(runtime: Any) -> TurnContext:
    """The turn's context from a middleware's runtime (a default one when the graph ran without it)."""
    ctx = getattr(runtime, "context", None)
    if isinstance(ctx, TurnContext):
        return ctx
    if isinstance(ctx, dict):
        return TurnContext(**ctx)
    return TurnContext(user_id="default", session_id="default")
