"""What local chat models share: LangChain messages as role/content dicts, and clean output text.

Small local models sometimes print their chat template's special tokens
(``<|im_end|>``, ``<|endoftext|>``) as text; :class:`SpecialTokenFilter` removes
them from a stream of text pieces even when a token arrives split over pieces.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

from langchain_core.language_models.chat_models import generate_from_stream
from langchain_core.outputs import ChatGenerationChunk, ChatResult

from ..errors import InvalidOption

#: Stop sequences of the ChatML template (Qwen2.5, SmolLM2): the end of a turn, of the text,
#: and the start of a new turn the model would otherwise write for the user.
CHATML_STOP: tuple[str, ...] = ("<|im_end|>", "<|endoftext|>", "<|im_start|>")

_SPECIAL = re.compile(r"<\|[A-Za-z0-9_.\-]{1,40}\|>")
_PARTIAL = re.compile(r"<(\|[A-Za-z0-9_.\-]{0,40}\|?)?$")

_ROLES = {"system": "system", "human": "user", "ai": "assistant", "tool": "user", "chat": "user"}


def message_text(content: Any) -> str:
    """The text of a message's content (a string, or a list of content blocks).

    Raises:
        InvalidOption: The content holds an image, audio or another non-text block.
    """
    if isinstance(content, str):
        return content
    parts: list[str] = []
    for block in content:
        if isinstance(block, str):
            parts.append(block)
        elif isinstance(block, dict) and block.get("type") in ("text", "text-plain"):
            parts.append(str(block.get("text", "")))
        else:
            kind = block.get("type") if isinstance(block, dict) else type(block).__name__
            raise InvalidOption(
                f"this chat model reads text only, and a message holds a {kind!r} block; "
                "read pictures and sound with emotool's perception (EmotionTool, analyze_speech) and "
                "pass the observations as text"
            )
    return "".join(parts)


def to_role_dicts(messages: Sequence[Any]) -> list[dict[str, str]]:
    """LangChain messages as ``{"role", "content"}`` dicts for a chat template.

    Tool results become user turns marked as such (small local models have no tool role).
    """
    out: list[dict[str, str]] = []
    for m in messages:
        role = _ROLES.get(getattr(m, "type", ""), "user")
        text = message_text(m.content)
        if getattr(m, "type", "") == "tool":
            text = f"[result of the tool {getattr(m, 'name', None) or 'call'}]\n{text}"
        out.append({"role": role, "content": text})
    if not out:
        raise InvalidOption("no messages to answer; pass at least one user message")
    return out


def strip_special(text: str) -> str:
    """``text`` without any ``<|...|>`` special token."""
    return _SPECIAL.sub("", text)


class SpecialTokenFilter:
    """Removes special tokens from text that arrives in pieces.

    A piece ending in what may be the start of a special token (``<``, ``<|im_``) is held
    back until the next piece shows whether it was one; :meth:`flush` returns the rest.
    Leading whitespace of the whole answer is dropped.
    """

    def __init__(self) -> None:
        self._held = ""
        self._started = False

    def feed(self, piece: str) -> str:
        text = strip_special(self._held + piece)
        m = _PARTIAL.search(text)
        if m:
            self._held, text = text[m.start() :], text[: m.start()]
        else:
            self._held = ""
        if not self._started:
            text = text.lstrip()
            self._started = bool(text)
        return text

    def flush(self) -> str:
        text, self._held = strip_special(self._held), ""
        if text.startswith("<|"):  # the answer was cut inside a special token
            text = ""
        return text if self._started else text.lstrip()


def result_from_stream(chunks: Iterator[ChatGenerationChunk]) -> ChatResult:
    """The whole answer of a streamed generation, without surrounding white space."""
    result = generate_from_stream(chunks)
    for g in result.generations:
        g.message.content = str(g.message.content).strip()
    return result
