"""Turn what the perception stage found into an explained ``EmotionReading``.

The reasoning text of the classic backend is built only from real cues: which
faces were found by which detector, what each classifier said, whether they
agree, and what limits the reading (small faces, several faces, low scores).
Nothing is said that the models did not measure.
"""

from __future__ import annotations

import numpy as np

from .labels import EMOTIONS
from .perception.types import FaceResult, FrameResult
from .schema import Box, Cue, EmotionReading, EmotionScores, FaceReading, ModelInfo, Timings

#: Faces narrower than this (pixels) are flagged as less reliable: the
#: classifiers work on 48-64 px crops.
SMALL_FACE_PX = 48


def face_weight(face: FaceResult) -> float:
    """How much a face counts in the overall reading: its area times detector score."""
    d = face.detection
    return max(1.0, d.width * d.height) * max(0.05, d.score)


def face_reading(i: int, face: FaceResult, width: int, height: int) -> FaceReading:
    """The schema object of one face."""
    d = face.detection
    scores = EmotionScores.from_probs(face.probs)
    v, a = scores.affect()
    return FaceReading(
        face_id=i,
        box=Box.from_xyxy(d.x1, d.y1, d.x2, d.y2, width, height),
        detector=d.detector,
        detector_score=round(float(min(1.0, max(0.0, d.score))), 4),
        scores=scores,
        label=scores.top(),
        valence=round(v, 4),
        arousal=round(a, 4),
        confidence=round(float(min(1.0, max(0.0, face.confidence))), 4),
    )


def _top2(probs: np.ndarray) -> tuple[str, float, str, float]:
    order = np.argsort(-probs)
    return EMOTIONS[order[0]], float(probs[order[0]]), EMOTIONS[order[1]], float(probs[order[1]])


def _face_cues(i: int, face: FaceResult, width: int) -> list[Cue]:
    d = face.detection
    lab, p, lab2, p2 = _top2(face.probs)
    cues = [
        Cue(
            kind="face",
            face_id=i,
            weight=round(float(face.confidence), 3),
            text=(
                f"face {i}: {lab} {p:.0%} (next {lab2} {p2:.0%}), found by {d.detector} "
                f"with score {d.score:.2f}, {d.width:.0f} px wide "
                f"({d.width / max(1, width):.0%} of the image)"
            ),
        )
    ]
    if len(face.per_model) > 1:
        said = {name: EMOTIONS[int(np.argmax(pr))] for name, pr in face.per_model.items()}
        parts = ", ".join(
            f"{name} says {said[name]} {float(np.max(pr)):.0%}" for name, pr in face.per_model.items()
        )
        agree = len(set(said.values())) == 1
        cues.append(
            Cue(
                kind="agreement",
                face_id=i,
                weight=1.0 if agree else 0.5,
                text=f"face {i}: {parts} ({'they agree' if agree else 'they disagree'})",
            )
        )
    if d.width < SMALL_FACE_PX:
        cues.append(
            Cue(
                kind="quality",
                face_id=i,
                text=f"face {i} is small ({d.width:.0f} px); expression detail is limited",
            )
        )
    if p - p2 < 0.15:
        cues.append(
            Cue(
                kind="quality",
                face_id=i,
                text=(
                    f"face {i}: {lab} and {lab2} are close ({p:.0%} vs {p2:.0%}); the expression is ambiguous"
                ),
            )
        )
    return cues


def build_reading(
    frame: FrameResult,
    *,
    source: str,
    models: list[ModelInfo],
    decode_ms: float = 0.0,
    total_ms: float | None = None,
    backend: str = "classic",
) -> EmotionReading:
    """Build the explained reading of one image from the perception result."""
    w, h = frame.width, frame.height
    timings = Timings(
        decode_ms=round(decode_ms, 2),
        detect_ms=round(frame.detect_ms, 2),
        classify_ms=round(frame.classify_ms, 2),
        total_ms=round(
            total_ms if total_ms is not None else decode_ms + frame.detect_ms + frame.classify_ms, 2
        ),
    )
    classifiers = ", ".join(frame.classifiers) or "the expression classifiers"
    if not frame.faces:
        return EmotionReading(
            source=source,
            width=w,
            height=h,
            face_found=False,
            label=None,
            scores=None,
            valence=None,
            arousal=None,
            confidence=0.0,
            reasoning=(
                f"No face was found by {frame.detector or 'the face detector'} in this "
                f"{w}x{h} image, so there is no facial expression to read. A face may be too "
                "small, turned away, covered or absent."
            ),
            cues=[Cue(kind="detector", text=f"{frame.detector or 'detector'} found no face")],
            backend=backend,
            models=models,
            timings=timings,
        )
    faces = [face_reading(i, f, w, h) for i, f in enumerate(frame.faces)]
    weights = np.array([face_weight(f) for f in frame.faces])
    weights = weights / weights.sum()
    probs = np.sum([wt * f.probs for wt, f in zip(weights, frame.faces, strict=True)], axis=0)
    scores = EmotionScores.from_probs(probs)
    label = scores.top()
    agreeing = [(wt, f) for wt, f, fr in zip(weights, frame.faces, faces, strict=True) if fr.label == label]
    confidence = float(sum(wt * f.confidence for wt, f in agreeing))
    v, a = scores.affect()
    cues: list[Cue] = []
    for i, f in enumerate(frame.faces):
        cues.extend(_face_cues(i, f, w))
    n = len(faces)
    main = faces[0]
    if n == 1:
        why = (
            f"One face was found ({main.detector}, score {main.detector_score:.2f}). "
            f"{classifiers} read its expression as {main.label} "
            f"({main.scores.as_dict()[main.label]:.0%})"
        )
    else:
        labels = ", ".join(f"face {fr.face_id} {fr.label}" for fr in faces[:5])
        why = (
            f"{n} faces were found ({labels}). The overall reading weights each face by its size "
            f"and detector score; the largest face counts most"
        )
        cues.append(
            Cue(kind="scene", text=f"{n} faces; overall label {label} from their size-weighted scores")
        )
    notes = [c.text.split(": ", 1)[-1] for c in cues if c.kind == "quality"]
    disagree = [c for c in cues if c.kind == "agreement" and (c.weight or 0) < 1]
    tail = []
    if disagree:
        tail.append("the classifiers disagree on " + ", ".join(f"face {c.face_id}" for c in disagree))
    if notes:
        tail.append("; ".join(notes[:2]))
    reasoning = why + f"; confidence {confidence:.0%}."
    if tail:
        reasoning += " Caveats: " + "; ".join(tail) + "."
    reasoning += " Facial expression is not the same as felt emotion; read it with what the person says."
    return EmotionReading(
        source=source,
        width=w,
        height=h,
        face_found=True,
        faces=faces,
        label=label,
        scores=scores,
        valence=round(v, 4),
        arousal=round(a, 4),
        confidence=round(min(1.0, max(0.0, confidence)), 4),
        reasoning=reasoning,
        cues=cues,
        backend=backend,
        models=models,
        timings=timings,
    )
