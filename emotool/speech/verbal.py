"""Verbal cues: what emotion and valence the words express.

Each of the seven basic emotions has a set of reference sentences below,
written for this project in the first person and the plain register people use
with an assistant: some name the feeling ("I'm so angry"), most describe a
situation that carries it ("my dog died last week"). A transcript (or each of
its parts, for long ones) is embedded with the sentence-embedding model
(:mod:`emotool.embeddings`) and compared with every reference; each emotion
scores the mean cosine similarity of its three closest references, and a
softmax over the seven scores gives probabilities. Valence is the expected
valence of the emotions (``emotool.labels.AFFECT``).

The references are data, not a lexicon: extend ``PROTOTYPES`` (or pass your
own to :class:`VerbalScorer`) to adapt the scorer to a domain.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence

import numpy as np

from ..labels import AFFECT, EMOTIONS
from ..schema import EmotionScores
from .schema import Transcript, VerbalCues

PROTOTYPES: dict[str, tuple[str, ...]] = {
    "anger": (
        "I'm so angry I could scream.",
        "This makes me furious.",
        "I'm sick and tired of being treated like this.",
        "How dare they do that to me!",
        "They lied to my face and I'm livid.",
        "Stop interrupting me, I've had enough!",
        "I hate it when people ignore what I say.",
        "My boss blamed me for his own mistake and I'm fuming.",
        "This is completely unfair and it makes my blood boil.",
        "I'm really annoyed that nobody kept their promise.",
        "Get out of my way, I'm done with you.",
    ),
    "disgust": (
        "That is absolutely disgusting.",
        "Ugh, gross, it smells rotten.",
        "It makes me sick to my stomach just thinking about it.",
        "The food was covered in mould, I nearly threw up.",
        "What he did was vile and repulsive.",
        "I find the way they treat people revolting.",
        "Yuck, there was hair in my soup.",
        "I can't stand the sight of it, it's nauseating.",
        "The toilet was filthy and it was revolting.",
        "Their behaviour is sleazy and it disgusts me.",
    ),
    "fear": (
        "I'm scared and I don't know what to do.",
        "I'm terrified something bad is going to happen.",
        "I can't sleep because I'm so anxious.",
        "My heart is racing and I feel panicky.",
        "I'm afraid they will hurt me.",
        "What if I lose my job and can't pay the rent?",
        "I'm worried sick about the test results.",
        "Someone is following me and I'm frightened.",
        "I'm nervous about the surgery tomorrow.",
        "I keep having this dread that everything will fall apart.",
        "Please help me, I'm really frightened.",
    ),
    "happiness": (
        "I'm so happy today!",
        "This is the best day of my life.",
        "I got the job, I'm thrilled!",
        "We had a wonderful time together.",
        "I feel great, everything is going well.",
        "Thank you so much, this made my day.",
        "I'm really proud of what I achieved.",
        "I love spending time with my family, it makes me glad.",
        "We're getting married and I couldn't be happier.",
        "That was so much fun, I laughed all evening.",
        "I'm relieved and grateful that it worked out.",
        "I passed my exam, I'm so excited.",
    ),
    "neutral": (
        "The meeting is at three o'clock on Tuesday.",
        "I need to buy milk and bread on the way home.",
        "The train leaves from platform two.",
        "Can you tell me what the weather will be tomorrow?",
        "I usually work from home on Fridays.",
        "The report has four sections and an appendix.",
        "Please send me the file when you get a chance.",
        "I had a sandwich for lunch.",
        "The store opens at nine in the morning.",
        "Let's go over the schedule for next week.",
        "My address is on the second page of the form.",
        "I will give a short talk about the new budget.",
    ),
    "sadness": (
        "I feel so sad and alone.",
        "My dog died last week and I miss him terribly.",
        "I've been crying all night.",
        "Nothing seems worth it anymore.",
        "I feel empty and hopeless.",
        "My mother passed away and I can't stop thinking about her.",
        "I lost my job and I feel like a failure.",
        "She left me and I'm heartbroken.",
        "I'm so lonely since I moved here, nobody calls me.",
        "I'm disappointed, I really thought it would work out.",
        "I feel down and tired of everything.",
    ),
    "surprise": (
        "Wow, I didn't expect that at all!",
        "No way, are you serious?",
        "I can't believe it actually happened!",
        "What a surprise, I had no idea!",
        "That came completely out of nowhere.",
        "Oh my goodness, really?",
        "I was shocked when I heard the news.",
        "I'm amazed, I never saw that coming.",
        "Wait, what? You're kidding me!",
        "They threw me a surprise party, I was stunned.",
    ),
}

TEMPERATURE = 0.035
"""Softmax temperature over the cosine scores: lower is more decisive."""
TOP_K = 3
VALENCE_BAND = 0.15
"""Valence above this is 'positive', below its negative 'negative', else 'neutral'."""
MAX_UNITS = 256
"""Long transcripts are scored in at most this many parts (consecutive segments are merged)."""


class VerbalScorer:
    """Scores text against labelled reference sentences (embedded once, then reused).

    Args:
        prototypes: ``{emotion: sentences}`` for the seven emotions (default ``PROTOTYPES``).
        temperature: Softmax temperature.
    """

    def __init__(
        self, prototypes: Mapping[str, Sequence[str]] | None = None, temperature: float = TEMPERATURE
    ) -> None:
        protos = prototypes or PROTOTYPES
        missing = [e for e in EMOTIONS if not protos.get(e)]
        if missing:
            raise ValueError(f"prototypes need at least one sentence for each emotion; missing: {missing}")
        self.temperature = temperature
        self._sentences = [s for e in EMOTIONS for s in protos[e]]
        self._labels = np.array([EMOTIONS.index(e) for e in EMOTIONS for _ in protos[e]])
        self._vecs: np.ndarray | None = None
        self._lock = threading.Lock()

    def _proto_vecs(self) -> np.ndarray:
        if self._vecs is None:
            with self._lock:
                if self._vecs is None:
                    from ..embeddings import embed

                    self._vecs = embed(self._sentences)
        return self._vecs

    def probabilities(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Emotion probabilities ``(n, 7)`` in ``EMOTIONS`` order, and the index of each text's
        closest reference sentence."""
        from ..embeddings import embed

        protos = self._proto_vecs()
        sims = embed(list(texts)) @ protos.T  # (n, n_protos)
        scores = np.empty((len(texts), len(EMOTIONS)))
        for i in range(len(EMOTIONS)):
            own = np.sort(sims[:, self._labels == i], axis=1)[:, ::-1][:, :TOP_K]
            scores[:, i] = own.mean(axis=1)
        z = (scores - scores.max(axis=1, keepdims=True)) / self.temperature
        p = np.exp(z)
        return p / p.sum(axis=1, keepdims=True), np.argsort(-sims, axis=1)[:, :3]

    def score_text(self, text: str) -> VerbalCues:
        """Verbal cues of one piece of text."""
        return self._cues([text], np.array([1.0]))

    def score_transcript(self, transcript: Transcript) -> VerbalCues:
        """Verbal cues of a transcript: its parts are scored and averaged, weighted by length."""
        units = _units(transcript)
        if not units:
            return empty_cues()
        weights = np.array([max(1, len(u.split())) for u in units], dtype=float)
        return self._cues(units, weights)

    def _cues(self, units: list[str], weights: np.ndarray) -> VerbalCues:
        if not any(u.strip() for u in units):
            return empty_cues()
        probs, nearest = self.probabilities(units)
        mean = (probs * weights[:, None]).sum(axis=0) / weights.sum()
        scores = EmotionScores.from_probs(mean)
        label = scores.top()
        valence = sum(p * AFFECT[e][0] for e, p in scores.as_dict().items())
        valence = float(max(-1.0, min(1.0, valence)))
        neutral = EMOTIONS.index("neutral")
        emotional = probs.copy()
        emotional[:, neutral] = 0
        best = int(np.argmax(emotional.max(axis=1)))
        evidence = []
        for j in nearest[best]:
            sent = self._sentences[int(j)]
            evidence.append(f'{EMOTIONS[int(self._labels[j])]}: "{sent}"')
        order = np.sort(mean)[::-1]  # confidence: the top probability
        return VerbalCues(
            scores=scores,
            label=label,
            valence=round(valence, 3),
            valence_label="positive"
            if valence > VALENCE_BAND
            else "negative"
            if valence < -VALENCE_BAND
            else "neutral",
            confidence=round(float(order[0]), 3),
            evidence=evidence,
            strongest_segment=units[best] if len(units) > 1 else None,
        )


