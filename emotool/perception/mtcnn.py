"""MTCNN face detection (Zhang et al. 2016), written for emotool in torch + numpy.

The three cascaded networks (P-Net, R-Net, O-Net) are defined here with parameter
names and shapes that match the MIT-licensed state_dicts shipped by facenet-pytorch
(assets ``mtcnn-pnet``, ``mtcnn-rnet``, ``mtcnn-onet``). The surrounding algorithm
(image pyramid, proposal generation, non-maximum suppression, box regression,
squaring, cropping and landmark decoding) is our own implementation of the method
as described in the paper.

Known facts about these particular weights that the code relies on:

* input pixels are RGB, normalised as ``(x - 127.5) / 128``, in NCHW layout;
* R-Net and O-Net flatten their last feature map in (W, H, C) order (the weights
  come from a Caffe/TF conversion), hence the ``permute(0, 3, 2, 1)`` before the
  dense layers;
* the box regression outputs are offsets ``(dx1, dy1, dx2, dy2)`` relative to the
  box width/height; O-Net's 10 landmark outputs are five x fractions then five
  y fractions of the box.

This module imports torch at import time; ``emotool.perception.detect`` imports it
lazily, so ``import emotool`` stays light.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import cv2
import numpy as np
import torch
from torch import nn

from .. import assets
from ..config import init_torch

# --------------------------------------------------------------------------- networks


class PNet(nn.Module):
    """Proposal network: a fully convolutional 12x12 face / non-face scanner."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, 10, 3)
        self.prelu1 = nn.PReLU(10)
        self.pool1 = nn.MaxPool2d(2, 2, ceil_mode=True)
        self.conv2 = nn.Conv2d(10, 16, 3)
        self.prelu2 = nn.PReLU(16)
        self.conv3 = nn.Conv2d(16, 32, 3)
        self.prelu3 = nn.PReLU(32)
        self.conv4_1 = nn.Conv2d(32, 2, 1)
        self.conv4_2 = nn.Conv2d(32, 4, 1)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Return (face probability map (N,h,w), box offsets (N,4,h,w))."""
        x = self.pool1(self.prelu1(self.conv1(x)))
        x = self.prelu3(self.conv3(self.prelu2(self.conv2(x))))
        prob = torch.softmax(self.conv4_1(x), dim=1)[:, 1]
        return prob, self.conv4_2(x)


class RNet(nn.Module):
    """Refinement network on 24x24 crops."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, 28, 3)
        self.prelu1 = nn.PReLU(28)
        self.pool1 = nn.MaxPool2d(3, 2, ceil_mode=True)
        self.conv2 = nn.Conv2d(28, 48, 3)
        self.prelu2 = nn.PReLU(48)
        self.pool2 = nn.MaxPool2d(3, 2, ceil_mode=True)
        self.conv3 = nn.Conv2d(48, 64, 2)
        self.prelu3 = nn.PReLU(64)
        self.dense4 = nn.Linear(576, 128)
        self.prelu4 = nn.PReLU(128)
        self.dense5_1 = nn.Linear(128, 2)
        self.dense5_2 = nn.Linear(128, 4)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Return (face probability (N,), box offsets (N,4))."""
        x = self.pool1(self.prelu1(self.conv1(x)))
        x = self.pool2(self.prelu2(self.conv2(x)))
        x = self.prelu3(self.conv3(x))
        x = x.permute(0, 3, 2, 1).reshape(x.shape[0], -1)
        x = self.prelu4(self.dense4(x))
        return torch.softmax(self.dense5_1(x), dim=1)[:, 1], self.dense5_2(x)


class ONet(nn.Module):
    """Output network on 48x48 crops: score, box offsets and five landmarks."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, 32, 3)
        self.prelu1 = nn.PReLU(32)
        self.pool1 = nn.MaxPool2d(3, 2, ceil_mode=True)
        self.conv2 = nn.Conv2d(32, 64, 3)
        self.prelu2 = nn.PReLU(64)
        self.pool2 = nn.MaxPool2d(3, 2, ceil_mode=True)
        self.conv3 = nn.Conv2d(64, 64, 3)
        self.prelu3 = nn.PReLU(64)
        self.pool3 = nn.MaxPool2d(2, 2, ceil_mode=True)
        self.conv4 = nn.Conv2d(64, 128, 2)
        self.prelu4 = nn.PReLU(128)
        self.dense5 = nn.Linear(1152, 256)
        self.prelu5 = nn.PReLU(256)
        self.dense6_1 = nn.Linear(256, 2)
        self.dense6_2 = nn.Linear(256, 4)
        self.dense6_3 = nn.Linear(256, 10)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Return (face probability (N,), box offsets (N,4), landmarks (N,10))."""
        x = self.pool1(self.prelu1(self.conv1(x)))
        x = self.pool2(self.prelu2(self.conv2(x)))
        x = self.pool3(self.prelu3(self.conv3(x)))
        x = self.prelu4(self.conv4(x))
        x = x.permute(0, 3, 2, 1).reshape(x.shape[0], -1)
        x = self.prelu5(self.dense5(x))
        return torch.softmax(self.dense6_1(x), dim=1)[:, 1], self.dense6_2(x), self.dense6_3(x)


_NETS: tuple[PNet, RNet, ONet] | None = None
_LOCK = threading.Lock()


def load_nets() -> tuple[PNet, RNet, ONet]:
    """Load the three networks once per process (thread-safe) and return them in eval mode."""
    global _NETS
    with _LOCK:
        if _NETS is None:
            init_torch()
            nets = (PNet(), RNet(), ONet())
            for net, name in zip(nets, ("mtcnn-pnet", "mtcnn-rnet", "mtcnn-onet"), strict=True):
                state = torch.load(assets.path(name), weights_only=True, map_location="cpu")
                net.load_state_dict(state)
                net.eval()
                net.to(memory_format=torch.channels_last)  # type: ignore[call-overload]
                for p in net.parameters():
                    p.requires_grad_(False)
            _NETS = nets
    return _NETS


# --------------------------------------------------------------------------- box math


def iou_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Intersection over union of every box in ``a`` (N,4+) with every box in ``b`` (M,4+)."""
    a = np.asarray(a, dtype=np.float64)[:, :4]
    b = np.asarray(b, dtype=np.float64)[:, :4]
    ix1 = np.maximum(a[:, None, 0], b[None, :, 0])
    iy1 = np.maximum(a[:, None, 1], b[None, :, 1])
    ix2 = np.minimum(a[:, None, 2], b[None, :, 2])
    iy2 = np.minimum(a[:, None, 3], b[None, :, 3])
    inter = np.clip(ix2 - ix1, 0, None) * np.clip(iy2 - iy1, 0, None)
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    union = area_a[:, None] + area_b[None, :] - inter
    return np.where(union > 0, inter / np.maximum(union, 1e-12), 0.0)


