"""The empathetic agent: LangChain's ``create_agent`` with emotool's middleware, and a small facade.

:func:`create_empathetic_agent` returns a LangGraph agent (a compiled graph)
that a builder can run, stream and compose like any other ``create_agent``
graph: the per-turn inputs go in the run's context (:class:`TurnContext`).
:class:`EmpatheticAgent` wraps it for the common case: one user, turns in,
:class:`AgentTurn` records out, sessions kept in a SQLite checkpoint so they
resume after a restart.

The middleware, in order:

1. :class:`~emotool.agent.observe.PerceptionMiddleware` (``before_agent``):
   attachments and words -> observations.
2. :class:`~emotool.agent.guard.SafetyMiddleware` (``before_agent``,
   ``after_model``, ``after_agent``): assess, take over on a crisis (the
   model is not called), check the reply, record.
3. :class:`~emotool.agent.recall.MemoryMiddleware` (``before_agent``,
   ``after_agent``): recall earlier sessions, remember this turn.
4. :class:`~emotool.agent.reply.ReplyMiddleware` (``wrap_model_call``): the
   prompt, the model (stopped once the reply is long enough), the shaped
   reply, a fallback answer when the model fails.

Builders' own middleware runs after these.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
import urllib.parse
import uuid
from collections.abc import Iterator, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage

from ..config import home
from ..errors import EmotoolError, InvalidOption
from .observe import Perceiver, PerceptionMiddleware
from .prompt import PromptBuilder, example_texts
from .reply import FALLBACK_UNREACHABLE, ReplyMiddleware, model_label
from .shaping import ReplyRules, SentenceStream, message_text
from .state import EmpatheticState, TurnContext
from .turn import AgentTurn, MemoryUsed, ObservationError, Observations, TurnSafety, TurnTimings

#: The reply when the turn itself failed (the error is in the turn's record).
FALLBACK_FAILURE = (
    "I'm sorry, something went wrong on my side and I couldn't answer that. Please try again in a moment."
)
#: How a missing ``memory`` argument is read: the default store when the spec enables memory.
DEFAULT = object()


def default_checkpoint_path() -> Path:
    """Where sessions are kept by default: ``<emotool home>/agent/checkpoints.sqlite``."""
    return home() / "agent" / "checkpoints.sqlite"


def thread_id(user_id: str, session_id: str) -> str:
    """The checkpoint thread of a user's session (unambiguous for any ids)."""
    return f"{urllib.parse.quote(user_id, safe='')}/{urllib.parse.quote(session_id, safe='')}"


def sqlite_checkpointer(path: Path | str) -> Any:
    """A LangGraph SQLite checkpointer on ``path`` (created with its folder when missing)."""
    try:
        from langgraph.checkpoint.sqlite import SqliteSaver
    except ImportError as exc:
        from ..errors import missing_extra

        raise missing_extra("langgraph-checkpoint-sqlite", "agent") from exc
    path = Path(path).expanduser()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(path), check_same_thread=False, timeout=30)
        saver = SqliteSaver(conn)
        saver.setup()
    except (OSError, sqlite3.Error) as exc:
        raise EmotoolError(
            f"cannot open the session checkpoint {path} ({exc}); choose a writable file with "
            "checkpoint_path= (or --checkpoint)"
        ) from exc
    return saver


def _spec(spec: Any) -> Any:
    from ..specs import load_agent_spec

    return load_agent_spec(spec) if isinstance(spec, (str, Path)) else spec


def _chat_model(model: Any, base_url: str | None) -> Any:
    if model is None or isinstance(model, str):
        from ..llm import load_chat_model

        return load_chat_model(model, base_url=base_url)
    if base_url is not None:
        raise InvalidOption("base_url goes with a model name, not with a chat model object; drop base_url")
    return model


def _supports_tools(model: Any) -> bool:
    from ..llm import supports_tools

    return bool(supports_tools(model))