def empty_cues() -> VerbalCues:
    """Verbal cues when there are no words."""
    return VerbalCues(scores=None, label=None, valence=None, valence_label=None, confidence=0.0)


def _units(transcript: Transcript) -> list[str]:
    texts = [s.text.strip() for s in transcript.segments if s.text.strip()]
    if not texts and transcript.text.strip():
        texts = [transcript.text.strip()]
    if len(texts) <= MAX_UNITS:
        return texts
    per = -(-len(texts) // MAX_UNITS)
    return [" ".join(texts[i : i + per]) for i in range(0, len(texts), per)]


_default: VerbalScorer | None = None
_default_lock = threading.Lock()


def default_scorer() -> VerbalScorer:
    """The process-wide scorer with the built-in references (embedded once)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = VerbalScorer()
        return _default


def verbal_cues(text_or_transcript: str | Transcript) -> VerbalCues:
    """Emotion and valence of some words, or of a transcript's words.

    Raises:
        InputTooLong: a text over ``emotool.limits.MAX_VERBAL_TEXT`` (20,000) characters.
    """
    if not isinstance(text_or_transcript, Transcript):
        from ..limits import MAX_VERBAL_TEXT, check_text

        check_text(text_or_transcript, "the text to read for cues", MAX_VERBAL_TEXT)
    scorer = default_scorer()
    if isinstance(text_or_transcript, Transcript):
        return scorer.score_transcript(text_or_transcript)
    if not text_or_transcript.strip():
        return empty_cues()
    return scorer.score_text(text_or_transcript)
