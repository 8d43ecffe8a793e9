"""Memory for the agent: recall before the model, remember after the turn, and a recall tool.

:class:`MemoryMiddleware` recalls this person's memories of *earlier*
sessions that fit the turn (the current session is already in the
conversation), tells the model when each was said in plain words ("last week
(Fri 14 Nov)"), and stores the person's message with the emotion readings of
the moment once the turn is over, whatever happened to the model. A failing
store becomes an error in the turn, never a failed turn.
"""

from __future__ import annotations

import hashlib
import time
from datetime import datetime, timezone
from typing import Any

from langchain.agents.middleware import AgentMiddleware
from langchain.tools import ToolRuntime
from langchain_core.tools import BaseTool, tool

from ..untrusted import quote_data
from .state import EmpatheticState, TurnContext, context_of, human_texts
from .turn import ObservationError

#: Memories less similar than this to the turn are not shown (they would only distract a small model).
MIN_SIMILARITY = 0.3
#: On the first message of a session ("Hi, I'm back") a looser bar: picking up where the last
#: conversation left off is what a friend does (all-MiniLM-L6-v2 gives such pairs about 0.2).
MIN_SIMILARITY_OPENING = 0.15
#: On a session's first message the latest earlier session's summary is shown if it is this recent.
OPENING_DAYS = 30


def _shown(h: Any, now: datetime) -> dict[str, Any]:
    """A recalled memory as the turn records it and the prompt shows it."""
    m = h.memory
    return {
        "id": m.id,
        "text": m.text,
        "at": m.at.isoformat(),
        "when": when_phrase(m.at, now),
        "session_id": m.session_id,
        "kind": m.kind,
        "score": round(h.score, 4),
        "similarity": round(h.similarity, 4),
    }


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=timezone.utc)


