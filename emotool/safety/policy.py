"""The safety policy: what an agent does with an assessment.

On a ``crisis`` turn the policy's reply takes over whatever the language model
wrote (:meth:`SafetyPolicy.crisis_reply`: the resources for the user's locale,
the rubric's must-dos). On every turn :meth:`SafetyPolicy.check_output`
replaces a model reply that gives method or means information, encourages
harm, claims to be human, promises secrecy or ends the conversation.
:meth:`SafetyPolicy.record` writes the audit line (hashed user id, no text
unless configured) and calls ``on_crisis`` for a human hand-off.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from .audit import AuditLog, AuditRecord, hash_id, now_iso
from .detector import SafetyAssessment, assess
from .replies import PHRASES, Phrases
from .resources import RegionResources, ResourceBook, load_resources
from .settings import SafetySettings

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from .judge import SafetyJudge
    from .semantic import SemanticScorer

__all__ = ["CrisisEvent", "OutputCheck", "SafetyPolicy"]


class OutputCheck(BaseModel):
    """The result of checking a model reply.

    Attributes:
        text: The reply to send (the model's, or the policy's replacement).
        replaced: Whether the model's reply was replaced.
        violations: Why, in plain words (``"claims to be human"``, ``"crisis turn: the policy's reply
            stands"``...).
    """

    model_config = ConfigDict(extra="forbid")

    text: str
    replaced: bool
    violations: list[str] = Field(default_factory=list)


class CrisisEvent(BaseModel):
    """What ``on_crisis`` receives: enough for a human to pick the conversation up."""

    model_config = ConfigDict(extra="forbid")

    time: str
    assessment: SafetyAssessment
    user_id: str | None
    user_hash: str | None
    session_id: str | None
    replaced: bool
    locale: str | None = None


class SafetyPolicy:
    """Assessment settings, crisis replies, output checks, audit log and hand-off, in one object.

    Args:
        settings: The ``safety:`` section of an agent spec.
        on_crisis: Called with a :class:`CrisisEvent` on every crisis turn that is recorded
            (e.g. to page a human). Its exceptions are caught, warned about and logged.
        audit_log: JSONL file for the audit log; default ``settings.audit_path`` or, when
            ``settings.audit`` is on, ``<emotool home>/safety/audit.jsonl``; None and audit off: no log.
        locale: Default locale of the replies (``en-GB``...); else ``settings.locale``; else the
            message's language with the international resources.
        resources: The crisis resources (default: read from the agents folder, ``settings.resources``).
        judge_model: A LangChain chat model used as the judge of ``concern`` messages when
            ``settings.judge`` is on.
        scorer: The semantic scorer (default: the shared one).

    Example:
        >>> from emotool.safety import SafetyPolicy, SafetySettings
        >>> policy = SafetyPolicy(settings=SafetySettings())
        >>> a = policy.assess("I want to end my life")
        >>> check = policy.check_output("Sure! Here's a recipe.", a)
        >>> check.replaced
        True
    """

    def __init__(
        self,
        settings: SafetySettings | None = None,
        on_crisis: Callable[[CrisisEvent], Any] | None = None,
        audit_log: str | Path | None = None,
        *,
        locale: str | None = None,
        resources: ResourceBook | None = None,
        judge_model: BaseChatModel | None = None,
        scorer: SemanticScorer | None = None,
    ) -> None:
        self.settings = settings or SafetySettings()
        self.on_crisis = on_crisis
        self.locale = locale or self.settings.locale
        self._resources = resources
        self._scorer = scorer
        self._judge: SafetyJudge | None = None
        if judge_model is not None and self.settings.judge:
            from .judge import SafetyJudge

            self._judge = SafetyJudge(judge_model)
        path: str | Path | None = audit_log or self.settings.audit_path
        if path is None and self.settings.audit:
            from ..config import home

            path = home() / "safety" / "audit.jsonl"
        self.audit: AuditLog | None = AuditLog(path) if path is not None else None

    @classmethod
    def from_spec(cls, spec: Any, **kwargs: Any) -> SafetyPolicy:
        """A policy from an agent spec: a name (``"support"``), a path to a spec YAML, an
        ``AgentSpec`` or a bare :class:`SafetySettings`. Keyword arguments go to the constructor.

        Raises:
            AgentSpecError: The spec or its resources file cannot be read.
        """
        if isinstance(spec, SafetySettings):
            return cls(settings=spec, **kwargs)
        if isinstance(spec, (str, Path)):
            from ..specs import load_agent_spec

            spec = load_agent_spec(spec)
        settings = spec.safety
        kwargs.setdefault("locale", settings.locale or getattr(spec, "locale", None))
        return cls(settings=settings, **kwargs)

    # ------------------------------------------------------------------ assessing
    def assess(self, text: str, history: Sequence[str] = (), language: str | None = None) -> SafetyAssessment:
        """:func:`emotool.safety.assess` with this policy's settings, scorer and judge."""
        return assess(
            text,
            history=history,
            language=language,
            settings=self.settings,
            scorer=self._scorer,
            judge=self._judge,
        )

    def takes_over(self, a: SafetyAssessment) -> bool:
        """Whether the policy's reply replaces the model's on this turn (a crisis; with
        ``strictness: strict`` also a concern about a risk category)."""
        if a.level == "crisis":
            return True
        return self.settings.strictness == "strict" and a.level == "concern" and bool(a.categories)

    # ------------------------------------------------------------------ replies
    @property
    def resources(self) -> ResourceBook:
        if self._resources is None:
            self._resources = load_resources(self.settings.resources)
        return self._resources

    def resources_for(self, locale: str | None = None) -> tuple[str, RegionResources]:
        """The region code and crisis resources for ``locale`` (international when unknown)."""
        return self.resources.for_locale(locale or self.locale)

    def _phrases(self, a: SafetyAssessment | None, locale: str | None) -> Phrases:
        loc = locale or self.locale
        lang_of_locale = loc.replace("_", "-").split("-")[0].lower() if loc else None
        for lang in (a.language if a else None, lang_of_locale, "en"):
            if lang in PHRASES:
                return PHRASES[lang]
        return PHRASES["en"]

    def _resource_lines(self, p: Phrases, res: RegionResources) -> list[str]:
        lines = [p.resources_intro]
        lines += [
            p.line_format.format(name=line.name, contact=line.contact, hours=line.hours) for line in res.lines
        ]
        lines.append(p.emergency_format.format(emergency_label=p.emergency_label, emergency=res.emergency))
        return lines

    def crisis_reply(self, a: SafetyAssessment, locale: str | None = None) -> str:
        """The safe reply for a crisis turn, in the message's language, with the resources of ``locale``.

        It says it is an AI, acknowledges, asks directly about suicidal thoughts and safety,
        encourages reaching a person now and keeps the conversation open; it never gives method,
        means or location details, never minimises and never promises secrecy.
        """
        p = self._phrases(a, locale)
        _, res = self.resources_for(locale)
        cat = next((c for c in a.categories if c in p.ack), "suicidal_ideation")
        first = [p.ai, p.ack[cat], p.ask[cat].format(emergency=res.emergency)]
        parts = [" ".join(first), "", p.reach, p.danger.format(emergency=res.emergency), ""]
        parts += self._resource_lines(p, res)
        parts += ["", p.open]
        return "\n".join(parts)

    def check_in(self, a: SafetyAssessment, locale: str | None = None) -> str:
        """The one direct question about safety that follows a reply on a risk ``concern`` turn
        (the rubric asks a reply to a possible risk statement to ask about it directly)."""
        p = self._phrases(a, locale)
        _, res = self.resources_for(locale)
        cat = next((c for c in a.categories if c in p.ask), "suicidal_ideation")
        ask = p.ask[cat].format(emergency=res.emergency)
        return ask.split("?")[0].strip() + "?" if "?" in ask else ask

    def blocked_reply(self, a: SafetyAssessment | None = None, locale: str | None = None) -> str:
        """The replacement for a reply that broke a rule on a turn that was not a crisis."""
        p = self._phrases(a, locale)
        _, res = self.resources_for(locale)
        return "\n".join([p.output_blocked, *self._resource_lines(p, res)[1:], "", p.open])

    def check_output(self, model_reply: str, a: SafetyAssessment, locale: str | None = None) -> OutputCheck:
        """Check a model reply; replace it when it breaks a rule, and on a crisis turn.

        Args:
            model_reply: What the language model wrote.
            a: The assessment of the user's message this turn.
            locale: Locale of the replacement's resources (default: the policy's).
        """
        from .output import violations

        found = violations(model_reply) if isinstance(model_reply, str) else ["not text"]
        if self.takes_over(a):
            text = self.crisis_reply(a, locale)
            return OutputCheck(
                text=text,
                replaced=model_reply != text,
                violations=[*found, "crisis turn: the policy's reply stands"],
            )
        if found:
            return OutputCheck(text=self.blocked_reply(a, locale), replaced=True, violations=found)
        return OutputCheck(text=model_reply, replaced=False, violations=[])

    # ------------------------------------------------------------------ audit and hand-off
    def record(
        self,
        a: SafetyAssessment,
        *,
        user_id: str | None = None,
        session_id: str | None = None,
        replaced: bool = False,
        text: str | None = None,
        violations: Sequence[str] = (),
        locale: str | None = None,
    ) -> AuditRecord:
        """Write the audit line for a turn and, on a crisis, call ``on_crisis``.

        The user and session ids are hashed; the message text (and the evidence, which quotes
        it) is written only when ``settings.audit_text`` is on.
        """
        handoff: str | None = None
        if a.level == "crisis" and self.on_crisis is not None:
            event = CrisisEvent(
                time=now_iso(),
                assessment=a,
                user_id=user_id,
                user_hash=hash_id(user_id),
                session_id=session_id,
                replaced=replaced,
                locale=locale or self.locale,
            )
            try:
                self.on_crisis(event)
                handoff = "called"
            except Exception as exc:  # a failed hand-off must not stop the safe reply
                handoff = f"failed: {type(exc).__name__}"
                warnings.warn(f"on_crisis raised {type(exc).__name__}: {exc}", stacklevel=2)
        keep_text = self.settings.audit_text
        rec = AuditRecord(
            time=now_iso(),
            user=hash_id(user_id),
            session=hash_id(session_id),
            level=a.level,
            categories=list(a.categories),
            layers=list(a.layers),
            language=a.language,
            replaced=replaced,
            violations=list(violations),
            handoff=handoff,
            text=text if keep_text else None,
            evidence=list(a.evidence) if keep_text else None,
        )
        if self.audit is not None:
            self.audit.write(rec)
        return rec
