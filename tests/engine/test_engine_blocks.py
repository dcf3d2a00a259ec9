"""activities.csv parsed in many blocks on worker threads gives exactly the one-block result.

engine/fastcsv.py parses byte blocks ahead on threads and adds them in file order; a block
with a bad row takes the row-by-row path. With a tiny block size a small school spreads over
dozens of blocks, clean and unclean mixed, so the threaded path is exercised in full.
"""

from __future__ import annotations

import functools
from dataclasses import fields
from pathlib import Path

import numpy as np
import pytest

import engine.reader
from engine import load_bundle
from engine.bundle import Bundle
from engine.fastcsv import blocks
from engine.generate import generate_school


@pytest.fixture(scope="module")
def school(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("school")
    generate_school(out, students=200, seed=11, activities=8000)
    return out


def _load(folder: Path, block_bytes: int | None, monkeypatch: pytest.MonkeyPatch, skip: bool = False) -> Bundle:
    with monkeypatch.context() as m:
        if block_bytes is not None:
            m.setattr(engine.reader, "blocks", functools.partial(blocks, block_bytes=block_bytes))
        return load_bundle(folder, skip_bad_rows=skip)


def _same(a: Bundle, b: Bundle) -> None:
    for f in fields(a.activities):
        x, y = getattr(a.activities, f.name), getattr(b.activities, f.name)
        if isinstance(x, np.ndarray):
            assert x.dtype == y.dtype and np.array_equal(x, y, equal_nan=x.dtype.kind == "f"), f.name
        else:
            assert x == y, f.name
    assert a.rejected == b.rejected


def test_many_blocks_on_threads_equal_one_block(school: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _same(_load(school, None, monkeypatch), _load(school, 2048, monkeypatch))


def test_bad_rows_in_some_blocks_are_explained_in_file_order(school: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "bundle"
    folder.mkdir()
    for p in school.iterdir():
        (folder / p.name).write_bytes(p.read_bytes())
    lines = (folder / "activities.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    for k in (40, 41, 2000, 5000, 7999):  # unknown student, bad date, a stray space, …
        cells = lines[k].split(",")
        cells[{40: 4, 41: 2, 2000: 1, 5000: 3, 7999: 4}[k]] = {40: "S99999", 41: "2025-13-01", 2000: " 谈心", 5000: "T9999", 7999: ""}[k]
        lines[k] = ",".join(cells)
    (folder / "activities.csv").write_text("".join(lines), encoding="utf-8")
    one = _load(folder, None, monkeypatch, skip=True)
    many = _load(folder, 2048, monkeypatch, skip=True)
    assert len(one.rejected) >= 3
    _same(one, many)


def test_new_actions_get_distinct_codes_from_many_threads() -> None:
    from concurrent.futures import ThreadPoolExecutor

    from engine.activities import ActivityBuilder

    builder = ActivityBuilder("activities.csv", {}, {}, {}, {}, {})
    names = [f"动作{i}" for i in range(2000)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        codes = list(pool.map(builder.action_code, names + names[::-1]))
    assert sorted(builder.actions.values()) == list(range(len(names)))
    assert codes[: len(names)] == [builder.actions[n] for n in names]
