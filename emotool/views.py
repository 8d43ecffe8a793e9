"""Multi-perspective views: the pictures of one input that a vision-language model sees at once.

EmoLLM's first idea is to show the model the same input from several
perspectives. emotool builds them from the image and what the face detector
found:

- ``scene``: the whole picture, downscaled to ``max_side``;
- ``faces``: each detected face (up to ``max_faces``, largest first), cropped
  with a margin and enlarged to ``face_size`` so that the expression is large;
- ``context``: the region around each person (head, shoulders, hands, nearby
  objects), skipped when it would be almost the whole picture.

For a video, :func:`select_keyframes` picks the sampled frames where the main
face's expression changes, and :func:`video_views` shows each keyframe (with its
time) and the main face in it. Which views were sent is recorded in the
reading's ``views`` field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from .schema import Box, ViewInfo

if TYPE_CHECKING:
    from .perception.types import FaceResult, FrameResult

ViewName = Literal["scene", "faces", "context"]
_ALL_VIEWS: tuple[ViewName, ...] = ("scene", "faces", "context")


class ViewConfig(BaseModel):
    """Which views to build, and how.

    Attributes:
        views: The perspectives to send: any of ``scene``, ``faces``, ``context``.
        max_faces: At most this many faces get their own face and context views.
        face_size: Side in pixels a face crop is enlarged (or reduced) to.
        face_margin: Margin added around a face box, as a fraction of its size.
        context_scale: The context region is this many face widths wide; it
            reaches one face height above the face and two below (shoulders, hands).
        max_side: Longest side in pixels of scene, context and keyframe pictures.
        keyframes: At most this many keyframes of a video.
        keyframe_change: Total-variation distance between the expression scores of
            two frames that counts as a change of expression (0 to 1).
        max_images: Hard cap on the pictures in one request (faces are dropped first).
    """

    model_config = ConfigDict(extra="forbid")

    views: list[ViewName] = Field(default_factory=lambda: list(_ALL_VIEWS), min_length=1)
    max_faces: int = Field(default=3, ge=0, le=16)
    face_size: int = Field(default=336, ge=16, le=2048)
    face_margin: float = Field(default=0.25, ge=0, le=2)
    context_scale: float = Field(default=3.0, ge=1.5, le=10)
    max_side: int = Field(default=768, ge=32, le=4096)
    keyframes: int = Field(default=4, ge=1, le=32)
    keyframe_change: float = Field(default=0.25, gt=0, le=1)
    max_images: int = Field(default=8, ge=1, le=64)


@dataclass
class View:
    """One picture for the model, with what it shows."""

    rgb: np.ndarray
    kind: Literal["scene", "face", "context", "keyframe"]
    caption: str
    face_id: int | None = None
    box: Box | None = None
    t: float | None = None

    def info(self, index: int) -> ViewInfo:
        """The schema record of this view at position ``index`` of the request."""
        h, w = self.rgb.shape[:2]
        return ViewInfo(
            index=index,
            kind=self.kind,
            face_id=self.face_id,
            box=self.box,
            t=self.t,
            width=int(w),
            height=int(h),
        )


def _resize(rgb: np.ndarray, width: int, height: int) -> np.ndarray:
    from PIL import Image

    if rgb.shape[1] == width and rgb.shape[0] == height:
        return rgb
    return np.asarray(Image.fromarray(rgb).resize((max(1, width), max(1, height)), Image.Resampling.BICUBIC))


def fit(rgb: np.ndarray, max_side: int) -> np.ndarray:
    """Downscale so the longest side is at most ``max_side`` (never upscales)."""
    h, w = rgb.shape[:2]
    s = max_side / max(h, w)
    if s >= 1:
        return rgb
    return _resize(rgb, round(w * s), round(h * s))


def _clip(x1: float, y1: float, x2: float, y2: float, w: int, h: int) -> tuple[int, int, int, int]:
    a, b = int(max(0, round(x1))), int(max(0, round(y1)))
    c, d = int(min(w, round(x2))), int(min(h, round(y2)))
    return a, b, max(a + 1, c), max(b + 1, d)


def face_crop(
    rgb: np.ndarray, face: FaceResult, cfg: ViewConfig
) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """A square crop around a face with a margin, resized to ``cfg.face_size``."""
    d = face.detection
    h, w = rgb.shape[:2]
    side = max(d.width, d.height) * (1 + 2 * cfg.face_margin)
    cx, cy = (d.x1 + d.x2) / 2, (d.y1 + d.y2) / 2
    box = _clip(cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2, w, h)
    crop = rgb[box[1] : box[3], box[0] : box[2]]
    return _resize(crop, cfg.face_size, cfg.face_size), box


def context_box(face: FaceResult, width: int, height: int, cfg: ViewConfig) -> tuple[int, int, int, int]:
    """The region around a person: ``context_scale`` face widths wide, down to the chest and hands."""
    d = face.detection
    cx = (d.x1 + d.x2) / 2
    half = d.width * cfg.context_scale / 2
    return _clip(cx - half, d.y1 - d.height, cx + half, d.y2 + 2 * d.height, width, height)


def build_views(rgb: np.ndarray, frame: FrameResult | None, config: ViewConfig | None = None) -> list[View]:
    """The views of one image, in the order they are sent: scene, then per face its face and context.

    Args:
        rgb: The image, (H, W, 3) uint8 RGB.
        frame: What the face detector found (``None``: no detection ran, only the scene).
        config: Which views to build; default :class:`ViewConfig`.

    Returns:
        At least one view: when nothing else applies, the scene is always sent.
    """
    cfg = config or ViewConfig()
    h, w = rgb.shape[:2]
    views: list[View] = []
    if "scene" in cfg.views:
        views.append(View(fit(rgb, cfg.max_side), "scene", f"the whole scene ({w}x{h} px)"))
    faces = list(frame.faces[: cfg.max_faces]) if frame is not None else []
    for i, face in enumerate(faces):
        if "faces" in cfg.views:
            crop, (a, b, c, d) = face_crop(rgb, face, cfg)
            views.append(
                View(
                    crop,
                    "face",
                    f"face {i} cropped and enlarged",
                    face_id=i,
                    box=Box.from_xyxy(a, b, c, d, w, h),
                )
            )
        if "context" in cfg.views:
            a, b, c, d = context_box(face, w, h, cfg)
            if (c - a) * (d - b) < 0.8 * w * h or "scene" not in cfg.views:
                views.append(
                    View(
                        fit(rgb[b:d, a:c], cfg.max_side),
                        "context",
                        f"the context around face {i} (head, shoulders, hands, nearby objects)",
                        face_id=i,
                        box=Box.from_xyxy(a, b, c, d, w, h),
                    )
                )
    if not views:  # faces-only config and no face found: the scene is the only honest view
        views.append(
            View(fit(rgb, cfg.max_side), "scene", f"the whole scene ({w}x{h} px); no face was detected")
        )
    return _cap(views, cfg.max_images)


def _cap(views: list[View], limit: int) -> list[View]:
    if len(views) <= limit:
        return views
    order = {"scene": 0, "keyframe": 0, "face": 1, "context": 2}
    # keep scenes/keyframes and the first faces; drop the last context views first
    ranked = sorted(range(len(views)), key=lambda i: (order[views[i].kind], views[i].face_id or 0, i))
    keep = sorted(ranked[:limit])
    return [views[i] for i in keep]


def describe_views(views: list[View]) -> str:
    """The text that tells the model what each picture is, numbered from 1."""
    lines = [f"You are shown {len(views)} picture{'s' if len(views) != 1 else ''} of the same input:"]
    for i, v in enumerate(views, 1):
        lines.append(f"[{i}] {v.caption}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- video


def _main_probs(frame: FrameResult) -> np.ndarray | None:
    return np.asarray(frame.faces[0].probs, dtype=float) if frame.faces else None


def select_keyframes(
    times: list[float], frames: list[FrameResult], k: int = 4, change: float = 0.25
) -> list[int]:
    """Indices of the sampled frames where the main face's expression changes.

    The first frame with a face is always a keyframe. A later frame is a
    candidate when its scores differ from the last keyframe's by at least
    ``change`` (total variation) or its top emotion differs; the ``k - 1``
    largest changes are kept. Without any face, ``k`` evenly spaced frames.

    Args:
        times: Time in seconds of each sampled frame.
        frames: The detector/classifier result of each sampled frame.
        k: At most this many keyframes.
        change: Total-variation distance that counts as a change.

    Returns:
        Indices into ``frames``, in time order.
    """
    if len(times) != len(frames):
        raise ValueError("times and frames must have the same length")
    with_face = [i for i, f in enumerate(frames) if f.faces]
    if not with_face:
        n = len(frames)
        if n == 0:
            return []
        return sorted({round(j * (n - 1) / max(1, k - 1)) for j in range(min(k, n))})
    first = with_face[0]
    ref = _main_probs(frames[first])
    assert ref is not None
    candidates: list[tuple[float, int]] = []
    for i in with_face[1:]:
        p = _main_probs(frames[i])
        assert p is not None
        tv = 0.5 * float(np.abs(p - ref).sum())
        if tv >= change or int(np.argmax(p)) != int(np.argmax(ref)):
            candidates.append((tv, i))
            ref = p
    best = sorted(candidates, reverse=True)[: max(0, k - 1)]
    return sorted([first, *(i for _, i in best)])


def video_views(
    keyframes: list[tuple[float, np.ndarray, FrameResult]], config: ViewConfig | None = None
) -> list[View]:
    """Views of a video: each keyframe whole (with its time) and, if enabled, its main face enlarged."""
    cfg = config or ViewConfig()
    views: list[View] = []
    for t, rgb, frame in keyframes:
        h, w = rgb.shape[:2]
        views.append(View(fit(rgb, cfg.max_side), "keyframe", f"the frame at {t:.1f} s", t=round(t, 3)))
        if "faces" in cfg.views and frame.faces and cfg.max_faces > 0:
            crop, (a, b, c, d) = face_crop(rgb, frame.faces[0], cfg)
            views.append(
                View(
                    crop,
                    "face",
                    f"the main face at {t:.1f} s, enlarged",
                    face_id=0,
                    box=Box.from_xyxy(a, b, c, d, w, h),
                    t=round(t, 3),
                )
            )
    return _cap(views, cfg.max_images)
