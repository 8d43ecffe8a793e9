"""The pydantic models emotool returns.

Every reading has the same shape whatever the input: a field that does not
apply is ``None`` or an empty list, never missing. ``SCHEMA_VERSION`` changes
whenever a field changes; ``json_schema()`` exports the JSON schema and the
committed copy under ``emotool/schemas/`` is checked against it by the tests.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .labels import EMOTIONS, Emotion, valence_arousal

SCHEMA_VERSION = "1.1"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EmotionScores(_Model):
    """A probability distribution over the seven basic emotions (sums to 1)."""

    anger: float = Field(ge=0, le=1, description="Probability of anger.")
    disgust: float = Field(ge=0, le=1, description="Probability of disgust.")
    fear: float = Field(ge=0, le=1, description="Probability of fear.")
    happiness: float = Field(ge=0, le=1, description="Probability of happiness.")
    neutral: float = Field(ge=0, le=1, description="Probability of a neutral expression.")
    sadness: float = Field(ge=0, le=1, description="Probability of sadness.")
    surprise: float = Field(ge=0, le=1, description="Probability of surprise.")

    @model_validator(mode="after")
    def _sums_to_one(self) -> EmotionScores:
        total = sum(self.as_dict().values())
        if abs(total - 1.0) > 1e-3:
            raise ValueError(f"emotion scores must sum to 1, got {total:.4f}")
        return self

    @classmethod
    def from_probs(cls, probs: Any) -> EmotionScores:
        """Build from seven non-negative numbers in ``EMOTIONS`` order (normalised here)."""
        vals = [max(0.0, float(p)) for p in probs]
        if len(vals) != len(EMOTIONS):
            raise ValueError(f"expected {len(EMOTIONS)} scores, got {len(vals)}")
        total = sum(vals)
        if total <= 0:
            vals, total = [1.0] * len(EMOTIONS), float(len(EMOTIONS))
        vals = [v / total for v in vals]
        # round to 6 places and push the rounding error onto the largest entry
        rounded = [round(v, 6) for v in vals]
        top = max(range(len(rounded)), key=rounded.__getitem__)
        rounded[top] = round(rounded[top] + 1.0 - sum(rounded), 6)
        return cls(**dict(zip(EMOTIONS, rounded, strict=True)))

    def as_dict(self) -> dict[str, float]:
        """The scores as ``{emotion: probability}`` in ``EMOTIONS`` order."""
        return {e: getattr(self, e) for e in EMOTIONS}

    def as_list(self) -> list[float]:
        """The scores as a list in ``EMOTIONS`` order."""
        return [getattr(self, e) for e in EMOTIONS]

    def top(self) -> Emotion:
        """The most probable emotion."""
        d = self.as_dict()
        return max(EMOTIONS, key=lambda e: d[e])

    def affect(self) -> tuple[float, float]:
        """Expected (valence, arousal) under these scores."""
        return valence_arousal(self.as_dict())


class Box(_Model):
    """A face box: pixels in the (upright) image, and the same normalised to [0, 1]."""

    x: int = Field(description="Left edge in pixels.")
    y: int = Field(description="Top edge in pixels.")
    width: int = Field(gt=0, description="Width in pixels.")
    height: int = Field(gt=0, description="Height in pixels.")
    x_norm: float = Field(ge=0, le=1, description="Left edge as a fraction of the image width.")
    y_norm: float = Field(ge=0, le=1, description="Top edge as a fraction of the image height.")
    width_norm: float = Field(ge=0, le=1, description="Width as a fraction of the image width.")
    height_norm: float = Field(ge=0, le=1, description="Height as a fraction of the image height.")

    @classmethod
    def from_xyxy(cls, x1: float, y1: float, x2: float, y2: float, img_w: int, img_h: int) -> Box:
        """Build from corner coordinates, clipped to the image."""
        x1c, y1c = max(0.0, min(float(x1), img_w - 1.0)), max(0.0, min(float(y1), img_h - 1.0))
        x2c, y2c = max(x1c + 1, min(float(x2), float(img_w))), max(y1c + 1, min(float(y2), float(img_h)))
        x, y = round(x1c), round(y1c)
        w, h = max(1, round(x2c - x1c)), max(1, round(y2c - y1c))
        return cls(
            x=x,
            y=y,
            width=w,
            height=h,
            x_norm=round(min(1.0, x / img_w), 5),
            y_norm=round(min(1.0, y / img_h), 5),
            width_norm=round(min(1.0, w / img_w), 5),
            height_norm=round(min(1.0, h / img_h), 5),
        )

    def xyxy(self) -> tuple[int, int, int, int]:
        """Corner coordinates ``(x1, y1, x2, y2)`` in pixels."""
        return self.x, self.y, self.x + self.width, self.y + self.height


class Cue(_Model):
    """One piece of evidence a reading rests on."""

    kind: Literal["face", "scene", "detector", "model", "agreement", "video", "quality"] = Field(
        description="What the cue is about."
    )
    text: str = Field(description="The cue in plain language.")
    face_id: int | None = Field(default=None, description="The face the cue concerns, if any.")
    weight: float | None = Field(default=None, description="How much the cue counts, in [0, 1], if known.")


class ModelInfo(_Model):
    """A model that contributed to a reading."""

    name: str = Field(description="Asset or model name.")
    role: Literal["detector", "classifier", "vlm", "llm", "other"] = Field(description="What it did.")
    license: str | None = Field(default=None, description="The model's license.")


class Timings(_Model):
    """Wall-clock milliseconds spent in each stage."""

    decode_ms: float = Field(default=0.0, description="Reading and decoding the input.")
    detect_ms: float = Field(default=0.0, description="Finding faces.")
    classify_ms: float = Field(default=0.0, description="Classifying expressions.")
    reason_ms: float = Field(
        default=0.0, description="The reasoning backend (a vision-language model), if any."
    )
    total_ms: float = Field(default=0.0, description="End to end.")


class ViewInfo(_Model):
    """One picture of the input shown to a vision-language model (a "perspective")."""

    index: int = Field(ge=0, description="Position of the picture in the request (0 = first).")
    kind: Literal["scene", "face", "context", "keyframe"] = Field(
        description="The whole scene, one face cropped and enlarged, the context around a person, "
        "or a video keyframe."
    )
    face_id: int | None = Field(default=None, description="The face shown, for face and context views.")
    box: Box | None = Field(default=None, description="The region of the input the picture shows.")
    t: float | None = Field(default=None, ge=0, description="Time in seconds, for video keyframes.")
    width: int = Field(gt=0, description="Width of the picture sent, in pixels.")
    height: int = Field(gt=0, description="Height of the picture sent, in pixels.")


class TaskResult(_Model):
    """The answer to one EmoBench-style task (see ``emotool.prompting``)."""

    task: Literal[
        "close_set", "open_set", "valence_arousal", "intent", "humor", "hate", "sarcasm", "describe"
    ] = Field(description="The task asked.")
    options: list[str] = Field(default_factory=list, description="The allowed answers, for closed tasks.")
    answer: str = Field(description="The answer; always one of `options` when options are given.")
    open_label: str | None = Field(default=None, description="The freely named emotion (open-set task).")
    description: str | None = Field(default=None, description="Free-form description (describe task).")
    valid: bool = Field(
        default=True,
        description="False when the model's output could not be used and `answer` is a fallback.",
    )
    note: str | None = Field(default=None, description="Why the answer is a fallback or was repaired.")


class FaceReading(_Model):
    """The reading of one face."""

    face_id: int = Field(description="Index of the face in the image (0 = largest).")
    box: Box = Field(description="Where the face is.")
    detector: str = Field(description="The detector that found it.")
    detector_score: float = Field(ge=0, le=1, description="The detector's confidence that this is a face.")
    scores: EmotionScores = Field(description="Expression scores over the seven basic emotions.")
    label: Emotion = Field(description="The most probable emotion.")
    valence: float = Field(ge=-1, le=1, description="Pleasantness, -1 (negative) to 1 (positive).")
    arousal: float = Field(ge=0, le=1, description="Activation, 0 (calm) to 1 (excited).")
    confidence: float = Field(
        ge=0, le=1, description="Calibrated probability that `label` is right (see README)."
    )


class EmotionReading(_Model):
    """An explained emotion reading of one image."""

    schema_version: str = Field(default=SCHEMA_VERSION, description="Version of this schema.")
    kind: Literal["image"] = Field(default="image", description="The kind of input.")
    source: str = Field(description="File name, URL or '<bytes>'/'<array>' of the input.")
    width: int = Field(description="Image width in pixels (upright).")
    height: int = Field(description="Image height in pixels (upright).")
    face_found: bool = Field(description="Whether at least one face was found.")
    faces: list[FaceReading] = Field(default_factory=list, description="Every face found, largest first.")
    label: Emotion | None = Field(description="Overall emotion of the picture; None when no face was found.")
    scores: EmotionScores | None = Field(description="Overall scores; None when no face was found.")
    valence: float | None = Field(ge=-1, le=1, description="Overall valence; None when no face.")
    arousal: float | None = Field(ge=0, le=1, description="Overall arousal; None when no face.")
    confidence: float = Field(ge=0, le=1, description="Calibrated confidence of `label` (0 when no face).")
    reasoning: str = Field(description="Plain-language account of what the reading rests on.")
    cues: list[Cue] = Field(default_factory=list, description="The evidence, one item each.")
    backend: str = Field(default="classic", description="The reasoning backend that produced it.")
    models: list[ModelInfo] = Field(default_factory=list, description="Models used.")
    timings: Timings = Field(default_factory=Timings, description="Time spent per stage.")
    views: list[ViewInfo] = Field(
        default_factory=list, description="The pictures shown to a vision-language model (empty for classic)."
    )
    task: TaskResult | None = Field(
        default=None, description="The answer to an EmoBench-style task, if asked."
    )

    def summary(self) -> str:
        """A short text for an LLM: the label, confidence and faces.

        The file name and a vision-language model's reasoning (which can repeat text
        written in the picture) are quoted data (:func:`emotool.untrusted.quote_data`).
        """
        src = _quoted_source(self.source)
        if self.label is None or self.scores is None:
            return f"No face found in {src} ({self.width}x{self.height}); no emotion reading."
        if not self.face_found:
            return (
                f"No face found in {src}; the {self.backend} backend read the scene as "
                f"{self.label} (confidence {self.confidence:.0%}). {_reasoning_text(self)}"
            )
        top3 = sorted(self.scores.as_dict().items(), key=lambda kv: -kv[1])[:3]
        parts = ", ".join(f"{k} {v:.0%}" for k, v in top3)
        n = len(self.faces)
        return (
            f"{n} face{'s' if n != 1 else ''} in {src}: overall {self.label} "
            f"(confidence {self.confidence:.0%}; {parts}; valence {self.valence:+.2f}, "
            f"arousal {self.arousal:.2f}). {_reasoning_text(self)}"
        )


class TrackPoint(_Model):
    """One sampled frame of a face track."""

    t: float = Field(ge=0, description="Time in seconds.")
    frame_index: int = Field(ge=0, description="Index of the frame in the video.")
    box: Box = Field(description="Where the face is in this frame.")
    detector_score: float = Field(ge=0, le=1, description="Detector confidence.")
    scores: EmotionScores = Field(description="Raw expression scores of this frame.")
    smoothed: EmotionScores = Field(description="Scores smoothed over time along the track.")
    label: Emotion = Field(description="Top emotion of the smoothed scores.")


class Segment(_Model):
    """A stretch of time in which one emotion dominates."""

    start: float = Field(ge=0, description="Start in seconds.")
    end: float = Field(ge=0, description="End in seconds.")
    label: Emotion = Field(description="The dominant emotion.")
    mean_score: float = Field(
        ge=0, le=1, description="Mean smoothed probability of `label` over the segment."
    )


class Transition(_Model):
    """A change of dominant emotion between two segments."""

    t: float = Field(ge=0, description="When it happened, in seconds.")
    from_label: Emotion = Field(description="Emotion before.")
    to_label: Emotion = Field(description="Emotion after.")


class FaceTrack(_Model):
    """One face followed across the sampled frames, with its timeline."""

    track_id: int = Field(ge=0, description="Stable id of the face within this video.")
    first_seen: float = Field(ge=0, description="First time seen, seconds.")
    last_seen: float = Field(ge=0, description="Last time seen, seconds.")
    points: list[TrackPoint] = Field(description="The per-frame timeline.")
    scores: EmotionScores = Field(description="Mean scores over the track.")
    label: Emotion = Field(description="Top emotion over the track.")
    valence: float = Field(ge=-1, le=1, description="Mean valence.")
    arousal: float = Field(ge=0, le=1, description="Mean arousal.")
    segments: list[Segment] = Field(description="Stretches of one dominant emotion.")
    transitions: list[Transition] = Field(description="Changes between segments.")


class VideoReading(_Model):
    """An explained emotion reading of a video."""

    schema_version: str = Field(default=SCHEMA_VERSION, description="Version of this schema.")
    kind: Literal["video"] = Field(default="video", description="The kind of input.")
    source: str = Field(description="File name or URL of the input.")
    width: int = Field(description="Frame width in pixels.")
    height: int = Field(description="Frame height in pixels.")
    duration_s: float = Field(ge=0, description="Duration in seconds.")
    native_fps: float = Field(ge=0, description="The video's own frame rate.")
    sample_fps: float = Field(gt=0, description="Frames analysed per second of video.")
    frames_analyzed: int = Field(ge=0, description="How many frames were analysed.")
    frames_with_faces: int = Field(ge=0, description="How many of those had at least one face.")
    face_found: bool = Field(description="Whether any face was found in any frame.")
    tracks: list[FaceTrack] = Field(default_factory=list, description="Each face, longest track first.")
    label: Emotion | None = Field(description="Overall emotion; None when no face was found.")
    scores: EmotionScores | None = Field(description="Overall scores (track means weighted by length).")
    valence: float | None = Field(ge=-1, le=1, description="Overall valence.")
    arousal: float | None = Field(ge=0, le=1, description="Overall arousal.")
    confidence: float = Field(ge=0, le=1, description="Confidence of the overall label.")
    segments: list[Segment] = Field(default_factory=list, description="Segments of the main (longest) face.")
    transitions: list[Transition] = Field(default_factory=list, description="Transitions of the main face.")
    reasoning: str = Field(description="Plain-language account of what the reading rests on.")
    cues: list[Cue] = Field(default_factory=list, description="The evidence, one item each.")
    backend: str = Field(default="classic", description="The reasoning backend that produced it.")
    models: list[ModelInfo] = Field(default_factory=list, description="Models used.")
    timings: Timings = Field(default_factory=Timings, description="Time spent per stage.")
    views: list[ViewInfo] = Field(
        default_factory=list, description="The pictures shown to a vision-language model (empty for classic)."
    )
    task: TaskResult | None = Field(
        default=None, description="The answer to an EmoBench-style task, if asked."
    )

    def summary(self) -> str:
        """A short text for an LLM (file name and model reasoning quoted as data)."""
        src = _quoted_source(self.source)
        if not self.face_found:
            return (
                f"No face found in {self.frames_analyzed} frames of {src} "
                f"({self.duration_s:.1f} s); no emotion reading."
            )
        segs = "; ".join(f"{s.start:.1f}-{s.end:.1f}s {s.label}" for s in self.segments[:6])
        return (
            f"{len(self.tracks)} face(s) over {self.duration_s:.1f} s of {src}: overall "
            f"{self.label} (confidence {self.confidence:.0%}, valence {self.valence:+.2f}, "
            f"arousal {self.arousal:.2f}). Main face: {segs}. {_reasoning_text(self)}"
        )


def _quoted_source(source: str) -> str:
    from .untrusted import quote_data

    return quote_data(source, "file_name", max_chars=200)


def _reasoning_text(reading: EmotionReading | VideoReading) -> str:
    """The classic backend's reasoning is emotool's own words; a model's is quoted data."""
    if reading.backend == "classic":
        return reading.reasoning
    from .untrusted import quote_data

    return f"The {reading.backend} model's account: " + quote_data(
        reading.reasoning, "model_reasoning", max_chars=2000
    )


Reading = EmotionReading | VideoReading


def json_schema() -> dict[str, Any]:
    """The JSON schema of both reading types, as one document."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "emotool readings",
        "version": SCHEMA_VERSION,
        "oneOf": [
            {"$ref": "#/$defs/EmotionReading"},
            {"$ref": "#/$defs/VideoReading"},
        ],
        "$defs": {
            "EmotionReading": EmotionReading.model_json_schema(),
            "VideoReading": VideoReading.model_json_schema(),
        },
    }


def json_schema_text() -> str:
    """The JSON schema as stable, sorted, indented text."""
    return json.dumps(json_schema(), indent=2, sort_keys=True) + "\n"