def _policy(spec: Any, on_crisis: Any, locale: str | None, judge_model: Any) -> Any:
    from ..safety import SafetyPolicy

    kwargs: dict[str, Any] = {"on_crisis": on_crisis}
    if locale:
        kwargs["locale"] = locale
    if spec.safety.judge:
        kwargs["judge_model"] = judge_model
    return SafetyPolicy.from_spec(spec, **kwargs)


def _history_chars(model: Any, static_chars: int) -> int:
    """Characters of earlier conversation that fit the model's context beside the static prompt,
    the notes, the message and the answer (about 3.5 characters a token; a prompt that still does
    not fit is retried with the message alone)."""
    n_ctx = getattr(model, "n_ctx", None)
    if not isinstance(n_ctx, int):
        return 8000
    max_tokens = getattr(model, "max_tokens", None) or 256
    free = n_ctx - int(max_tokens) - static_chars / 3.5 - 1600
    return int(max(1000, min(12000, free * 3.5)))


def create_empathetic_agent(
    model: Any = None,
    *,
    spec: Any = "companion",
    tools: Sequence[Any] = (),
    memory: Any = None,
    checkpointer: Any = None,
    policy: Any = None,
    perceiver: Perceiver | None = None,
    allowed_roots: Sequence[Path | str] | None = None,
    base_url: str | None = None,
    locale: str | None = None,
    on_crisis: Any = None,
    middleware: Sequence[Any] = (),
    history_chars: int | None = None,
    stop_early: bool = True,
) -> Any:
    """An empathetic agent: LangChain's ``create_agent`` with perception, safety, memory, reply middleware.

    Run it like any LangGraph agent, with the turn's inputs as context::

        graph = create_empathetic_agent(spec="companion", memory=Memory())
        graph.invoke({"messages": [{"role": "user", "content": "I failed my exam"}]},
                     {"configurable": {"thread_id": "ana/s1"}},
                     context=TurnContext(user_id="ana", session_id="s1", image=Path("me.jpg")))

    Args:
        model: A LangChain chat model, a name for :func:`emotool.llm.load_chat_model`
            (``"openai:gpt-4o-mini"``, ``"qwen2.5:7b"`` with ``base_url``, ``"hf:..."``), or None for
            the embedded default.
        spec: An :class:`emotool.specs.AgentSpec`, a spec name (``"companion"``, ``"support"``) or a
            path to a YAML spec.
        tools: Your own tools (only for models that can call tools).
        memory: An :class:`emotool.memory.Memory` (or None: no memory).
        checkpointer: A LangGraph checkpointer (e.g. :func:`sqlite_checkpointer`); None keeps no state.
        policy: A :class:`emotool.safety.SafetyPolicy`; default the spec's policy.
        perceiver: Reads attachments and words; default one built from the spec's perceptions.
        allowed_roots: Folders files may be read from (attachments and the model's tool calls).
        base_url: An OpenAI-compatible server for a model given by name.
        locale: The locale of the crisis resources (default the spec's).
        on_crisis: Called by the policy on a crisis turn (a hand-off to a person).
        middleware: Your own middleware, run after emotool's.
        history_chars: Characters of earlier conversation shown to the model (default from its context).
        stop_early: Stop the model as soon as the reply is long enough.

    Returns:
        The compiled agent graph (state: :class:`~emotool.agent.state.EmpatheticState`).
    """
    from langchain.agents import create_agent

    from .guard import SafetyMiddleware
    from .recall import MemoryMiddleware, make_recall_tool

    spec = _spec(spec)
    model = _chat_model(model, base_url)
    roots = [Path(r) for r in allowed_roots] if allowed_roots is not None else [Path.cwd()]
    if perceiver is None:
        perceiver = Perceiver(
            face=spec.perceptions.face,
            voice=spec.perceptions.voice,
            words=spec.perceptions.words,
            allowed_roots=roots,
        )
    if policy is None:
        policy = _policy(spec, on_crisis, locale, model)
    all_tools = list(tools)
    if _supports_tools(model):
        if spec.tools.emotion_tool and spec.perceptions.face:
            from ..tool import EmotionTool

            all_tools.append(EmotionTool(allowed_roots=roots))
        if spec.tools.recall and memory is not None and spec.memory.enabled:
            all_tools.append(make_recall_tool(memory))
    elif all_tools:
        raise InvalidOption(
            f"{model_label(model)} cannot call tools, so tools= cannot be used with it; use a tool-calling "
            "model (openai:MODEL, or a server with base_url) or drop the tools"
        )
    rules = ReplyRules(max_sentences=spec.reply.max_sentences, max_questions=spec.reply.max_questions)
    stack: list[Any] = [
        PerceptionMiddleware(perceiver, mention_from=spec.perceptions.confidence_to_mention),
        SafetyMiddleware(
            policy,
            context_turns=spec.safety.context_turns,
            strictness=spec.safety.strictness,
            locale=locale or spec.locale,
        ),
    ]
    if memory is not None and spec.memory.enabled:
        stack.append(MemoryMiddleware(memory, k=spec.memory.recall_k))
    builder = PromptBuilder(spec)
    builder.history_chars = history_chars or _history_chars(model, builder.static_chars)
    stack.append(
        ReplyMiddleware(
            builder,
            rules,
            first_turn_disclosure=spec.reply.ai_disclosure == "session_start",
            stop_early=stop_early,
        )
    )
    stack.extend(middleware)
    return create_agent(
        model,
        tools=all_tools,
        middleware=stack,
        state_schema=EmpatheticState,
        context_schema=TurnContext,
        checkpointer=checkpointer,
        name="emotool-agent",
    )


