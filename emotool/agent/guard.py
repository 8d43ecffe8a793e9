"""The safety middleware: assess before the model, check after it, and let the crisis reply stand.

Every user message and every transcript is assessed by the policy
(:class:`emotool.safety.SafetyPolicy`) with the last few user messages as
history, before the model is called. On a crisis turn (a ``crisis``
assessment, or a ``concern`` under a ``strict`` spec) the policy's crisis
reply is the turn's reply and **the model is not called at all**: the graph
jumps to the end. Calling the model only to throw its answer away would make a
person in crisis wait several seconds longer on a CPU for the resources, and
a streamed reply cannot be taken back once its words are on the screen.

Every other reply goes through ``policy.check_output``; when the policy
replaces it, the replacement is the reply. ``policy.record`` writes the audit
record (and calls the ``on_crisis`` hand-off) once per turn.
"""

from __future__ import annotations

import re
import time
from typing import Any

from langchain.agents.middleware import AgentMiddleware, hook_config
from langchain_core.messages import AIMessage

from .shaping import message_text
from .state import EmpatheticState, context_of, human_texts
from .turn import ObservationError

_ORDER = {"none": 0, "concern": 1, "crisis": 2}
#: Longer messages are assessed in parts of this many characters, overlapping by ``ASSESS_OVERLAP``
#: (so a sentence cut at a border is whole in one of them).
ASSESS_CHARS = 20_000
ASSESS_OVERLAP = 500


def _dump(a: Any) -> dict[str, Any]:
    if hasattr(a, "model_dump"):
        return dict(a.model_dump(mode="json"))
    return {k: v for k, v in vars(a).items() if not k.startswith("_")}


def _fallback(text: str, history: tuple[str, ...], exc: BaseException) -> Any:
    """The assessment of a turn whose full assessment failed: never "none" by default.

    A safety check that breaks must not let the turn through unguarded. The lexicon and
    context layers (no model, no encoder) are tried alone; if even they fail, the turn is
    a ``concern``, so that the reply is still checked and the failure is on record.
    """
    from ..safety import SafetyAssessment, SafetySettings, assess

    note = f"the full safety check failed ({type(exc).__name__}); "
    try:
        a = assess(text, history=history, settings=SafetySettings(layers=("lexicon", "context")))
    except Exception as exc2:
        return SafetyAssessment(
            level="concern",
            evidence=[note + f"the lexicon check failed too ({type(exc2).__name__}); treated as a concern"],
            reason="safety check failed",
        )
    level = a.level if a.level != "none" else "concern"
    return a.model_copy(update={"level": level, "evidence": [note + "lexicon and context only", *a.evidence]})


def takes_over(policy: Any, assessment: Any, strictness: str) -> bool:
    """Whether the policy's crisis reply stands for this assessment."""
    decide = getattr(policy, "takes_over", None)
    if callable(decide):
        return bool(decide(assessment))
    level = getattr(assessment, "level", "none")
    return level == "crisis" or (level == "concern" and strictness == "strict")


