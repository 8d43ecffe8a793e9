"""Turn a vision-language model's text into a validated answer.

Models wrap JSON in Markdown fences, think aloud first (``<think>...</think>``),
use Python literals, leave trailing commas, stop mid-object, answer "Happy"
when the option was "happiness", give percentages instead of probabilities, or
refuse. :func:`parse_answer` repairs what can be repaired honestly (each repair
is noted), validates the rest against the task, and raises :class:`ParseFailure`
with a reason that can be sent back to the model for one retry.
:func:`fallback_answer` then gives a low-confidence answer that says why, and
whose ``answer`` is still one of the allowed options.
"""

from __future__ import annotations

import ast
import json
import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ..labels import EMOTIONS, Emotion, canonical
from ..prompting import CHOICE_TASKS, TASKS, YES_NO_TASKS
from ..schema import EmotionScores

YES_NO = ["yes", "no"]


class ParseFailure(ValueError):
    """The model's output could not be turned into a valid answer; ``reason`` says why."""

    def __init__(self, reason: str, raw: str = "") -> None:
        self.reason, self.raw = reason, raw
        super().__init__(reason)


class ModelCue(BaseModel):
    """One observation the model made, tied to the picture it saw it in (1-based)."""

    model_config = ConfigDict(extra="forbid")

    view: int | None = Field(default=None, description="1-based number of the picture, if given.")
    observation: str


class ModelAnswer(BaseModel):
    """A model's answer after repair and validation."""

    model_config = ConfigDict(extra="forbid")

    task: str
    answer: str
    options: list[str] = Field(default_factory=list)
    reasoning: str
    cues: list[ModelCue] = Field(default_factory=list)
    emotion: Emotion
    scores: EmotionScores
    confidence: float = Field(ge=0, le=1)
    valence: float | None = Field(default=None, ge=-1, le=1)
    arousal: float | None = Field(default=None, ge=0, le=1)
    open_label: str | None = None
    description: str | None = None
    valid: bool = True
    notes: list[str] = Field(default_factory=list, description="Repairs applied, or why this is a fallback.")


# --------------------------------------------------------------------------- schema


def task_options(task: str, options: list[str] | None) -> list[str]:
    """The allowed answers of a task: yes/no, the given options, the seven emotions, or none."""
    if task not in TASKS:
        raise ValueError(f"unknown task {task!r}; choose one of: {', '.join(TASKS)}")
    if task in YES_NO_TASKS:
        return list(YES_NO)
    if task == "close_set":
        return list(options) if options else list(EMOTIONS)
    if task == "intent":
        if not options:
            raise ValueError("the intent task needs options (the intents to choose from)")
        return list(options)
    return []


def answer_schema(task: str, options: list[str] | None = None) -> dict[str, Any]:
    """The exact JSON schema of the answer to ``task`` (strict: every field required, no others)."""
    opts = task_options(task, options)
    num = {"type": "number", "minimum": 0, "maximum": 1}
    props: dict[str, Any] = {
        "reasoning": {
            "type": "string",
            "description": "Step by step: face, then body and scene, then conflicting cues, then decide.",
        },
        "cues": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "view": {"type": "integer", "description": "1-based number of the picture."},
                    "observation": {"type": "string"},
                },
                "required": ["view", "observation"],
                "additionalProperties": False,
            },
        },
    }
    if task in CHOICE_TASKS:
        props["answer"] = {"type": "string", "enum": opts}
    elif task == "open_set":
        props["answer"] = {"type": "string", "description": "The emotion in your own words."}
    elif task == "valence_arousal":
        props["valence"] = {"type": "number", "minimum": -1, "maximum": 1}
        props["arousal"] = dict(num)
    elif task == "describe":
        props["description"] = {"type": "string"}
    props["emotion"] = {"type": "string", "enum": list(EMOTIONS)}
    props["scores"] = {
        "type": "object",
        "properties": {e: dict(num) for e in EMOTIONS},
        "required": list(EMOTIONS),
        "additionalProperties": False,
    }
    props["confidence"] = dict(num)
    return {
        "type": "object",
        "properties": props,
        "required": list(props),
        "additionalProperties": False,
    }