def nms(boxes: np.ndarray, scores: np.ndarray, threshold: float, mode: str = "union") -> np.ndarray:
    """Greedy non-maximum suppression.

    Args:
        boxes: (N, 4) corner boxes ``x1, y1, x2, y2``.
        scores: (N,) scores; higher is kept first.
        threshold: a box overlapping a kept box by more than this is dropped.
        mode: ``"union"`` (IoU) or ``"min"`` (intersection over the smaller area, which
            also removes a small box nested inside a bigger one).

    Returns:
        Indices of the kept boxes, best score first.
    """
    if mode not in ("union", "min"):
        raise ValueError(f"nms mode must be 'union' or 'min', got {mode!r}")
    boxes = np.asarray(boxes, dtype=np.float64)
    if len(boxes) == 0:
        return np.zeros(0, dtype=np.int64)
    x1, y1, x2, y2 = boxes[:, 0], boxes[:, 1], boxes[:, 2], boxes[:, 3]
    area = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
    order = np.argsort(-np.asarray(scores, dtype=np.float64), kind="stable")
    keep: list[int] = []
    while order.size:
        i = order[0]
        keep.append(int(i))
        rest = order[1:]
        w = np.clip(np.minimum(x2[i], x2[rest]) - np.maximum(x1[i], x1[rest]), 0, None)
        h = np.clip(np.minimum(y2[i], y2[rest]) - np.maximum(y1[i], y1[rest]), 0, None)
        inter = w * h
        denom = np.minimum(area[i], area[rest]) if mode == "min" else area[i] + area[rest] - inter
        overlap = inter / np.maximum(denom, 1e-12)
        order = rest[overlap <= threshold]
    return np.asarray(keep, dtype=np.int64)


