"""Appending activities to a bundle (engine.bundle_with_activities, what the service does when a mentor logs one)
gives the very bundle a full build with those rows after the others gives."""

from __future__ import annotations

import copy
from typing import Any

import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from load_helpers import columns_bundle, plain
from strategies import schools

from engine import bundle_with_activities


def _split(school: dict[str, Any], k: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    first = copy.deepcopy(school)
    first["activities"] = school["activities"][:k]
    return first, school["activities"][k:]


def _table(rows: list[dict[str, Any]]) -> tuple[pa.Table, tuple[list[int], pa.Array]]:
    table = pa.table({"id": pa.array([r["id"] for r in rows], pa.string()), "action": pa.array([r["action"] for r in rows], pa.string()),
                      "date": pa.array([r["date"] for r in rows], pa.date32()), "mentor_id": pa.array([r["mentor_id"] for r in rows], pa.string()),
                      "class": pa.array([r.get("class") for r in rows], pa.string()),
                      "duration_min": pa.array([r.get("duration_min") for r in rows], pa.int64())})  # fmt: skip
    pairs = [(i, s) for i, r in enumerate(rows) for s in r.get("student_ids") or ()]
    return table, ([i for i, _ in pairs], pa.array([s for _, s in pairs], pa.string()))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schools(), st.data())
def test_activities_appended_equal_a_full_build(school: dict[str, Any], data: st.DataObject) -> None:
    k = data.draw(st.integers(0, len(school["activities"])))
    first, rest = _split(school, k)
    whole = columns_bundle(school)
    table, links = _table(rest)
    appended = bundle_with_activities(columns_bundle(first), table, "id", activity_students=links)
    assert appended is not None  # the generated schools' activity ids are distinct
    assert plain(appended) == plain(whole)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schools().filter(lambda s: len(s["activities"]) > 0))
def test_a_repeated_id_is_left_to_a_full_build(school: dict[str, Any]) -> None:
    """An appended activity whose id the log already has: None, so the caller builds the school again (which reports it)."""
    table, links = _table(school["activities"][:1])
    assert bundle_with_activities(columns_bundle(school), table, "id", activity_students=links) is None
