"""``EmotionTool``: the LangChain tool an agent calls to read emotions in an image or video."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForToolRun, CallbackManagerForToolRun
from langchain_core.tools import BaseTool, ToolException
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from .analyzer import DEFAULT_FPS, Analyzer
from .errors import EmotoolError
from .schema import EmotionReading, VideoReading
from .untrusted import safe_display


class EmotionToolInput(BaseModel):
    """What the model passes when it calls the tool."""

    model_config = ConfigDict(extra="forbid")

    media: str = Field(
        max_length=4096,  # PATH_MAX; a longer "path" is a mistake or an attack
        description=(
            "Path of an image (jpg, png, webp, bmp, tiff) or video (mp4, webm, avi, mov, gif) "
            "to read, relative to the working directory, or an http(s) URL if URLs are enabled."
        ),
    )
    fps: float | None = Field(
        default=None,
        gt=0,
        le=120,
        description="For videos: frames analysed per second (default 2). Ignored for images.",
    )


#: Longest error message the tool hands to the model (paths in it are cut in the middle).
MAX_TOOL_MESSAGE = 600


def validation_message(exc: Exception) -> str:
    """The message the model gets when its arguments do not fit :class:`EmotionToolInput`.

    One line per problem (which argument, what is wrong), then how to call the tool. The
    offending values are not echoed (they can be huge or hostile).
    """
    problems: list[str] = []
    errors = getattr(exc, "errors", None)
    for err in errors(include_input=False, include_url=False) if callable(errors) else []:
        where = ".".join(str(p) for p in err.get("loc", ())) or "arguments"
        problems.append(f"{where}: {err.get('msg', 'invalid')}")
    if not problems:
        problems.append(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
    text = "; ".join(problems)
    return safe_display(
        f"ValidationError: invalid arguments for read_emotions ({text}). Call it with "
        '{"media": "<image or video path, or URL if enabled>"} and optionally "fps": a number of '
        "frames per second between 0 and 120, and nothing else.",
        MAX_TOOL_MESSAGE,
    )


class EmotionTool(BaseTool):
    """Reads the facial expressions in an image or a video and explains the reading.

    The tool returns ``(content, artifact)``: a short text for the model and the
    full :class:`~emotool.schema.EmotionReading` (or
    :class:`~emotool.schema.VideoReading`) as the ``ToolMessage`` artifact.

    Args:
        detector: Face detector (``auto``, ``mtcnn``, ``haar``).
        classifier: Expression classifier (``ensemble``, ``mini_xception``, ``cnn48``).
        allowed_roots: Folders the tool may open files under (default: the working directory).
        allow_urls: Whether http(s) URLs to public hosts may be fetched (default: no).
        fps: Default frames per second sampled from videos.
        backend: Reasoning backend: ``classic`` (default, embedded CPU), ``hf`` (a local
            vision-language model) or ``openai`` (any OpenAI-compatible server).
        backend_options: Options for the backend, e.g. ``{"model": ..., "base_url": ...}``.

    Example:
        >>> from emotool import EmotionTool
        >>> tool = EmotionTool()
        >>> reading = tool.analyze("face.jpg")  # doctest: +SKIP
        >>> msg = tool.invoke({"type": "tool_call", "id": "1", "name": tool.name,
        ...                    "args": {"media": "face.jpg"}})  # doctest: +SKIP
        >>> msg.artifact.label  # doctest: +SKIP
    """

    name: str = "read_emotions"
    description: str = (
        "Read the facial expressions of the people in an image or video file and explain the "
        "reading: for each face the most likely basic emotion (anger, disgust, fear, happiness, "
        "neutral, sadness, surprise) with scores, valence, arousal and confidence; for a video also "
        "how the expression changes over time. Use it when the user shares a photo or video of "
        "themselves or others. Input: the file path (or URL if enabled)."
    )
    args_schema: type[BaseModel] = EmotionToolInput
    response_format: str = "content_and_artifact"  # type: ignore[assignment]
    handle_tool_error: bool = True
    handle_validation_error: Any = Field(default=validation_message)

    detector: str = "auto"
    classifier: str = "ensemble"
    allowed_roots: list[Path] | None = None
    allow_urls: bool = False
    fps: float = DEFAULT_FPS
    backend: str | None = None
    backend_options: dict[str, Any] = Field(default_factory=dict)

    _analyzer: Analyzer | None = PrivateAttr(default=None)

    @model_validator(mode="before")
    @classmethod
    def _defaults_from_env(cls, data: Any) -> Any:
        """``EMOTOOL_DETECTOR``, ``EMOTOOL_CLASSIFIER`` and ``EMOTOOL_FPS`` set the defaults."""
        if isinstance(data, dict):
            data = dict(data)
            for key, env in (
                ("detector", "EMOTOOL_DETECTOR"),
                ("classifier", "EMOTOOL_CLASSIFIER"),
                ("fps", "EMOTOOL_FPS"),
                ("backend", "EMOTOOL_BACKEND"),
            ):
                if key not in data and os.environ.get(env):
                    data[key] = os.environ[env]
        return data

    @classmethod
    def from_analyzer(cls, analyzer: Analyzer, **kwargs: Any) -> EmotionTool:
        """A tool that uses a ready ``Analyzer`` (custom pipeline, policy or models)."""
        tool = cls(**kwargs)
        tool._analyzer = analyzer
        return tool

    def _get_analyzer(self) -> Analyzer:
        if self._analyzer is None:
            from .media import MediaPolicy

            policy_args: dict[str, Any] = {"allow_urls": self.allow_urls}
            if self.allowed_roots is not None:
                policy_args["allowed_roots"] = self.allowed_roots
            self._analyzer = Analyzer(
                detector=self.detector,
                classifier=self.classifier,
                policy=MediaPolicy(**policy_args),
                fps=self.fps,
                backend=self.backend,
                backend_options=self.backend_options,
            )
        return self._analyzer

    def warmup(self) -> None:
        """Load the models now (about 1-2 s on a CPU) so the first call is as fast as the rest."""
        self._get_analyzer().warmup()

    def analyze(self, media: Any, fps: float | None = None) -> EmotionReading | VideoReading:
        """Plain-Python use: analyse ``media`` and return the reading (raises ``EmotoolError``)."""
        return self._get_analyzer().analyze(media, fps=fps)

    def _run(
        self,
        media: str,
        fps: float | None = None,
        run_manager: CallbackManagerForToolRun | None = None,
    ) -> tuple[str, EmotionReading | VideoReading]:
        try:
            reading = self.analyze(media, fps=fps)
        except EmotoolError as exc:
            # capped, without control characters: error messages can quote long or hostile paths
            raise ToolException(safe_display(f"{type(exc).__name__}: {exc}", MAX_TOOL_MESSAGE)) from exc
        return reading.summary(), reading

    async def _arun(
        self,
        media: str,
        fps: float | None = None,
        run_manager: AsyncCallbackManagerForToolRun | None = None,
    ) -> tuple[str, EmotionReading | VideoReading]:
        # decoding and inference are CPU-bound: run them in a worker thread so
        # the event loop stays free while the models work
        return await asyncio.to_thread(self._run, media, fps)
