"""The crisis detector: normalisation, lexicon, semantic layer, learned classifier and context, recall first.

Layers: the multilingual lexicon (:mod:`.lexicon`), the prototype similarity of
the sentence embedding (``semantic``, :mod:`.semantic`), a logistic regression
on the same embedding and the lexicon's signals trained on the dev split
(``classifier``, :mod:`.head`) and the conversation context. The embedding
layers can raise a level, never lower one, and a negation, idiom, denial or
third party the lexicon found caps them at ``concern``. The evidence says which
layers fired.

:func:`assess` reads one user message (typed or transcribed), optionally with
the user's last few messages, and returns a :class:`SafetyAssessment`: a level
(``crisis``, ``concern``, ``none``), the risk categories, the evidence in plain
words and the layers that fired. Bad input never crashes it: a non-string is
an ``InvalidOption``, a text over ``SafetySettings.max_chars`` an
``InputTooLong``, and an empty, emoji-only or unreadable message is ``none``
with a ``reason``. Long texts are read whole by the lexicon and in windows by
the semantic layer; when there are more windows than it reads, the evidence
says which.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ..errors import InputTooLong, InvalidOption
from .head import capped
from .lexicon import Hit, LexiconResult, detect_language, match
from .normalize import Normalized, normalize
from .settings import SafetySettings

if TYPE_CHECKING:
    from .judge import SafetyJudge
    from .semantic import SemanticScore, SemanticScorer

__all__ = ["CATEGORIES", "SafetyAssessment", "assess"]

Level = Literal["crisis", "concern", "none"]
#: The risk categories an assessment can name.
CATEGORIES: tuple[str, ...] = (
    "suicidal_ideation",
    "self_harm",
    "harm_to_others",
    "abuse",
    "medical_emergency",
)
_RANK = {"none": 0, "concern": 1, "crisis": 2}

#: Characters per window of the semantic layer, and the most windows it reads in one text.
WINDOW_CHARS = 400
MAX_WINDOWS = 48


class SafetyAssessment(BaseModel):
    """What the detector concluded about one message.

    Attributes:
        level: ``crisis`` (the policy's reply takes over), ``concern`` (gentle check-in,
            resources offered), or ``none``.
        categories: Risk categories found (``suicidal_ideation``, ``self_harm``,
            ``harm_to_others``, ``abuse``, ``medical_emergency``).
        evidence: The spans and signals the decision rests on, in plain words.
        layers: The layers that fired: ``lexicon``, ``semantic``, ``classifier``, ``context``, ``judge``.
        language: Language code of the message (``en``, ``es``, ... or ``und``).
        reason: Why a message was not assessed normally (empty, emoji only, unreadable).
        semantic_score: Similarity to the crisis examples (None when the layer did not run).
        classifier_score: Crisis probability from the learned classifier (None when it did not run).
        windows: Windows the semantic layer read (1 for a short message).
        ms: Time spent, in milliseconds.
    """

    model_config = ConfigDict(extra="forbid")

    level: Level
    categories: list[str] = Field(default_factory=list)
    evidence: list[str] = Field(default_factory=list)
    layers: list[str] = Field(default_factory=list)
    language: str = "und"
    reason: str | None = None
    semantic_score: float | None = None
    classifier_score: float | None = None
    windows: int = 0
    ms: float = 0.0

    @property
    def is_crisis(self) -> bool:
        return self.level == "crisis"


_SENTENCE = re.compile(r"(?<=[.!?।\n])\s+")
_RISKY = re.compile(
    r"di(e|ed|ing)|kill|suicid|end|hurt|cut|pill|dead|life|live|morir|morrer|mourir|sterben|"
    r"morire|mati|marna|jeena|vida|vie|leben|hidup|zindagi|मर|जी",
    re.IGNORECASE,
)


def _windows(text: str, hits: Sequence[Hit]) -> tuple[list[str], int]:
    """Split a long text into windows; returns (windows to read, total windows)."""
    if len(text) <= WINDOW_CHARS + WINDOW_CHARS // 2:
        return [text], 1
    sentences = [s for s in _SENTENCE.split(text) if s.strip()]
    windows: list[str] = []
    cur = ""
    for s in sentences:
        while len(s) > WINDOW_CHARS:  # a run-on "sentence": cut at a space
            cut = s.rfind(" ", 0, WINDOW_CHARS)
            cut = cut if cut > WINDOW_CHARS // 2 else WINDOW_CHARS
            if cur:
                windows.append(cur)
                cur = ""
            windows.append(s[:cut])
            s = s[cut:].lstrip()
        if len(cur) + len(s) + 1 > WINDOW_CHARS and cur:
            windows.append(cur)
            cur = ""
        cur = f"{cur} {s}".strip()
    if cur:
        windows.append(cur)
    total = len(windows)
    if total <= MAX_WINDOWS:
        return windows, total
    spans = [h.span for h in hits]
    chosen = [i for i, w in enumerate(windows) if any(sp in w for sp in spans)]
    chosen += [i for i, w in enumerate(windows) if _RISKY.search(w)]
    chosen += list(range(total - 8, total)) + list(range(4))
    order = list(dict.fromkeys(chosen))[:MAX_WINDOWS]
    return [windows[i] for i in sorted(order)], total


def _describe(h: Hit) -> str:
    cat = h.category or "distress"
    s = f"lexicon: '{h.span}' ({h.lang}, {cat})"
    if h.notes:
        s += " -> " + h.level + ": " + "; ".join(h.notes)
    return s


def _lexicon_level(hits: Sequence[Hit]) -> tuple[Level, list[str], list[str]]:
    """Level, categories and evidence from the lexicon hits of one text."""
    evidence = [_describe(h) for h in hits]
    crisis = [h for h in hits if h.level == "crisis"]
    if crisis:
        cats = list(dict.fromkeys(h.category for h in crisis if h.category))
        return "crisis", cats, evidence
    ideation = {h.rule for h in hits if "ideation" in h.flags and not h.notes}
    if len(ideation) >= 2:
        evidence.append("lexicon: several signs of suicidal thinking together")
        return "crisis", ["suicidal_ideation"], evidence
    if hits:
        cats = list(dict.fromkeys(h.category for h in hits if h.category))
        return "concern", cats, evidence
    return "none", [], evidence


def _match_all(n: Normalized) -> LexiconResult:
    lex = match(n.text)
    if n.alt is None:
        return lex
    other = match(n.alt)
    seen = {(h.rule, h.span) for h in lex.hits}
    extra = tuple(h for h in other.hits if (h.rule, h.span) not in seen)
    return LexiconResult(
        hits=lex.hits + extra,
        retraction=lex.retraction or other.retraction,
        friend_disguise=lex.friend_disguise or other.friend_disguise,
        denial=lex.denial or other.denial,
        idioms=lex.idioms + other.idioms,
    )


def _unreadable(n: Normalized) -> str | None:
    """Why a message cannot be assessed, or None when it can."""
    stripped = n.original.strip()
    if not stripped:
        return "empty message: nothing to assess"
    if n.letters == 0:
        if n.emoji:
            return "emoji only: no words to assess"
        return "no letters: nothing to assess (numbers, symbols or control characters only)"
    return None


def _junk(n: Normalized) -> bool:
    visible = max(1, len(n.original))
    return len(n.original) > 20 and (n.control / visible > 0.1 or n.letters / visible < 0.2)


def assess(
    text: str,
    history: Sequence[str] = (),
    language: str | None = None,
    *,
    settings: SafetySettings | None = None,
    scorer: SemanticScorer | None = None,
    judge: SafetyJudge | None = None,
) -> SafetyAssessment:
    """Assess one user message for crisis risk.

    Args:
        text: The message, typed or transcribed.
        history: The user's earlier messages in this conversation, oldest first (the last
            ``settings.context_turns`` are used).
        language: Language code if known; detected otherwise.
        settings: Layers and limits (``SafetySettings()`` by default).
        scorer: The semantic scorer (the shared ``use-m3`` one by default).
        judge: A chat-model judge for the ``concern`` band (used only if given).

    Returns:
        The assessment.

    Raises:
        InvalidOption: ``text`` is not a string (decode bytes first).
        InputTooLong: ``text`` is longer than ``settings.max_chars``.

    Example:
        >>> from emotool.safety import assess
        >>> assess("sometimes I wish I could just not wake up").level
        'crisis'
    """
    t0 = time.perf_counter()
    settings = settings or SafetySettings()
    if not isinstance(text, str):
        raise InvalidOption(
            f"assess() takes the message as str, got {type(text).__name__}; decode bytes first, "
            "e.g. data.decode('utf-8', errors='replace')"
        )
    if len(text) > settings.max_chars:
        raise InputTooLong(
            f"the message is {len(text):,} characters, over the limit of {settings.max_chars:,} "
            "(SafetySettings.max_chars); assess it in parts (e.g. by paragraph) or raise the limit"
        )
    history = (
        [h for h in history if isinstance(h, str)][-settings.context_turns :]
        if settings.context_turns
        else []
    )
    layers_on = set(settings.layers)
    n = normalize(text)
    lang = language or detect_language(n.text, n.scripts)
    reason = _unreadable(n)
    if reason is not None:
        return SafetyAssessment(level="none", language=lang, reason=reason, ms=_ms(t0))

    evidence: list[str] = [f"normalised: {note}" for note in n.notes]
    fired: list[str] = []
    lex = _match_all(n) if "lexicon" in layers_on else LexiconResult(hits=())
    level, cats, lex_evidence = _lexicon_level(lex.hits)
    evidence += lex_evidence
    if lex.hits:
        fired.append("lexicon")
    if lex.denial:
        evidence.append("lexicon: the message denies (negated) wanting to die or to hurt themselves")

    junk = _junk(n)
    if junk:
        reason = "mostly non-text characters (binary data?); only the readable words were checked"
    sem_score: float | None = None
    cls_score: float | None = None
    n_windows = 0
    if ("semantic" in layers_on or "classifier" in layers_on) and not junk:
        windows, total = _windows(n.text, lex.hits)
        n_windows = len(windows)
        if total > len(windows):
            evidence.append(
                f"long text: the semantic layer read {len(windows)} of {total} windows (those with risk "
                "words, the first and the last); the lexicon read all of it"
            )
        scorer = scorer or _default_scorer(settings)
        vectors, scores = scorer.embed_and_score(windows)
        best = max(scores, key=lambda s: (s.crisis, s.margin))
        cap: Level = "concern" if capped(lex) else "crisis"
    if "semantic" in layers_on and not junk:
        assert scorer is not None
        sem_score = round(best.crisis, 3)
        sem_level = scorer.level(best)
        if sem_level != "none":
            fired.append("semantic")
            evidence.append(
                f"semantic: {best.crisis:.2f} similar to crisis examples (nearest: '{best.nearest}'), "
                f"margin {best.margin:+.2f} over look-alikes"
            )
        sem_level_capped: Level = sem_level if _RANK[sem_level] <= _RANK[cap] else cap  # type: ignore[assignment]
        if _RANK[sem_level_capped] > _RANK[level]:
            level = sem_level_capped
            if best.category not in cats:
                cats.append(best.category)
        elif level == "concern" and cap == "crisis" and _ideation_boost(lex.hits, best, scorer):
            level = "crisis"
            evidence.append("lexicon and semantic layer agree on signs of suicidal thinking")
            if "suicidal_ideation" not in cats:
                cats.append("suicidal_ideation")
    if "classifier" in layers_on and not junk:
        assert scorer is not None
        level, cls_score = _apply_classifier(level, cats, lex, vectors, scores, scorer, cap, evidence, fired)
    if "context" in layers_on and history:
        level, cats = _apply_context(level, cats, lex, history, settings, scorer, evidence, fired)
    if lex.retraction and level == "crisis":
        evidence.append("a retraction ('jk', 'just kidding'...) after a disclosure does not cancel it")
    if judge is not None and level == "concern":
        verdict = judge.judge(text, history, settings=settings)
        if verdict is not None:
            fired.append("judge")
            evidence.append(f"judge: {verdict.level} ({verdict.reason})")
            if verdict.level == "crisis" or (verdict.level == "none" and settings.judge_may_clear):
                level = verdict.level
                if level == "crisis" and not cats:
                    cats.append("suicidal_ideation")
    if level == "none":
        cats = []
    return SafetyAssessment(
        level=level,
        categories=[c for c in cats if c],
        evidence=evidence,
        layers=list(dict.fromkeys(fired)),
        language=lang,
        reason=reason,
        semantic_score=sem_score,
        classifier_score=cls_score,
        windows=n_windows,
        ms=_ms(t0),
    )


def _apply_classifier(
    level: Level,
    cats: list[str],
    lex: LexiconResult,
    vectors: np.ndarray,
    scores: Sequence[SemanticScore],
    scorer: SemanticScorer,
    cap: Level,
    evidence: list[str],
    fired: list[str],
) -> tuple[Level, float | None]:
    """The learned classifier's reading (the most worrying window); it can only raise the level,
    and not past ``cap`` (a negation, idiom, denial or third party the lexicon found keeps it at concern)."""
    from .head import load_head, signals

    head = load_head(scorer.encoder_name)
    if head is None or vectors.ndim != 2 or vectors.shape[1] != head.train.shape[1]:
        return level, None
    probs = head.probability(vectors, signals(lex), [s.crisis for s in scores], [s.other for s in scores])
    i = int(np.argmax(probs))
    p = float(probs[i])
    cls_level: Level = head.level(p)  # type: ignore[assignment]
    if cls_level == "none":
        return level, round(p, 3)
    fired.append("classifier")
    evidence.append(
        f"classifier: {p:.2f} probability of a crisis (crisis from {head.crisis_threshold:.2f}, "
        f"concern from {head.concern_threshold:.2f}; nearest crisis example: '{scores[i].nearest}')"
    )
    if level == "none":
        # alone, the classifier is a reason to check in, not to take over: it reads the sentence's
        # overall feel and confuses ordinary frustration ("I keep deleting every line") with
        # farewells; a crisis needs a second layer (lexicon, semantic or context) to agree
        cap = "concern"
        evidence.append("classifier: no other layer agrees, so at most a concern")
    capped: Level = cls_level if _RANK[cls_level] <= _RANK[cap] else cap
    if _RANK[capped] > _RANK[level]:
        if capped == "crisis" and scores[i].category not in cats:
            cats.append(scores[i].category)
        return capped, round(p, 3)
    return level, round(p, 3)


def _ideation_boost(hits: Sequence[Hit], best: SemanticScore, scorer: SemanticScorer) -> bool:
    """A lexicon concern about suicidal thinking plus a semantic concern make a crisis."""
    ideation = any("ideation" in h.flags or h.category == "suicidal_ideation" for h in hits)
    return ideation and scorer.level(best) == "concern"


def _history_levels(
    history: Sequence[str], settings: SafetySettings, scorer: SemanticScorer | None
) -> list[tuple[str, Level]]:
    out: list[tuple[str, Level]] = []
    for h in history:
        a = assess(
            h,
            settings=settings.model_copy(
                update={"layers": tuple(x for x in settings.layers if x != "context")}
            ),
            scorer=scorer,
        )
        out.append((h, a.level))
    return out


def _apply_context(
    level: Level,
    cats: list[str],
    lex: LexiconResult,
    history: Sequence[str],
    settings: SafetySettings,
    scorer: SemanticScorer | None,
    evidence: list[str],
    fired: list[str],
) -> tuple[Level, list[str]]:
    """Earlier messages that showed risk make a decision, a farewell, a method question or a
    retraction in this one a crisis."""
    if level == "crisis":
        return level, cats
    past = _history_levels(history, settings, scorer)
    risky = [(h, lv) for h, lv in past if lv != "none"]
    if not risky:
        return level, cats
    crisis_before = any(lv == "crisis" for _, lv in risky)
    cue = any("final" in h.flags or "method" in h.flags for h in lex.hits)
    quote = risky[-1][0] if len(risky[-1][0]) <= 80 else risky[-1][0][:77] + "..."
    if (
        cue
        or (lex.retraction and crisis_before)
        or (level == "concern" and (crisis_before or len(risky) >= 2))
    ):
        evidence.append(f"context: earlier messages showed risk ('{quote}' -> {risky[-1][1]})")
        fired.append("context")
        if "suicidal_ideation" not in cats:
            cats.append("suicidal_ideation")
        return "crisis", cats
    if level == "none" and crisis_before:
        evidence.append(f"context: risk shown earlier in the conversation is not resolved ('{quote}')")
        fired.append("context")
        return "concern", cats
    return level, cats


def _default_scorer(settings: SafetySettings) -> SemanticScorer:
    from .semantic import get_scorer

    return get_scorer(settings.encoder)


def _ms(t0: float) -> float:
    return round((time.perf_counter() - t0) * 1000, 3)
