"""Images: what kind of media an input is, and loading an image as upright 8-bit RGB."""

from __future__ import annotations

import io
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import numpy as np

from emotool.errors import CorruptMedia, EmptyMedia, MediaError, MediaTooLarge, UnsupportedFormat
from emotool.untrusted import quoted_name as _q

from .decode import array_to_rgb, decode_image, looks_like, pil_image_to_rgb, why
from .paths import _checked_size, _open_checked, _read_head, resolve_path
from .policy import _EXT_KIND, _FORMAT_KIND, _HEAD, Kind, MediaPolicy, _supported, is_url, sniff

if TYPE_CHECKING:
    from PIL import Image


def fetch_url(url: str, policy: MediaPolicy) -> bytes:
    """Download ``url`` under ``policy``; see :func:`emotool.netfetch.fetch_url`."""
    from .netfetch import fetch_url as _fetch

    return _fetch(url, policy)


def _url_source(url: str) -> str:
    from .netfetch import redact_url

    return redact_url(url)


def _gif_kind(src: BinaryIO | bytes, name: str) -> Kind:
    """A GIF of more than one frame is a video; counted from the headers, nothing decoded."""
    from .animation import scan_gif

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