def _aware(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(timezone.utc)
    return now if now.tzinfo is not None else now.replace(tzinfo=timezone.utc)


class EmpatheticAgent:
    """An empathetic assistant for one user: turns in, :class:`AgentTurn` records out.

    Args:
        spec: Agent spec name (``"companion"``, ``"support"``), path to a YAML spec, or an ``AgentSpec``.
        model: None (the embedded default chat model), a name (``"openai:gpt-4o-mini"``,
            ``"qwen2.5:7b"`` with ``base_url``, ``"hf:Qwen/Qwen2.5-7B-Instruct"``,
            ``"embedded:qwen2.5-0.5b"``) or any LangChain ``BaseChatModel``.
        base_url: An OpenAI-compatible server for a model given by name.
        user_id: Whose assistant this is (memory and audit are per user).
        memory: An :class:`emotool.memory.Memory`; when omitted, the default embedded store (if
            the spec enables memory); ``None`` or ``False`` for no memory.
        checkpoint_path: The SQLite file sessions are kept in (default
            ``<emotool home>/agent/checkpoints.sqlite``).
        allowed_roots: Folders files may be read from (default the working directory): the
            attachments of :meth:`turn` (plus its ``extra_roots``) and the model's tool calls.
        on_crisis: Called by the safety policy on a crisis turn (a hand-off to a person).
        locale: Locale of the crisis resources (default the spec's).
        session_id: The default session of :meth:`turn` (default a new id).
        tools: Your own tools, for tool-calling models.
        policy: A ready :class:`emotool.safety.SafetyPolicy` (default the spec's).
        perceiver: A ready :class:`~emotool.agent.observe.Perceiver` (tests, custom models).
        checkpointer: A ready LangGraph checkpointer instead of ``checkpoint_path``.

    Example:
        >>> from emotool.agent import EmpatheticAgent
        >>> agent = EmpatheticAgent(spec="companion", user_id="ana")       # doctest: +SKIP
        >>> turn = agent.turn("My exam is on Friday", image="me.jpg", session_id="s1")  # doctest: +SKIP
        >>> turn.reply, turn.observations.summary, turn.timings.total      # doctest: +SKIP
    """

    def __init__(
        self,
        spec: Any = "companion",
        model: Any = None,
        *,
        base_url: str | None = None,
        user_id: str = "default",
        memory: Any = DEFAULT,
        checkpoint_path: Path | str | None = None,
        allowed_roots: Sequence[Path | str] | None = None,
        on_crisis: Any = None,
        locale: str | None = None,
        session_id: str | None = None,
        tools: Sequence[Any] = (),
        policy: Any = None,
        perceiver: Perceiver | None = None,
        checkpointer: Any = None,
    ) -> None:
        if not isinstance(user_id, str) or not user_id.strip():
            raise InvalidOption("user_id must be a non-empty string, e.g. user_id='ana'")
        self.spec = _spec(spec)
        self.model = _chat_model(model, base_url)
        self.user_id = user_id
        self.session_id = session_id or f"{datetime.now(timezone.utc):%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:6]}"
        self._own_memory = memory is DEFAULT and self.spec.memory.enabled
        if memory is DEFAULT:
            memory = self._default_memory() if self.spec.memory.enabled else None
        self.memory = memory or None
        self.checkpoint_path = Path(checkpoint_path or default_checkpoint_path())
        self.checkpointer = checkpointer or sqlite_checkpointer(self.checkpoint_path)
        self.rules = ReplyRules(
            max_sentences=self.spec.reply.max_sentences, max_questions=self.spec.reply.max_questions
        )
        p = self.spec.perceptions
        self.perceiver = perceiver or Perceiver(
            face=p.face, voice=p.voice, words=p.words, allowed_roots=allowed_roots
        )
        self.policy = policy if policy is not None else _policy(self.spec, on_crisis, locale, self.model)
        self.graph = create_empathetic_agent(
            self.model,
            spec=self.spec,
            tools=tools,
            memory=self.memory,
            checkpointer=self.checkpointer,
            policy=self.policy,
            perceiver=self.perceiver,
            allowed_roots=allowed_roots,
            locale=locale,
            on_crisis=on_crisis,
        )
        self.model_name = model_label(self.model)
        self._lock = threading.Lock()

    def _default_memory(self) -> Any:
        from ..memory import Memory

        days = self.spec.memory.retention_days
        return Memory(retention_days=days) if days else Memory()

    # ------------------------------------------------------------------ turns

    def _config(self, session_id: str) -> dict[str, Any]:
        return {"configurable": {"thread_id": thread_id(self.user_id, session_id)}}

    def stream(
        self,
        text: str,
        *,
        image: Path | str | None = None,
        video: Path | str | None = None,
        audio: Path | str | None = None,
        session_id: str | None = None,
        now: datetime | None = None,
        extra_roots: Sequence[Path | str] = (),
    ) -> Iterator[str | AgentTurn]:
        """One turn, streamed: the reply's text as it is written, then the :class:`AgentTurn`.

        The text comes sentence by sentence, each exactly as the final reply has it (the
        shaping that drops recited numbers or a second question needs the whole sentence). On
        a crisis turn the policy's reply comes as one piece. If the safety policy replaced a
        reply after part of it was shown, the final ``AgentTurn.reply`` (with
        ``safety.replaced``) is what stands.

        Args:
            text: What the person typed (may be empty when they only send an attachment).
            image: A photo (path).
            video: A video (path).
            audio: A voice message (path).
            session_id: The session (default the agent's ``session_id``).
            now: The turn's time (for scripted conversations); default now.
            extra_roots: More folders this turn's attachments may come from (e.g. the folders of
                paths a person typed); the model's tool calls do not get them.

        Yields:
            ``str`` pieces of the reply, then the :class:`AgentTurn`.
        """
        if not isinstance(text, str):
            raise InvalidOption(f"the message must be text (str), not {type(text).__name__}")
        t0 = time.perf_counter()
        sid = session_id or self.session_id
        ctx = TurnContext(
            user_id=self.user_id,
            session_id=sid,
            now=_aware(now),
            image=Path(image) if image is not None else None,
            video=Path(video) if video is not None else None,
            audio=Path(audio) if audio is not None else None,
            extra_roots=tuple(Path(r) for r in extra_roots),
        )
        config = self._config(sid)
        echo, copies = example_texts()
        shown = SentenceStream(self.rules, echo_of=[text, *echo], copies_of=copies)
        first_token: float | None = None
        first_text: float | None = None
        failure: ObservationError | None = None
        with self._lock:
            try:
                for chunk, meta in self.graph.stream(
                    {"messages": [HumanMessage(text)]}, config, context=ctx, stream_mode="messages"
                ):
                    if not isinstance(chunk, AIMessageChunk) or meta.get("langgraph_node") != "model":
                        continue
                    if chunk.tool_call_chunks:
                        continue
                    piece = message_text(chunk.content)
                    if not piece:
                        continue
                    first_token = first_token or time.perf_counter()
                    out = shown.feed(piece)
                    if out:
                        first_text = first_text or time.perf_counter()
                        yield out
                values = self.graph.get_state(config).values
            except Exception as exc:  # the turn still answers; what was stored stays stored
                failure = ObservationError(
                    stage="checkpoint", kind=type(exc).__name__, message=str(exc)[:500]
                )
                try:
                    values = self.graph.get_state(config).values
                except Exception:
                    values = {}
        turn = self._assemble(values, ctx, t0, first_token, failure)
        rest, _ = shown.finish(turn.reply)
        if rest:
            if first_text is None:
                first_text = time.perf_counter()
            yield rest
        turn.timings.first_text = round((first_text - t0) * 1000, 2) if first_text else None
        turn.timings.total = round((time.perf_counter() - t0) * 1000, 2)
        yield turn

    def turn(
        self,
        text: str,
        *,
        image: Path | str | None = None,
        video: Path | str | None = None,
        audio: Path | str | None = None,
        session_id: str | None = None,
        now: datetime | None = None,
        extra_roots: Sequence[Path | str] = (),
    ) -> AgentTurn:
        """One turn: the person's message (and attachments) in, the :class:`AgentTurn` out.

        A missing or corrupt attachment, a failing memory store or an unreachable model never
        raise: the turn answers and records the error (``observations.errors``, ``errors``).
        Arguments as in :meth:`stream`.
        """
        result: AgentTurn | None = None
        for event in self.stream(
            text,
            image=image,
            video=video,
            audio=audio,
            session_id=session_id,
            now=now,
            extra_roots=extra_roots,
        ):
            if isinstance(event, AgentTurn):
                result = event
        assert result is not None
        return result

    def _assemble(
        self,
        values: dict[str, Any],
        ctx: TurnContext,
        t0: float,
        first_token: float | None,
        failure: ObservationError | None,
    ) -> AgentTurn:
        record = values.get("emotool_turn", {}) or {}
        messages = values.get("messages", []) or []
        reply = ""
        last = messages[-1] if messages else None
        if failure is None and isinstance(last, AIMessage) and not last.tool_calls:
            reply = message_text(last.content)  # after a failure it could be an earlier turn's reply
        errors = [ObservationError.model_validate(e) for e in record.get("errors", [])]
        if failure is not None:
            errors.append(failure)
        if not reply:
            reply = FALLBACK_UNREACHABLE if failure is None else FALLBACK_FAILURE
        obs = Observations.model_validate(record.get("observations", {}))
        t = record.get("timings", {})
        started = record.get("model_started")
        safety = TurnSafety.model_validate(record.get("safety", {}))
        return AgentTurn(
            reply=reply,
            observations=obs,
            memories_used=[MemoryUsed.model_validate(m) for m in record.get("memories", [])],
            safety=safety,
            timings=TurnTimings(
                perception=t.get("perception", 0.0),
                speech=t.get("speech", 0.0),
                recall=t.get("recall", 0.0),
                safety=t.get("safety", 0.0),
                model=t.get("model", 0.0),
                remember=t.get("remember", 0.0),
                model_first_token=round((first_token - started) * 1000, 2)
                if first_token is not None and started is not None
                else None,
            ),
            model=record.get("model") if not safety.crisis else None,
            user_id=ctx.user_id,
            session_id=ctx.session_id,
            turn=max(1, int(record.get("index", 1) or 1)),
            at=ctx.now,
            truncated=bool(record.get("truncated", False)),
            errors=errors,
        )

    # ------------------------------------------------------------------ sessions

    def history(self, session_id: str | None = None) -> list[tuple[str, str]]:
        """The conversation of a session as ``(role, text)`` pairs (``"user"``/``"assistant"``)."""
        values = self.graph.get_state(self._config(session_id or self.session_id)).values
        out: list[tuple[str, str]] = []
        for m in values.get("messages", []) if values else []:
            if isinstance(m, HumanMessage):
                out.append(("user", message_text(m.content)))
            elif isinstance(m, AIMessage) and not m.tool_calls:
                out.append(("assistant", message_text(m.content)))
        return out

    def end_session(self, session_id: str | None = None, *, summarize_with_model: bool | None = None) -> Any:
        """Store one summary memory of a finished session (when the spec asks for it).

        Args:
            session_id: The session (default the agent's).
            summarize_with_model: Summarise with the chat model; default only for models that can
                call tools (a small local model summarises worse than the extractive summary).

        Returns:
            The summary :class:`~emotool.memory.MemoryItem`, or None (no memory, nothing said).
        """
        if self.memory is None or not self.spec.memory.summarize_on_end:
            return None
        use_model = _supports_tools(self.model) if summarize_with_model is None else summarize_with_model
        try:
            return self.memory.remember_session(
                self.user_id, session_id or self.session_id, llm=self.model if use_model else None
            )
        except ValueError:
            return None  # the session has no turns to summarise

    def new_session(self, session_id: str | None = None) -> str:
        """Start a new session (it becomes the default of :meth:`turn`); returns its id."""
        self.session_id = session_id or f"{datetime.now(timezone.utc):%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:6]}"
        return self.session_id

    def forget(self, session_id: str | None = None) -> int:
        """Delete what is kept of this user: one session's memories and conversation, or all of them.

        Returns:
            How many memories were deleted.
        """
        n = 0
        if self.memory is not None:
            n = self.memory.forget(self.user_id, session_id=session_id)
        delete = getattr(self.checkpointer, "delete_thread", None)
        if callable(delete):
            if session_id is not None:
                delete(thread_id(self.user_id, session_id))
            else:
                for tid in self._threads():
                    delete(tid)
        return int(n or 0)

    def _threads(self) -> list[str]:
        conn = getattr(self.checkpointer, "conn", None)
        if conn is None:
            return []
        prefix = urllib.parse.quote(self.user_id, safe="") + "/"
        rows = conn.execute(
            "SELECT DISTINCT thread_id FROM checkpoints WHERE substr(thread_id, 1, ?) = ?",
            (len(prefix), prefix),
        ).fetchall()
        return [r[0] for r in rows]

    def warmup(self) -> list[str]:
        """Load the models now (face, words, memory, chat model) so the first turn is as fast as the rest.

        Returns:
            What could not be loaded, one message each (those parts will report errors in turns).
        """
        problems: list[str] = []

        def attempt(what: str, fn: Any) -> None:
            try:
                fn()
            except Exception as exc:  # a missing model fails its turns' stage, not the agent
                problems.append(f"{what}: {exc}")

        attempt("perception", self.perceiver.warmup)
        attempt("safety", lambda: self.policy.assess("warming up"))
        if self.memory is not None:
            attempt("memory", lambda: self.memory.recall("warming up", self.user_id, k=1))
        load = getattr(self.model, "load", None)
        if callable(load):  # an embedded model: load it and put the static prompt in its KV cache
            attempt("chat model", load)
            parts = PromptBuilder(self.spec).build([HumanMessage("Hello")], {})
            prefill = getattr(self.model, "prefill", None)
            with contextlib.suppress(Exception):  # priming is an optimisation only
                if callable(prefill):
                    prefill([parts.system, *parts.messages[:-1]])
                else:
                    self.model.invoke([parts.system, *parts.messages], max_tokens=1)
        return problems

    async def aturn(self, text: str, **kwargs: Any) -> AgentTurn:
        """:meth:`turn` in a worker thread, so an event loop (a web server) stays free meanwhile."""
        import asyncio

        return await asyncio.to_thread(self.turn, text, **kwargs)

    def close(self) -> None:
        """Close the checkpoint database (and the memory store when the agent opened it)."""
        conn = getattr(self.checkpointer, "conn", None)
        if conn is not None:
            conn.close()
        if self._own_memory and self.memory is not None:
            self.memory.close()
