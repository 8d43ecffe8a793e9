"""Crisis detection, the safe-reply policy and the audit log.

``assess(text, history=...)`` reads a user message (typed or transcribed) in
layers, recall first: normalisation, a multilingual lexicon, a multilingual
sentence encoder compared with written examples, a small classifier learned on
the same embedding, and the conversation context (and optionally a chat-model
judge for the uncertain band). :class:`SafetyPolicy` turns an assessment into
action: the crisis reply with the resources for the user's locale,
``check_output`` on every model reply, and ``record`` for the audit log and
the ``on_crisis`` hand-off.

Importing this package loads neither the encoder nor YAML; the encoder loads on
the first message (or ``warmup()``).

Example:
    >>> from emotool.safety import assess, SafetyPolicy, SafetySettings
    >>> a = assess("sometimes I wish I could just not wake up")
    >>> a.level, a.categories
    ('crisis', ['suicidal_ideation'])
    >>> policy = SafetyPolicy(settings=SafetySettings())
    >>> "AI" in policy.crisis_reply(a, locale="en-GB")
    True
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .detector import CATEGORIES, SafetyAssessment, assess
    from .judge import JudgeVerdict, SafetyJudge
    from .policy import CrisisEvent, OutputCheck, SafetyPolicy
    from .settings import SafetySettings

__all__ = [
    "CATEGORIES",
    "CrisisEvent",
    "JudgeVerdict",
    "OutputCheck",
    "SafetyAssessment",
    "SafetyJudge",
    "SafetyPolicy",
    "SafetySettings",
    "assess",
    "warmup",
]

# Everything is imported on first use, so that ``emotool --help`` (which builds the
# ``safety`` sub-commands from emotool.safety.cli) loads neither pydantic nor the detector.
_LAZY = {
    "assess": "detector",
    "SafetyAssessment": "detector",
    "CATEGORIES": "detector",
    "SafetySettings": "settings",
    "SafetyPolicy": "policy",
    "OutputCheck": "policy",
    "CrisisEvent": "policy",
    "SafetyJudge": "judge",
    "JudgeVerdict": "judge",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def warmup(encoder: str | None = "use-m3") -> None:
    """Compile the lexicon and load the sentence encoder now (1-3 s once) instead of on the first
    message; ``encoder=None`` compiles the lexicon only."""
    from .lexicon import match

    match("")
    if encoder is not None:
        from .head import load_head
        from .semantic import get_scorer

        get_scorer(encoder).warmup()
        load_head(encoder)
