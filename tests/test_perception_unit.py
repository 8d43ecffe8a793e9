"""Fast unit tests of the perception stage: box math, NMS, registries, class order."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from emotool.errors import UnknownName
from emotool.labels import EMOTIONS, FER2013_ORDER
from emotool.perception import detect, expression
from emotool.perception.types import Detection


def test_nms_union_keeps_best_and_drops_overlaps():
    from emotool.perception.mtcnn import nms

    boxes = np.array([[0, 0, 10, 10], [1, 1, 11, 11], [20, 20, 30, 30], [0, 0, 10, 10.5]], dtype=float)
    scores = np.array([0.9, 0.95, 0.5, 0.1])
    keep = nms(boxes, scores, 0.5)
    assert keep.tolist() == [1, 2]


def test_nms_min_mode_removes_nested_box():
    from emotool.perception.mtcnn import nms

    boxes = np.array([[0, 0, 100, 100], [40, 40, 60, 60]], dtype=float)
    scores = np.array([0.9, 0.99])
    assert sorted(nms(boxes, scores, 0.5, mode="union").tolist()) == [0, 1]  # IoU is only 0.04
    assert nms(boxes, scores, 0.5, mode="min").tolist() == [1]
    assert nms(np.zeros((0, 4)), np.zeros(0), 0.5).size == 0
    with pytest.raises(ValueError):
        nms(boxes, scores, 0.5, mode="max")


def test_iou_square_and_regression():
    from emotool.perception.mtcnn import apply_regression, iou_matrix, square

    a = np.array([[0, 0, 10, 10]], dtype=float)
    b = np.array([[5, 0, 15, 10], [0, 0, 10, 10], [50, 50, 60, 60]], dtype=float)
    np.testing.assert_allclose(iou_matrix(a, b)[0], [50 / 150, 1.0, 0.0])
    sq = square(np.array([[10, 20, 30, 60]], dtype=float))
    np.testing.assert_allclose(sq, [[0, 20, 40, 60]])
    moved = apply_regression(np.array([[0, 0, 10, 20]], dtype=float), np.array([[0.1, -0.1, 0.2, 0.5]]))
    np.testing.assert_allclose(moved, [[1, -2, 12, 30]])


def test_pyramid_scales_cover_min_face_to_image():
    from emotool.perception.mtcnn import MTCNN

    scales = MTCNN(min_face_size=20).scales(250, 250)
    assert scales[0] == pytest.approx(12 / 20)
    assert 250 * scales[-1] >= 12 > 250 * scales[-1] * 0.709
    assert all(a > b for a, b in itertools.pairwise(scales))


def test_fer2013_reorder():
    onehot = np.eye(7)  # row i = FER2013 class i
    out = expression.fer2013_to_emotions(onehot)
    for i, name in enumerate(FER2013_ORDER):
        assert EMOTIONS[int(out[i].argmax())] == name
    # angry, disgust, fear, happy, sad, surprise, neutral -> anger, disgust, fear, happiness, neutral, ...
    row = np.array([[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]])
    np.testing.assert_allclose(expression.fer2013_to_emotions(row), [[0.1, 0.2, 0.3, 0.4, 0.7, 0.5, 0.6]])


def test_unknown_names_list_the_valid_ones():
    with pytest.raises(UnknownName, match="auto, haar, mtcnn"):
        detect.get_detector("yolo")
    with pytest.raises(UnknownName, match="cnn48, ensemble, mini_xception"):
        expression.get_classifier("resnet")
    with pytest.raises(KeyError):  # UnknownName is also a KeyError
        detect.get_detector("nope")


def test_order_faces_prefers_large_central_faces():
    big_corner = Detection(0, 0, 60, 60, 0.9, "x")
    central = Detection(100, 100, 150, 150, 0.9, "x")
    tiny_central = Detection(120, 120, 130, 130, 0.9, "x")
    ordered = detect.order_faces([tiny_central, big_corner, central], 250, 250)
    assert ordered == [central, big_corner, tiny_central]


def test_temper_and_softmax():
    p = np.array([[0.7, 0.2, 0.1]])
    soft = expression.temper(p, 2.0)
    assert soft.sum() == pytest.approx(1.0)
    assert soft[0, 0] < 0.7 and soft.argmax() == 0
    np.testing.assert_allclose(expression.temper(p, 1.0), p)


def test_face_chips_levels_tilted_eyes():
    # a synthetic face: two dark "eyes" on a line tilted by 30 degrees
    import cv2

    img = np.full((200, 200), 200, np.uint8)
    ang = np.deg2rad(30)
    c = np.array([100.0, 100.0])
    d = 30 * np.array([np.cos(ang), np.sin(ang)])
    left, right = c - d, c + d
    for p in (left, right):
        cv2.circle(img, (int(p[0]), int(p[1])), 6, 0, -1)
    lm = np.array([left, right, c, c + np.array([0, 30]), c + np.array([10, 30])])
    det = Detection(60, 60, 140, 140, 1.0, "mtcnn", landmarks=lm)
    chip = expression.face_chips(img, [det], margin=0.0, align=True)[0]
    rows = np.nonzero(chip < 100)[0]
    assert rows.max() - rows.min() < 20  # both eyes on the same rows once aligned
    unaligned = expression.face_chips(img, [det], margin=0.0, align=False)[0]
    rows_u = np.nonzero(unaligned < 100)[0]
    assert rows_u.max() - rows_u.min() > 30


def test_ensemble_combines_in_log_space():
    class Fake:
        def __init__(self, name, p):
            self.name, self.p, self.assets = name, np.asarray(p, float), ()

        def predict(self, chips):
            return np.tile(self.p, (len(chips), 1))

        def warmup(self):
            pass

    a = Fake("a", [0.6, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05])
    b = Fake("b", [0.1, 0.6, 0.1, 0.05, 0.05, 0.05, 0.05])
    ens = expression.Ensemble([a, b], weights=[0.75, 0.25], temperature=1.0)
    probs, per = ens.predict_all(np.zeros((2, 96, 96), np.uint8))
    assert probs.shape == (2, 7) and set(per) == {"a", "b"}
    assert probs[0].argmax() == 0 and probs[0].sum() == pytest.approx(1.0)
    with pytest.raises(ValueError):
        expression.Ensemble([a, b], weights=[1.0])


def test_pipeline_rejects_bad_arrays():
    from emotool.errors import MediaError
    from emotool.perception.pipeline import FacePipeline

    pipe = FacePipeline(detector="haar", classifier="mini_xception")
    with pytest.raises(MediaError):
        pipe.analyze(np.zeros((10, 10), np.uint8))
    with pytest.raises(MediaError):
        pipe.analyze(np.zeros((10, 10, 3), np.float32))
    with pytest.raises(UnknownName):
        FacePipeline(detector="nope")
