"""The model call: the prompt goes in, a shaped reply comes out, and a failing model still gets an answer.

:class:`ReplyMiddleware` wraps every model call of the agent
(``wrap_model_call``): it builds the messages with
:class:`~emotool.agent.prompt.PromptBuilder`, runs the model through
:class:`StoppingChatModel` (which stops a small model once the reply is long
enough), shapes the text with :func:`~emotool.agent.shaping.shape_reply`, and
turns an unreachable, failing, timed-out or empty model into a clear fallback
reply with the error recorded in the turn.
"""

from __future__ import annotations

import contextvars
import re
import time
from collections.abc import Callable, Iterator
from typing import Any

from langchain.agents.middleware import AgentMiddleware, ExtendedModelResponse, ModelRequest, ModelResponse
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, HumanMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables.config import var_child_runnable_config
from langgraph.types import Command
from pydantic import ConfigDict, Field

from ..errors import InputTooLong
from .prompt import SENT_KEY, PromptBuilder, example_texts
from .shaping import ASKS_IF_AI, ReplyRules, message_text, shape_reply, should_stop
from .state import EmpatheticState, last_human
from .turn import ObservationError

#: What the agent says when the model could not answer (the error is in the turn's record).
FALLBACK_UNREACHABLE = (
    "I'm sorry, I can't think clearly right now: my language model isn't answering. "
    "What you said matters, so please try again in a moment."
)
FALLBACK_EMPTY = "I'm sorry, I lost my words for a moment. Could you say that again?"


def model_label(model: Any) -> str:
    """A short name for a chat model (for the turn record)."""
    inner = getattr(model, "bound", model)
    for attr in ("model_name", "model", "model_id"):
        value = getattr(inner, attr, None)
        if isinstance(value, str) and value:
            return value
    return type(inner).__name__


