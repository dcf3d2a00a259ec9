"""engine/duties.py `_stable_order` (two 16-bit radix passes) is exactly a stable argsort."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from engine.evaluation.duties import _stable_order


@given(st.lists(st.integers(min_value=0, max_value=2**33), max_size=300), st.sampled_from([2**8, 2**16, 2**20, 2**32, 2**34]))
def test_stable_order_is_a_stable_argsort(values: list[int], bound: int) -> None:
    a = np.array([v % bound for v in values], dtype=np.int64)
    assert np.array_equal(_stable_order(a), np.argsort(a, kind="stable"))


def test_stable_order_on_many_repeats() -> None:
    a = np.random.default_rng(1).integers(0, 300_000, 200_000)
    assert np.array_equal(_stable_order(a), np.argsort(a, kind="stable"))
