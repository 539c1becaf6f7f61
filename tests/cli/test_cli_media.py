"""Media helpers on their own: all-or-nothing outputs, the progress line, crops and even sizes."""

from __future__ import annotations

import io

import numpy as np
import pytest

from mobilevsr_rt.media import (
    ProgressBar,
    atomic_file,
    atomic_folder,
    crop_grid,
    even_size,
    textured_regions,
)
from mobilevsr_rt.media.progress import format_duration


def test_atomic_file_renames_on_success(tmp_path):
    final = tmp_path / "out.mp4"
    with atomic_file(final) as temp:
        assert temp.parent == tmp_path and temp.suffix == ".mp4" and temp.name != final.name
        temp.write_bytes(b"done")
        assert not final.exists()
    assert final.read_bytes() == b"done" and list(tmp_path.iterdir()) == [final]


@pytest.mark.parametrize("error", [KeyboardInterrupt, RuntimeError])
def test_atomic_file_removes_temp_on_error(tmp_path, error):
    with pytest.raises(error), atomic_file(tmp_path / "out.mp4") as temp:
        temp.write_bytes(b"half")
        raise error
    assert list(tmp_path.iterdir()) == []


def test_atomic_folder_merges_or_removes(tmp_path):
    final = tmp_path / "frames"
    with atomic_folder(final) as temp:
        (temp / "a.png").write_bytes(b"a")
    with pytest.raises(KeyboardInterrupt), atomic_folder(final) as temp:
        (temp / "b.png").write_bytes(b"b")
        raise KeyboardInterrupt
    assert sorted(p.name for p in tmp_path.iterdir()) == ["frames"]
    with atomic_folder(final) as temp:
        (temp / "c.png").write_bytes(b"c")
    assert sorted(p.name for p in final.iterdir()) == ["a.png", "c.png"]


def test_progress_line_on_a_log():
    now = [100.0]
    stream = io.StringIO()
    bar = ProgressBar(10, label="upscale", stream=stream, log_interval=5.0, clock=lambda: now[0])
    for _ in range(3):
        now[0] += 1.0
        bar.update()
    assert stream.getvalue() == ""  # not a terminal: one line per log_interval
    now[0] = 110.0
    bar.update()  # 4 frames in 10 s
    line = stream.getvalue()
    assert line.count("\n") == 1 and "\r" not in line
    assert "upscale" in line and "4/10" in line and "40%" in line and "0.4 fps" in line and "ETA 0:15" in line
    now[0] = 125.0
    bar.update(6)
    bar.close()
    bar.close()
    last = stream.getvalue().splitlines()[-1]
    assert "10/10" in last and "100%" in last and "ETA" not in last and len(stream.getvalue().splitlines()) == 3
    assert format_duration(3725) == "1:02:05" and format_duration(75.2) == "1:15"


def test_progress_unknown_total_and_disabled():
    stream = io.StringIO()
    bar = ProgressBar(None, stream=stream, log_interval=0.0)
    bar.update(4)
    bar.close()
    assert "4 frames" in stream.getvalue() and "ETA" not in stream.getvalue()
    quiet = io.StringIO()
    silent = ProgressBar(5, stream=quiet, enabled=False)
    silent.update()
    silent.close()
    assert quiet.getvalue() == "" and silent.count == 1


def test_even_size_pads_by_repeating_the_edge():
    frame = np.arange(3 * 5 * 3, dtype=np.uint8).reshape(3, 5, 3)
    padded = even_size(frame)
    assert padded.shape == (4, 6, 3)
    np.testing.assert_array_equal(padded[:3, :5], frame)
    np.testing.assert_array_equal(padded[3, :5], frame[2])
    assert even_size(padded) is padded


def test_textured_regions_find_detail_and_do_not_overlap():
    frame = np.full((60, 90, 3), 128, np.uint8)
    rng = np.random.default_rng(0)
    frame[10:30, 50:70] = rng.integers(0, 255, (20, 20, 3))  # the only detail
    regions = textured_regions(frame, count=2, size=20)
    y, x = regions[0]
    assert abs(y - 10) <= 5 and abs(x - 50) <= 5
    (y0, x0), (y1, x1) = regions
    assert abs(y0 - y1) >= 20 or abs(x0 - x1) >= 20