# --------------------------------------------------------------------------- JSON extraction

_THINK = re.compile(r"<think>(.*?)(?:</think>|$)", re.S | re.I)
_FENCE = re.compile(r"```(?:json|JSON)?\s*(.*?)(?:```|$)", re.S)
_REFUSAL = re.compile(
    r"\b(I'?m sorry|I am sorry|I can(?:not|'t|’t) (?:help|assist|comply|do that|provide|analy[sz]e|identify)"
    r"|I won'?t|I'?m (?:not able|unable) to|I am (?:not able|unable) to|as an AI)",
    re.I,
)


def is_refusal(text: str) -> bool:
    """Whether ``text`` reads as a refusal rather than an answer (no JSON object in it)."""
    return "{" not in text and bool(_REFUSAL.search(text))


def _balanced_objects(text: str) -> list[str]:
    """Every top-level ``{...}`` span, string-aware; an unterminated last one is closed."""
    found: list[str] = []
    depth, start, in_str, esc = 0, -1, False, False
    stack: list[str] = []
    for i, ch in enumerate(text):
        if in_str:
            if esc:
                esc = False
            elif ch == "\\":
                esc = True
            elif ch == '"':
                in_str = False
            continue
        if ch == '"' and depth > 0:
            in_str = True
        elif ch in "{[":
            if depth == 0 and ch == "{":
                start = i
            if depth > 0 or ch == "{":
                depth += 1
                stack.append("}" if ch == "{" else "]")
        elif ch in "}]" and depth > 0:
            depth -= 1
            stack.pop()
            if depth == 0:
                found.append(text[start : i + 1])
    if depth > 0 and start >= 0:  # cut off mid-object: close what is open
        tail = text[start:].rstrip().rstrip(",")
        if in_str:
            tail += '"'
        found.append(tail + "".join(reversed(stack)))
    return found


def _loads_repaired(candidate: str) -> tuple[Any, list[str]]:
    try:
        return json.loads(candidate), []
    except json.JSONDecodeError:
        pass
    notes = []
    fixed = candidate.replace("“", '"').replace("”", '"').replace("’", "'")
    fixed = re.sub(r"//[^\n\"]*$", "", fixed, flags=re.M)
    fixed2 = re.sub(r",\s*([}\]])", r"\1", fixed)
    if fixed2 != fixed:
        notes.append("removed trailing commas")
    fixed = re.sub(r"\bTrue\b", "true", fixed2)
    fixed = re.sub(r"\bFalse\b", "false", fixed)
    fixed = re.sub(r"\bNone\b", "null", fixed)
    try:
        return json.loads(fixed), [*notes, "repaired JSON syntax"]
    except json.JSONDecodeError:
        pass
    try:  # single quotes, Python literals
        value = ast.literal_eval(fixed2)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        raise ParseFailure("the output holds a JSON object that is not valid JSON") from None
    return value, [*notes, "read a Python-style object as JSON"]


def extract_json(text: str) -> tuple[dict[str, Any], str | None, list[str]]:
    """Find the answer object in a model's text.

    Returns:
        ``(object, think_text_or_None, repair_notes)``.

    Raises:
        ParseFailure: No JSON object could be found or repaired.
    """
    notes: list[str] = []
    think = None
    m = _THINK.search(text)
    if m:
        think = m.group(1).strip() or None
        text = _THINK.sub("", text)
    body = text.strip()
    fence = _FENCE.search(body)
    if fence and "{" in fence.group(1):
        body = fence.group(1)
    if not body:
        raise ParseFailure("the output is empty")
    candidates = _balanced_objects(body)
    if not candidates:
        raise ParseFailure("the output holds no JSON object")
    last_error = "the output holds no JSON object"
    # prefer the last complete object (models sometimes echo an example first)
    for cand in reversed(candidates):
        try:
            value, fixes = _loads_repaired(cand)
        except ParseFailure as exc:
            last_error = exc.reason
            continue
        if isinstance(value, dict):
            if cand is candidates[-1] and not body.rstrip().endswith(("}", "`")):
                fixes = [*fixes, "closed a JSON object that was cut off"]
            return value, think, notes + fixes
        last_error = "the JSON value is not an object"
    raise ParseFailure(last_error)