def square(boxes: np.ndarray) -> np.ndarray:
    """Grow each box (N,4+) to a square around its centre (side = the longer side)."""
    out = np.array(boxes, dtype=np.float64, copy=True)
    w = out[:, 2] - out[:, 0]
    h = out[:, 3] - out[:, 1]
    side = np.maximum(w, h)
    cx = out[:, 0] + w / 2
    cy = out[:, 1] + h / 2
    out[:, 0] = cx - side / 2
    out[:, 1] = cy - side / 2
    out[:, 2] = cx + side / 2
    out[:, 3] = cy + side / 2
    return out


def apply_regression(boxes: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Move box corners by ``offsets`` (N,4) given as fractions of the box width/height."""
    out = np.array(boxes, dtype=np.float64, copy=True)
    w = out[:, 2] - out[:, 0]
    h = out[:, 3] - out[:, 1]
    out[:, 0] += offsets[:, 0] * w
    out[:, 1] += offsets[:, 1] * h
    out[:, 2] += offsets[:, 2] * w
    out[:, 3] += offsets[:, 3] * h
    return out


def crop_patches(img: np.ndarray, boxes: np.ndarray, size: int) -> torch.Tensor:
    """Crop each box from an RGB image (zero outside it), resize to ``size``, return a normalised batch."""
    h, w = img.shape[:2]
    out = np.zeros((len(boxes), size, size, 3), dtype=np.float32)
    for k, (x1, y1, x2, y2) in enumerate(np.round(boxes[:, :4]).astype(int)):
        bw, bh = x2 - x1, y2 - y1
        if bw < 2 or bh < 2:
            continue
        patch = np.zeros((bh, bw, 3), dtype=np.uint8)
        sx1, sy1, sx2, sy2 = max(x1, 0), max(y1, 0), min(x2, w), min(y2, h)
        if sx2 <= sx1 or sy2 <= sy1:
            continue
        patch[sy1 - y1 : sy2 - y1, sx1 - x1 : sx2 - x1] = img[sy1:sy2, sx1:sx2]
        interp = cv2.INTER_AREA if bw > size else cv2.INTER_LINEAR
        out[k] = cv2.resize(patch, (size, size), interpolation=interp)
    return _normalise(out)


def _normalise(nhwc: np.ndarray) -> torch.Tensor:
    # NHWC memory seen as NCHW: torch's channels_last layout, several times faster on CPU here
    x = (nhwc.astype(np.float32) - 127.5) / 128.0
    return torch.from_numpy(np.ascontiguousarray(x)).permute(0, 3, 1, 2)


# --------------------------------------------------------------------------- detector


@dataclass
class MTCNNResult:
    """Raw output: boxes (N,4) in pixels, scores (N,), landmarks (N,5,2)."""

    boxes: np.ndarray
    scores: np.ndarray
    landmarks: np.ndarray


def _empty() -> MTCNNResult:
    return MTCNNResult(np.zeros((0, 4)), np.zeros(0), np.zeros((0, 5, 2)))


class MTCNN:
    """The three-stage cascade.

    Args:
        min_face_size: smallest face side in pixels searched for (sets the pyramid's top scale).
        thresholds: face-probability thresholds of P-Net, R-Net and O-Net. The defaults are
            the values published with the method; they keep false positives on face-free
            images rare.
        factor: scale step of the image pyramid.
    """

    def __init__(
        self,
        min_face_size: int = 20,
        thresholds: tuple[float, float, float] = (0.6, 0.7, 0.7),
        factor: float = 0.709,
    ) -> None:
        self.min_face_size = min_face_size
        self.thresholds = thresholds
        self.factor = factor

    def scales(self, h: int, w: int) -> list[float]:
        """Pyramid scales so that faces from ``min_face_size`` up to the image size map onto 12 px."""
        m = 12.0 / self.min_face_size
        side = min(h, w) * m
        out, s = [], m
        while side >= 12:
            out.append(s)
            s *= self.factor
            side *= self.factor
        return out

    @torch.inference_mode()
    def detect(self, rgb: np.ndarray) -> MTCNNResult:
        """Find faces in an (H, W, 3) uint8 RGB image."""
        pnet, rnet, _onet = load_nets()
        _h, _w = rgb.shape[:2]
        boxes = self._stage1(pnet, rgb)
        if len(boxes) == 0:
            return _empty()
        boxes = self._refine(rnet, rgb, boxes)
        if len(boxes) == 0:
            return _empty()
        return self.output_stage(rgb, boxes[:, :4])

    def _stage1(self, pnet: PNet, rgb: np.ndarray) -> np.ndarray:
        h, w = rgb.shape[:2]
        found = []
        for s in self.scales(h, w):
            hs, ws = int(np.ceil(h * s)), int(np.ceil(w * s))
            small = cv2.resize(rgb, (ws, hs), interpolation=cv2.INTER_AREA)
            prob, reg = pnet(_normalise(small[None]))
            prob, reg = prob[0].numpy(), reg[0].numpy()
            ys, xs = np.nonzero(prob >= self.thresholds[0])
            if len(ys) == 0:
                continue
            # each output cell sees a 12x12 window, cells are 2 px apart at this scale
            cand = np.stack(
                [
                    (2 * xs + 1) / s,
                    (2 * ys + 1) / s,
                    (2 * xs + 12) / s,
                    (2 * ys + 12) / s,
                    prob[ys, xs],
                    *reg[:, ys, xs],
                ],
                axis=1,
            )
            cand = cand[nms(cand[:, :4], cand[:, 4], 0.5)]
            found.append(cand)
        if not found:
            return np.zeros((0, 5))
        allc = np.concatenate(found)
        allc = allc[nms(allc[:, :4], allc[:, 4], 0.7)]
        boxes = square(apply_regression(allc[:, :4], allc[:, 5:9]))
        return np.concatenate([boxes, allc[:, 4:5]], axis=1)

    def _refine(self, rnet: RNet, rgb: np.ndarray, boxes: np.ndarray) -> np.ndarray:
        prob, reg = rnet(crop_patches(rgb, boxes, 24))
        prob, reg = prob.numpy(), reg.numpy()
        ok = prob > self.thresholds[1]
        if not ok.any():
            return np.zeros((0, 5))
        boxes, prob, reg = boxes[ok], prob[ok], reg[ok]
        keep = nms(boxes[:, :4], prob, 0.7)
        out = square(apply_regression(boxes[keep, :4], reg[keep]))
        return np.concatenate([out, prob[keep, None]], axis=1)

    @torch.inference_mode()
    def output_stage(self, rgb: np.ndarray, boxes: np.ndarray, threshold: float | None = None) -> MTCNNResult:
        """Run O-Net on candidate boxes (N,4): keep faces, refine boxes, decode landmarks.

        This is also how other detectors' proposals are verified (see ``detect.AutoDetector``).
        """
        _, _, onet = load_nets()
        thr = self.thresholds[2] if threshold is None else threshold
        boxes = np.asarray(boxes, dtype=np.float64)[:, :4]
        if len(boxes) == 0:
            return _empty()
        prob, reg, lm = onet(crop_patches(rgb, boxes, 48))
        prob, reg, lm = prob.numpy(), reg.numpy(), lm.numpy()
        ok = prob > thr
        if not ok.any():
            return _empty()
        boxes, prob, reg, lm = boxes[ok], prob[ok], reg[ok], lm[ok]
        bw = (boxes[:, 2] - boxes[:, 0])[:, None]
        bh = (boxes[:, 3] - boxes[:, 1])[:, None]
        points = np.stack([boxes[:, 0:1] + bw * lm[:, :5], boxes[:, 1:2] + bh * lm[:, 5:]], axis=2)
        boxes = apply_regression(boxes, reg)
        keep = nms(boxes, prob, 0.7, mode="min")
        h, w = rgb.shape[:2]
        b = boxes[keep]
        b[:, [0, 2]] = np.clip(b[:, [0, 2]], 0, w)
        b[:, [1, 3]] = np.clip(b[:, [1, 3]], 0, h)
        return MTCNNResult(b, prob[keep], points[keep])
