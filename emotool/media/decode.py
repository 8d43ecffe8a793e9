"""Turning decoded pictures into upright 8-bit RGB arrays (used by :mod:`emotool.media`).

Pillow is imported lazily and only the decoders emotool needs are registered.
Every failure inside Pillow becomes a typed :mod:`emotool.errors` error.
"""

from __future__ import annotations

import io
import warnings
from typing import TYPE_CHECKING, Any, BinaryIO

import numpy as np

from emotool.errors import (
    BadDimensions,
    CorruptMedia,
    EmptyMedia,
    MediaError,
    MediaTooLarge,
    UnsupportedFormat,
)
from emotool.untrusted import quoted_name as _q

if TYPE_CHECKING:
    from PIL import Image

    from .policy import MediaPolicy

PIL_FORMATS = ("JPEG", "PNG", "BMP", "WEBP", "TIFF", "GIF")
_HEAD = 64


def pil() -> Any:
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


def looks_like(head: bytes) -> str:
    """A few words on what unrecognised content seems to be, for error messages."""
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        return "unrecognised content"
    if all(c.isprintable() or c in "\r\n\t" for c in text):
        return "it looks like text"
    return "unrecognised content"


def why(exc: BaseException) -> str:
    """A one-line description of an exception, for error messages."""
    msg = str(exc).strip().splitlines()[0][:160] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {msg}" if msg else type(exc).__name__


def decode_image(fp: BinaryIO, name: str, policy: MediaPolicy) -> tuple[np.ndarray, list[str]]:
    """Decode an encoded image from ``fp`` into RGB uint8 plus notes on the conversions made."""
    from PIL import UnidentifiedImageError

    Image = pil()

    try:
        with warnings.catch_warnings():
            # we apply our own, lower, cap right below from the header alone
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            warnings.simplefilter("ignore", UserWarning)  # e.g. "Corrupt EXIF data": not fatal
            im = Image.open(fp, formats=PIL_FORMATS)
    except Image.DecompressionBombError as exc:
        raise MediaTooLarge(
            f"{_q(name)} is far too large to decode safely ({exc}); use a smaller image"
        ) from None
    except UnidentifiedImageError:
        fp.seek(0)
        raise UnsupportedFormat(
            f"{_q(name)} is not a readable image ({looks_like(fp.read(_HEAD))}); give a "
            "JPEG, PNG, BMP, WebP, TIFF or GIF file"
        ) from None
    except Exception as exc:
        raise CorruptMedia(
            f"{_q(name)} is a damaged image ({why(exc)}); re-export or re-download it"
        ) from None
    with im:
        return pil_image_to_rgb(im, name, policy)


def check_pixels(width: int, height: int, name: str, policy: MediaPolicy) -> None:
    """Refuse a picture of no pixels, of more than ``policy.max_pixels``, or of an extreme aspect ratio."""
    if width <= 0 or height <= 0:
        raise EmptyMedia(f"{_q(name)} has no pixels ({width}x{height})")
    if width * height > policy.max_pixels:
        raise MediaTooLarge(
            f"{_q(name)} is {width}x{height} = {width * height:,} pixels, over the cap of "
            f"{policy.max_pixels:,}; downscale it or raise MediaPolicy(max_pixels=...)"
        )
    ratio = max(width, height) / min(width, height)
    if ratio > policy.max_aspect_ratio:
        raise BadDimensions(
            f"{_q(name)} is {width}x{height}, an aspect ratio of {ratio:,.0f}:1, over the limit of "
            f"{policy.max_aspect_ratio:g}:1; crop it to the part with the people in it (or raise "
            "MediaPolicy(max_aspect_ratio=...))"
        )


def check_animation(frames: int, width: int, height: int, name: str, policy: MediaPolicy) -> None:
    """Refuse an animation with more frames, or more pixels to decode, than ``policy`` allows.

    Called with counts read from the headers, before any frame is decoded.
    """
    if frames > policy.max_frames:
        raise MediaTooLarge(
            f"{_q(name)} has more than {policy.max_frames:,} frames; shorten it or convert it to a "
            "video (mp4), or raise MediaPolicy(max_frames=...)"
        )
    total = frames * width * height
    if total > policy.max_animation_pixels:
        raise MediaTooLarge(
            f"{_q(name)} is {frames:,} frames of {width}x{height}: decoding it would composite "
            f"{total:,} pixels, over the cap of {policy.max_animation_pixels:,}; shrink or shorten it, "
            "convert it to a video (mp4), or raise MediaPolicy(max_animation_pixels=...)"
        )


def pil_image_to_rgb(im: Image.Image, name: str, policy: MediaPolicy) -> tuple[np.ndarray, list[str]]:
    """Check the size from the header, then decode ``im`` upright into RGB uint8."""
    Image = pil()

    check_pixels(im.width, im.height, name, policy)  # header only: nothing decoded yet
    if im.format == "WEBP":  # libwebp's demuxer counts the frames without decoding them
        n = int(getattr(im, "n_frames", 1))
        if n > policy.max_frames:
            check_animation(n, im.width, im.height, name, policy)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            warnings.simplefilter("ignore", UserWarning)  # e.g. "Corrupt EXIF data": not fatal
            im.load()  # a freshly opened image is at its first frame
            notes: list[str] = []
            im = _upright(im, notes)
            rgb = pil_to_array(im, notes)
    except MediaError:
        raise
    except Exception as exc:  # Pillow raises OSError, SyntaxError, ValueError, struct.error, ...
        raise CorruptMedia(
            f"{_q(name)} is truncated or damaged ({why(exc)}); re-export or re-download it"
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


def pil_to_array(im: Image.Image, notes: list[str]) -> np.ndarray:
    """Convert a loaded, upright PIL image of any mode into RGB uint8 (see emotool.media)."""
    Image = pil()

    mode = im.mode
    if mode in _SIXTEEN or mode in ("I", "F"):
        return gray_to_rgb(_scale_to_u8(np.asarray(im), mode, notes))
    if mode == "CMYK":
        return np.asarray(_cmyk_to_rgb(im, notes))
    has_alpha = mode in ("RGBA", "LA", "La", "RGBa", "PA") or "transparency" in im.info
    if has_alpha:
        rgba = im.convert("RGBA")
        if int(np.asarray(rgba.getchannel("A")).min()) < 255:
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


def gray_to_rgb(gray: np.ndarray) -> np.ndarray:
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


def array_to_rgb(a: np.ndarray, policy: MediaPolicy) -> tuple[np.ndarray, list[str]]:
    """Validate a caller's numpy image and convert it into RGB uint8 (a copy)."""
    notes: list[str] = []
    if a.size == 0:
        raise EmptyMedia(f"the array is empty (shape {a.shape}); pass an image array")
    if a.ndim == 3 and a.shape[2] == 1:
        a = a[:, :, 0]
    if not (a.ndim == 2 or (a.ndim == 3 and a.shape[2] in (3, 4))):
        raise UnsupportedFormat(
            f"an image array must have shape (H, W), (H, W, 3) or (H, W, 4); got {a.shape}"
        )
    check_pixels(int(a.shape[1]), int(a.shape[0]), "<array>", policy)
    a = _array_to_u8(a, notes)
    if a.ndim == 2:
        notes.append("grayscale replicated to RGB")
        return gray_to_rgb(a), notes
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
