"""Facial-expression classifiers behind one Protocol and a registry keyed by name.

Every classifier takes *face chips* -- square, gray, uint8 crops of shape (N, S, S)
made by :func:`face_chips` -- and returns probabilities (N, 7) in
``emotool.labels.EMOTIONS`` order. Working from one shared chip lets the ensemble crop
and align each face once and let every model resize it to its own input.

* ``mini_xception``: fer's mini-Xception (quantized TFLite, 64x64, inputs in [-1, 1]);
* ``cnn48``: the facial-emotion-recognition 4-conv CNN (torch, 48x48), our own module
  matching its state_dict;
* ``ensemble`` (default): a weighted mean of the two in log space, temperature-scaled.

Training-free accuracy measures (each chosen on faces-dev with a handful of values,
not a search, and explained where it is set): a margin around the detector box so the
crop resembles the FER2013 training crops, rotation so the eyes are level (when the
detector gives landmarks), and averaging each model over the chip and its mirror image.
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any, Protocol, runtime_checkable

import cv2
import numpy as np

from .. import assets
from ..labels import EMOTIONS, FER2013_ORDER
from .registry import Registry
from .types import Detection

#: Side of the face chips handed to classifiers (each resizes to its own input).
CHIP_SIZE = 96

#: Column permutation taking FER2013-ordered outputs to EMOTIONS order.
FER2013_TO_EMOTIONS: np.ndarray = np.array([FER2013_ORDER.index(e) for e in EMOTIONS])


def fer2013_to_emotions(probs: np.ndarray) -> np.ndarray:
    """Reorder (N, 7) scores from FER2013 order (angry, disgust, fear, happy, sad, surprise,
    neutral) to ``EMOTIONS`` order (anger, disgust, fear, happiness, neutral, sadness, surprise)."""
    return np.asarray(probs)[..., FER2013_TO_EMOTIONS]


# --------------------------------------------------------------------------- face chips


def face_chips(
    gray: np.ndarray,
    dets: list[Detection],
    margin: float = 0.0,
    align: bool = True,
    size: int = CHIP_SIZE,
) -> np.ndarray:
    """Cut one square, upright gray chip per face.

    The chip is centred on the detector box and its side is the box's longer side
    times ``1 + 2 * margin``. MTCNN's box (brows to chin) already frames the face about
    as tightly as FER2013's training crops: on faces-dev, margins of 0.15-0.3 lost 5-15
    accuracy points against 0-0.05. With ``align`` and five landmarks, the chip is rotated about the
    box centre so the eyes are level (FER2013 faces are mostly upright). Outside the
    image the border pixels are repeated.

    Args:
        gray: the whole image, (H, W) uint8.
        dets: faces to cut.
        margin: extra context on each side, as a fraction of the box side.
        align: level the eyes when landmarks are known.
        size: side of the returned chips.

    Returns:
        (N, size, size) uint8.
    """
    out = np.zeros((len(dets), size, size), dtype=np.uint8)
    for k, d in enumerate(dets):
        cx, cy = (d.x1 + d.x2) / 2, (d.y1 + d.y2) / 2
        side = max(d.width, d.height, 1.0) * (1 + 2 * margin)
        angle = 0.0
        if align and d.landmarks is not None and len(d.landmarks) >= 2:
            (lx, ly), (rx, ry) = d.landmarks[0], d.landmarks[1]
            angle = math.atan2(ry - ly, rx - lx)
        scale = side / size
        c, s = math.cos(angle) * scale, math.sin(angle) * scale
        # maps chip pixel (u, v) to image pixel: centre + R(angle) @ ((u, v) - size/2) * scale
        m = np.array(
            [
                [c, -s, cx - c * size / 2 + s * size / 2],
                [s, c, cy - s * size / 2 - c * size / 2],
            ]
        )
        src = gray
        # work on the region the chip covers, not the whole image (a 40-megapixel photo
        # would otherwise be shrunk once per face and crop)
        r = side * 0.7072 + 3
        x0, y0 = max(0, math.floor(cx - r)), max(0, math.floor(cy - r))
        x1, y1 = min(gray.shape[1], math.ceil(cx + r) + 1), min(gray.shape[0], math.ceil(cy + r) + 1)
        if x1 - x0 >= 2 and y1 - y0 >= 2:
            src = gray[y0:y1, x0:x1]
            m[0, 2] -= x0
            m[1, 2] -= y0
        interp = cv2.INTER_AREA if scale > 1.5 else cv2.INTER_LINEAR
        if scale > 1.5:
            # warpAffine does not low-pass; pre-shrink so the sampling does not alias
            f = 1.0 / scale * 1.5
            small = cv2.resize(src, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
            m = m * f
            out[k] = cv2.warpAffine(
                small,
                m,
                (size, size),
                flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                borderMode=cv2.BORDER_REPLICATE,
            )
        else:
            out[k] = cv2.warpAffine(
                src, m, (size, size), flags=interp | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_REPLICATE
            )
    return out


def _resize_batch(chips: np.ndarray, side: int) -> np.ndarray:
    if chips.shape[1] == side:
        return chips
    interp = cv2.INTER_AREA if chips.shape[1] > side else cv2.INTER_LINEAR
    return np.stack([cv2.resize(c, (side, side), interpolation=interp) for c in chips])


def _with_mirrors(x: np.ndarray) -> np.ndarray:
    """Stack a batch (N, S, S) with its horizontal mirrors: (2N, S, S)."""
    return np.concatenate([x, x[:, :, ::-1]], axis=0)


def _mirror_mean(p: np.ndarray) -> np.ndarray:
    n = len(p) // 2
    return (p[:n] + p[n:]) / 2


# --------------------------------------------------------------------------- protocol


@runtime_checkable
class ExpressionClassifier(Protocol):
    """What every expression classifier offers."""

    name: str
    assets: tuple[str, ...]
    """Names of the model assets it uses (see ``emotool.assets``)."""

    def predict(self, chips: np.ndarray) -> np.ndarray:
        """Probabilities (N, 7) in EMOTIONS order for (N, S, S) uint8 face chips."""
        ...

    def warmup(self) -> None:
        """Load the model so that the first real call is fast."""
        ...


# --------------------------------------------------------------------------- mini-Xception

_TFLITE: dict[str, Any] = {}
_TFLITE_LOCK = threading.Lock()


@contextlib.contextmanager
def native_stderr_silenced() -> Iterator[None]:
    """Send file descriptor 2 to the null device for the duration (native libraries' chatter).

    Python's own ``sys.stderr`` is flushed first; anything written to fd 2 by any thread
    meanwhile is lost, so keep the block short.
    """
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):
        yield
        return
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(null, 2)
        finally:
            os.close(null)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


class MiniXception:
    """fer's mini-Xception, run by LiteRT on 64x64 gray input scaled to [-1, 1].

    Args:
        flip: average the prediction over the chip and its mirror image.
    """

    name = "mini_xception"
    assets: tuple[str, ...] = ("fer-mini-xception",)
    side = 64

    def __init__(self, flip: bool = True) -> None:
        self.flip = flip

    def _interpreter(self) -> Any:
        if "it" not in _TFLITE:
            from ai_edge_litert.interpreter import Interpreter

            from ..config import cpu_threads

            path = str(assets.path("fer-mini-xception"))
            # the runtime announces its XNNPACK delegate on fd 2 from native code
            # ("INFO: Created TensorFlow Lite XNNPACK delegate for CPU."), which no logging
            # option of the Python package turns off: silence fd 2 while it is created
            with native_stderr_silenced():
                it = Interpreter(model_path=path, num_threads=cpu_threads())
                it.allocate_tensors()
            _TFLITE["it"] = it
            _TFLITE["n"] = 1
        return _TFLITE["it"]

    def warmup(self) -> None:
        """Load the interpreter and run it once."""
        self.predict(np.full((1, CHIP_SIZE, CHIP_SIZE), 128, dtype=np.uint8))

    def raw(self, x: np.ndarray) -> np.ndarray:
        """Softmax outputs (N, 7) in FER2013 order for (N, 64, 64) float inputs in [-1, 1]."""
        with _TFLITE_LOCK:
            it = self._interpreter()
            inp, outp = it.get_input_details()[0], it.get_output_details()[0]
            if _TFLITE["n"] != len(x):
                it.resize_tensor_input(inp["index"], [len(x), self.side, self.side, 1])
                it.allocate_tensors()
                _TFLITE["n"] = len(x)
            it.set_tensor(inp["index"], np.ascontiguousarray(x[..., None], dtype=np.float32))
            it.invoke()
            return np.array(it.get_tensor(outp["index"]), dtype=np.float64)

    def predict(self, chips: np.ndarray) -> np.ndarray:
        """Probabilities (N, 7) in EMOTIONS order."""
        if len(chips) == 0:
            return np.zeros((0, len(EMOTIONS)))
        x = _resize_batch(chips, self.side).astype(np.float32) / 127.5 - 1.0
        if self.flip:
            x = _with_mirrors(x)
        p = self.raw(x)
        if self.flip:
            p = _mirror_mean(p)
        return fer2013_to_emotions(p / p.sum(axis=1, keepdims=True))


# --------------------------------------------------------------------------- cnn48

_CNN48: Any = None
_CNN48_LOCK = threading.Lock()


def build_cnn48() -> Any:
    """The facial-emotion-recognition network: four padded 3x3 conv blocks, two dense layers.

    Channels 1 -> 32 -> 64 -> 128 -> 256, stride 1 then 2, 2, 2 (48 -> 6 px), then
    Linear(9216, 256), ReLU, Linear(256, 7), Sigmoid. Parameter names match the
    ``network`` state_dict of the asset ``fer-cnn48``.
    """
    from torch import nn

    def block(cin: int, cout: int, stride: int) -> nn.Sequential:
        return nn.Sequential(
            nn.ReflectionPad2d(1), nn.Conv2d(cin, cout, 3, stride=stride), nn.BatchNorm2d(cout), nn.ReLU()
        )

    class CNN48(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv_1 = block(1, 32, 1)
            self.conv_2 = block(32, 64, 2)
            self.conv_3 = block(64, 128, 2)
            self.conv_4 = block(128, 256, 2)
            self.linear = nn.Sequential(nn.Linear(9216, 256), nn.ReLU(), nn.Linear(256, 7), nn.Sigmoid())

        def forward(self, x: Any) -> Any:
            x = self.conv_4(self.conv_3(self.conv_2(self.conv_1(x))))
            return self.linear(x.flatten(1))

    return CNN48()


def load_cnn48() -> Any:
    """The cnn48 network with its weights, in eval mode, loaded once per process."""
    global _CNN48
    with _CNN48_LOCK:
        if _CNN48 is None:
            import torch

            from ..config import init_torch

            init_torch()
            net = build_cnn48()
            state = torch.load(assets.path("fer-cnn48"), weights_only=True, map_location="cpu")
            net.load_state_dict(state["network"])
            net.eval()
            for p in net.parameters():
                p.requires_grad_(False)
            _CNN48 = net
    return _CNN48


class CNN48:
    """The facial-emotion-recognition CNN on 48x48 gray input normalised to [-1, 1].

    Its last layer is a per-class sigmoid, so the seven outputs are normalised to sum
    to 1 here. The whole net is about 35 M multiply-adds (the 9216x256 dense layer is
    most of its 33 MB but only 2.4 M of them): well under a millisecond per face.

    Args:
        flip: average the prediction over the chip and its mirror image.
    """

    name = "cnn48"
    assets: tuple[str, ...] = ("fer-cnn48",)
    side = 48

    def __init__(self, flip: bool = True) -> None:
        self.flip = flip

    def warmup(self) -> None:
        """Load the network and run it once."""
        self.predict(np.full((1, CHIP_SIZE, CHIP_SIZE), 128, dtype=np.uint8))

    def predict(self, chips: np.ndarray) -> np.ndarray:
        """Probabilities (N, 7) in EMOTIONS order."""
        import torch

        if len(chips) == 0:
            return np.zeros((0, len(EMOTIONS)))
        net = load_cnn48()
        x = (_resize_batch(chips, self.side).astype(np.float32) / 255.0 - 0.5) / 0.5
        if self.flip:
            x = _with_mirrors(x)
        with torch.inference_mode():
            p = net(torch.from_numpy(np.ascontiguousarray(x[:, None]))).double().numpy()
        p = np.clip(p, 1e-6, None)
        p = p / p.sum(axis=1, keepdims=True)
        if self.flip:
            p = _mirror_mean(p)
        return fer2013_to_emotions(p)


# --------------------------------------------------------------------------- ensemble


class Ensemble:
    """Weighted geometric mean of member classifiers, then temperature scaling.

    ``p = softmax((sum_i w_i * log p_i) / T)``. A geometric mean rewards agreement
    (a class both models find likely) more than an arithmetic mean does.

    The weights favour mini-Xception (0.75 vs 0.25): alone it is the stronger model on
    faces-dev (about 0.67 accuracy against 0.58 for cnn48), as DESIGN.md also found;
    cnn48 still corrects some of its errors (0.69 combined). 0.7-0.8 all did the same
    on faces-dev; 0.75 is the middle of that plateau, not a tuned optimum.

    The temperature makes ``max(p)`` usable as a probability of being right. It was set
    on faces-dev (one parameter, 36 images, 0.1 grid): the negative log-likelihood is
    flat between T = 1.3 and 1.7 (1.06 vs 1.12 at T = 1); T = 1.3 is the end of that
    range whose mean confidence (0.62) is closest to the accuracy (0.69). FER2013
    models are over-confident on real photos, hence T > 1.

    Args:
        members: the classifiers combined.
        weights: one weight per member.
        temperature: softening applied to the combined log-probabilities.
    """

    name = "ensemble"

    def __init__(
        self,
        members: list[ExpressionClassifier] | None = None,
        weights: list[float] | None = None,
        temperature: float = 1.3,
    ) -> None:
        self.members: list[ExpressionClassifier] = members or [MiniXception(), CNN48()]
        self.weights = np.asarray(weights or [0.75, 0.25][: len(self.members)], dtype=np.float64)
        if len(self.weights) != len(self.members):
            raise ValueError("one weight per ensemble member is needed")
        self.temperature = temperature
        self.assets = tuple(a for m in self.members for a in m.assets)
        self.last_per_model: dict[str, np.ndarray] = {}

    def warmup(self) -> None:
        """Warm up every member."""
        for m in self.members:
            m.warmup()

    def combine(self, per: dict[str, np.ndarray]) -> np.ndarray:
        """Combine members' probabilities (by member name, each (N, 7)) into (N, 7)."""
        logp = sum(
            w * np.log(np.clip(per[m.name], 1e-8, None))
            for w, m in zip(self.weights, self.members, strict=True)
        )
        return softmax(np.asarray(logp) / self.weights.sum() / self.temperature)

    def predict_all(self, chips: np.ndarray) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """The combined probabilities (N, 7) and each member's own, by member name."""
        per = {m.name: m.predict(chips) for m in self.members}
        if len(chips) == 0:
            return np.zeros((0, len(EMOTIONS))), per
        return self.combine(per), per

    def predict(self, chips: np.ndarray) -> np.ndarray:
        """Combined probabilities (N, 7) in EMOTIONS order."""
        return self.predict_all(chips)[0]


#: Crop margins averaged over for every face (multi-crop test-time augmentation).
CROP_MARGINS: tuple[float, ...] = (-0.05, 0.0, 0.05)


def classify_faces(
    classifier: ExpressionClassifier,
    gray: np.ndarray,
    dets: list[Detection],
    margins: tuple[float, ...] = CROP_MARGINS,
    align: bool = True,
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Classify faces, averaging every model over several crops of each face.

    Single crops make the FER models jumpy: on faces-dev, moving the crop edge by 5 %
    of the face changed accuracy by up to 8 points. Averaging each model's
    probabilities over three crops (margins -0.05, 0 and +0.05), each also mirrored,
    smooths this out at the cost of a larger batch (6 chips per face), and only then
    combining the models (for the ensemble) keeps each model's view intact.

    Args:
        classifier: any registered classifier; an :class:`Ensemble` also reports its members.
        gray: the whole image, (H, W) uint8.
        dets: the faces.
        margins: crop margins averaged over (see :func:`face_chips`).
        align: level the eyes when landmarks are known.

    Returns:
        The probabilities (N, 7) in EMOTIONS order and each model's own, by name.
    """
    n, k = len(dets), len(margins)
    if n == 0:
        return np.zeros((0, len(EMOTIONS))), {}
    chips = np.concatenate([face_chips(gray, dets, margin=m, align=align) for m in margins])
    members = classifier.members if isinstance(classifier, Ensemble) else [classifier]
    per = {m.name: m.predict(chips).reshape(k, n, len(EMOTIONS)).mean(axis=0) for m in members}
    if isinstance(classifier, Ensemble):
        return classifier.combine(per), per
    return per[classifier.name], per


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax."""
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def temper(probs: np.ndarray, temperature: float) -> np.ndarray:
    """Soften (T > 1) or sharpen (T < 1) probabilities: ``softmax(log p / T)``."""
    return softmax(np.log(np.clip(probs, 1e-8, None)) / temperature)


#: The registry: name -> factory.
CLASSIFIERS: dict[str, Callable[[], ExpressionClassifier]] = {
    "ensemble": Ensemble,
    "mini_xception": MiniXception,
    "cnn48": CNN48,
}

_REGISTRY: Registry[ExpressionClassifier] = Registry("expression classifier", CLASSIFIERS)


def get_classifier(name: str = "ensemble") -> ExpressionClassifier:
    """The classifier registered as ``name``, created once per process.

    Raises:
        UnknownName: no such classifier; the message lists the valid names.
    """
    return _REGISTRY.get(name)