def test_crop_grid_layout():
    hr = {"bicubic": np.zeros((80, 80, 3), np.uint8), "VSR": np.full((80, 80, 3), 200, np.uint8)}
    grid = crop_grid(hr, [(0, 0), (10, 10)], size=8, scale=4)
    assert grid.shape == (16 + 2 * 32 + 3 * 4, 2 * 32 + 3 * 4, 3)
    np.testing.assert_array_equal(grid[20:52, 4:36], 0)  # first row, bicubic column
    np.testing.assert_array_equal(grid[20:52, 40:72], 200)  # first row, VSR column


def test_pipeline_keeps_order_and_bounds_what_is_in_flight():
    import random
    import time

    from mobilevsr_rt.media.pipeline import run_pipeline

    produced, consumed, in_flight = [], [], []
    rng = random.Random(0)

    def produce():
        for i in range(60):
            produced.append(i)
            in_flight.append(len(produced) - len(consumed))
            yield i

    def transform(item, emit):
        time.sleep(rng.random() * 0.002)
        if item % 3 == 2:  # a lookahead model: outputs come in bursts
            for held in (item - 2, item - 1, item):
                emit(held)

    def finish(emit):
        for held in range(60 - 60 % 3, 60):
            emit(held)

    def consume(item):
        time.sleep(0.004)  # the encoder is the slow stage: the others must wait for it
        consumed.append(item)

    run_pipeline(produce(), transform, finish, consume, depth=4)
    assert consumed == list(range(60))
    # two queues of 4, up to 3 held by the model, one in the encoder's hands, one being produced
    assert max(in_flight) <= 4 + 4 + 3 + 2


@pytest.mark.parametrize("stage", ["produce", "transform", "consume"])
def test_pipeline_raises_the_first_error_of_any_stage(stage):
    from mobilevsr_rt.media.pipeline import run_pipeline

    def produce():
        for i in range(100):
            if stage == "produce" and i == 10:
                raise ValueError("bad frame 10")
            yield i

    def transform(item, emit):
        if stage == "transform" and item == 10:
            raise ValueError("bad frame 10")
        emit(item)

    def consume(item):
        if stage == "consume" and item == 10:
            raise ValueError("bad frame 10")

    with pytest.raises(ValueError, match="bad frame 10"):
        run_pipeline(produce(), transform, lambda emit: None, consume, depth=2)


def test_pipeline_serial_mode_gives_the_same_order():
    from mobilevsr_rt.media.pipeline import run_pipeline

    out = []
    run_pipeline(iter(range(10)), lambda item, emit: emit(item * 2), lambda emit: emit(-1), out.append,
                 parallel=False)
    assert out == [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, -1]


def test_folder_plan_groups_numbered_sequences_and_refuses_collisions(tmp_path):
    from pathlib import Path

    from mobilevsr_rt.media import MediaError
    from mobilevsr_rt.media.folders import output_names, plan_clips

    files = [Path(n) for n in ["0001.png", "0002.png", "IMG.jpg", "frame_2.png", "frame_10.png", "frame_1.png",
                               "shot9.jpg", "x.png"]]
    clips = [[f.name for f in clip.files] for clip in plan_clips(files)]
    assert clips == [["0001.png", "0002.png"], ["IMG.jpg"], ["frame_1.png", "frame_2.png", "frame_10.png"],
                     ["shot9.jpg"], ["x.png"]]
    assert [len(c.files) for c in plan_clips(files, sequence=False)] == [1] * 8
    assert len(plan_clips(files, sequence=True)) == 1
    assert output_names(files)[Path("IMG.jpg")] == "IMG.png"
    with pytest.raises(MediaError, match="x.png and x.jpg would both be written as x.png"):
        output_names([Path("x.png"), Path("x.jpg")])
