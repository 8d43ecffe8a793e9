"""The record of one agent turn: what was perceived, recalled and assessed, the reply, and the timings.

Every field has the same shape whatever happened in the turn: a stage that did
not run leaves ``None`` or an empty list, and a stage that failed leaves an
:class:`ObservationError` in ``observations.errors`` (or ``errors``) rather
than raising. Only pydantic and emotool's own schemas are imported here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..schema import EmotionReading, VideoReading
from ..speech.schema import SpeechReading, Transcript, VerbalCues, VocalCues

Stage = Literal["perception", "speech", "words", "recall", "safety", "model", "memory", "checkpoint"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ObservationError(_Model):
    """A stage of the turn that could not do its work; the turn went on without it."""

    stage: Stage = Field(description="Which stage failed.")
    source: str | None = Field(default=None, description="The attachment concerned (file name), if any.")
    kind: str = Field(description="The error's type, e.g. 'CorruptMedia' or 'BackendUnavailable'.")
    message: str = Field(description="What went wrong and how to fix it.")


class Observations(_Model):
    """What the agent perceived in this turn.

    Attributes:
        image: The reading of an attached photo.
        video: The reading of an attached video.
        speech: The full reading of attached audio (transcript, vocal and verbal cues).
        transcript: What was said in the attached audio (also inside ``speech``).
        vocal: How it was said.
        verbal: What the words express: the typed text and the transcript together.
        summary: The observations in the plain words the model saw.
        errors: Attachments or readers that failed, one entry each.
    """

    image: EmotionReading | None = None
    video: VideoReading | None = None
    speech: SpeechReading | None = None
    transcript: Transcript | None = None
    vocal: VocalCues | None = None
    verbal: VerbalCues | None = None
    summary: str = Field(default="", description="The observations as the model saw them, in plain words.")
    errors: list[ObservationError] = Field(default_factory=list)


class MemoryUsed(_Model):
    """A memory recalled for this turn and shown to the model."""

    id: str
    text: str = Field(description="The stored text (as shown to the model, possibly shortened).")
    at: datetime = Field(description="When it happened.")
    when: str = Field(description="How the model was told when it happened, e.g. 'last week (Fri 14 Nov)'.")
    session_id: str
    kind: str
    score: float = Field(description="The recall score that ranked it.")
    similarity: float = Field(description="Semantic similarity to this turn's words.")


class TurnSafety(_Model):
    """The safety layer's part in the turn.

    Attributes:
        assessment: The policy's assessment of the message (and the transcript), as JSON.
        level: ``"crisis"``, ``"concern"`` or ``"none"`` (the assessment's level).
        crisis: The policy's crisis reply stands for this turn; the model was not called.
        replaced: The reply is not the model's (crisis reply, or ``check_output`` replaced it).
        violations: What ``check_output`` found wrong with the model's reply.
    """

    assessment: dict[str, Any] | None = None
    level: Literal["crisis", "concern", "none"] = "none"
    crisis: bool = False
    replaced: bool = False
    violations: list[str] = Field(default_factory=list)


class TurnTimings(_Model):
    """Wall-clock milliseconds per stage of the turn (0 for a stage that did not run)."""

    perception: float = Field(default=0.0, description="Reading attached images and videos, and the words.")
    speech: float = Field(default=0.0, description="Transcribing attached audio and reading the voice.")
    recall: float = Field(default=0.0, description="Recalling memories.")
    safety: float = Field(default=0.0, description="Assessing the message and checking the reply.")
    model_first_token: float | None = Field(
        default=None, description="From the start of the model call to its first token (None: not called)."
    )
    model: float = Field(default=0.0, description="The chat model, all calls of the turn.")
    remember: float = Field(default=0.0, description="Storing the turn in memory.")
    first_text: float | None = Field(
        default=None, description="From the start of the turn to the first text of the reply."
    )
    total: float = Field(default=0.0, description="The whole turn.")


class AgentTurn(_Model):
    """One turn of the empathetic agent: the reply and everything that went into it.

    Attributes:
        reply: What the agent said.
        observations: What it perceived (readings, transcript, vocal and verbal cues, errors).
        memories_used: What it recalled of earlier sessions and showed the model.
        safety: The assessment, and whether the policy's reply replaced the model's.
        timings: Milliseconds per stage.
        model: The chat model that wrote the reply (None on a crisis turn: it was not called).
        user_id: Whose turn it was.
        session_id: The session (the conversation thread).
        turn: 1 for the first message of a session, 2 for the next, ...
        at: The turn's time (``now`` when given).
        truncated: The message was longer than the model's share and was cut for the model
            (the safety layer and the memory saw all of it).
        errors: Stages other than perception that failed (model, recall, memory, checkpoint).
    """

    reply: str
    observations: Observations = Field(default_factory=Observations)
    memories_used: list[MemoryUsed] = Field(default_factory=list)
    safety: TurnSafety = Field(default_factory=TurnSafety)
    timings: TurnTimings = Field(default_factory=TurnTimings)
    model: str | None = None
    user_id: str
    session_id: str
    turn: int = Field(ge=1)
    at: datetime
    truncated: bool = False
    errors: list[ObservationError] = Field(default_factory=list)
