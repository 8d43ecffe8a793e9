"""The ``classic`` backend: the embedded CPU face pipeline, explained from its own cues.

No language model is involved. The reading and its reasoning come from
:func:`emotool.explain.build_reading`, i.e. only from what the detector and the
expression classifiers measured. Tasks beyond reading an expression (humor,
hate, sarcasm, intent) are answered with an explicit heuristic marked
``valid=False``, so a benchmark can run every backend on the same file.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

from ..schema import EmotionReading, ModelInfo, TaskResult, VideoReading
from .base import ReadOptions, perception_reading
from .parsing import match_option

if TYPE_CHECKING:
    import numpy as np

    from ..media import LoadedImage
    from ..perception.types import FrameResult


class ClassicOptions(BaseModel):
    """Options of the classic backend: the face pipeline used when no frame result is passed in."""

    model_config = ConfigDict(extra="forbid")

    detector: str = "auto"
    classifier: str = "ensemble"


def classic_task(reading: EmotionReading | VideoReading, options: ReadOptions) -> TaskResult:
    """Answer ``options.task`` from a classic reading; the answer is always one of the options."""
    allowed = options.allowed()
    label, scores = reading.label, reading.scores
    if options.task == "close_set":
        if label is not None and scores is not None:
            ranked = sorted(scores.as_dict().items(), key=lambda kv: -kv[1])
            for emo, _ in ranked:
                hit = match_option(emo, allowed)
                if hit:
                    note = None if emo == label else f"{label} is not an option; took the best-scoring option"
                    return TaskResult(task="close_set", options=allowed, answer=hit, note=note)
        return TaskResult(
            task="close_set",
            options=allowed,
            answer=allowed[0],
            valid=False,
            note="no face expression to read, or no option is a basic emotion; first option",
        )
    if options.task == "open_set":
        if label is None:
            return TaskResult(task="open_set", answer="neutral", valid=False, note="no face found")
        return TaskResult(
            task="open_set",
            answer=label,
            open_label=label,
            note="the classic backend names one of the seven basic emotions",
        )
    if options.task == "valence_arousal":
        if reading.valence is None or reading.arousal is None:
            return TaskResult(
                task="valence_arousal",
                answer="valence +0.00, arousal 0.00",
                valid=False,
                note="no face found",
            )
        return TaskResult(
            task="valence_arousal",
            answer=f"valence {reading.valence:+.2f}, arousal {reading.arousal:.2f}",
            note="from the expression scores' affect",
        )
    if options.task == "describe":
        return TaskResult(
            task="describe", answer=reading.reasoning, description=reading.reasoning, valid=label is not None
        )
    heuristic = "the classic backend reads facial expressions only; this is a heuristic, not a judgement"
    if options.task == "humor":
        return TaskResult(
            task="humor",
            options=allowed,
            answer="yes" if label == "happiness" else "no",
            valid=False,
            note=heuristic + " (yes when the main expression is happiness)",
        )
    if options.task in ("hate", "sarcasm"):
        return TaskResult(
            task=options.task,
            options=allowed,
            answer="no",
            valid=False,
            note=heuristic + " (always no)",
        )
    return TaskResult(
        task="intent", options=allowed, answer=allowed[0], valid=False, note=heuristic + " (first option)"
    )


class ClassicBackend:
    """The embedded CPU pipeline as a backend.

    Args:
        detector: Face detector used when ``read_image`` gets no frame result.
        classifier: Expression classifier used in that case.
    """

    name = "classic"

    def __init__(self, **options: Any) -> None:
        self.options = ClassicOptions(**options)

    def model_infos(self) -> list[ModelInfo]:
        """The classic backend adds no model of its own (the pipeline's are already listed)."""
        return []

    def _frame(self, image: LoadedImage) -> tuple[FrameResult, list[ModelInfo]]:
        from ..analyzer import shared_pipeline

        pipe, lock = shared_pipeline(self.options.detector, self.options.classifier)
        with lock:
            frame = pipe.analyze(image.rgb)
        return frame, list(pipe.model_infos())

    def read_image(
        self,
        image: LoadedImage,
        frame: FrameResult | None = None,
        options: ReadOptions | None = None,
        *,
        models: list[ModelInfo] | None = None,
    ) -> EmotionReading:
        """The explained reading of ``frame`` (run the embedded pipeline first if ``None``)."""
        if frame is None:
            frame, found = self._frame(image)
            models = models if models is not None else found
        reading = perception_reading(image, frame, models, self.name)
        if options is not None:
            reading = reading.model_copy(update={"task": classic_task(reading, options)})
        return reading

    def read_images(
        self,
        items: Sequence[tuple[LoadedImage, FrameResult | None]],
        options: ReadOptions | None = None,
        *,
        models: list[ModelInfo] | None = None,
    ) -> list[EmotionReading]:
        """Read several images one after the other."""
        return [self.read_image(img, fr, options, models=models) for img, fr in items]

    def read_video(
        self,
        reading: VideoReading,
        keyframes: list[tuple[float, np.ndarray, FrameResult]],
        options: ReadOptions | None = None,
    ) -> VideoReading:
        """The pipeline's video reading, with the task answered when options are given."""
        if options is None:
            return reading
        return reading.model_copy(update={"task": classic_task(reading, options)})
