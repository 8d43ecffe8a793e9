"""Counting the frames of an animated GIF from its block structure, decoding nothing.

Decoding a GIF frame costs in proportion to the whole canvas (each frame is
composited onto the previous one), so a 46 kB GIF of 2000 one-pixel frames on
a 6000x6000 canvas costs as much as 72 billion pixels of decoding. These
scanners read only the block headers (GIF: the logical screen, each image
descriptor and graphic-control extension, skipping the compressed data by its
sub-block lengths) so that the frame count and the canvas can be checked
against a budget before any pixel is decoded. (Animated WebP needs no scanner:
Pillow counts its frames with libwebp's demuxer, which decodes nothing.)
"""

from __future__ import annotations

import mmap
import os
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from emotool.errors import CorruptMedia
from emotool.untrusted import quoted_name as _q

__all__ = ["AnimationInfo", "scan_gif"]


@dataclass
class AnimationInfo:
    """What the headers of an animated picture say.

    Attributes:
        width: Canvas width in pixels.
        height: Canvas height in pixels.
        frames: Number of frames (image descriptors).
        delays_ms: Each frame's delay in milliseconds as stored (0 when none is given).
    """

    width: int
    height: int
    frames: int
    delays_ms: list[int] = field(default_factory=list)

    @property
    def decode_pixels(self) -> int:
        """Pixels composited to decode every frame: frames x canvas."""
        return self.frames * self.width * self.height


def _skip_sub_blocks(buf: bytes | mmap.mmap, pos: int, end: int) -> int:
    while pos < end:
        size = buf[pos]
        pos += 1 + size
        if size == 0:
            return pos
    return end


def _scan_gif_buffer(buf: bytes | mmap.mmap, name: str, max_frames: int | None) -> AnimationInfo:
    end = len(buf)
    if end < 13 or bytes(buf[:6]) not in (b"GIF87a", b"GIF89a"):
        raise CorruptMedia(f"{_q(name)} is not a GIF (bad header); re-export it")
    width, height, packed = struct.unpack_from("<HHB", buf, 6)
    pos = 13
    if packed & 0x80:
        pos += 3 * (1 << ((packed & 7) + 1))
    frames, delays, delay = 0, [], 0
    while pos < end:
        tag = buf[pos]
        if tag == 0x3B:  # trailer
            break
        if tag == 0x21:  # extension
            if pos + 2 > end:
                break
            label = buf[pos + 1]
            if label == 0xF9 and pos + 7 < end and buf[pos + 2] >= 4:  # graphic control
                delay = struct.unpack_from("<H", buf, pos + 4)[0] * 10
            pos = _skip_sub_blocks(buf, pos + 2, end)
        elif tag == 0x2C:  # image descriptor
            if pos + 10 > end:
                break
            ipacked = buf[pos + 9]
            pos += 10
            if ipacked & 0x80:
                pos += 3 * (1 << ((ipacked & 7) + 1))
            pos = _skip_sub_blocks(buf, pos + 1, end)  # +1: the LZW minimum code size
            frames += 1
            delays.append(delay)
            delay = 0
            if max_frames is not None and frames > max_frames:
                break  # enough to refuse; do not walk the rest
        else:
            break  # garbage after the last frame: decoders stop here too
    return AnimationInfo(width=width, height=height, frames=frames, delays_ms=delays)


def scan_gif(
    src: str | os.PathLike[str] | bytes | BinaryIO, name: str = "<bytes>", max_frames: int | None = None
) -> AnimationInfo:
    """Canvas size, frame count and delays of a GIF, from its headers alone.

    Args:
        src: A path (already checked by the caller), an open binary file, or the file's bytes.
        name: How to call the file in error messages.
        max_frames: Stop counting once this many frames are exceeded (the count is then
            ``max_frames + 1``).

    Raises:
        CorruptMedia: The header is not a GIF's.
    """
    if isinstance(src, (bytes, bytearray, memoryview)):
        return _scan_gif_buffer(bytes(src), name, max_frames)
    if isinstance(src, (str, os.PathLike)):
        with open(Path(src), "rb") as fh:
            return _scan_gif_file(fh, name, max_frames)
    return _scan_gif_file(src, name, max_frames)


def _scan_gif_file(fh: BinaryIO, name: str, max_frames: int | None) -> AnimationInfo:
    if os.fstat(fh.fileno()).st_size == 0:
        raise CorruptMedia(f"{_q(name)} is empty; re-export it")
    with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        return _scan_gif_buffer(mm, name, max_frames)
