"""Safe loading of images and video frames from paths, URLs, bytes and arrays.

Everything emotool analyses enters through this module, and every way it can
go wrong ends in a typed error from :mod:`emotool.errors` whose message says how
to fix it:

* **Paths** are opened only under ``MediaPolicy.allowed_roots`` (default: the
  working directory). ``..`` escapes, absolute paths elsewhere and symlinks that
  point out of the roots raise :class:`~emotool.errors.AccessDenied`. Only
  regular files are opened (a FIFO named ``x.jpg`` cannot hang us).
* **URLs** are off by default; see :mod:`emotool.netfetch` for what is checked
  when they are on.
* **Images** are decoded with Pillow, restricted to JPEG/PNG/BMP/WebP/TIFF/GIF
  (no plugin that shells out, such as EPS). The pixel count is read from the
  header and checked against ``max_pixels`` *before* any pixel is decoded.
  Output is always upright (EXIF orientation applied) 8-bit RGB: transparency
  is composited onto white, 16-bit data is scaled (not clipped) to 8 bits,
  grayscale is replicated to three channels, CMYK is converted through its
  embedded ICC profile when there is one (else with Pillow's plain formula).
  ``LoadedImage.notes`` records each such conversion.
* **Video** is read with OpenCV (mp4, mov, webm, mkv, avi) or Pillow (gif).
  Containers are recognised by their magic bytes before FFmpeg sees them, so a
  playlist or other FFmpeg-interpreted text renamed ``.mp4`` is refused rather
  than followed.

The code is split by concern: this module (policy, paths, kinds, images),
:mod:`emotool.decode` (pixel conversions), :mod:`emotool.videoio` (video; its
names are re-exported here lazily) and :mod:`emotool.netfetch` (URLs). Heavy
libraries (OpenCV, Pillow) are imported inside the functions that use them.
"""

from __future__ import annotations

import io
import os
import re
import stat
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator

from emotool.decode import array_to_rgb, decode_image, looks_like, pil_image_to_rgb, why
from emotool.errors import (
    AccessDenied,
    CorruptMedia,
    EmptyMedia,
    MediaError,
    MediaTooLarge,
    UnsupportedFormat,
)
from emotool.untrusted import quoted_name as _q

if TYPE_CHECKING:
    from PIL import Image

    from emotool.videoio import VideoSource, open_video, write_video


def __getattr__(name: str) -> Any:
    """The video API lives in :mod:`emotool.videoio`; it is loaded on first use."""
    if name in ("VideoSource", "open_video", "write_video"):
        from emotool import videoio

        return getattr(videoio, name)
    raise AttributeError(f"module {__name__!r} has no attribute {_q(name)}")


