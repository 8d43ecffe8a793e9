"""The ``safety:`` section of an agent spec.

Owned by the safety engineer (issue 8); this first version was written by the
specs engineer only so that agent specs can be validated before the safety
package lands, and may be replaced wholesale. It imports pydantic only.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class SafetySettings(BaseModel):
    """How an agent assesses risk and what it does on a crisis turn.

    Attributes:
        strictness: ``"strict"`` treats a ``concern`` like a crisis for the reply
            (resources offered, the policy's reply stands).
        judge: Also ask the chat model as a judge on uncertain messages.
        audit: Write an audit record (hashed user id) for every assessed turn.
        resources: Crisis resources by locale, relative to the agents folder.
        context_turns: Earlier user messages considered with the current one.
    """

    model_config = ConfigDict(extra="forbid")

    strictness: Literal["standard", "strict"] = "standard"
    judge: bool = False
    audit: bool = False
    resources: str = "resources/crisis_resources.yaml"
    context_turns: int = Field(default=3, ge=0, le=20)