class StoppingChatModel(BaseChatModel):
    """Runs a chat model and stops it as soon as the reply is long enough.

    A small local model often writes on past the spec's sentence limit (or starts the
    person's next turn); everything after the limit is cut anyway, so generating it only
    makes the person wait. The inner model is streamed and closed once
    :func:`~emotool.agent.shaping.should_stop` says the reply is full. Tool-calling
    models are passed through unchanged while they call tools.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    inner: Any
    rules: ReplyRules = ReplyRules()
    echo_of: list[str] = Field(default_factory=list)
    copies_of: list[str] = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "emotool-stopping"

    def bind_tools(self, tools: Any, **kwargs: Any) -> Any:
        return self.model_copy(update={"inner": self.inner.bind_tools(tools, **kwargs)})

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        raw = ""
        # The inner model must run without the graph's callbacks, so that its tokens reach the
        # graph's stream once, through this model. An empty ``callbacks`` in the call's config is
        # not enough: the parent run's config travels in a context variable and LangGraph's
        # configure hooks read it, so every token was streamed twice. The inner stream is driven
        # in a copy of the context in which that variable is cleared.
        ctx = contextvars.copy_context()
        ctx.run(var_child_runnable_config.set, None)
        stream = ctx.run(self.inner.stream, messages, stop=stop, **kwargs)
        try:
            for chunk in _drive(ctx, stream):
                if not isinstance(chunk, AIMessageChunk):
                    chunk = AIMessageChunk(content=message_text(getattr(chunk, "content", chunk)))
                yield ChatGenerationChunk(message=chunk)
                if chunk.tool_call_chunks:
                    continue
                raw += message_text(chunk.content)
                if raw and should_stop(raw, self.rules, self.echo_of, self.copies_of):
                    break
        finally:
            close = getattr(stream, "close", None)
            if callable(close):
                close()

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        merged: AIMessageChunk | None = None
        for gen in self._stream(messages, stop=stop, **kwargs):
            merged = gen.message if merged is None else merged + gen.message  # type: ignore[assignment]
        message = AIMessage(content="") if merged is None else _to_message(merged)
        return ChatResult(generations=[ChatGeneration(message=message)])


def _drive(ctx: contextvars.Context, stream: Iterator[Any]) -> Iterator[Any]:
    """Iterate ``stream`` with every step run inside ``ctx``."""
    while True:
        try:
            yield ctx.run(next, stream)
        except StopIteration:
            return


def _to_message(chunk: AIMessageChunk) -> AIMessage:
    return AIMessage(
        content=chunk.content,
        tool_calls=chunk.tool_calls,
        invalid_tool_calls=chunk.invalid_tool_calls,
        response_metadata=chunk.response_metadata,
        usage_metadata=chunk.usage_metadata,
        id=chunk.id,
    )


class ReplyMiddleware(AgentMiddleware[EmpatheticState, Any]):
    """Builds the prompt, calls the model, shapes the reply, and answers for a failing model.

    Args:
        builder: The prompt builder of the agent's spec.
        rules: The reply's limits.
        first_turn_disclosure: On a session's first turn, ask the model to say it is an AI
            (and make sure the reply does).
        stop_early: Stop the model once the reply is long enough.
    """

    state_schema = EmpatheticState

    def __init__(
        self,
        builder: PromptBuilder,
        rules: ReplyRules,
        *,
        first_turn_disclosure: bool = False,
        stop_early: bool = True,
    ) -> None:
        super().__init__()
        self.builder = builder
        self.rules = rules
        self.first_turn_disclosure = first_turn_disclosure
        self.stop_early = stop_early

    def wrap_model_call(
        self,
        request: ModelRequest[Any],
        handler: Callable[[ModelRequest[Any]], ModelResponse[Any]],
    ) -> ExtendedModelResponse[Any]:
        state: dict[str, Any] = dict(request.state)
        record: dict[str, Any] = dict(state.get("emotool_turn") or {})
        first = self.first_turn_disclosure and record.get("index", 0) == 1
        parts = self.builder.build(request.messages, record, first_turn=first)
        _, human = last_human(request.messages)
        said = message_text(human.content) if human is not None else ""
        echo, copies = example_texts()
        echo = [said, *echo]
        model = (
            StoppingChatModel(inner=request.model, rules=self.rules, echo_of=echo, copies_of=copies)
            if self.stop_early
            else request.model
        )
        call = request.override(system_message=parts.system, messages=parts.messages, model=model)
        update: dict[str, Any] = {"truncated": parts.truncated, "model": model_label(request.model)}
        keep: list[Any] = []  # the message as sent, kept on it for the next turns (see prompt.py)
        if human is not None and human.id and human.additional_kwargs.get(SENT_KEY) != parts.sent:
            kwargs = {**human.additional_kwargs, SENT_KEY: parts.sent}
            keep.append(HumanMessage(human.content, id=human.id, additional_kwargs=kwargs))
        t0 = time.perf_counter()
        if "model_started" not in record:
            update["model_started"] = t0
        errors: list[dict[str, Any]] = []
        try:
            try:
                response = handler(call)
            except InputTooLong:  # the model's context is full: retry with the message alone, cut
                parts = self.builder.build(request.messages, record, first_turn=first, tight=True)
                update["truncated"] = True
                response = handler(call.override(system_message=parts.system, messages=parts.messages))
        except Exception as exc:
            from ..llm.guard import map_chat_error

            mapped = map_chat_error(exc, request.model)
            err = ObservationError(stage="model", kind=type(mapped).__name__, message=str(mapped)[:500])
            errors.append(err.model_dump())
            response = ModelResponse(result=[AIMessage(FALLBACK_UNREACHABLE, name="fallback")])
        ms = (time.perf_counter() - t0) * 1000
        update["timings"] = {"model": round(record.get("timings", {}).get("model", 0.0) + ms, 2)}
        result = list(response.result)
        ai_index = max((i for i, m in enumerate(result) if isinstance(m, AIMessage)), default=-1)
        if ai_index >= 0 and not errors:
            msg = result[ai_index]
            assert isinstance(msg, AIMessage)
            if not msg.tool_calls:
                meta = msg.response_metadata or {}
                truncated = meta.get("finish_reason") == "length" or meta.get("stop_reason") == "length"
                shaped = shape_reply(
                    message_text(msg.content), self.rules, truncated=truncated, echo_of=echo, copies_of=copies
                )
                text = shaped.text
                asked = first or bool(ASKS_IF_AI.search(said))
                if not text and asked:  # nothing usable, but the one thing to say is clear
                    text = _with_disclosure([], self.rules)
                if not text:
                    errors.append(
                        ObservationError(
                            stage="model",
                            kind="EmptyReply",
                            message="the chat model answered nothing usable (empty, or only text that "
                            "had to be removed); the fallback reply was given",
                        ).model_dump()
                    )
                    text = FALLBACK_EMPTY
                elif asked and not re.search(r"\bAI\b", text):
                    text = _with_disclosure(shaped.sentences, self.rules)
                if shaped.dropped:
                    update["dropped"] = shaped.dropped
                result[ai_index] = AIMessage(
                    text,
                    id=msg.id,
                    response_metadata=msg.response_metadata,
                    usage_metadata=msg.usage_metadata,
                )
        if errors:
            update["errors"] = errors
        command: dict[str, Any] = {"emotool_turn": update}
        if keep:
            command["messages"] = keep
        return ExtendedModelResponse(
            model_response=ModelResponse(result=result, structured_response=response.structured_response),
            command=Command(update=command),
        )


def _with_disclosure(sentences: list[str], rules: ReplyRules) -> str:
    """The reply with a plain statement that this is an AI first (within the sentence limit)."""
    kept = [s for s in sentences if not re.match(r"(yes|no)\b[,.!]?$", s, re.IGNORECASE)]
    kept = kept[: max(0, rules.max_sentences - 1)]
    return " ".join(["I'm an AI, not a person, and I'm here to listen.", *kept])
