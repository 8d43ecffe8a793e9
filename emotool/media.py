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

Heavy libraries (OpenCV, Pillow) are imported inside the functions that use them.
"""

from __future__ import annotations

import contextlib
import io
import math
import os
import re
import stat
import sys
import tempfile
import time
import warnings
import weakref
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator

from emotool.errors import (
    AccessDenied,
    CorruptMedia,
    EmptyMedia,
    MediaError,
    MediaTooLarge,
    UnsupportedFormat,
)

if TYPE_CHECKING:
    from PIL import Image

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
_PIL_FORMATS = ("JPEG", "PNG", "BMP", "WEBP", "TIFF", "GIF")
_HEAD = 64
_URL_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")
_QT_BOXES = (b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot")


def _supported() -> str:
    return ", ".join(sorted(e.lstrip(".") for e in _EXT_KIND))


def _pil() -> Any:
    """PIL.Image with exactly the decoders emotool uses registered (not all of Pillow's).

    Phone photos in MPO form are opened by the JPEG plugin.
    """
    from PIL import (  # noqa: F401  (importing registers the plugin)
        BmpImagePlugin,
        GifImagePlugin,
        Image,
        JpegImagePlugin,
        PngImagePlugin,
        TiffImagePlugin,
        WebPImagePlugin,
    )

    return Image


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
        max_bytes: Largest local file or ``bytes`` input.
        url_max_bytes: Largest download.
        url_timeout_s: Deadline for one URL fetch (resolution, connection, body).
        max_redirects: Redirects followed per fetch; each hop is re-checked.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    allowed_roots: list[Path] = Field(default_factory=lambda: [Path.cwd()], validate_default=True)
    allow_urls: bool = False
    allow_loopback: bool = False
    max_pixels: int = Field(40_000_000, gt=0)
    max_bytes: int = Field(500 * 1024 * 1024, gt=0)
    url_max_bytes: int = Field(25 * 1024 * 1024, gt=0)
    url_timeout_s: float = Field(10.0, gt=0)
    max_redirects: int = Field(3, ge=0, le=20)

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
        raise MediaError(f"invalid path {given!r}; give the path of an image or video file")
    p = Path(given).expanduser()
    if not p.is_absolute():
        p = Path.cwd() / p
    try:
        real = p.resolve(strict=False)
    except (OSError, RuntimeError) as exc:  # symlink loop
        raise MediaError(f"cannot resolve {given!r} ({exc}); check the path") from None
    if not _inside(real, policy.allowed_roots):
        via = ""
        if _inside(Path(os.path.normpath(p)), policy.allowed_roots):
            via = " through a symlink"
        elif ".." in Path(given).parts:
            via = " through '..'"
        raise AccessDenied(
            f"{given!r} leads outside the folders emotool may read{via}; move the file into an "
            "allowed folder, or allow its folder with MediaPolicy(allowed_roots=[...]) "
            "(CLI: --allow-root DIR). By default only the working directory is allowed."
        )
    try:
        st = os.stat(real)
    except FileNotFoundError:
        raise MediaError(
            f"no such file: {given!r}; check the path (relative paths start at the working directory)"
        ) from None
    except PermissionError:
        raise _unreadable(given) from None
    except OSError as exc:
        raise MediaError(f"cannot access {given!r} ({exc.strerror or exc}); check the path") from None
    if stat.S_ISDIR(st.st_mode):
        raise MediaError(f"{given!r} is a directory; give the path of an image or video file inside it")
    if not stat.S_ISREG(st.st_mode):
        raise MediaError(
            f"{given!r} is not a regular file (a pipe, socket or device); give the path "
            "of an image or video file"
        )
    if not os.access(real, os.R_OK):
        raise _unreadable(given)
    return real


def _unreadable(given: str) -> MediaError:
    return MediaError(
        f"permission denied reading {given!r}; make the file readable by this user "
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
        raise MediaError(f"cannot open {given!r} ({exc.strerror or exc}); check the path") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise MediaError(f"{given!r} is not a regular file; give the path of an image or video file")
        proc = f"/proc/self/fd/{fd}"
        if os.path.exists(proc):  # Linux: check what was really opened (closes a TOCTOU race)
            opened = Path(os.readlink(proc))
            if not _inside(opened, policy.allowed_roots):
                raise AccessDenied(
                    f"{given!r} changed to point outside the allowed folders while it "
                    "was being opened; refusing it"
                )
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _checked_size(real: Path, given: str, policy: MediaPolicy) -> int:
    size = real.stat().st_size
    if size == 0:
        raise EmptyMedia(f"{given!r} is empty (0 bytes); give a real image or video file")
    if size > policy.max_bytes:
        raise MediaTooLarge(
            f"{given!r} is {size:,} bytes, over the cap of {policy.max_bytes:,}; "
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


def _gif_kind(fp: BinaryIO, name: str) -> Kind:
    Image = _pil()

    try:
        with Image.open(fp, formats=["GIF"]) as im:
            return "video" if getattr(im, "is_animated", False) else "image"
    except Exception as exc:
        raise CorruptMedia(f"{name!r} is a damaged GIF ({_why(exc)}); re-export it") from None


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
        raise UnsupportedFormat(f"{given!r} is not a supported media file; supported: {_supported()}")
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
            f"{name} is not a supported media format ({_looks_like(data[:_HEAD])}); supported: {_supported()}"
        )
    if fmt == "gif":
        return _gif_kind(io.BytesIO(data), name)
    return _FORMAT_KIND[fmt]


def _looks_like(head: bytes) -> str:
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        return "unrecognised content"
    if all(c.isprintable() or c in "\r\n\t" for c in text):
        return "it looks like text"
    return "unrecognised content"


def _why(exc: BaseException) -> str:
    msg = str(exc).strip().splitlines()[0][:160] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {msg}" if msg else type(exc).__name__


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
        rgb, notes = _array_to_rgb(src, policy)
        return _loaded(rgb, "<array>", t0, notes)
    if _is_pil(src):
        t0 = time.perf_counter()
        rgb, notes = _pil_image_to_rgb(src, "<image>", policy)  # type: ignore[arg-type]
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
        rgb, notes = _decode(fh, name, policy)
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
    rgb, notes = _decode(io.BytesIO(data), name, policy)
    return _loaded(rgb, name, t0, notes)


def _refuse_non_image(head: bytes, name: str, ext: str) -> None:
    if not head:
        raise EmptyMedia(f"{name!r} is empty (0 bytes); give a real image file")
    kind = _kind_of_head(head, name, ext)
    fmt = sniff(head)
    if fmt != "gif" and kind in ("video", "audio") and (fmt is not None or ext != ""):
        hint = "use open_video() for video" if kind == "video" else "audio is not an image"
        raise UnsupportedFormat(f"{name!r} is {kind}, not an image; {hint}")


def _decode(fp: BinaryIO, name: str, policy: MediaPolicy) -> tuple[np.ndarray, list[str]]:
    from PIL import UnidentifiedImageError

    Image = _pil()

    try:
        with warnings.catch_warnings():
            # we apply our own, lower, cap right below from the header alone
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            warnings.simplefilter("ignore", UserWarning)  # e.g. "Corrupt EXIF data": not fatal
            im = Image.open(fp, formats=_PIL_FORMATS)
    except Image.DecompressionBombError as exc:
        raise MediaTooLarge(
            f"{name!r} is far too large to decode safely ({exc}); use a smaller image"
        ) from None
    except UnidentifiedImageError:
        fp.seek(0)
        raise UnsupportedFormat(
            f"{name!r} is not a readable image ({_looks_like(fp.read(_HEAD))}); give a "
            "JPEG, PNG, BMP, WebP, TIFF or GIF file"
        ) from None
    except Exception as exc:
        raise CorruptMedia(
            f"{name!r} is a damaged image ({_why(exc)}); re-export or re-download it"
        ) from None
    with im:
        return _pil_image_to_rgb(im, name, policy)


def _check_pixels(width: int, height: int, name: str, policy: MediaPolicy) -> None:
    if width <= 0 or height <= 0:
        raise EmptyMedia(f"{name!r} has no pixels ({width}x{height})")
    if width * height > policy.max_pixels:
        raise MediaTooLarge(
            f"{name!r} is {width}x{height} = {width * height:,} pixels, over the cap of "
            f"{policy.max_pixels:,}; downscale it or raise MediaPolicy(max_pixels=...)"
        )


def _pil_image_to_rgb(im: Image.Image, name: str, policy: MediaPolicy) -> tuple[np.ndarray, list[str]]:
    Image = _pil()

    _check_pixels(im.width, im.height, name, policy)  # header only: nothing decoded yet
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            warnings.simplefilter("ignore", UserWarning)  # e.g. "Corrupt EXIF data": not fatal
            im.load()  # a freshly opened image is at its first frame
            notes: list[str] = []
            im = _upright(im, notes)
            rgb = _pil_to_array(im, notes)
    except MediaError:
        raise
    except Exception as exc:  # Pillow raises OSError, SyntaxError, ValueError, struct.error, ...
        raise CorruptMedia(
            f"{name!r} is truncated or damaged ({_why(exc)}); re-export or re-download it"
        ) from None
    return rgb, notes


def _upright(im: Image.Image, notes: list[str]) -> Image.Image:
    from PIL import ImageOps

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Pillow warns on damaged EXIF; we just skip it
            orientation = int(im.getexif().get(0x0112, 1))
    except Exception:
        notes.append("EXIF unreadable; orientation not applied")
        return im
    if orientation in (2, 3, 4, 5, 6, 7, 8):
        out = ImageOps.exif_transpose(im)
        if out is not None:
            notes.append(f"EXIF orientation {orientation} applied")
            return out
    return im


_SIXTEEN = ("I;16", "I;16L", "I;16B", "I;16N")


def _pil_to_array(im: Image.Image, notes: list[str]) -> np.ndarray:
    Image = _pil()

    mode = im.mode
    if mode in _SIXTEEN or mode in ("I", "F"):
        return _gray_to_rgb(_scale_to_u8(np.asarray(im), mode, notes))
    if mode == "CMYK":
        return np.asarray(_cmyk_to_rgb(im, notes))
    has_alpha = mode in ("RGBA", "LA", "La", "RGBa", "PA") or "transparency" in im.info
    if has_alpha:
        rgba = im.convert("RGBA")
        if rgba.getextrema()[3][0] < 255:
            notes.append("transparent pixels composited onto white")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return np.asarray(Image.alpha_composite(white, rgba).convert("RGB"))
    if mode in ("L", "1", "P") and mode != "P":
        notes.append("grayscale replicated to RGB")
    return np.asarray(im if mode == "RGB" else im.convert("RGB"))


def _scale_to_u8(a: np.ndarray, mode: str, notes: list[str]) -> np.ndarray:
    a = a.astype(np.float64)
    if mode == "F":
        top = 1.0 if float(np.nanmax(a, initial=0.0)) <= 1.0 else 255.0
        notes.append(f"float samples scaled from [0, {top:g}] to 8-bit")
        return np.clip(np.nan_to_num(a) * (255.0 / top) + 0.5, 0, 255).astype(np.uint8)
    if mode == "I" and float(a.max(initial=0)) <= 255 and float(a.min(initial=0)) >= 0:
        notes.append("32-bit integer samples within 0-255 kept as 8-bit")
        return a.astype(np.uint8)
    notes.append("16-bit samples scaled to 8-bit")
    return np.clip(a * (255.0 / 65535.0) + 0.5, 0, 255).astype(np.uint8)


def _gray_to_rgb(gray: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(np.repeat(gray[:, :, None], 3, axis=2))


def _cmyk_to_rgb(im: Image.Image, notes: list[str]) -> Image.Image:
    icc = im.info.get("icc_profile")
    if icc:
        try:
            from PIL import ImageCms

            src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            out = ImageCms.profileToProfile(im, src, ImageCms.createProfile("sRGB"), outputMode="RGB")
            if out is not None:
                notes.append("CMYK converted to sRGB with its ICC profile")
                return out
        except Exception:
            pass
    notes.append("CMYK converted to RGB")
    return im.convert("RGB")


def _array_to_rgb(a: np.ndarray, policy: MediaPolicy) -> tuple[np.ndarray, list[str]]:
    notes: list[str] = []
    if a.size == 0:
        raise EmptyMedia(f"the array is empty (shape {a.shape}); pass an image array")
    if a.ndim == 3 and a.shape[2] == 1:
        a = a[:, :, 0]
    if not (a.ndim == 2 or (a.ndim == 3 and a.shape[2] in (3, 4))):
        raise UnsupportedFormat(
            f"an image array must have shape (H, W), (H, W, 3) or (H, W, 4); got {a.shape}"
        )
    _check_pixels(int(a.shape[1]), int(a.shape[0]), "<array>", policy)
    a = _array_to_u8(a, notes)
    if a.ndim == 2:
        notes.append("grayscale replicated to RGB")
        return _gray_to_rgb(a), notes
    if a.shape[2] == 4:
        alpha = a[:, :, 3:4].astype(np.float32) / 255.0
        if float(alpha.min()) < 1.0:
            notes.append("transparent pixels composited onto white")
        rgb = a[:, :, :3].astype(np.float32) * alpha + 255.0 * (1.0 - alpha)
        return np.ascontiguousarray(np.clip(rgb + 0.5, 0, 255).astype(np.uint8)), notes
    return np.ascontiguousarray(a, dtype=np.uint8).copy(), notes


def _array_to_u8(a: np.ndarray, notes: list[str]) -> np.ndarray:
    if a.dtype == np.uint8:
        return a
    if a.dtype == np.bool_:
        return a.astype(np.uint8) * 255
    if a.dtype == np.uint16:
        return _scale_to_u8(a, "I;16", notes)
    if np.issubdtype(a.dtype, np.floating):
        if not np.isfinite(a).all():
            raise UnsupportedFormat("the image array holds NaN or infinite values; clean it first")
        lo, hi = float(a.min()), float(a.max())
        if lo >= 0.0 and hi <= 1.0:
            notes.append("float samples scaled from [0, 1] to 8-bit")
            return np.clip(a * 255.0 + 0.5, 0, 255).astype(np.uint8)
        if lo >= 0.0 and hi <= 255.0:
            return np.clip(a + 0.5, 0, 255).astype(np.uint8)
    elif np.issubdtype(a.dtype, np.integer):
        lo, hi = int(a.min()), int(a.max())
        if lo >= 0 and hi <= 255:
            return a.astype(np.uint8)
        if lo >= 0 and hi <= 65535:
            return _scale_to_u8(a, "I;16", notes)
    raise UnsupportedFormat(
        f"cannot interpret an image array of dtype {a.dtype} with values outside "
        "[0, 255]; pass uint8 (or uint16, or float in [0, 1])"
    )


# --------------------------------------------------------------------------- video


def _sampler(step: float | None, tolerance: float) -> Any:
    """A predicate on frame times picking the frame nearest each multiple of ``step``."""
    state = {"next": 0.0}

    def want(t: float) -> bool:
        if step is None:
            return True
        if t + tolerance < state["next"]:
            return False
        while state["next"] <= t + tolerance:
            state["next"] += step
        return True

    return want


class VideoSource:
    """An opened video; iterate :meth:`frames`. Use as a context manager.

    Attributes:
        source: File name, redacted URL or ``"<bytes>"`` (never a full local path).
        native_fps: Frames per second the container declares (25 when it
            declares nothing usable).
        frame_count: Frames the container declares (0 when unknown); a damaged
            file may yield fewer.
        duration_s: ``frame_count / native_fps`` (for GIF: the sum of frame delays).
        width: Frame width in pixels.
        height: Frame height in pixels.
        notes: Anything estimated or assumed about the video, in words.
    """

    def __init__(self, path: Path, source: str, fmt: str, policy: MediaPolicy, temp: bool = False) -> None:
        self._path = path
        self._fmt = fmt
        self.source = source
        self.notes: list[str] = []
        self._closed = False
        self._finalizer = weakref.finalize(self, _unlink, path) if temp else None
        self._gif_times: list[float] = []
        try:
            if fmt == "gif":
                self._probe_gif(policy)
            else:
                self._probe_cv2(policy)
        except BaseException:
            self.close()
            raise

    # -- probing
    def _probe_cv2(self, policy: MediaPolicy) -> None:
        import cv2

        cap = cv2.VideoCapture(str(self._path), cv2.CAP_FFMPEG)
        try:
            ok, frame = cap.read() if cap.isOpened() else (False, None)
            if not ok or frame is None:
                raise EmptyMedia(
                    f"{self.source!r} holds no decodable video frame (damaged, truncated or "
                    "not really a video); re-encode or re-export it"
                )
            fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0)
            count = cap.get(cv2.CAP_PROP_FRAME_COUNT)
        finally:
            cap.release()
        self.height, self.width = int(frame.shape[0]), int(frame.shape[1])
        _check_pixels(self.width, self.height, self.source, policy)
        if not math.isfinite(fps) or fps <= 0 or fps > 1000:
            self.notes.append(f"container declares no usable frame rate ({fps}); assumed 25 fps")
            fps = 25.0
        self.native_fps = fps
        self.frame_count = int(count) if math.isfinite(count) and count > 0 else 0
        self.duration_s = self.frame_count / fps

    def _probe_gif(self, policy: MediaPolicy) -> None:
        Image = _pil()

        try:
            with Image.open(self._path, formats=["GIF"]) as im:
                self.width, self.height = im.size
                _check_pixels(self.width, self.height, self.source, policy)
                t, times = 0.0, []
                for i in range(getattr(im, "n_frames", 1)):
                    im.seek(i)
                    times.append(t)
                    delay = im.info.get("duration") or 0
                    t += (delay if delay >= 20 else 100) / 1000.0  # as browsers do for 0-10 ms
        except MediaError:
            raise
        except Exception as exc:
            raise EmptyMedia(
                f"{self.source!r} is a GIF with no decodable frame ({_why(exc)}); re-export it"
            ) from None
        self._gif_times = times
        self.frame_count = len(times)
        self.duration_s = t
        self.native_fps = len(times) / t if t > 0 else 10.0

    # -- reading
    def frames(self, sample_fps: float | None = None) -> Iterator[Frame]:
        """Decoded frames, optionally sampled.

        Args:
            sample_fps: Frames per second wanted; the frame nearest each
                multiple of ``1 / sample_fps`` seconds is yielded. ``None``, or a
                rate at or above the native one, yields every frame. Skipped
                frames are not converted (``grab`` without ``retrieve``).

        Yields:
            ``(frame_index, t_seconds, rgb)`` with ``rgb`` of shape
            (height, width, 3), uint8. ``t_seconds`` is ``frame_index / native_fps``
            (GIF: the sum of the preceding frame delays).

        Raises:
            ValueError: ``sample_fps`` is not a positive number.
            EmptyMedia: Not a single frame could be decoded.
        """
        if sample_fps is not None and not (
            isinstance(sample_fps, (int, float)) and math.isfinite(sample_fps) and sample_fps > 0
        ):
            raise ValueError(f"sample_fps must be a positive number or None, not {sample_fps!r}")
        if self._closed:
            raise MediaError(f"the video {self.source!r} is closed; open it again with open_video()")
        step = None if sample_fps is None or sample_fps >= self.native_fps else 1.0 / sample_fps
        tolerance = 0.5 / self.native_fps
        gen = self._gif_frames if self._fmt == "gif" else self._cv2_frames
        return self._nonempty(gen(_sampler(step, tolerance)))

    def _nonempty(self, it: Iterator[Frame]) -> Iterator[Frame]:
        n = 0
        for item in it:
            n += 1
            yield item
        if n == 0:
            raise EmptyMedia(f"{self.source!r} holds no decodable video frame; re-encode it")

    def _cv2_frames(self, want: Any) -> Iterator[Frame]:
        import cv2

        cap = cv2.VideoCapture(str(self._path), cv2.CAP_FFMPEG)
        try:
            i = 0
            while cap.isOpened():
                t = i / self.native_fps
                if want(t):
                    ok, bgr = cap.read()
                    if not ok or bgr is None:
                        break
                    if bgr.shape[:2] != (self.height, self.width):
                        break  # a stream that changes size mid-way: stop at what we trust
                    yield i, t, cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
                elif not cap.grab():
                    break
                i += 1
        finally:
            cap.release()

    def _gif_frames(self, want: Any) -> Iterator[Frame]:
        Image = _pil()

        with Image.open(self._path, formats=["GIF"]) as im:
            for i, t in enumerate(self._gif_times):
                if not want(t):
                    continue
                try:
                    im.seek(i)
                    im.load()
                    rgb = _pil_to_array(im, [])
                except Exception:
                    break  # a damaged tail: keep what decoded
                yield i, t, rgb

    # -- lifetime
    def close(self) -> None:
        """Release the video (and delete its temporary copy, if any)."""
        self._closed = True
        if self._finalizer is not None:
            self._finalizer()

    def __enter__(self) -> VideoSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return (
            f"VideoSource({self.source!r}, {self.width}x{self.height}, {self.native_fps:.3g} fps, "
            f"{self.frame_count} frames)"
        )


def _unlink(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def open_video(src: str | os.PathLike[str] | bytes, policy: MediaPolicy | None = None) -> VideoSource:
    """Open a video (mp4, mov, webm, mkv, avi or gif) for frame-by-frame reading.

    Bytes and URLs are written to a temporary file that :meth:`VideoSource.close`
    deletes. The container is recognised from its magic bytes before FFmpeg sees
    the file; the first frame is decoded to make sure the video is readable.

    Args:
        src: A path (checked against ``policy.allowed_roots``), an ``http(s)`` URL
            (only if ``policy.allow_urls``) or the encoded bytes of a video.
        policy: The media policy; default :meth:`MediaPolicy.default`.

    Returns:
        An open :class:`VideoSource`.

    Raises:
        EmptyMedia: Zero bytes, or no decodable frame (garbage, truncated file).
        UnsupportedFormat: An image, audio or unknown format.
        MediaTooLarge: Frames over ``max_pixels``, or a file over the byte cap.
        AccessDenied, MediaError: As for :func:`resolve_path` and :func:`fetch_url`.
    """
    policy = policy or MediaPolicy.default()
    if isinstance(src, (bytes, bytearray, memoryview)) or (isinstance(src, str) and is_url(src)):
        if isinstance(src, str):
            name, data = _url_source(src), fetch_url(src, policy)
        else:
            name, data = "<bytes>", bytes(src)
            if len(data) > policy.max_bytes:
                raise MediaTooLarge(
                    f"the video bytes ({len(data):,}) exceed the cap of "
                    f"{policy.max_bytes:,}; raise MediaPolicy(max_bytes=...)"
                )
        if not data:
            raise EmptyMedia(f"{name} is empty (0 bytes); give a real video")
        fmt = _video_format(data[:_HEAD], name, "")
        fd, tmp = tempfile.mkstemp(prefix="emotool-", suffix=f".{fmt}")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
        except BaseException:
            _unlink(Path(tmp))
            raise
        return VideoSource(Path(tmp), name, fmt, policy, temp=True)
    if not isinstance(src, (str, os.PathLike)):
        raise UnsupportedFormat(f"cannot open a video from a {type(src).__name__}; pass a path, URL or bytes")
    given = os.fspath(src)
    real = resolve_path(given, policy)
    _checked_size(real, given, policy)
    fmt = _video_format(_read_head(real, given, policy), given, Path(given).suffix.lower())
    return VideoSource(real, Path(given).name, fmt, policy)


def _video_format(head: bytes, name: str, ext: str) -> str:
    fmt = sniff(head)
    if fmt in _CV2_CONTAINERS or fmt == "gif":
        return fmt  # type: ignore[return-value]
    if fmt is not None:
        kind = _FORMAT_KIND[fmt]
        hint = "use load_image() for images" if kind == "image" else "audio has no video frames"
        raise UnsupportedFormat(f"{name!r} is {kind} ({fmt}), not a video; {hint}")
    if _EXT_KIND.get(ext) == "video":
        raise EmptyMedia(
            f"{name!r} holds no decodable video (its content is not a {ext.lstrip('.')} "
            "container: damaged, truncated or not really a video); re-encode or re-export it"
        )
    raise UnsupportedFormat(
        f"{name!r} is not a supported video ({_looks_like(head)}); give mp4, mov, webm, mkv, avi or gif"
    )


# --------------------------------------------------------------------------- writing


_FOURCC = {".mp4": "mp4v", ".mov": "mp4v", ".avi": "MJPG", ".mkv": "MJPG", ".webm": "VP80"}


def write_video(path: str | os.PathLike[str], frames: Iterable[np.ndarray], fps: float) -> Path:
    """Write RGB frames to a video file; the extension picks the format.

    mp4 and mov use MPEG-4 Part 2 (``mp4v``), avi and mkv Motion-JPEG, webm VP8
    (all through OpenCV's FFmpeg, which is checked to round-trip here), gif
    Pillow (frame delay ``1000 / fps`` ms, rounded to 10 ms by the format).

    Args:
        path: Output file (.mp4, .mov, .avi, .mkv, .webm or .gif).
        frames: RGB uint8 arrays of one shape (H, W, 3); (H, W) is taken as gray.
        fps: Frames per second.

    Returns:
        ``Path(path)``.

    Raises:
        ValueError: No frames, frames of different sizes, or a bad ``fps``.
        UnsupportedFormat: An extension not listed above.
        MediaError: OpenCV could not create the file.
    """
    out = Path(path)
    ext = out.suffix.lower()
    if not (math.isfinite(fps) and fps > 0):
        raise ValueError(f"fps must be a positive number, not {fps!r}")
    if ext != ".gif" and ext not in _FOURCC:
        raise UnsupportedFormat(
            f"cannot write {ext or 'extensionless'} video; use one of .mp4 .mov .avi .mkv .webm .gif"
        )
    it = iter(frames)
    first = next(it, None)
    if first is None:
        raise ValueError("write_video needs at least one frame")

    def rgb_frames() -> Iterator[np.ndarray]:
        for f in _chain(first, it):
            f = np.asarray(f)
            if f.ndim == 2:
                f = _gray_to_rgb(f)
            if f.shape != shape or f.dtype != np.uint8:
                raise ValueError(f"every frame must be uint8 of shape {shape}; got {f.dtype} {f.shape}")
            yield f

    shape = np.asarray(first).shape if np.asarray(first).ndim == 3 else (*np.asarray(first).shape, 3)
    h, w = shape[:2]
    if ext == ".gif":
        Image = _pil()

        images = (Image.fromarray(f) for f in rgb_frames())
        head = next(images)
        head.save(
            out,
            format="GIF",
            save_all=True,
            append_images=images,
            duration=max(20, round(1000.0 / fps)),
            loop=0,
        )
        return out
    import cv2

    writer = cv2.VideoWriter(str(out), cv2.VideoWriter_fourcc(*_FOURCC[ext]), float(fps), (int(w), int(h)))
    try:
        if not writer.isOpened():
            raise MediaError(f"OpenCV cannot write {ext} files here (codec {_FOURCC[ext]}); try .mp4 or .avi")
        for f in rgb_frames():
            writer.write(cv2.cvtColor(f, cv2.COLOR_RGB2BGR))
    finally:
        writer.release()
    return out


def _chain(first: np.ndarray, rest: Iterator[np.ndarray]) -> Iterator[np.ndarray]:
    yield first
    yield from rest