# --------------------------------------------------------------------------- validation


def _number(value: Any, field: str, notes: list[str], *, lo: float, hi: float) -> float:
    if isinstance(value, str):
        s = value.strip().rstrip("%")
        try:
            x = float(s)
        except ValueError:
            raise ParseFailure(f"{field} is {value!r}, not a number") from None
        if value.strip().endswith("%"):
            x /= 100
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        x = float(value)
    else:
        raise ParseFailure(f"{field} is {value!r}, not a number")
    if x != x:  # NaN
        raise ParseFailure(f"{field} is not a number")
    if hi == 1 and lo >= 0 and 2 <= x <= 100:
        notes.append(f"{field} read as a percentage")
        x /= 100
    if x < lo or x > hi:
        notes.append(f"{field} {x:g} clipped to [{lo:g}, {hi:g}]")
        x = min(hi, max(lo, x))
    return x


def _norm(s: str) -> str:
    return re.sub(r"[^a-z0-9 ]+", "", s.lower()).strip()


def match_option(value: Any, options: list[str]) -> str | None:
    """The option ``value`` names (exactly, ignoring case/punctuation, or as an emotion synonym)."""
    if isinstance(value, bool) and options == YES_NO:
        return "yes" if value else "no"
    if not isinstance(value, str):
        return None
    if value in options:
        return value
    key = _norm(value)
    by_norm = {_norm(o): o for o in options}
    if key in by_norm:
        return by_norm[key]
    if options == YES_NO:
        if key in {"true", "y", "yes it is", "yes it does"}:
            return "yes"
        if key in {"false", "n", "no it is not", "no it does not"}:
            return "no"
        first = key.split(" ", 1)[0] if key else ""
        return first if first in YES_NO else None
    try:
        emo = canonical(key)
    except ValueError:
        return None
    for o in options:
        try:
            if canonical(o) == emo:
                return o
        except ValueError:
            continue
    return None


def _canonical_or_none(value: Any) -> Emotion | None:
    """The basic emotion a label names: the whole label, else its last known word ("very happy")."""
    if not isinstance(value, str):
        return None
    try:
        return canonical(value)
    except ValueError:
        pass
    words = re.findall(r"[a-z]+", value.lower())
    if {"not", "never", "no", "hardly", "barely"} & set(words):
        return None  # a negated label names no emotion reliably
    for word in reversed(words):
        try:
            return canonical(word)
        except ValueError:
            continue
    return None


def _scores(
    raw: Any, emotion: Emotion | None, confidence: float | None, notes: list[str]
) -> EmotionScores | None:
    if isinstance(raw, dict) and raw:
        vals = dict.fromkeys(EMOTIONS, 0.0)
        for k, v in raw.items():
            emo = _canonical_or_none(k)
            if emo is None:
                notes.append(f"ignored score for unknown emotion {k!r}")
                continue
            vals[emo] += _number(v, f"score of {k}", [], lo=0, hi=float("inf"))
        total = sum(vals.values())
        if total > 0:
            if abs(total - 1) > 0.02:
                notes.append(f"scores summed to {total:g}; normalised")
            return EmotionScores.from_probs([vals[e] for e in EMOTIONS])
    if emotion is None:
        return None
    p = 0.6 if confidence is None else max(1 / len(EMOTIONS), confidence)
    notes.append("no usable scores; built from the emotion and confidence")
    probs = [p if e == emotion else (1 - p) / (len(EMOTIONS) - 1) for e in EMOTIONS]
    return EmotionScores.from_probs(probs)


