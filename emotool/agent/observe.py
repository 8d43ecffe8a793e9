"""Perception for the agent: attachments and words in, :class:`Observations` and plain words out.

:class:`Perceiver` reads one turn: a photo or a video with the face pipeline
(:class:`emotool.Analyzer`), audio with :func:`emotool.speech.analyze_speech`
(transcript, voice, the spoken words), and the typed words with the verbal
scorer. Each attachment is timed; a missing, refused or corrupt one becomes an
:class:`ObservationError` in the observations, never an exception.

:func:`describe` turns the observations into the short lines the model sees:
plain words calibrated to confidence ("looks somewhat sad (moderate
confidence)"; "unclear" below the agent's ``confidence_to_mention``), never a
number the model could recite. Untrusted text (file names, transcripts) is
quoted by the prompt builder, not here.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from langchain.agents.middleware import AgentMiddleware

from ..errors import EmotoolError
from ..schema import EmotionReading, VideoReading
from ..speech.schema import SpeechReading, VerbalCues
from ..untrusted import safe_display
from .state import EmpatheticState, context_of, human_texts
from .turn import ObservationError, Observations

#: How the face of each emotion is put into words ("looks ...").
FACE_WORDS: dict[str, str] = {
    "anger": "angry or frustrated",
    "disgust": "put off",
    "fear": "worried or afraid",
    "happiness": "happy",
    "neutral": "calm, with a neutral expression",
    "sadness": "sad",
    "surprise": "surprised",
}
#: How the feeling of words is put into words ("sound ...").
WORDS_WORDS: dict[str, str] = {
    "anger": "angry or frustrated",
    "disgust": "disgusted",
    "fear": "worried or anxious",
    "happiness": "happy or pleased",
    "neutral": "matter-of-fact",
    "sadness": "sad or low",
    "surprise": "surprised",
}
#: Longest typed text scored for verbal cues (the start is what matters; the cost stays bounded).
MAX_VERBAL_CHARS = 2000
#: The words' emotion is mentioned from this confidence on ("may sound ...") and called clear from
#: the next. The sentence encoder is confident even on plain statements ("I got my results back
#: today" reads 0.81 happy), and the model reads the words itself, so only strong tones are noted.
WORDS_MENTION_FROM = 0.88
WORDS_CLEAR_FROM = 0.95

SpeechFn = Callable[[Path, Any], SpeechReading]
VerbalFn = Callable[[str], VerbalCues]


def _err(stage: Any, source: str | None, exc: BaseException) -> ObservationError:
    kind = type(exc).__name__
    msg = str(exc) or kind
    if not isinstance(exc, EmotoolError):
        msg = f"{kind}: {msg}"
    return ObservationError(stage=stage, source=source, kind=kind, message=msg[:500])


class Perceiver:
    """Reads the attachments and words of a turn.

    Args:
        face: Read faces in images and videos.
        voice: Transcribe audio and read the voice.
        words: Read the feeling of the typed words.
        allowed_roots: Folders attachments may be opened from (default: the working directory).
        trust_attachment_paths: Also allow each attachment's own folder, wherever it is (for a
            program whose attachments are always its own files). Off by default: attachments come
            from ``allowed_roots`` or the turn's ``extra_roots`` (the CLI adds the folders of the
            paths the person typed); the model's tool calls stay confined to ``allowed_roots``.
        pipeline: A ready face pipeline (tests, custom models); default the embedded one.
        fps: Video frames analysed per second.
        speech: ``(path, policy) -> SpeechReading``; default :func:`emotool.speech.analyze_speech`.
        verbal: ``text -> VerbalCues``; default :func:`emotool.speech.verbal_cues`.
    """

    def __init__(
        self,
        *,
        face: bool = True,
        voice: bool = True,
        words: bool = True,
        allowed_roots: Sequence[Path | str] | None = None,
        trust_attachment_paths: bool = False,
        pipeline: Any = None,
        fps: float | None = None,
        speech: SpeechFn | None = None,
        verbal: VerbalFn | None = None,
    ) -> None:
        self.face, self.voice, self.words = face, voice, words
        self.allowed_roots = [Path(r) for r in allowed_roots] if allowed_roots is not None else [Path.cwd()]
        self.trust_attachment_paths = trust_attachment_paths
        self.pipeline = pipeline
        self.fps = fps
        self._speech = speech
        self._verbal = verbal

    def policy(self, attachment: Path | None = None, extra_roots: Sequence[Path] = ()) -> Any:
        """The media policy for one attachment."""
        from ..media import MediaPolicy

        roots = [*self.allowed_roots, *extra_roots]
        if attachment is not None and self.trust_attachment_paths:
            roots.append(Path(attachment).expanduser().absolute().parent)
        return MediaPolicy(allowed_roots=roots)

    def _analyzer(self, policy: Any) -> Any:
        from ..analyzer import Analyzer

        return Analyzer(pipeline=self.pipeline, policy=policy, fps=self.fps)

    def speech(self, path: Path, policy: Any) -> SpeechReading:
        """Transcribe and read one audio file (or a video's sound)."""
        if self._speech is not None:
            return self._speech(path, policy)
        from ..speech import analyze_speech

        return analyze_speech(path, policy=policy)

    def verbal(self, text: str) -> VerbalCues:
        """The feeling of some words."""
        if self._verbal is not None:
            return self._verbal(text)
        from ..speech import verbal_cues

        return verbal_cues(text)

    def warmup(self) -> None:
        """Load the face models, the sentence encoder and Whisper now, so the first turn is not slower."""
        if self.face:
            self._analyzer(self.policy()).warmup()
        if self.words and self._verbal is None:
            self.verbal("warming up")
        if self.voice and self._speech is None:
            from ..speech import get_transcriber

            get_transcriber()  # loads the embedded Whisper once per process

    def perceive(
        self,
        text: str,
        *,
        image: Path | str | None = None,
        video: Path | str | None = None,
        audio: Path | str | None = None,
        extra_roots: Sequence[Path] = (),
    ) -> tuple[Observations, dict[str, float]]:
        """Read one turn. Never raises for a bad attachment: it becomes an error in the result.

        Returns:
            The observations (``summary`` not filled in yet) and ``{"perception": ms, "speech": ms}``.
        """
        obs = Observations()
        t_face = t_speech = 0.0
        for kind, src in (("image", image), ("video", video)):
            if src is None:
                continue
            path = Path(src)
            t0 = time.perf_counter()
            if not self.face:
                obs.errors.append(
                    ObservationError(
                        stage="perception",
                        source=path.name,
                        kind="PerceptionOff",
                        message=f"this agent does not read faces, so the {kind} was not looked at",
                    )
                )
                continue
            try:
                analyzer = self._analyzer(self.policy(path, extra_roots))
                reading = analyzer.analyze_video(path) if kind == "video" else analyzer.analyze_image(path)
                if kind == "video":
                    obs.video = reading
                else:
                    obs.image = reading
            except Exception as exc:  # a bad attachment never ends the turn
                obs.errors.append(_err("perception", path.name, exc))
            t_face += time.perf_counter() - t0
        if audio is not None:
            path = Path(audio)
            t0 = time.perf_counter()
            if not self.voice:
                obs.errors.append(
                    ObservationError(
                        stage="speech",
                        source=path.name,
                        kind="PerceptionOff",
                        message="this agent does not listen to audio, so the recording was not heard",
                    )
                )
            else:
                try:
                    sr = self.speech(path, self.policy(path, extra_roots))
                    obs.speech, obs.transcript, obs.vocal = sr, sr.transcript, sr.vocal
                except Exception as exc:
                    obs.errors.append(_err("speech", path.name, exc))
            t_speech += time.perf_counter() - t0
        t0 = time.perf_counter()
        if self.words:
            words = text.strip()[:MAX_VERBAL_CHARS]
            if words:
                try:
                    obs.verbal = self.verbal(words)
                except Exception as exc:
                    obs.errors.append(_err("words", None, exc))
            elif obs.speech is not None and obs.speech.speech_found:
                obs.verbal = obs.speech.verbal
        t_face += time.perf_counter() - t0
        return obs, {"perception": round(t_face * 1000, 2), "speech": round(t_speech * 1000, 2)}


# ---------------------------------------------------------------------------- plain words


def certainty(confidence: float, mention_from: float) -> str | None:
    """``"high confidence"``, ``"moderate confidence"``, or None (unclear: below ``mention_from``)."""
    if confidence < mention_from:
        return None
    return "high confidence" if confidence >= max(0.8, mention_from + 0.15) else "moderate confidence"


def _hedge(level: str) -> str:
    return "clearly" if level == "high confidence" else "somewhat"


def _strip_numbers(note: str) -> str:
    """A vocal note without its measured figures: 'speaking fast (190 words/min)' -> 'speaking fast'."""
    return re.sub(r"\s*\([^)]*\d[^)]*\)", "", note).strip()


def face_line(reading: EmotionReading | VideoReading, mention_from: float) -> str:
    """One line on the face(s) of a photo or video, e.g. 'looks somewhat sad (moderate confidence)'."""
    what = "photo" if reading.kind == "image" else "video"
    if not reading.face_found or reading.label is None:
        return f"no face could be seen in the {what}"
    level = certainty(reading.confidence, mention_from)
    if level is None:
        feel = "the expression is unclear"
    else:
        feel = f"looks {_hedge(level)} {FACE_WORDS[reading.label]} ({level})"
    n = len(reading.faces) if isinstance(reading, EmotionReading) else len(reading.tracks)
    who = "" if n <= 1 else f"{n} faces; the main one "
    line = f"{who}{feel}"
    if isinstance(reading, VideoReading) and level is not None and reading.transitions:
        tr = reading.transitions[-1]
        line += (
            f"; over the video the expression changes from {FACE_WORDS[tr.from_label].split(',')[0]} "
            f"to {FACE_WORDS[tr.to_label].split(',')[0]}"
        )
    return line


def words_line(verbal: VerbalCues) -> str | None:
    """The feeling of the words when it is strong, e.g. 'sound clearly sad or low (high confidence)'."""
    if verbal.label is None or verbal.label == "neutral" or verbal.confidence < WORDS_MENTION_FROM:
        return None
    if verbal.confidence >= WORDS_CLEAR_FROM:
        return f"sound clearly {WORDS_WORDS[verbal.label]} (high confidence)"
    return f"may sound {WORDS_WORDS[verbal.label]} (moderate confidence)"


def voice_line(speech: SpeechReading) -> str | None:
    """How they sounded, from the vocal notes, without figures."""
    if not speech.speech_found:
        return None
    notes = [n for n in (_strip_numbers(x) for x in speech.vocal.notes) if n]
    a = speech.vocal.arousal
    energy = None if a is None else "tense or energetic" if a >= 0.7 else "low-energy" if a <= 0.3 else None
    parts = notes + ([f"sounds {energy}"] if energy else [])
    return "; ".join(parts) if parts else None


def describe(obs: Observations, mention_from: float, *, typed_text: bool = True) -> list[tuple[str, str]]:
    """The observations as ``(topic, plain words)`` lines, trusted text only (no file names, no quotes).

    Args:
        obs: The turn's observations.
        mention_from: The agent's ``confidence_to_mention``; readings below it are called unclear.
        typed_text: Whether the person typed words (for the words' line's topic).
    """
    lines: list[tuple[str, str]] = []
    if obs.image is not None:
        lines.append(("their face in the photo they sent", face_line(obs.image, mention_from)))
    if obs.video is not None:
        lines.append(("their face in the video they sent", face_line(obs.video, mention_from)))
    if obs.speech is not None:
        if not obs.speech.speech_found:
            lines.append(("voice message", "no speech could be heard in it"))
        else:
            v = voice_line(obs.speech)
            if v:
                lines.append(("their voice", v))
            if obs.speech.verbal.label is not None and typed_text:
                w = words_line(obs.speech.verbal)
                if w:
                    lines.append(("spoken words", w))
    if obs.verbal is not None:
        w = words_line(obs.verbal)
        if w:
            lines.append(("their words" if typed_text else "spoken words", w))
    for e in obs.errors:
        if e.kind == "PerceptionOff":
            continue
        what = {"perception": "an attachment", "speech": "a voice message"}.get(e.stage, "the words")
        lines.append(("could not read", f"{what} (it was missing or damaged); do not guess what it showed"))
    return lines


def summary_text(lines: Sequence[tuple[str, str]]) -> str:
    """The observation lines joined into one plain sentence list (for the turn record)."""
    return "; ".join(f"{topic}: {text}" for topic, text in lines)


# ---------------------------------------------------------------------------- the middleware


class PerceptionMiddleware(AgentMiddleware[EmpatheticState, Any]):
    """Starts the turn's record and fills in what was perceived (runs first, once per turn).

    Args:
        perceiver: Reads the attachments and the words.
        mention_from: The spec's ``perceptions.confidence_to_mention``.
    """

    state_schema = EmpatheticState

    def __init__(self, perceiver: Perceiver, *, mention_from: float = 0.55) -> None:
        super().__init__()
        self.perceiver = perceiver
        self.mention_from = mention_from

    def before_agent(self, state: EmpatheticState, runtime: Any) -> dict[str, Any] | None:
        ctx = context_of(runtime)
        texts = human_texts(state["messages"])
        text = texts[-1] if texts else ""
        obs, timings = self.perceiver.perceive(
            text, image=ctx.image, video=ctx.video, audio=ctx.audio, extra_roots=ctx.extra_roots
        )
        lines = describe(obs, self.mention_from, typed_text=bool(text.strip()))
        obs.summary = summary_text(lines)
        files = [
            [kind, safe_display(Path(p).name, 120)]
            for kind, p in (("photo", ctx.image), ("video", ctx.video), ("voice message", ctx.audio))
            if p is not None
        ]
        transcript = obs.transcript.text.strip() if obs.transcript is not None else ""
        return {
            "emotool_turn": {
                "_reset": True,
                "index": len(texts),
                "observations": obs.model_dump(mode="json"),
                "lines": [list(line) for line in lines],
                "files": files,
                "transcript": transcript,
                "timings": timings,
            }
        }
