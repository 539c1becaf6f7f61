"""``mobilevsr-rt info``: tensors, contract, ops and the runtime's view (layout, receptive field, tile overlap)."""

from __future__ import annotations

import json

from mobilevsr_rt.cli import main


def test_info_text_names_layout_and_receptive_field(swrn, capsys):
    assert main(["info", str(swrn), "--no-gpu-compile"]) == 0
    out = capsys.readouterr().out
    assert "Runtime layout: sliding_recurrent (lookahead 1 frames)" in out
    assert "Receptive field radius: 9 LR pixels; tile overlap 18 (receptive field)" in out


def test_info_json_is_one_document(swrn, capsys):
    assert main(["info", str(swrn), "--no-gpu-compile", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["receptive_field_radius"] == 9 and report["tile_overlap"] == 18
    assert report["stats"]["ops"] and report["gpu_compile"] is None