def _cues(raw: Any, notes: list[str]) -> list[ModelCue]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raw = [raw]
    out = []
    for item in raw:
        if isinstance(item, str) and item.strip():
            out.append(ModelCue(observation=item.strip()))
        elif isinstance(item, dict):
            text = item.get("observation") or item.get("text") or item.get("cue") or item.get("description")
            view = item.get("view", item.get("picture", item.get("image")))
            if not isinstance(text, str) or not text.strip():
                continue
            try:
                v = int(view) if view is not None and not isinstance(view, bool) else None
            except (TypeError, ValueError):
                v = None
            out.append(ModelCue(view=v, observation=text.strip()))
    if len(out) < len(raw):
        notes.append(f"dropped {len(raw) - len(out)} unusable cue(s)")
    return out


def validate_answer(
    obj: dict[str, Any],
    task: str,
    options: list[str] | None = None,
    *,
    think: str | None = None,
    notes: list[str] | None = None,
) -> ModelAnswer:
    """Validate and normalise a decoded answer object for ``task``.

    Raises:
        ParseFailure: A required part is missing or not allowed; ``reason`` says which.
    """
    notes = list(notes or [])
    opts = task_options(task, options)
    obj = {str(k).strip().lower(): v for k, v in obj.items()}
    reasoning = obj.get("reasoning") or obj.get("rationale") or obj.get("explanation") or think
    if not isinstance(reasoning, str) or not reasoning.strip():
        raise ParseFailure('"reasoning" is missing or empty')
    if think and obj.get("reasoning"):
        reasoning = f"{think.strip()}\n{reasoning.strip()}"
    conf_raw = obj.get("confidence")
    confidence = None if conf_raw is None else _number(conf_raw, "confidence", notes, lo=0, hi=1)

    answer: str
    open_label = description = None
    valence = arousal = None
    if task in CHOICE_TASKS:
        if "answer" not in obj:
            raise ParseFailure(f'"answer" is missing; it must be one of: {", ".join(opts)}')
        picked = match_option(obj["answer"], opts)
        if picked is None:
            raise ParseFailure(f'"answer" is {obj["answer"]!r}, which is not one of: {", ".join(opts)}')
        if picked != obj["answer"]:
            notes.append(f"answer {obj['answer']!r} matched to option {picked!r}")
        answer = picked
    elif task == "open_set":
        raw = obj.get("answer")
        if not isinstance(raw, str) or not raw.strip():
            raise ParseFailure('"answer" (the emotion in your own words) is missing')
        answer = open_label = raw.strip()
    elif task == "valence_arousal":
        if "valence" not in obj or "arousal" not in obj:
            raise ParseFailure('"valence" and "arousal" are both required')
        valence = _number(obj["valence"], "valence", notes, lo=-1, hi=1)
        arousal = _number(obj["arousal"], "arousal", notes, lo=0, hi=1)
        answer = f"valence {valence:+.2f}, arousal {arousal:.2f}"
    else:  # describe
        raw = obj.get("description") or obj.get("answer")
        if not isinstance(raw, str) or not raw.strip():
            raise ParseFailure('"description" is missing or empty')
        answer = description = raw.strip()

    emotion = _canonical_or_none(obj.get("emotion"))
    if obj.get("emotion") is not None and emotion is None:
        notes.append(f"emotion {obj.get('emotion')!r} is not a basic emotion")
    if task == "close_set" or (task == "open_set" and emotion is None):
        from_answer = _canonical_or_none(answer)
        if from_answer is not None and from_answer != emotion:
            if emotion is not None:
                notes.append(f"emotion {emotion} replaced by the answer's {from_answer}")
            emotion = from_answer
    scores = _scores(obj.get("scores"), emotion, confidence, notes)
    if emotion is None and scores is not None:
        emotion = scores.top()
        notes.append("emotion taken from the top score")
    if emotion is None or scores is None:
        raise ParseFailure('"emotion" (one of ' + ", ".join(EMOTIONS) + ') and "scores" are missing')
    if confidence is None:
        confidence = scores.as_dict()[emotion]
        notes.append("no confidence given; used the emotion's score")
    return ModelAnswer(
        task=task,
        answer=answer,
        options=opts,
        reasoning=reasoning.strip(),
        cues=_cues(obj.get("cues"), notes),
        emotion=emotion,
        scores=scores,
        confidence=round(confidence, 4),
        valence=valence,
        arousal=arousal,
        open_label=open_label,
        description=description,
        notes=notes,
    )


