"""The before/after comparison page (``upscale --compare-page``, ``demo``): its data checked against independent
PSNR, then the page itself in a real headless Chromium: slider dragged with the mouse and moved with keys, screenshot
pixels on each side of the split compared with the two images, frame stepping, the zoomed crop at the pointer."""

from __future__ import annotations

import base64
import io
import json
import re
from pathlib import Path

import numpy as np
import pytest
from cdp_browser import Browser, chromium_path
from PIL import Image

from mobilevsr_rt.cli import main
from mobilevsr_rt.media import pillow_bicubic_resize
from mobilevsr_rt.training import metrics
from mobilevsr_rt.training.data.bicubic import matlab_downscale

VAL_CLIP = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "val_videos" / "sam2_bedroom"
HR_H, HR_W = 192, 256


def page_data(path: Path) -> dict:
    """The JSON block the page renders from."""
    html = path.read_text()
    return json.loads(re.search(r'<script id="data" type="application/json">(.*?)</script>', html, re.S).group(1))


def decode(uri: str) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))).convert("RGB")).astype(np.int16)


@pytest.fixture(scope="module")
def page(swrn, tmp_path_factory) -> dict:
    """``upscale`` of 3 real LR frames (MATLAB-bicubic x1/4 of 192x256 HR crops) with SWRN, the bundled ELSR as the
    second model and the HR crops as ground truth."""
    if not VAL_CLIP.is_dir():
        pytest.skip(f"shared data missing: {VAL_CLIP}")
    root = tmp_path_factory.mktemp("page")
    (root / "lr").mkdir()
    (root / "gt").mkdir()
    for i, path in enumerate(sorted(VAL_CLIP.glob("*.png"))[:3]):
        full = np.asarray(Image.open(path).convert("RGB"))
        top, left = (full.shape[0] - HR_H) // 2, (full.shape[1] - HR_W) // 2
        hr = full[top:top + HR_H, left:left + HR_W]
        Image.fromarray(hr).save(root / "gt" / f"{i:03d}.png")
        Image.fromarray(matlab_downscale(hr)).save(root / "lr" / f"{i:03d}.png")
    html = root / "page.html"
    assert main(["upscale", str(root / "lr"), "-o", str(root / "out"), "--model", str(swrn), "--accelerator", "cpu",
                 "--quiet", "--compare-page", str(html), "--compare-model", "elsr_int8",
                 "--ground-truth", str(root / "gt")]) == 0
    return {"root": root, "html": html, "data": page_data(html)}


def test_page_data_and_psnr(page):
    data, root = page["data"], page["root"]
    assert [s["key"] for s in data["sources"]] == ["bicubic", "vsr", "second"]
    assert (data["width"], data["height"]) == (HR_W, HR_H) and [f["index"] for f in data["frames"]] == [0, 1, 2]
    facts = dict(data["facts"])
    assert facts["accelerator"] == "cpu" and "fps model only" in facts["speed"] and "elsr_int8" in facts["second model"]
    for i, frame in enumerate(data["frames"]):
        truth = np.asarray(Image.open(root / "gt" / f"{i:03d}.png").convert("RGB"))
        out = np.asarray(Image.open(root / "out" / f"{i:03d}.png").convert("RGB"))
        lr = np.asarray(Image.open(root / "lr" / f"{i:03d}.png").convert("RGB"))
        assert frame["psnr"]["vsr"] == pytest.approx(metrics.psnr(out, truth, 0, True), abs=1e-9)
        assert frame["psnr"]["bicubic"] == pytest.approx(
            metrics.psnr(pillow_bicubic_resize(lr, HR_H, HR_W), truth, 0, True), abs=1e-9)
        assert frame["psnr"]["vsr"] > frame["psnr"]["bicubic"]  # SWRN beats bicubic on real frames
        assert np.abs(decode(frame["images"]["vsr"]) - out).mean() < 1.5  # the JPEG is the output, nearly lossless
    mean_vsr = np.mean([f["psnr"]["vsr"] for f in data["frames"]])
    assert f"{Path(data['sources'][1]['label']).name} {mean_vsr:.2f} dB" in facts["Y-PSNR vs ground truth"]
    html = page["html"].read_text()
    assert "http:" not in html and "https:" not in html  # self-contained: nothing to fetch


def test_compare_page_options_need_the_page(tmp_path, swrn, capsys):
    assert main(["upscale", str(tmp_path / "x.png"), "-o", str(tmp_path / "y.png"), "--compare-model", str(swrn)]) == 1
    assert "--compare-page" in capsys.readouterr().err
    assert main(["upscale", str(tmp_path / "x.png"), "-o", str(tmp_path / "y.png"), "--compare-page",
                 str(tmp_path / "page.txt")]) == 1
    assert "page.html" in capsys.readouterr().err


