"""Activity ids as fixed-width bytes (engine/load/activities.py fixed_width): every path gives what encoding each id does."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.load import activities

IDS = st.text(alphabet=st.sampled_from(list("A0129-") + ["谈", "é"]), max_size=6)


def reference(ids: list[str]) -> list[bytes]:
    return [s.encode("utf-8") for s in ids]


@settings(max_examples=200, deadline=None)
@given(st.lists(IDS, min_size=1, max_size=60), st.integers(0, 3))
def test_fixed_width_is_each_id_encoded(ids: list[str], odd_limit: int) -> None:
    """Whichever path runs (all one width, a few odd widths in runs, many odd widths), the ids come back as they were."""
    old = activities.ODD_IDS
    activities.ODD_IDS = odd_limit  # small limits send lists with a few odd widths down the general path too
    try:
        for arr in (pa.array(ids), pa.array(ids, pa.large_string()), pa.array(["x", *ids])[1:], pa.chunked_array([ids[:3], ids[3:]])):
            got = activities.fixed_width(arr)
            assert [bytes(v) for v in got.tolist()] == reference(ids)
    finally:
        activities.ODD_IDS = old


def test_one_long_id_among_a_million_keeps_the_rest_in_runs() -> None:
    ids = [f"A{i:07d}" for i in range(1_000)]
    ids[500] = "A999999999"
    got = activities.fixed_width(pa.array(ids))
    assert got.dtype == np.dtype("S10") and [bytes(v).decode() for v in got.tolist()] == ids


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 40), min_size=2, max_size=40), st.lists(st.tuples(st.integers(0, 39), st.integers(0, 60)), max_size=4),
       st.integers(0, 3))  # fmt: skip
def test_ids_in_order_but_a_few_are_flagged_as_hashing_every_id_flags_them(base: list[int], pasted: list[tuple[int, int]], odd_limit: int) -> None:
    """A log numbered in order with a few rows pasted in (new ids or repeats): the shortcut flags exactly the rows, and
    names the same first rows, that hashing every id does."""
    ids = [f"A{v:03d}" for v in sorted(set(base))]
    for at, v in pasted:
        ids.insert(min(at, len(ids)), f"A{v:03d}")
    arr = pa.array(ids)
    old = activities.ODD_IDS
    activities.ODD_IDS = odd_limit
    try:
        got_ids, flagged, first = activities._ids(arr)
    finally:
        activities.ODD_IDS = old
    seen: dict[str, int] = {}
    expected_first = [seen.setdefault(v, i) for i, v in enumerate(ids)]
    assert flagged.tolist() == [expected_first[i] != i for i in range(len(ids))]
    if first is not None:
        assert first.tolist() == expected_first
    else:
        assert len(set(ids)) == len(ids)
