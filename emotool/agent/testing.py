"""Fakes for testing code built on the agent: a scripted chat model and a scripted safety policy.

They are for unit tests only (fast, deterministic, no model files). The real
chat models are in :mod:`emotool.llm`, the real policy in :mod:`emotool.safety`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Literal

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

Reply = str | AIMessage | Exception | Callable[[list[BaseMessage]], str | AIMessage]


class ScriptedChatModel(BaseChatModel):
    """A chat model that answers from a script, streams word by word, and records what it was sent.

    Args:
        replies: Answers in order (the last one repeats): a text, an ``AIMessage`` (tool calls),
            an exception to raise, or a function of the messages.
        supports_tool_calling: Whether ``bind_tools`` works (``create_agent`` binds tools when there are any).
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    replies: list[Any] = Field(default_factory=lambda: ["I hear you."])
    supports_tool_calling: bool = False
    model_name: str = "scripted"
    _calls: list[list[BaseMessage]] = PrivateAttr(default_factory=list)
    _streamed_words: int = PrivateAttr(default=0)

    @property
    def _llm_type(self) -> str:
        return "scripted"

    @property
    def calls(self) -> list[list[BaseMessage]]:
        """The messages of every call, in order."""
        return self._calls

    @property
    def streamed_words(self) -> int:
        """How many words were generated in all (to see that a model was stopped early)."""
        return self._streamed_words

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> Any:
        if not self.supports_tool_calling:
            return super().bind_tools(tools, **kwargs)
        return self

    def _next(self, messages: list[BaseMessage]) -> AIMessage:
        self._calls.append(list(messages))
        i = min(len(self._calls) - 1, len(self.replies) - 1)
        r = self.replies[i]
        if isinstance(r, Exception):
            raise r
        if callable(r) and not isinstance(r, AIMessage):
            r = r(messages)
        return r if isinstance(r, AIMessage) else AIMessage(str(r))

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        answer = self._next(messages)
        if answer.tool_calls:
            yield ChatGenerationChunk(
                message=AIMessageChunk(
                    content="",
                    tool_call_chunks=[
                        {"name": c["name"], "args": _json(c["args"]), "id": c["id"], "index": i}
                        for i, c in enumerate(answer.tool_calls)
                    ],
                )
            )
            return
        for piece in re.findall(r"\S+\s*", str(answer.content)):
            self._streamed_words += 1
            yield ChatGenerationChunk(message=AIMessageChunk(content=piece))
        yield ChatGenerationChunk(
            message=AIMessageChunk(
                content="", response_metadata={"finish_reason": "stop"}, chunk_position="last"
            )
        )

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        text = ""
        calls: list[Any] = []
        for gen in self._stream(messages, stop=stop, **kwargs):
            text += str(gen.message.content)
            calls.extend(gen.message.tool_call_chunks)  # type: ignore[attr-defined]
        if calls:
            import json

            tool_calls = [{"name": c["name"], "args": json.loads(c["args"]), "id": c["id"]} for c in calls]
            return ChatResult(generations=[ChatGeneration(message=AIMessage("", tool_calls=tool_calls))])
        return ChatResult(generations=[ChatGeneration(message=AIMessage(text))])


def _json(args: Any) -> str:
    import json

    return json.dumps(args)


class FakeAssessment(BaseModel):
    """The fields of ``emotool.safety.SafetyAssessment`` the agent uses."""

    level: Literal["crisis", "concern", "none"] = "none"
    categories: list[str] = Field(default_factory=list)
    evidence: list[str] = Field(default_factory=list)
    layers: list[str] = Field(default_factory=list)
    language: str = "en"
    reason: str | None = None


class FakeCheck(BaseModel):
    text: str
    replaced: bool = False
    violations: list[str] = Field(default_factory=list)


class KeywordPolicy:
    """A scripted safety policy: a crisis on a few phrases, a concern on others.

    ``check_output`` replaces a reply that contains any of ``forbidden``. Every call is recorded.
    """

    CRISIS_REPLY = (
        "I'm really glad you told me. You deserve support right now: please call or text 988 "
        "(Suicide & Crisis Lifeline) or your local emergency number."
    )

    def __init__(
        self,
        crisis: Sequence[str] = ("want to die", "kill myself", "end it all"),
        concern: Sequence[str] = ("hopeless",),
        forbidden: Sequence[str] = ("you should just give up",),
    ) -> None:
        self.crisis, self.concern, self.forbidden = list(crisis), list(concern), list(forbidden)
        self.assessed: list[tuple[str, tuple[str, ...]]] = []
        self.records: list[dict[str, Any]] = []
        self.on_crisis: Any = None

    #: Like the real detector, a message longer than this is refused.
    max_chars = 100_000

    def assess(self, text: str, history: Sequence[str] = (), language: str | None = None) -> FakeAssessment:
        if len(text) > self.max_chars:
            from ..errors import InputTooLong

            raise InputTooLong(f"the message is {len(text):,} characters, over {self.max_chars:,}")
        self.assessed.append((text, tuple(history)))
        low = text.lower()
        if any(p in low for p in self.crisis):
            return FakeAssessment(level="crisis", categories=["suicidal_ideation"], evidence=["phrase"])
        if any(p in low for p in self.concern):
            return FakeAssessment(level="concern", categories=["suicidal_ideation"])
        return FakeAssessment(reason="no risk phrase" if text.strip() else "empty message")

    def crisis_reply(self, assessment: Any, locale: str = "en-US") -> str:
        return self.CRISIS_REPLY

    def check_output(self, reply: str, assessment: Any) -> FakeCheck:
        low = reply.lower()
        bad = [f for f in self.forbidden if f in low]
        if bad:
            return FakeCheck(
                text="I'm sorry, that came out wrong. I'm here with you.", replaced=True, violations=bad
            )
        return FakeCheck(text=reply)

    def record(
        self,
        assessment: Any,
        *,
        user_id: str,
        session_id: str,
        replaced: bool,
        text: Any = None,
        violations: Sequence[str] = (),
        locale: str | None = None,
    ) -> None:
        self.records.append(
            {"level": assessment.level, "user_id": user_id, "session_id": session_id, "replaced": replaced}
        )
        if assessment.level == "crisis" and self.on_crisis is not None:
            self.on_crisis(assessment)