def when_phrase(at: datetime, now: datetime) -> str:
    """When something was said, in the words a person would use: 'yesterday', 'last week (Fri 14 Nov)'."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=timezone.utc)
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    days = (now.date() - at.date()).days
    date = f"{at:%a} {at.day} {at:%b}"
    if days <= 0:
        return "earlier today"
    if days == 1:
        return f"yesterday ({date})"
    if days < 7:
        return f"{days} days ago ({date})"
    if days < 14:
        return f"last week ({date})"
    if days < 60:
        return f"{days // 7} weeks ago ({date})"
    if days < 365:
        return f"{days // 30} months ago ({at.day} {at:%b})"
    return f"over a year ago ({at:%b %Y})"


def _memory_limit() -> int:
    try:
        from ..limits import MAX_MEMORY_TEXT
    except ImportError:  # an older emotool without text limits
        return 20_000
    return int(MAX_MEMORY_TEXT)


def _affects(obs: dict[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for key in ("image", "video"):
        r = obs.get(key)
        if r and r.get("label"):
            out.append(
                {
                    "source": "face",
                    "label": r["label"],
                    "valence": r.get("valence"),
                    "arousal": r.get("arousal"),
                    "confidence": r.get("confidence", 0.0),
                }
            )
    vocal = obs.get("vocal")
    if vocal and vocal.get("arousal") is not None:
        out.append({"source": "voice", "arousal": vocal["arousal"], "confidence": 0.5})
    verbal = obs.get("verbal")
    if verbal and verbal.get("label"):
        out.append(
            {
                "source": "words",
                "label": verbal["label"],
                "valence": verbal.get("valence"),
                "confidence": verbal.get("confidence", 0.0),
            }
        )
    return out


class MemoryMiddleware(AgentMiddleware[EmpatheticState, Any]):
    """Recall before the model, remember after the turn.

    Args:
        memory: An :class:`emotool.memory.Memory` (or anything with its ``recall``/``remember``).
        k: Memories shown per turn.
        min_similarity: Memories less similar than this to the turn are left out.
        min_similarity_opening: The same on the first message of a session.
    """

    state_schema = EmpatheticState

    def __init__(
        self,
        memory: Any,
        *,
        k: int = 3,
        min_similarity: float = MIN_SIMILARITY,
        min_similarity_opening: float = MIN_SIMILARITY_OPENING,
    ) -> None:
        super().__init__()
        self.memory = memory
        self.k = k
        self.min_similarity = min_similarity
        self.min_similarity_opening = min_similarity_opening

    def before_agent(self, state: EmpatheticState, runtime: Any) -> dict[str, Any] | None:
        ctx = context_of(runtime)
        record = state.get("emotool_turn", {})
        texts = human_texts(state["messages"])
        query = " ".join(t for t in (texts[-1] if texts else "", record.get("transcript") or "") if t).strip()
        if not query or self.k <= 0:
            return None
        t0 = time.perf_counter()
        try:
            hits = self.memory.recall(query[:1000], ctx.user_id, k=self.k + 6, now=ctx.now)
        except Exception as exc:
            ms = round((time.perf_counter() - t0) * 1000, 2)
            err = ObservationError(stage="recall", kind=type(exc).__name__, message=str(exc)[:500])
            return {"emotool_turn": {"errors": [err.model_dump()], "timings": {"recall": ms}}}
        used = []
        bar = self.min_similarity_opening if record.get("index") == 1 else self.min_similarity
        for h in hits:
            m = h.memory
            if m.kind == "turn" and m.session_id == ctx.session_id:
                continue  # already in the conversation
            if (m.metadata or {}).get("safety") == "crisis" or h.similarity < bar:
                continue
            used.append(_shown(h, ctx.now))
            if len(used) >= self.k:
                break
        if record.get("index") == 1 and len(used) < self.k:
            last = self._last_summary(query, ctx, {u["id"] for u in used})
            if last is not None:
                used.append(last)
        used.sort(key=lambda u: u["at"])  # oldest first reads like a story
        ms = round((time.perf_counter() - t0) * 1000, 2)
        return {"emotool_turn": {"memories": used, "timings": {"recall": ms}}}

    def _last_summary(self, query: str, ctx: TurnContext, seen: set[str]) -> dict[str, Any] | None:
        """The summary of this person's most recent earlier session, whatever the opening words.

        A friend picks up where the last conversation left off ("how did the interview go?"),
        and an opening like "I'm a bit jittery today" shares few words with "job interview on
        Thursday", so similarity alone misses it. Only the latest session's summary, from the
        last :data:`OPENING_DAYS` days, and never a crisis session's.
        """
        try:
            hits = self.memory.recall(query[:1000], ctx.user_id, k=8, kind="summary", now=ctx.now)
        except Exception:
            return None
        cands = [
            h
            for h in hits
            if h.memory.session_id != ctx.session_id
            and h.memory.id not in seen
            and (h.memory.metadata or {}).get("safety") != "crisis"
            and (ctx.now - _aware(h.memory.at)).days <= OPENING_DAYS
        ]
        if not cands:
            return None
        return _shown(max(cands, key=lambda c: _aware(c.memory.at)), ctx.now)

    def after_agent(self, state: EmpatheticState, runtime: Any) -> dict[str, Any] | None:
        ctx = context_of(runtime)
        record = state.get("emotool_turn", {})
        texts = human_texts(state["messages"])
        text = texts[-1].strip() if texts else ""
        transcript = (record.get("transcript") or "").strip()
        if transcript:
            text = f'{text} (voice message: "{transcript}")' if text else transcript
        if not text:
            return None
        limit = _memory_limit()
        if len(text) > limit:  # the checkpoint keeps the whole message; the memory its start
            note = f" [... {len(text) - limit + 100:,} more characters not kept in memory]"
            text = text[: limit - 100] + note
        safety = record.get("safety", {})
        key = f"{ctx.user_id}\x00{ctx.session_id}\x00{record.get('index', len(texts))}"
        t0 = time.perf_counter()
        try:
            self.memory.remember(
                text,
                user_id=ctx.user_id,
                session_id=ctx.session_id,
                at=ctx.now,
                role="user",
                emotions=_affects(record.get("observations", {})),
                metadata={
                    "turn": record.get("index", len(texts)),
                    "attachments": [name for _, name in record.get("files", [])],
                    "safety": "crisis" if safety.get("crisis") else safety.get("level", "none"),
                },
                memory_id="turn-" + hashlib.sha256(key.encode()).hexdigest()[:32],
            )
        except Exception as exc:
            ms = round((time.perf_counter() - t0) * 1000, 2)
            err = ObservationError(stage="memory", kind=type(exc).__name__, message=str(exc)[:500])
            return {"emotool_turn": {"errors": [err.model_dump()], "timings": {"remember": ms}}}
        return {"emotool_turn": {"timings": {"remember": round((time.perf_counter() - t0) * 1000, 2)}}}


def make_recall_tool(memory: Any, *, k: int = 4) -> BaseTool:
    """A tool that searches the person's memories of earlier sessions (for tool-calling models).

    The user is taken from the run's context, never from the model's arguments, so a model
    cannot read another person's memories.
    """

    @tool("recall_memories", response_format="content_and_artifact")
    def recall_memories(
        query: str, runtime: ToolRuntime[TurnContext, Any]
    ) -> tuple[str, list[dict[str, Any]]]:
        """Search what this person told you in earlier conversations, e.g. 'exam' or 'their sister'."""
        ctx = context_of(runtime)
        hits = memory.recall(query[:500], ctx.user_id, k=k, now=ctx.now)
        found = [
            {"when": when_phrase(h.memory.at, ctx.now), "text": h.memory.text, "id": h.memory.id}
            for h in hits
        ]
        lines = "\n".join(f"{f['when']}: {f['text'][:300]}" for f in found) or "nothing remembered about that"
        return quote_data(lines, "memory"), found

    return recall_memories
