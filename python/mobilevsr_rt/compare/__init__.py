"""The before/after comparison page: one self-contained HTML file (images inline, no network) with a slider over
whole frames (bicubic vs VSR, optionally a second model), frame stepping, zoomed crops that follow the pointer, and
the model, accelerator, fps and PSNR (when a ground truth is given). Written by ``mobilevsr-rt demo`` and
``mobilevsr-rt upscale ... --compare-page OUT.html``."""

from __future__ import annotations

from .page import PageData, PageFrame, render_page, write_page
from .recorder import CompareRecorder, add_compare_page_arguments, recorder_from_args

__all__ = ["CompareRecorder", "PageData", "PageFrame", "add_compare_page_arguments", "recorder_from_args",
           "render_page", "write_page"]
