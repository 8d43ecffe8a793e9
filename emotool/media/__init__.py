"""Safe loading of images and video frames from paths, URLs, bytes and arrays.

Everything emotool analyses enters through this package, and every way it can
go wrong ends in a typed error from :mod:`emotool.errors` whose message says how
to fix it:

* **Paths** are opened only under ``MediaPolicy.allowed_roots`` (default: the
  working directory). ``..`` escapes, absolute paths elsewhere and symlinks that
  point out of the roots raise :class:`~emotool.errors.AccessDenied`. Only
  regular files are opened (a FIFO named ``x.jpg`` cannot hang us).
* **URLs** are off by default; see :mod:`emotool.media.netfetch` for what is checked
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

The package is layered, each module importing only those below it:
``policy`` (MediaPolicy, formats, :func:`sniff`) at the bottom; ``paths``
(resolving and opening files under the roots); ``decode`` (pixel conversions)
and ``animation`` (counting GIF frames from the headers); ``netfetch`` (URLs);
then the sources, ``images`` and ``videoio``. This module re-exports the public
names (the video ones lazily). Heavy libraries (OpenCV, Pillow) are imported
inside the functions that use them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .images import LoadedImage, fetch_url, load_image, media_kind
from .paths import resolve_path
from .policy import Kind, MediaPolicy, is_url, sniff

if TYPE_CHECKING:
    from .videoio import VideoSource, open_video, write_video


def __getattr__(name: str) -> Any:
    """The video API lives in :mod:`emotool.media.videoio`; it is loaded on first use."""
    if name in ("VideoSource", "open_video", "write_video"):
        from . import videoio

        return getattr(videoio, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
    "sniff",
    "write_video",
]
