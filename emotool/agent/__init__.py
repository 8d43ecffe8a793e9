"""The empathetic dialogue agent: perception, safety, memory and a chat model on LangChain's ``create_agent``.

::

    from emotool.agent import EmpatheticAgent
    agent = EmpatheticAgent(spec="companion", user_id="ana")      # embedded chat model, offline
    turn = agent.turn("I have my maths exam on Friday", image="me.jpg", session_id="s1")
    turn.reply, turn.observations.summary, turn.timings
    for piece in agent.stream("thanks, that helps", session_id="s1"): ...   # text, then the AgentTurn

``create_empathetic_agent`` gives the underlying LangGraph agent for builders who
compose their own. Importing this package is light; LangChain loads on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .agent import EmpatheticAgent, create_empathetic_agent, sqlite_checkpointer, thread_id
    from .observe import Perceiver, PerceptionMiddleware, describe
    from .prompt import PromptBuilder
    from .shaping import ReplyRules, SentenceStream, shape_reply
    from .state import EmpatheticState, TurnContext
    from .turn import AgentTurn, MemoryUsed, ObservationError, Observations, TurnSafety, TurnTimings

_EXPORTS = {
    "EmpatheticAgent": ".agent",
    "create_empathetic_agent": ".agent",
    "sqlite_checkpointer": ".agent",
    "thread_id": ".agent",
    "PerceptionMiddleware": ".observe",
    "Perceiver": ".observe",
    "describe": ".observe",
    "PromptBuilder": ".prompt",
    "ReplyRules": ".shaping",
    "SentenceStream": ".shaping",
    "shape_reply": ".shaping",
    "EmpatheticState": ".state",
    "TurnContext": ".state",
    "AgentTurn": ".turn",
    "MemoryUsed": ".turn",
    "ObservationError": ".turn",
    "Observations": ".turn",
    "TurnSafety": ".turn",
    "TurnTimings": ".turn",
}

__all__ = [
    "AgentTurn",
    "EmpatheticAgent",
    "EmpatheticState",
    "MemoryUsed",
    "ObservationError",
    "Observations",
    "Perceiver",
    "PerceptionMiddleware",
    "PromptBuilder",
    "ReplyRules",
    "SentenceStream",
    "TurnContext",
    "TurnSafety",
    "TurnTimings",
    "create_empathetic_agent",
    "describe",
    "shape_reply",
    "sqlite_checkpointer",
    "thread_id",
]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
