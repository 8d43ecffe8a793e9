"""The bottom of the media package: what emotool may open and how much of it, and the formats it knows.

Nothing here reads a file: :class:`MediaPolicy` (roots, URL switch, size caps),
the tables of extensions and container formats, and :func:`sniff`, which names a
format from a file's first bytes.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator

Kind = Literal["image", "video", "audio"]
Frame = tuple[int, float, np.ndarray]

_EXT_KIND: dict[str, Kind] = {
    **dict.fromkeys((".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"), "image"),
    **dict.fromkeys((".mp4", ".webm", ".avi", ".mov", ".mkv", ".gif"), "video"),
    **dict.fromkeys((".wav", ".flac", ".mp3", ".ogg", ".opus", ".m4a"), "audio"),
}
_FORMAT_KIND: dict[str, Kind] = {
    **dict.fromkeys(("jpeg", "png", "bmp", "webp", "tiff"), "image"),
    **dict.fromkeys(("mp4", "mov", "webm", "mkv", "avi", "gif"), "video"),
    **dict.fromkeys(("wav", "flac", "mp3", "ogg", "m4a"), "audio"),
}
_CV2_CONTAINERS = ("mp4", "mov", "webm", "mkv", "avi")
_HEAD = 64
_URL_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")
_QT_BOXES = (b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot")


def _supported() -> str:
    return ", ".join(sorted(e.lstrip(".") for e in _EXT_KIND))


class MediaPolicy(BaseModel):
    """What emotool may open, and how much of it.

    Attributes:
        allowed_roots: Folders under which files may be read (resolved, symlinks
            followed, at construction). Default: the current working directory.
        allow_urls: Fetch ``http(s)`` URLs at all. Off by default.
        allow_loopback: Accept URLs whose host is 127.0.0.0/8 or ::1. For tests
            only; every other private range stays refused.
        max_pixels: Largest image or video frame, in pixels (width x height).
        max_aspect_ratio: Longest side over shortest side beyond which a picture is
            refused (a 1x20000 strip holds no face and makes every stage costly).
        max_frames: Most frames an animated GIF or WebP may declare (counted from the
            headers before anything is decoded).
        max_animation_pixels: Most pixels decoding a whole animated GIF may composite
            (frames x canvas; each GIF frame is decoded onto the full canvas): 250 million
            allows 300 frames of 800x600 or 120 of 1920x1080, and keeps the worst case
            under about 5 s.
        max_video_pixels: Most pixels decoding one video (mp4, webm, ...) may take (frames x
            width x height; every frame is decoded, even those not analysed): 20 billion
            allows 5 minutes of 1080p at 30 fps or 40 minutes of 640x480, and refuses a small
            file that declares hours of huge frames. Checked against the container's frame
            count before decoding, and again while decoding (a file that hides more frames
            than it declares is cut there, with a note).
        max_bytes: Largest local file or ``bytes`` input.
        url_max_bytes: Largest download.
        url_timeout_s: Deadline for one URL fetch (resolution, connection, body).
        max_redirects: Redirects followed per fetch; each hop is re-checked.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    allowed_roots: list[Path] = Field(default_factory=lambda: [Path.cwd()], validate_default=True)
    allow_urls: bool = False
    allow_loopback: bool = False
    max_pixels: int = Field(default=40_000_000, gt=0)
    max_aspect_ratio: float = Field(default=25.0, ge=1.0)
    max_frames: int = Field(default=3000, gt=0)
    max_animation_pixels: int = Field(default=250_000_000, gt=0)
    max_video_pixels: int = Field(default=20_000_000_000, gt=0)
    max_bytes: int = Field(default=500 * 1024 * 1024, gt=0)
    url_max_bytes: int = Field(default=25 * 1024 * 1024, gt=0)
    url_timeout_s: float = Field(default=10.0, gt=0)
    max_redirects: int = Field(default=3, ge=0, le=20)

    @field_validator("allowed_roots")
    @classmethod
    def _resolve_roots(cls, roots: list[Path]) -> list[Path]:
        return [Path(r).expanduser().resolve() for r in roots]

    @classmethod
    def default(cls) -> MediaPolicy:
        """The default policy: files under the working directory, no URLs."""
        return cls()


def is_url(src: object) -> bool:
    """Whether ``src`` is a string that looks like ``scheme://...``."""
    return isinstance(src, str) and bool(_URL_RE.match(src))


def sniff(head: bytes) -> str | None:
    """The container format that ``head`` (the first bytes of a file) starts with.

    Returns:
        One of ``jpeg png bmp webp tiff gif mp4 mov m4a webm mkv avi wav flac mp3
        ogg``, or ``None`` when the bytes match none of them.
    """
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "tiff"
    if head.startswith(b"BM") and len(head) >= 26:
        return "bmp"
    if head[:4] == b"RIFF" and len(head) >= 12:
        return {b"WEBP": "webp", b"AVI ": "avi", b"WAVE": "wav"}.get(head[8:12])
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"M4A ", b"M4B ", b"M4P "):
            return "m4a"
        return "mov" if brand == b"qt  " else "mp4"
    if head[4:8] in _QT_BOXES:
        return "mov"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "webm" if b"webm" in head else "mkv"
    if head.startswith(b"fLaC"):
        return "flac"
    if head.startswith(b"OggS"):
        return "ogg"
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] in (0xFB, 0xF3, 0xF2)):
        return "mp3"
    return None
