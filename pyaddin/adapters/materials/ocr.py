"""Offline OCR with rapidocr (pinned 3.10.0) on onnxruntime, its PP-OCR models from inside the wheel.

The engine is loaded once per process (about 1 s) and runs single-threaded, so that a pool of one
process per core keeps both cores busy on several images instead of two engines fighting over
threads. The model files are named explicitly: when one is missing the run says so instead of
rapidocr fetching a model from the network.
"""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path

from ...errors import OcrUnavailable

DET_LONG_SIDE = 960


def model_files() -> dict[str, Path]:
    import rapidocr

    folder = Path(rapidocr.__file__).parent / "models"
    wanted = {"Det.model_path": "*det*.onnx", "Cls.model_path": "*cls*.onnx", "Rec.model_path": "*rec*.onnx"}
    out = {}
    for key, pattern in wanted.items():
        found = sorted(folder.glob(pattern))
        if not found:
            raise OcrUnavailable(f"文字识别模型缺失（{folder} 中没有 {pattern}），请重新安装 rapidocr==3.10.0。")
        out[key] = found[0]
    return out


@cache
def engine():
    """The process's one OCR engine."""
    from rapidocr import RapidOCR

    try:  # OpenCV's own thread pool (one thread per core, each with a malloc arena) buys nothing
        import cv2  # here: the pool already runs one worker per core

        cv2.setNumThreads(1)
    except (ImportError, AttributeError):
        pass

    params = {"Global.log_level": "critical", "EngineConfig.onnxruntime.intra_op_num_threads": 1,
              "EngineConfig.onnxruntime.inter_op_num_threads": 1,
              # detection on the image scaled so its longer side is 960 px: a 1080×1920 poster costs
              # ~0.8 s of CPU, against ~1.2 s at 1280 px and ~2.3 s at rapidocr's default (shorter
              # side ≥ 736, i.e. the full poster), with the same text read from the sample's posters,
              # clean or degraded (0.6×, blur, JPEG 50), 19 and 24 px small print on a poster and
              # 28 px print on an A4 scan rendered at 2000 px (benchmarks/bench_precheck.py). The
              # onnxruntime memory arena would save another 5 % of CPU for ~120 MB more per worker.
              "Det.limit_type": "max", "Det.limit_side_len": DET_LONG_SIDE}
    params.update({k: str(v) for k, v in model_files().items()})
    logging.getLogger("RapidOCR").setLevel(logging.CRITICAL)
    return RapidOCR(params=params)


def read_lines(image) -> list[tuple[str, float]]:
    """(text, confidence) per line, top to bottom, of a PIL image or numpy array."""
    import numpy as np

    arr = np.asarray(image.convert("RGB")) if hasattr(image, "convert") else image
    result = engine()(arr)
    texts = getattr(result, "txts", None) or ()
    scores = getattr(result, "scores", None) or ()
    boxes = getattr(result, "boxes", None)
    lines = list(zip(texts, scores, strict=False))
    if boxes is not None and len(boxes) == len(lines):
        order = sorted(range(len(lines)), key=lambda i: (float(boxes[i][0][1]), float(boxes[i][0][0])))
        lines = [lines[i] for i in order]
    return [(str(t), float(s)) for t, s in lines if str(t).strip()]