class SafetyMiddleware(AgentMiddleware[EmpatheticState, Any]):
    """Assess, take over on a crisis, check the reply, and record.

    Args:
        policy: A :class:`emotool.safety.SafetyPolicy` (or an object with its methods).
        context_turns: Earlier user messages passed to ``assess`` as history.
        strictness: The spec's ``safety.strictness`` (``"strict"`` lets the policy's reply stand on
            a ``concern`` too), used when the policy does not decide this itself.
        locale: The locale of the crisis resources, e.g. ``"en-GB"``.
    """

    state_schema = EmpatheticState

    def __init__(
        self, policy: Any, *, context_turns: int = 3, strictness: str = "standard", locale: str = "en-US"
    ) -> None:
        super().__init__()
        self.policy = policy
        self.context_turns = context_turns
        self.strictness = strictness
        self.locale = locale
        # the assessment of the running turn, per thread (the state keeps only its JSON)
        self._current: dict[tuple[str, str], Any] = {}

    def _assess(self, text: str, history: tuple[str, ...]) -> Any:
        """The policy's assessment of all of ``text``: a very long message is assessed in
        overlapping parts (the detector has a length limit) and the most severe part counts."""
        if len(text) <= ASSESS_CHARS:
            return self.policy.assess(text, history=history)
        worst = None
        step = ASSESS_CHARS - ASSESS_OVERLAP
        for start in range(0, len(text), step):
            a = self.policy.assess(text[start : start + ASSESS_CHARS], history=history)
            if worst is None or _ORDER.get(a.level, 0) > _ORDER.get(worst.level, 0):
                worst = a
            if start + ASSESS_CHARS >= len(text):
                break
        return worst

    @hook_config(can_jump_to=["end"])
    def before_agent(self, state: EmpatheticState, runtime: Any) -> dict[str, Any] | None:
        ctx = context_of(runtime)
        record = state.get("emotool_turn", {})
        texts = human_texts(state["messages"])
        text = texts[-1] if texts else ""
        history = tuple(texts[:-1][-self.context_turns :]) if self.context_turns else ()
        transcript = record.get("transcript") or ""
        t0 = time.perf_counter()
        try:
            assessment = self._assess(text, history)
            if transcript.strip():
                spoken = self._assess(transcript, (*history, text)[-max(1, self.context_turns) :])
                if _ORDER.get(spoken.level, 0) > _ORDER.get(assessment.level, 0):
                    assessment = spoken
        except Exception as exc:  # fail safe, never open: see _fallback
            err = ObservationError(stage="safety", kind=type(exc).__name__, message=str(exc)[:500])
            assessment = _fallback(" ".join(t for t in (text, transcript) if t), history, exc)
            failed = [err.model_dump()]
        else:
            failed = []
        self._current[(ctx.user_id, ctx.session_id)] = assessment
        crisis = takes_over(self.policy, assessment, self.strictness)
        safety = {
            "assessment": _dump(assessment),
            "level": assessment.level,
            "crisis": crisis,
            "replaced": crisis,
            "violations": [],
        }
        update: dict[str, Any] = {"emotool_turn": {"safety": safety}}
        if crisis:
            reply = self.policy.crisis_reply(assessment, locale=self.locale)
            update["messages"] = [AIMessage(reply, name="safety")]
            update["jump_to"] = "end"
        update["emotool_turn"]["timings"] = {"safety": round((time.perf_counter() - t0) * 1000, 2)}
        if failed:
            update["emotool_turn"]["errors"] = failed
        return update

    def after_model(self, state: EmpatheticState, runtime: Any) -> dict[str, Any] | None:
        ctx = context_of(runtime)
        last = state["messages"][-1] if state["messages"] else None
        if not isinstance(last, AIMessage) or last.tool_calls:
            return None
        assessment = self._current.get((ctx.user_id, ctx.session_id))
        if assessment is None:
            return None
        record = state.get("emotool_turn", {})
        t0 = time.perf_counter()
        check = self.policy.check_output(message_text(last.content), assessment)
        ms = round((time.perf_counter() - t0) * 1000, 2) + record.get("timings", {}).get("safety", 0.0)
        if not check.replaced and assessment.level == "concern" and assessment.categories:
            # a possible risk statement that does not take over: the reply still asks about it
            # directly, in place of the model's own question (one question per reply)
            ask = getattr(self.policy, "check_in", None)
            if callable(ask):
                kept = [
                    x for x in re.split(r"(?<=[.!?])\s+", check.text.strip()) if x and not x.endswith("?")
                ]
                text = " ".join([*kept, ask(assessment, locale=self.locale)])
                return {
                    "messages": [AIMessage(text, id=last.id)],
                    "emotool_turn": {"timings": {"safety": ms}},
                }
        if not check.replaced:
            return {"emotool_turn": {"timings": {"safety": ms}}}
        safety = {**record.get("safety", {}), "replaced": True, "violations": list(check.violations)}
        return {
            "messages": [AIMessage(check.text, id=last.id, name="safety")],
            "emotool_turn": {"safety": safety, "timings": {"safety": ms}},
        }

    def after_agent(self, state: EmpatheticState, runtime: Any) -> dict[str, Any] | None:
        ctx = context_of(runtime)
        assessment = self._current.pop((ctx.user_id, ctx.session_id), None)
        if assessment is None:
            return None
        safety = state.get("emotool_turn", {}).get("safety", {})
        texts = human_texts(state["messages"])
        try:
            self.policy.record(
                assessment,
                user_id=ctx.user_id,
                session_id=ctx.session_id,
                replaced=bool(safety.get("replaced")),
                text=texts[-1] if texts else None,  # kept only when the spec's audit_text is on
                violations=list(safety.get("violations", [])),
                locale=self.locale,
            )
        except Exception as exc:
            err = ObservationError(stage="safety", kind=type(exc).__name__, message=str(exc)[:500])
            return {"emotool_turn": {"errors": [err.model_dump()]}}
        return None
