"""Rendering of the comparison page: frames as inline JPEG data URIs in a JSON block of one HTML template."""

from __future__ import annotations

import base64
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..media import atomic_file

TEMPLATE = Path(__file__).with_name("template.html")
JPEG_QUALITY = 92  # with 4:4:4 chroma: artefacts well below the bicubic/VSR differences the page is about
ZOOM, CROP = 4, 64  # zoomed crops: CROP x CROP HR pixels shown ZOOM times larger


@dataclass
class PageFrame:
    """One frame of the page: its index in the clip, an image per source key, PSNR per source key if known."""

    index: int
    images: dict[str, str]
    """Source key -> data URI."""
    psnr: dict[str, float] | None = None


@dataclass
class PageData:
    """Everything the page shows."""

    title: str
    sources: list[tuple[str, str]]
    """(key, label) per image source, in menu order; the first two are the initial left and right sides."""
    width: int
    height: int
    frames: list[PageFrame] = field(default_factory=list)
    facts: list[tuple[str, str]] = field(default_factory=list)
    """(name, value) rows at the top: model, accelerator, fps, PSNR, ..."""


def data_uri(image: np.ndarray, quality: int = JPEG_QUALITY) -> str:
    """An RGB uint8 frame as a ``data:image/jpeg;base64,...`` URI (4:4:4, no chroma subsampling)."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(image[..., :3])).save(buffer, format="JPEG", quality=quality, subsampling=0)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def render_page(data: PageData) -> str:
    """The HTML text of the page."""
    if len(data.sources) < 2 or not data.frames:
        raise ValueError("a comparison page needs at least two image sources and one frame")
    payload = {
        "title": data.title,
        "sources": [{"key": k, "label": label} for k, label in data.sources],
        "width": data.width,
        "height": data.height,
        "facts": [[k, v] for k, v in data.facts],
        "frames": [{"index": f.index, "images": f.images, "psnr": f.psnr} for f in data.frames],
    }
    # "<" escaped so no string in the data can close the <script> block
    text = json.dumps(payload, separators=(",", ":")).replace("<", "\\u003c")
    html = TEMPLATE.read_text()
    for key, value in (("__ZOOM__", str(ZOOM)), ("__CROP__", str(CROP)), ("__TITLE__", _escape(data.title))):
        html = html.replace(key, value)
    return html.replace("__DATA__", text)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def write_page(data: PageData, output: str | Path) -> Path:
    """Write the page to ``output`` (all or nothing: a temporary file renamed at the end)."""
    output = Path(output)
    html = render_page(data)
    with atomic_file(output) as temp:
        Path(temp).write_text(html, encoding="utf-8")
    return output
