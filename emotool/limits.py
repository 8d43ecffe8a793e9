"""The documented limits on text inputs, checked in one place.

Images and videos have their caps in :class:`emotool.media.MediaPolicy`; text
has these. A text over its limit raises :class:`~emotool.errors.InputTooLong`
at once, before anything costly (redaction, tokenising, embedding) runs, so
no text input costs more than about a second.

=====================  ============  ==============================================
what                   limit (chars)  where
=====================  ============  ==============================================
a memory's text        20,000         ``Memory.remember``, ``remember_many``
a recall query         4,000          ``Memory.recall``, the retriever
words read for cues    20,000         ``emotool.speech.verbal_cues(text)``
a user or session id   256            ``Memory`` (after normalisation)
=====================  ============  ==============================================
"""

from __future__ import annotations

from .errors import InputTooLong

MAX_MEMORY_TEXT = 20_000
"""Longest text stored as one memory (about 3,000 words: a long turn or a session summary)."""

MAX_QUERY_TEXT = 4_000
"""Longest recall query (the embedder reads only the first ~256 word pieces anyway)."""

MAX_VERBAL_TEXT = 20_000
"""Longest text whose words are read for emotional cues."""

MAX_ID_CHARS = 256
"""Longest user or session id."""


def check_text(text: str, what: str, limit: int, hint: str = "split it or summarise it first") -> str:
    """Return ``text`` if it is a string within ``limit`` characters.

    Raises:
        InputTooLong: it is longer; the message gives both lengths and ``hint``.
        TypeError: it is not a string.
    """
    if not isinstance(text, str):
        raise TypeError(f"{what} must be a string, not {type(text).__name__}")
    if len(text) > limit:
        raise InputTooLong(f"{what} is {len(text):,} characters, over the limit of {limit:,}; {hint}")
    return text
