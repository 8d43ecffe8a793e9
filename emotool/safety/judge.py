"""Layer 4 (optional): a chat model as judge of the ``concern`` band.

Only messages the first three layers left at ``concern`` reach the judge, so a
slow or remote model is asked rarely. The prompt (``prompts/safety/judge.md``)
is strict and asks for one JSON object; the user's words go in as quoted data.
An answer that cannot be read leaves the level where it was (``concern``), and
by default the judge can confirm a concern or raise it to a crisis but not
clear it (``SafetySettings.judge_may_clear``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from .settings import SafetySettings

__all__ = ["JudgeVerdict", "SafetyJudge", "parse_verdict"]


class JudgeVerdict(BaseModel):
    """The judge's answer."""

    model_config = ConfigDict(extra="ignore")

    level: Literal["crisis", "concern", "none"]
    reason: str = ""


_JSON = re.compile(r"\{[^{}]*\}", re.DOTALL)


def parse_verdict(text: str) -> JudgeVerdict | None:
    """The first JSON object in ``text`` with a valid ``level``, or None."""
    for m in _JSON.finditer(text or ""):
        try:
            data = json.loads(m.group(0))
            if isinstance(data, dict) and isinstance(data.get("level"), str):
                data["level"] = data["level"].strip().lower()
            return JudgeVerdict.model_validate(data)
        except (json.JSONDecodeError, ValidationError):
            continue
    return None


class SafetyJudge:
    """Asks any LangChain chat model for a verdict on one message (with the earlier ones).

    Args:
        model: A ``BaseChatModel`` (embedded, OpenAI-compatible, ...).
        max_chars: Longest message text put into the prompt.
    """

    def __init__(self, model: BaseChatModel, max_chars: int = 4000) -> None:
        self.model = model
        self.max_chars = max_chars

    def prompt(self, text: str, history: Sequence[str] = ()) -> str:
        from ..prompting import render
        from ..untrusted import DATA_RULE, quote_data

        past = "\n".join(quote_data(h, "earlier_message", max_chars=1000) for h in history) or "(none)"
        return render(
            "safety/judge",
            history=past,
            message=quote_data(text, "message", max_chars=self.max_chars),
            data_rule=DATA_RULE,
        )

    def judge(
        self, text: str, history: Sequence[str] = (), *, settings: SafetySettings | None = None
    ) -> JudgeVerdict | None:
        """The verdict, or None when the model fails or answers something unreadable."""
        try:
            out: Any = self.model.invoke(self.prompt(text, history))
        except Exception:  # a judge that fails leaves the recall-first layers' answer standing
            return None
        content = getattr(out, "content", out)
        if isinstance(content, list):
            content = " ".join(c.get("text", "") if isinstance(c, dict) else str(c) for c in content)
        return parse_verdict(str(content))