TAG_ROWS = 30  # the labels over the top of the viewer


def _region_match(shot: np.ndarray, rect: dict, image: np.ndarray, x0: float, x1: float) -> float:
    """Share of pixels where the screenshot shows ``image`` (within 1 level: Chromium and Pillow both decode the
    JPEG with libjpeg-turbo) over columns x0..x1 (fractions of the width), below the labels; the 1-px zoom marker
    and the divider are a few percent at most."""
    left, top = round(rect["x"]), round(rect["y"])
    a, b = int(x0 * image.shape[1]), int(x1 * image.shape[1])
    shown = shot[top + TAG_ROWS:top + image.shape[0], left + a:left + b].astype(np.int16)
    return float((np.abs(shown - image[TAG_ROWS:, a:b]) <= 1).all(axis=2).mean())


@pytest.mark.skipif(chromium_path() is None, reason="chromium not installed")
def test_page_in_headless_chromium(page):
    data = page["data"]
    bicubic = [decode(f["images"]["bicubic"]) for f in data["frames"]]
    vsr = [decode(f["images"]["vsr"]) for f in data["frames"]]
    same = (np.abs(bicubic[0] - vsr[0]) <= 1).all(axis=2).mean()
    assert same < 0.6, same  # the two sides differ enough to tell them apart
    with Browser(900, 900) as browser:
        browser.open(page["html"].as_uri())
        rect = browser.js("JSON.parse(JSON.stringify(document.getElementById('viewer').getBoundingClientRect()))")
        assert (round(rect["width"]), round(rect["height"])) == (HR_W, HR_H)  # shown 1:1: pixels comparable

        def sides(x0: float, x1: float, frame: int = 0) -> tuple[float, float]:
            shot = browser.screenshot()
            return (_region_match(shot, rect, bicubic[frame], x0, x1), _region_match(shot, rect, vsr[frame], x0, x1))

        # split at 50 %: bicubic on the left, VSR on the right
        left_b, left_v = sides(0.05, 0.45)
        right_b, right_v = sides(0.55, 0.95)
        assert left_b > 0.97 > 0.85 > left_v and right_v > 0.97 > 0.85 > right_b, (left_b, left_v, right_b, right_v)
        # drag the split to 90 % with the mouse: 55-85 % now shows bicubic
        y = rect["y"] + rect["height"] / 2
        browser.drag((rect["x"] + 0.5 * rect["width"], y), (rect["x"] + 0.9 * rect["width"], y))
        assert browser.js("document.getElementById('split').value") == "900"
        moved_b, moved_v = sides(0.55, 0.85)
        assert moved_b > 0.97 > 0.85 > moved_v, (moved_b, moved_v)
        # keyboard: 10 x ArrowLeft (5 % each) brings it to 40 %: 45-85 % is VSR again
        for _ in range(10):
            browser.key("ArrowLeft", "ArrowLeft", 37)
        assert browser.js("document.getElementById('split').value") == "400"
        back_b, back_v = sides(0.45, 0.85)
        assert back_v > 0.97 > 0.85 > back_b, (back_b, back_v)
        # frame stepping with "]": the page now shows frame 1 on both sides
        browser.key("]", "BracketRight", 221)
        assert browser.js("document.getElementById('frame-label').textContent").startswith("frame 1 ")
        browser.js("Promise.all([...document.querySelectorAll('#viewer img')].map(i => i.decode()))")
        f1_b, f1_v = sides(0.45, 0.85, frame=1)
        assert f1_v > 0.97 > 0.85 > f1_b, (f1_b, f1_v)
        # the zoomed VSR crop follows the pointer: it shows the HR pixels around it, 4x larger
        browser.mouse("mouseMoved", rect["x"] + 150.5, rect["y"] + 100.5)
        assert browser.js("document.body.dataset.zoom") == "118,68"  # 64 px crop centred on (150, 100)
        canvas = browser.js("JSON.parse(JSON.stringify(document.getElementById('zoom-vsr').getBoundingClientRect()))")
        shot = browser.screenshot()
        top, left = round(canvas["y"]), round(canvas["x"])
        zoomed = shot[top:top + 256, left:left + 256].astype(np.int16)
        want = np.repeat(np.repeat(vsr[1][68:68 + 64, 118:118 + 64], 4, axis=0), 4, axis=1)
        assert np.abs(zoomed - want).mean() < 1.0
        assert np.abs(zoomed - np.repeat(np.repeat(bicubic[1][68:132, 118:182], 4, 0), 4, 1)).mean() > 1.0
