"""The model's messages for one turn, from the templates in ``prompts/agent/``.

Layout, chosen for a small local model on llama.cpp:

1. **System message**: the persona and style rules of the spec and the fixed
   reply rules (``agent/system``). It is identical on every turn of every
   session of that agent, so llama.cpp reuses its KV cache for it.
2. **Example exchanges** (``agent/examples``), static too: a small model
   learns the tone from them far better than from rules.
3. **The conversation so far**, from the checkpoint: each earlier message
   exactly as the model was sent it (its notes included, kept on the message),
   and the replies as they were given, cut from the oldest end in whole steps
   when it outgrows the model's context. Sending the same text again keeps the
   whole conversation a cached prefix: a turn only evaluates the last reply
   and the new message.
4. **The person's message**, preceded by one block of notes delimited as
   data (``<data label="notes">...</data>``, escaped inside, so nothing in
   it can close it): the observations in plain words, file names and
   transcripts, and the recalled memories with their dates
   (``agent/observations``).

The notes sit right before the message they belong to rather than after the
system prompt: a 1.5B model attends most to what is nearest the end, the
conversation before them stays a cacheable prefix, and untrusted text (a
transcript, a file name, a memory) never sits in the system role.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage, SystemMessage

from ..prompting import load_template, render
from ..untrusted import DATA_RULE, escape_data, quote_data
from .shaping import message_text

#: The longest message the model sees in full; a longer one keeps its start and end.
MAX_MESSAGE_CHARS = 4000
#: The message's share when the model refused the prompt as too long.
TIGHT_MESSAGE_CHARS = 1200
#: The longest earlier message (either side) in the conversation shown to the model.
MAX_HISTORY_MESSAGE_CHARS = 1200
#: The longest remembered text shown in the notes.
MAX_MEMORY_CHARS = 200
#: The longest transcript shown in the notes.
MAX_TRANSCRIPT_CHARS = 1500
#: The conversation is cut in steps of this many messages (three exchanges).
HISTORY_STEP = 6
#: Where a person's message keeps the text the model was sent for it (notes included), so later
#: turns send exactly the same text again and llama.cpp's KV cache covers the whole conversation.
SENT_KEY = "emotool_sent"
#: The longest such text replayed in later turns.
MAX_SENT_CHARS = 2500

_SPECIAL = re.compile(r"<\|")


def neutralise(text: str) -> str:
    """Text from the person with chat-template tokens (``<|im_start|>``...) broken up, so a
    tokenizer that parses special tokens in text cannot be steered by them."""
    return _SPECIAL.sub("< |", text)


def cut_message(text: str, limit: int = MAX_MESSAGE_CHARS) -> tuple[str, bool]:
    """The message as the model sees it: whole, or its start and end around a note."""
    if len(text) <= limit:
        return text, False
    head, tail = text[: limit * 3 // 4], text[-(limit // 4) :]
    omitted = f"{len(text) - len(head) - len(tail):,}"
    return render("agent/message_cut", head=head, omitted=omitted, tail=tail), True


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


def parse_examples(text: str) -> list[tuple[str, str, str]]:
    """The example exchanges of ``agent/examples``: ``(notes, message, reply)`` per block."""
    out: list[tuple[str, str, str]] = []
    for block in text.split("\n---"):
        notes: list[str] = []
        fields: dict[str, str] = {}
        for line in block.splitlines():
            key, sep, value = line.partition(":")
            if not sep or line.startswith("#"):
                continue
            if key.strip() == "notes":
                notes.append(value.strip())
            elif key.strip() in ("message", "reply"):
                fields[key.strip()] = value.strip()
        if "message" in fields and "reply" in fields:
            out.append(("\n".join(notes), fields["message"], fields["reply"]))
    return out


@lru_cache(maxsize=1)
def example_topics() -> frozenset[str]:
    """The words that belong to the example exchanges' own stories (``topic:`` lines of
    ``agent/examples``). A small model carries them into real replies ("after your goldfish
    died..."); a reply sentence with one the person did not say is dropped (see shaping)."""
    words: set[str] = set()
    for line in load_template("agent/examples").splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip() == "topic":
            words |= {w.strip().lower() for w in value.split(",") if w.strip()}
    return frozenset(words)


def example_texts() -> tuple[list[str], list[str]]:
    """What a reply may not repeat from the example exchanges: their notes and messages (like an
    echo), and their replies (nearly word for word). A small model copies examples otherwise."""
    echo: list[str] = []
    copies: list[str] = []
    for notes, message, reply in parse_examples(load_template("agent/examples")):
        echo += [*notes.splitlines(), message]
        copies.append(reply)
    return echo, copies


@dataclass(frozen=True)
class PromptParts:
    """The messages for one model call, and what was done to fit them."""

    system: SystemMessage
    messages: list[AnyMessage]
    truncated: bool
    dropped_history: int
    sent: str
    """This turn's message as the model sees it (notes, instruction and message)."""


class PromptBuilder:
    """Builds the messages for an agent spec.

    Args:
        spec: The agent spec (persona, style, reply limits).
        history_chars: The most characters of earlier conversation shown to the model.
    """

    def __init__(self, spec: Any, *, history_chars: int = 6000, examples: bool = True) -> None:
        self.spec = spec
        self.history_chars = history_chars
        self.examples: list[AnyMessage] = []
        if examples:
            for notes, message, reply in parse_examples(load_template("agent/examples")):
                self.examples += [HumanMessage(self._final(notes, message, "")), AIMessage(reply)]
        style = "\n".join(f"- {s.strip()}" for s in spec.style if s.strip())
        self.system_text = render(
            "agent/system",
            persona=spec.persona.strip(),
            style=style or "- Be warm, brief and attentive.",
            max_sentences=spec.reply.max_sentences,
            max_questions=spec.reply.max_questions,
            data_rule=DATA_RULE,
        ).strip()

    def notes(self, record: dict[str, Any]) -> str:
        """The notes of a turn as plain lines (before quoting): observations, untrusted items, memories."""
        lines = [f"{topic}: {text}" for topic, text in record.get("lines", [])]
        for name_kind, name in record.get("files", []):
            lines.append(f"{name_kind} file name: {name}")
        transcript = record.get("transcript")
        if transcript:
            cut = _shorten(transcript, MAX_TRANSCRIPT_CHARS)
            lines.append(f'what they said in the voice message: "{cut}"')
        memories = record.get("memories", [])
        if memories:
            lines.append("what they told you in earlier conversations:")
            for m in memories:
                lines.append(f'- {m["when"]}: "{_shorten(m["text"], MAX_MEMORY_CHARS)}"')
        return "\n".join(lines)

    @staticmethod
    def _final(notes: str, message: str, instruction: str) -> str:
        final = render(
            "agent/observations",
            notes=quote_data(notes, "notes") if notes else "",
            instruction=instruction,
            message=message,
        )
        return re.sub(r"\n{3,}", "\n\n", final).strip()

    @property
    def static_chars(self) -> int:
        """Characters of the static part (system prompt and examples), for sizing the rest."""
        return len(self.system_text) + sum(len(message_text(m.content)) for m in self.examples)

    def _history(self, earlier: Sequence[AnyMessage], budget: int) -> tuple[list[AnyMessage], int]:
        shown: list[AnyMessage] = []
        for m in earlier:
            text = message_text(m.content)
            if isinstance(m, HumanMessage):
                sent = m.additional_kwargs.get(SENT_KEY)
                if isinstance(sent, str) and sent.strip() and len(sent) <= MAX_SENT_CHARS:
                    shown.append(HumanMessage(sent))
                    continue
                text = neutralise(text)
            elif not isinstance(m, AIMessage) or m.tool_calls:
                continue  # tool traffic of earlier turns is not replayed
            if len(text) > MAX_HISTORY_MESSAGE_CHARS:
                text = text[:MAX_HISTORY_MESSAGE_CHARS] + " [...]"
            if text.strip():
                shown.append(HumanMessage(text) if isinstance(m, HumanMessage) else AIMessage(text))
        sizes = [len(message_text(m.content)) for m in shown]
        start = 0
        while start < len(shown) and sum(sizes[start:]) > budget:
            start += HISTORY_STEP
        kept = shown[start:]
        while kept and not isinstance(kept[0], HumanMessage):
            kept = kept[1:]
        return kept, len(shown) - len(kept)

    def build(
        self,
        messages: Sequence[AnyMessage],
        record: dict[str, Any],
        *,
        first_turn: bool = False,
        tight: bool = False,
    ) -> PromptParts:
        """The system message and the conversation for the model.

        Args:
            messages: The conversation from the state: earlier turns, this turn's message, and any
                tool calls and results of this turn after it.
            record: The turn record (observation lines, file names, transcript, memories).
            first_turn: Ask the model to say it is an AI (specs with ``ai_disclosure: session_start``).
            tight: The model refused the prompt as too long: no earlier conversation, and the
                message cut shorter.
        """
        idx = max((i for i, m in enumerate(messages) if isinstance(m, HumanMessage)), default=-1)
        earlier, after = list(messages[: max(idx, 0)]), list(messages[idx + 1 :]) if idx >= 0 else []
        history, dropped = self._history(earlier, 0 if tight else self.history_chars)
        text = message_text(messages[idx].content) if idx >= 0 else ""
        shown, truncated = cut_message(neutralise(text), TIGHT_MESSAGE_CHARS if tight else MAX_MESSAGE_CHARS)
        instruction = render("agent/first_turn").strip() if first_turn else ""
        final = self._final(self.notes(record), shown, instruction)
        return PromptParts(
            system=SystemMessage(self.system_text),
            messages=[*self.examples, *history, HumanMessage(final), *after],
            truncated=truncated,
            dropped_history=dropped,
            sent=final,
        )


__all__ = ["PromptBuilder", "PromptParts", "cut_message", "escape_data", "neutralise"]
