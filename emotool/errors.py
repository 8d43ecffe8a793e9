"""The errors emotool raises.

Every message says what went wrong and how to fix it, so that a person at a
terminal and an LLM calling the tool can both act on it.
"""

from __future__ import annotations


class EmotoolError(Exception):
    """Base class of every error emotool raises on purpose."""


class MediaError(EmotoolError):
    """The input could not be read as an image, a video or audio."""


class UnsupportedFormat(MediaError):
    """The file is of a kind emotool does not read."""


class MediaTooLarge(MediaError):
    """The input exceeds a configured size or pixel cap."""


class EmptyMedia(MediaError):
    """The input holds nothing to analyse (zero bytes, no decodable frame)."""


class CorruptMedia(MediaError):
    """The input is of a known format but damaged (truncated file, bad data)."""


class BadDimensions(MediaError):
    """The picture's shape cannot hold a face: an extreme aspect ratio (a 1x20000 strip)."""


class InputTooLong(EmotoolError):
    """A text input is longer than its documented limit."""


class InvalidInput(EmotoolError, ValueError):
    """An argument has a value emotool cannot use (an empty user id, ...)."""


class ProcessingError(EmotoolError):
    """A model or a native library (OpenCV, FFmpeg/PyAV, torch, TFLite) failed on this input."""


class AccessDenied(EmotoolError):
    """A path outside the allowed roots, or a URL that policy forbids."""


class NoFaceFound(EmotoolError):
    """Raised only where a face is required (the tool itself returns an explicit
    'no face found' reading instead)."""


class AssetMissing(EmotoolError):
    """A model file is not in the cache."""

    def __init__(self, name: str, detail: str = "") -> None:
        self.name = name
        msg = f"model asset {name!r} is not installed; fetch it with `emotool models pull {name}`"
        if detail:
            msg += f" ({detail})"
        super().__init__(msg)


class AssetCorrupt(EmotoolError):
    """A model file is present but its checksum does not match."""


class BackendUnavailable(EmotoolError):
    """A backend, or the optional package it needs, is not available."""


class UnknownName(EmotoolError, KeyError):
    """A name looked up in a registry does not exist."""

    def __init__(self, kind: str, name: str, valid: list[str]) -> None:
        self.kind, self.name, self.valid = kind, name, valid
        super().__init__(f"unknown {kind} {name!r}; choose one of: {', '.join(sorted(valid))}")

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


class InvalidOption(EmotoolError, ValueError):
    """An option has a value that cannot be used (the message names the option and what it accepts)."""


def missing_extra(package: str, extra: str) -> BackendUnavailable:
    """The error for an optional dependency that is not installed."""
    return BackendUnavailable(
        f"the optional package {package!r} is not installed; install it with pip install 'emotool[{extra}]'"
    )


class MemoryStoreError(EmotoolError):
    """The memory store cannot be opened, reached or locked, or answered something inconsistent."""


class AgentSpecError(EmotoolError):
    """An agent spec (or a file beside it) cannot be read: bad YAML, an unknown or invalid field."""