__all__ = [
    "Kind",
    "LoadedImage",
    "MediaPolicy",
    "VideoSource",
    "fetch_url",
    "is_url",
    "load_image",
    "media_kind",
    "open_video",
    "resolve_path",
    "write_video",
]

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
PIL_FORMATS = ("JPEG", "PNG", "BMP", "WEBP", "TIFF", "GIF")
_HEAD = 64
_URL_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")
_QT_BOXES = (b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot")


def _supported() -> str:
    return ", ".join(sorted(e.lstrip(".") for e in _EXT_KIND))


# --------------------------------------------------------------------------- policy


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


def fetch_url(url: str, policy: MediaPolicy) -> bytes:
    """Download ``url`` under ``policy``; see :func:`emotool.netfetch.fetch_url`."""
    from emotool.netfetch import fetch_url as _fetch

    return _fetch(url, policy)


def _url_source(url: str) -> str:
    from emotool.netfetch import redact_url

    return redact_url(url)


# --------------------------------------------------------------------------- paths


def _inside(path: Path, roots: Iterable[Path]) -> bool:
    return any(path == root or path.is_relative_to(root) for root in roots)


def resolve_path(path: str | os.PathLike[str], policy: MediaPolicy | None = None) -> Path:
    """Resolve ``path`` and check that emotool may read it.

    Relative paths are taken from the working directory. Symlinks and ``..`` are
    resolved first, so the check is on the file that would really be opened.

    Args:
        path: The path as given by the user.
        policy: The media policy; default :meth:`MediaPolicy.default`.

    Returns:
        The resolved absolute path of a readable regular file.

    Raises:
        AccessDenied: The file lies outside ``policy.allowed_roots``.
        MediaError: The file does not exist, is a directory or a special file,
            or cannot be read.
    """
    policy = policy or MediaPolicy.default()
    given = os.fspath(path)
    if not given or "\x00" in given:
        raise MediaError(f"invalid path {_q(given)}; give the path of an image or video file")
    p = Path(given).expanduser()
    if not p.is_absolute():
        p = Path.cwd() / p
    try:
        real = p.resolve(strict=False)
    except (OSError, RuntimeError) as exc:  # symlink loop
        raise MediaError(f"cannot resolve {_q(given)} ({exc}); check the path") from None
    if not _inside(real, policy.allowed_roots):
        via = ""
        if _inside(Path(os.path.normpath(p)), policy.allowed_roots):
            via = " through a symlink"
        elif ".." in Path(given).parts:
            via = " through '..'"
        raise AccessDenied(
            f"{_q(given)} leads outside the folders emotool may read{via}; move the file into an "
            "allowed folder, or allow its folder with MediaPolicy(allowed_roots=[...]) "
            "(CLI: --allow-root DIR). By default only the working directory is allowed."
        )
    try:
        st = os.stat(real)
    except FileNotFoundError:
        raise MediaError(
            f"no such file: {_q(given)}; check the path (relative paths start at the working directory)"
        ) from None
    except PermissionError:
        raise _unreadable(given) from None
    except OSError as exc:
        raise MediaError(f"cannot access {_q(given)} ({exc.strerror or exc}); check the path") from None
    if stat.S_ISDIR(st.st_mode):
        raise MediaError(f"{_q(given)} is a directory; give the path of an image or video file inside it")
    if not stat.S_ISREG(st.st_mode):
        raise MediaError(
            f"{_q(given)} is not a regular file (a pipe, socket or device); give the path "
            "of an image or video file"
        )
    if not os.access(real, os.R_OK):
        raise _unreadable(given)
    return real


def _unreadable(given: str) -> MediaError:
    return MediaError(
        f"permission denied reading {_q(given)}; make the file readable by this user "
        "(e.g. chmod u+r) or copy it somewhere readable"
    )


def _open_checked(real: Path, given: str, policy: MediaPolicy) -> BinaryIO:
    """Open a path returned by :func:`resolve_path` without following a swapped-in symlink."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    flags |= getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(real, flags)
    except PermissionError:
        raise _unreadable(given) from None
    except OSError as exc:
        raise MediaError(f"cannot open {_q(given)} ({exc.strerror or exc}); check the path") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise MediaError(f"{_q(given)} is not a regular file; give the path of an image or video file")
        proc = f"/proc/self/fd/{fd}"
        if os.path.exists(proc):  # Linux: check what was really opened (closes a TOCTOU race)
            opened = Path(os.readlink(proc))
            if not _inside(opened, policy.allowed_roots):
                raise AccessDenied(
                    f"{_q(given)} changed to point outside the allowed folders while it "
                    "was being opened; refusing it"
                )
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _checked_size(real: Path, given: str, policy: MediaPolicy) -> int:
    size = real.stat().st_size
    if size == 0:
        raise EmptyMedia(f"{_q(given)} is empty (0 bytes); give a real image or video file")
    if size > policy.max_bytes:
        raise MediaTooLarge(
            f"{_q(given)} is {size:,} bytes, over the cap of {policy.max_bytes:,}; "
            "raise MediaPolicy(max_bytes=...) or use a smaller file"
        )
    return size


def _read_head(real: Path, given: str, policy: MediaPolicy) -> bytes:
    with _open_checked(real, given, policy) as fh:
        return fh.read(_HEAD)


# --------------------------------------------------------------------------- kinds


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


def _gif_kind(src: BinaryIO | bytes, name: str) -> Kind:
    """A GIF of more than one frame is a video; counted from the headers, nothing decoded."""
    from emotool.animation import scan_gif

    try:
        frames = scan_gif(src, name, max_frames=1).frames
    except MediaError:
        raise
    except Exception as exc:
        raise CorruptMedia(f"{_q(name)} is a damaged GIF ({why(exc)}); re-export it") from None
    return "video" if frames > 1 else "image"


def _kind_of_head(head: bytes, name: str, ext: str) -> Kind | None:
    fmt = sniff(head)
    if fmt is not None:
        return _FORMAT_KIND[fmt]
    return _EXT_KIND.get(ext)


def media_kind(
    src: str | os.PathLike[str] | bytes | np.ndarray | Image.Image, policy: MediaPolicy | None = None
) -> Kind:
    """Whether ``src`` is an image, a video or audio.

    The content's magic bytes decide when they are recognised, else the file
    extension. A GIF with more than one frame is a video, a single-frame GIF an
    image. Arrays and PIL images are images. A URL is judged by the extension in
    its path; when that is missing or ``.gif``, it is fetched (if policy allows).

    Args:
        src: A path, URL, encoded bytes, numpy array or PIL image.
        policy: The media policy; default :meth:`MediaPolicy.default`.

    Returns:
        ``"image"``, ``"video"`` or ``"audio"``.

    Raises:
        UnsupportedFormat: Neither content nor extension is a supported format.
        EmptyMedia: The file or bytes are empty.
        AccessDenied, MediaError: As for :func:`resolve_path` and :func:`fetch_url`.
    """
    policy = policy or MediaPolicy.default()
    if isinstance(src, np.ndarray) or _is_pil(src):
        return "image"
    if isinstance(src, (bytes, bytearray, memoryview)):
        return _kind_of_bytes(bytes(src), "<bytes>")
    if isinstance(src, str) and is_url(src):
        from urllib.parse import urlsplit

        ext = os.path.splitext(urlsplit(src).path)[1].lower()
        kind = _EXT_KIND.get(ext)
        if kind is not None and ext != ".gif":
            return kind
        return _kind_of_bytes(fetch_url(src, policy), _url_source(src))
    if not isinstance(src, (str, os.PathLike)):
        raise UnsupportedFormat(
            f"cannot read media from a {type(src).__name__}; pass a path, URL, "
            "bytes, numpy array or PIL image"
        )
    given = os.fspath(src)
    real = resolve_path(given, policy)
    _checked_size(real, given, policy)
    head = _read_head(real, given, policy)
    ext = Path(given).suffix.lower()
    kind = _kind_of_head(head, given, ext)
    if kind is None:
        raise UnsupportedFormat(f"{_q(given)} is not a supported media file; supported: {_supported()}")
    if sniff(head) == "gif":
        with _open_checked(real, given, policy) as fh:
            return _gif_kind(fh, given)
    return kind


def _kind_of_bytes(data: bytes, name: str) -> Kind:
    if not data:
        raise EmptyMedia(f"{name} is empty (0 bytes); give real image or video data")
    fmt = sniff(data[:_HEAD])
    if fmt is None:
        raise UnsupportedFormat(
            f"{name} is not a supported media format ({looks_like(data[:_HEAD])}); supported: {_supported()}"
        )
    if fmt == "gif":
        return _gif_kind(data, name)
    return _FORMAT_KIND[fmt]


# --------------------------------------------------------------------------- images


@dataclass
class LoadedImage:
    """A decoded image, ready for analysis.

    Attributes:
        rgb: Pixels, shape (height, width, 3), uint8, RGB order, upright.
        source: The file name (never a full local path), the URL without query
            string or credentials, ``"<bytes>"``, ``"<array>"`` or ``"<image>"``
            (a PIL image).
        width: Width in pixels.
        height: Height in pixels.
        decode_ms: Time spent decoding and converting, in milliseconds (a
            download is not included).
        notes: Conversions applied, in words (e.g. ``"EXIF orientation 6
            applied"``, ``"16-bit samples scaled to 8-bit"``).
    """

    rgb: np.ndarray
    source: str
    width: int
    height: int
    decode_ms: float
    notes: tuple[str, ...] = field(default_factory=tuple)


def _is_pil(obj: object) -> bool:
    mod = sys.modules.get("PIL.Image")
    return mod is not None and isinstance(obj, mod.Image)


def load_image(
    src: str | os.PathLike[str] | bytes | np.ndarray | Image.Image, policy: MediaPolicy | None = None
) -> LoadedImage:
    """Load an image as upright 8-bit RGB.

    Args:
        src: A path (checked against ``policy.allowed_roots``), an ``http(s)``
            URL (only if ``policy.allow_urls``), encoded image bytes, a numpy
            array in RGB order ((H, W), (H, W, 3) or (H, W, 4); uint8, uint16,
            bool, or float in [0, 1]; an OpenCV BGR array must be converted
            first), or a PIL image. An animated GIF gives its first frame.
        policy: The media policy; default :meth:`MediaPolicy.default`.

    Returns:
        The decoded image.

    Raises:
        AccessDenied: The path or URL is not allowed.
        EmptyMedia: Zero bytes or an empty array.
        UnsupportedFormat: Not an image emotool reads (including video files:
            use :func:`open_video`).
        CorruptMedia: A truncated or damaged image.
        MediaTooLarge: Over ``max_pixels`` or ``max_bytes``/``url_max_bytes``.
        MediaError: A missing, unreadable or special file, or a failed download.
    """
    policy = policy or MediaPolicy.default()
    if isinstance(src, np.ndarray):
        t0 = time.perf_counter()
        rgb, notes = array_to_rgb(src, policy)
        return _loaded(rgb, "<array>", t0, notes)
    if _is_pil(src):
        t0 = time.perf_counter()
        rgb, notes = pil_image_to_rgb(src, "<image>", policy)  # type: ignore[arg-type]
        return _loaded(rgb, "<image>", t0, notes)
    if isinstance(src, (bytes, bytearray, memoryview)):
        data = bytes(src)
        if len(data) > policy.max_bytes:
            raise MediaTooLarge(
                f"the image bytes ({len(data):,}) exceed the cap of {policy.max_bytes:,}; "
                "raise MediaPolicy(max_bytes=...)"
            )
        return _load_bytes(data, "<bytes>", policy)
    if isinstance(src, str) and is_url(src):
        return _load_bytes(fetch_url(src, policy), _url_source(src), policy)
    if not isinstance(src, (str, os.PathLike)):
        raise UnsupportedFormat(
            f"cannot load an image from a {type(src).__name__}; pass a path, URL, "
            "bytes, numpy array or PIL image"
        )
    given = os.fspath(src)
    real = resolve_path(given, policy)
    _checked_size(real, given, policy)
    name = Path(given).name
    t0 = time.perf_counter()
    with _open_checked(real, given, policy) as fh:
        _refuse_non_image(fh.read(_HEAD), name, Path(given).suffix.lower())
        fh.seek(0)
        rgb, notes = decode_image(fh, name, policy)
    return _loaded(rgb, name, t0, notes)


def _loaded(rgb: np.ndarray, source: str, t0: float, notes: list[str]) -> LoadedImage:
    h, w = rgb.shape[:2]
    return LoadedImage(
        rgb=rgb,
        source=source,
        width=int(w),
        height=int(h),
        decode_ms=(time.perf_counter() - t0) * 1000.0,
        notes=tuple(notes),
    )


def _load_bytes(data: bytes, name: str, policy: MediaPolicy) -> LoadedImage:
    if not data:
        raise EmptyMedia(f"{name} is empty (0 bytes); give real image data")
    _refuse_non_image(data[:_HEAD], name, "")
    t0 = time.perf_counter()
    rgb, notes = decode_image(io.BytesIO(data), name, policy)
    return _loaded(rgb, name, t0, notes)


def _refuse_non_image(head: bytes, name: str, ext: str) -> None:
    if not head:
        raise EmptyMedia(f"{_q(name)} is empty (0 bytes); give a real image file")
    kind = _kind_of_head(head, name, ext)
    fmt = sniff(head)
    if fmt != "gif" and kind in ("video", "audio") and (fmt is not None or ext != ""):
        hint = "use open_video() for video" if kind == "video" else "audio is not an image"
        raise UnsupportedFormat(f"{_q(name)} is {kind}, not an image; {hint}")
