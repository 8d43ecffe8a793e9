"""Shaping the model's reply: what a small model adds that a person should never see.

:func:`shape_reply` cleans a reply the same way whether it arrives whole or
token by token: chat-template tokens and role prefixes go, a turn the model
starts writing for the user is cut off, recited numbers, percentages and
reading jargon are dropped, and the reply is cut to the spec's sentence and
question limits. :class:`SentenceStream` applies it to a growing text and
releases whole sentences only, so what is streamed to the person is exactly
the reply that is stored. :func:`should_stop` tells the model wrapper when the
reply is long enough, so a small model that rambles is stopped early rather
than waited for.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

#: Chat-template and end-of-text tokens that small models print as text; the reply ends at any of them.
_END_TOKENS = re.compile(
    r"<\|im_end\|>|<\|im_start\|>|<\|endoftext\|>|<\|eot_id\|>|<\|end\|>|<\|user\|>|<\|assistant\|>|"
    r"<\|system\|>|<\|start_header_id\|>|</s>|<end_of_turn>|<start_of_turn>|\[INST\]|\[/INST\]"
)
_OTHER_TOKENS = re.compile(r"<\|[a-z_]{2,30}\|>|<s>")
_THINK = re.compile(r"<think>.*?(</think>|$)", re.DOTALL | re.IGNORECASE)
#: A line where the model starts writing another turn ("User: ...", "Human: ...").
_NEXT_TURN = re.compile(
    r"(^|\n)\s*(user|human|person|you|client|patient|system|observations?|data)\s*:", re.IGNORECASE
)
_ROLE_PREFIX = re.compile(r"^\s*(assistant|ai|bot|companion|support|response|reply|answer)\s*:\s*", re.I)
_MARKDOWN = re.compile(r"(\*\*|__|^#+\s*|^\s*[-*•]\s+|^\s*\d+[.)]\s+)", re.MULTILINE)
#: A parenthetical holding a figure or reading jargon: "(72%)", "(moderate confidence)".
_RECITED_PAREN = re.compile(
    r"\s*\((?=[^()]*(\d|confidence|valence|arousal|score|label|probab))[^()]*\)", re.IGNORECASE
)
#: What a sentence may not contain: percentages, decimals, reading jargon.
_RECITED = re.compile(
    r"\d+(\.\d+)?\s*(%|percent|per cent)|\b\d*\.\d{2,}\b|"
    r"\b(confidence|valence|arousal|probabilit\w*|emotion label|label(l)?ed|score[sd]?)\b|"
    r"\b(happiness|sadness|neutral|disgust|surprise|fear|anger)\s*[:=(]",
    re.IGNORECASE,
)
#: Talking about the person instead of to them, or narrating the reply ("The feeling I hear is ...").
_THIRD_PERSON = re.compile(
    r"^(the (person|user|client|patient)\b|the feeling i (hear|notice|see) is\b|they (sounded|seemed|"
    r"remembered|said that|mentioned that)\b)",
    re.IGNORECASE,
)
#: The assistant claiming to be human (it is an AI, and says so).
_HUMAN_CLAIM = re.compile(
    r"\b(i am|i'm|im)\s+(a\s+)?(real\s+)?(human|person|not an ai|not a bot|not a machine)\b",
    re.IGNORECASE,
)
_NEGATED_CLAIM = re.compile(r"\b(not|never|n't)\s+(a\s+)?(real\s+)?(human|person)\b", re.IGNORECASE)
#: A question about what the assistant is ("are you a real person?", "is this a bot?").
ASKS_IF_AI = re.compile(
    r"\b(are|r)\s+(you|u)\b[^.?!]{0,30}\b(real|human|person|bot|ai|robot|machine|computer)\b|"
    r"\b(is this|am i talking to)\b[^.?!]{0,30}\b(bot|ai|robot|machine|computer|real person|human)\b",
    re.IGNORECASE,
)
#: Diagnosing the person: naming a condition as something they have.
_DIAGNOSIS = re.compile(
    r"\b(you|you've|you're|you are|you have|you may have|you might have|you probably have|sounds like you"
    r" have|you seem to have|you're suffering from|you are suffering from)\b[^.?!]{0,40}\b(depression|"
    r"depressed|adhd|ptsd|bipolar|disorder|ocd|schizo\w*|borderline|autis\w*|anorexi\w*|"
    r"bulimi\w*|insomnia)\b",
    re.IGNORECASE,
)
#: The end of a sentence: its punctuation, closing quotes or brackets, then a space ("0.72" is no end).
_BOUNDARY = re.compile(r"[.!?…]+[\"'”’)]*(?=\s)")
_QUESTION_START = re.compile(
    r"^(do|did|does|how|what|would|are|is|was|were|can|could|will|when|why|where|who|have|has|shall|may)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ReplyRules:
    """The limits a reply is cut to (from the agent spec's ``reply`` section)."""

    max_sentences: int = 4
    max_questions: int = 1
    #: The longest reply in characters (a model that writes without punctuation is cut here).
    max_chars: int = 900


@dataclass
class Shaped:
    """A shaped reply: the kept sentences and what was dropped, and why."""

    sentences: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    ended: bool = False  # the model started another turn or printed an end token: nothing more counts
    raw_sentences: int = 0

    @property
    def text(self) -> str:
        """The reply as one string."""
        return " ".join(self.sentences)


def _cut_at_end(raw: str) -> tuple[str, bool]:
    text = _THINK.sub("", raw)
    ended = False
    m = _END_TOKENS.search(text)
    if m:
        text, ended = text[: m.start()], True
    text = _OTHER_TOKENS.sub("", text)
    text = _ROLE_PREFIX.sub("", text.lstrip())
    m = _NEXT_TURN.search(text)
    if m and m.start() > 0:
        text, ended = text[: m.start()], True
    elif m:  # the reply itself starts like "User: ..." — keep what follows the label
        text = text[m.end() :]
    return text, ended


def _split(text: str, *, final: bool) -> tuple[list[str], str]:
    """Complete sentences, and the unfinished rest.

    A full stop ends a sentence only when a space follows it ("0.72" and, while the text is
    still growing, "It was 3." are no ends); at the end of a final text it ends one too.
    """
    text = _MARKDOWN.sub(" ", text)
    text = re.sub(r"\s+", " ", text).strip()
    if final:
        text += " "
    parts: list[str] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        part = text[start : m.end()].strip()
        if part:
            parts.append(part)
        start = m.end()
    return parts, text[start:].strip()


_WORDS = re.compile(r"[a-z0-9']+")


def _example_topics() -> frozenset[str]:
    """The example exchanges' story words (a sentence with one the person did not say is a leak)."""
    from .prompt import example_topics

    try:
        return example_topics()
    except Exception:  # a user's own examples template without topics, or none at all
        return frozenset()


def _is_echo(sentence: str, sources: Sequence[set[str]], share: float, min_words: int = 4) -> bool:
    """Whether a sentence only repeats one of ``sources`` (word sets) back: the person's message
    ("I feel like nobody listens"), or an example exchange a small model copies."""
    words = _WORDS.findall(sentence.lower())
    if len(words) < min_words:
        return False
    return any(sum(w in src for w in words) / len(words) >= share for src in sources if src)


def _clean_sentence(s: str) -> str | None:
    """The sentence with recited figures removed, or None when it must be dropped."""
    s = _RECITED_PAREN.sub("", s).strip()
    s = re.sub(r"\s+([,.!?])", r"\1", s)
    if not s or not re.search(r"\w", s):
        return None
    if _RECITED.search(s) or _DIAGNOSIS.search(s) or _THIRD_PERSON.search(s):
        return None
    if _HUMAN_CLAIM.search(s) and not _NEGATED_CLAIM.search(s):
        return None
    return s


def shape_reply(
    raw: str,
    rules: ReplyRules,
    *,
    final: bool = True,
    truncated: bool = False,
    echo_of: str | Sequence[str] = "",
    copies_of: Sequence[str] = (),
) -> Shaped:
    """Clean and cut a model's reply.

    Args:
        raw: The model's text so far.
        rules: The limits.
        final: The text is complete. An unfinished last sentence is then kept (with a full stop
            added), unless ``truncated`` and whole sentences came before it.
        truncated: The model was stopped by its token limit, so the last sentence may be half.
        echo_of: The person's message first (then other texts): a sentence made of its words is
            dropped; so is one with a story word of the example exchanges the message does not say.
        copies_of: Texts a sentence may not copy nearly word for word (the example replies).

    Returns:
        The kept sentences (in order) and the dropped ones.
    """
    text, ended = _cut_at_end(raw[: rules.max_chars * 2])
    done, rest = _split(text, final=final or ended)
    out = Shaped(ended=ended, raw_sentences=len(done))
    if (final or ended) and rest:
        if truncated and done:
            out.dropped.append(rest)
        else:
            rest = rest.rstrip(",;:- ")
            done.append(rest + ("?" if _QUESTION_START.match(rest) else "."))
    questions = 0
    total = 0
    echoes = [set(_WORDS.findall(t.lower())) for t in ([echo_of] if isinstance(echo_of, str) else echo_of)]
    copies = [set(_WORDS.findall(t.lower())) for t in copies_of]
    leaks = _example_topics() - (echoes[0] if echoes else set())
    for s in done:
        total += len(s) + 1
        cleaned = _clean_sentence(s)
        if (
            cleaned is None
            or _is_echo(cleaned, echoes, 0.8)
            or _is_echo(cleaned, copies, 0.9, 7)
            or (leaks and not leaks.isdisjoint(_WORDS.findall(cleaned.lower())))
        ):
            out.dropped.append(s)
            continue
        if cleaned.rstrip("\"'”’)").endswith("?"):
            if questions >= rules.max_questions:
                out.dropped.append(s)
                continue
            questions += 1
        if len(out.sentences) >= rules.max_sentences or total > rules.max_chars:
            out.dropped.append(s)
            continue
        out.sentences.append(cleaned)
    return out


def should_stop(
    raw: str, rules: ReplyRules, echo_of: str | Sequence[str] = "", copies_of: Sequence[str] = ()
) -> bool:
    """Whether the model may stop: the reply is full, or it started another turn."""
    if len(raw) > rules.max_chars * 2:
        return True
    shaped = shape_reply(raw, rules, final=False, echo_of=echo_of, copies_of=copies_of)
    if shaped.ended:
        return True
    return len(shaped.sentences) >= rules.max_sentences or shaped.raw_sentences >= 2 * rules.max_sentences + 2


class SentenceStream:
    """Releases a growing reply sentence by sentence, each exactly as the final reply will have it.

    Feed it the model's text as it arrives; :meth:`feed` returns the new text to show (whole
    sentences only). At the end, :meth:`finish` returns what is left, given the final reply.
    """

    def __init__(
        self, rules: ReplyRules, echo_of: str | Sequence[str] = "", copies_of: Sequence[str] = ()
    ) -> None:
        self.rules = rules
        self.echo_of = echo_of
        self.copies_of = copies_of
        self.raw = ""
        self.emitted = ""
        self._released = 0

    def feed(self, piece: str) -> str:
        """Add a piece of model text; returns the text newly released (may be empty)."""
        self.raw += piece
        shaped = shape_reply(
            self.raw, self.rules, final=False, echo_of=self.echo_of, copies_of=self.copies_of
        )
        new = shaped.sentences[self._released :]
        if not new:
            return ""
        self._released = len(shaped.sentences)
        out = " ".join(new)
        if self.emitted:
            out = " " + out
        self.emitted += out
        return out

    def finish(self, final_reply: str) -> tuple[str, bool]:
        """The rest to show, and whether the final reply continues what was shown.

        Returns:
            ``(rest, consistent)``: when ``consistent`` is False the shown text was superseded
            (the policy replaced the reply) and ``rest`` is the whole final reply.
        """
        if final_reply.startswith(self.emitted):
            rest = final_reply[len(self.emitted) :]
            self.emitted = final_reply
            return rest, True
        self.emitted = final_reply
        return final_reply, False


def message_text(content: Any) -> str:
    """The text of a message's content (a string or a list of content blocks)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = (
            p if isinstance(p, str) else p.get("text", "") if isinstance(p, dict) else "" for p in content
        )
        return "".join(str(p) for p in parts)
    return str(content or "")


def iter_sentences(text: str) -> Iterator[str]:
    """The sentences of a text (for tests and the CLI)."""
    done, rest = _split(text, final=True)
    yield from done
    if rest:
        yield rest