def parse_answer(text: str, task: str, options: list[str] | None = None) -> ModelAnswer:
    """Extract, repair and validate a model's answer to ``task``.

    Raises:
        ParseFailure: The output is a refusal, holds no usable JSON, or breaks the task's rules.
    """
    if not isinstance(text, str) or not text.strip():
        raise ParseFailure("the model returned no text", raw=text or "")
    if is_refusal(text):
        raise ParseFailure(f"the model declined to answer: {text.strip()[:200]!r}", raw=text)
    try:
        obj, think, notes = extract_json(text)
        return validate_answer(obj, task, options, think=think, notes=notes)
    except ParseFailure as exc:
        exc.raw = text
        raise


def _mentioned_option(text: str, options: list[str]) -> str | None:
    m = re.search(r'"?answer"?\s*[:=]\s*"?([^",}\n]+)', text, re.I)
    if m:
        hit = match_option(m.group(1).strip(), options)
        if hit:
            return hit
    hits = {o for o in options if re.search(rf"\b{re.escape(o)}\b", text, re.I)}
    return hits.pop() if len(hits) == 1 else None


def fallback_answer(
    task: str, options: list[str] | None, reason: str, *, raw: str = "", prior: EmotionScores | None = None
) -> ModelAnswer:
    """A low-confidence answer when the model's output could not be used.

    The answer is still one of the allowed options: an option the raw text names
    unambiguously, else the option matching ``prior``'s top emotion (e.g. the
    embedded classifier's scores), else "no" for yes/no tasks, else the first option.

    Args:
        task: The task.
        options: The task's options.
        reason: Why the model's output was not used; goes into the reasoning.
        raw: The model's text, searched for an option it names.
        prior: Scores to fall back on (from the embedded face classifier), if any.
    """
    opts = task_options(task, options)
    scores = prior or EmotionScores.from_probs([1.0] * len(EMOTIONS))
    emotion = scores.top()
    answer = ""
    how = ""
    if opts:
        hit = _mentioned_option(raw, opts) if raw else None
        if hit:
            answer, how = hit, "the option the output names"
        else:
            by_prior = match_option(emotion, opts) if prior is not None else None
            if by_prior:
                answer, how = by_prior, "the embedded classifier's label"
            elif opts == YES_NO:
                answer, how = "no", "the default 'no'"
            else:
                answer, how = opts[0], "the first option"
    elif task == "valence_arousal":
        v, a = scores.affect()
        answer, how = f"valence {v:+.2f}, arousal {a:.2f}", "the scores' affect"
    else:
        answer, how = emotion, "the top score"
    base = "the embedded face classifier's scores" if prior is not None else "uniform scores"
    reasoning = (
        f"The vision-language model's output could not be used ({reason}). "
        f"This is a fallback with no confidence: the answer is {how}, the scores are {base}."
    )
    v, a = scores.affect()
    return ModelAnswer(
        task=task,
        answer=answer,
        options=opts,
        reasoning=reasoning,
        emotion=emotion,
        scores=scores,
        confidence=0.0,
        valence=round(v, 4) if task == "valence_arousal" else None,
        arousal=round(a, 4) if task == "valence_arousal" else None,
        open_label=answer if task == "open_set" else None,
        description=reasoning if task == "describe" else None,
        valid=False,
        notes=[reason],
    )
