"""The generated calendar validator (engine/_calendar_validator.py) stays the schema's exact twin."""

from __future__ import annotations

import copy
from typing import Any

import fastjsonschema
import jsonschema
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import _calendar_validator as generated
from engine.calendar_schema import calendar_errors, calendar_schema, generated_source, schema_digest

VALID: dict[str, Any] = {
    "school_year": "2025-2026",
    "terms": [{"id": "2025-2026-1", "name": "第一学期", "start": "2025-09-01", "end": "2026-01-16"}],
    "events": [{"kind": "考试", "name": "期中考试", "date": "2025/11/3", "grades": [7, 8]}],
}
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.sampled_from(["", "x", "2025-09-01", "2025/9/1", "2025-9-01", " 2025-09-01"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["id", "start", "end", "kind", "date", "grades", "x"]), inner, max_size=3),
    max_leaves=6,
)


def test_the_generated_validator_was_made_from_the_current_schema() -> None:
    assert generated.SCHEMA_DIGEST == schema_digest(), "calendar.schema.json changed: run .venv/bin/python -m engine.calendar_schema"


def test_the_generated_file_is_what_this_fastjsonschema_writes() -> None:
    if generated.VERSION != fastjsonschema.VERSION:
        return  # another fastjsonschema writes other text; the behaviour tests below still hold it to the schema
    assert generated_source() == generated.__loader__.get_source(generated.__name__)  # type: ignore[union-attr]


def _agree(data: Any) -> None:
    slow = list(jsonschema.Draft7Validator(calendar_schema()).iter_errors(data))
    try:
        generated.validate(copy.deepcopy(data))
        fast_ok = True
    except generated.JsonSchemaException:
        fast_ok = False
    assert fast_ok == (not slow), (data, [e.message for e in slow])
    assert bool(calendar_errors(data)) == bool(slow)


def test_a_valid_calendar_passes() -> None:
    _agree(VALID)
    assert calendar_errors(VALID) == []


@settings(max_examples=300, deadline=None)
@given(path=st.sampled_from([("school_year",), ("terms", 0, "id"), ("terms", 0, "start"), ("terms", 0, "name"), ("events", 0, "date"),
                             ("events", 0, "grades"), ("events", 0, "kind"), ("terms",), ("events",), ("terms", 0, "x")]),
       value=JSON_VALUES)  # fmt: skip
def test_the_generated_validator_agrees_with_jsonschema_on_damaged_calendars(path: tuple[Any, ...], value: Any) -> None:
    data = copy.deepcopy(VALID)
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    _agree(data)


@settings(max_examples=200, deadline=None)
@given(data=JSON_VALUES)
def test_the_generated_validator_agrees_with_jsonschema_on_any_document(data: Any) -> None:
    _agree(data)
