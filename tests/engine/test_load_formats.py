"""One school, every form a school or a database keeps it in, one bundle (SPEC §3 "As schools really keep it").

The same generated school written as (a) UTF-8 CSV, (b) GB18030 CSV with Chinese headers, Chinese
dates and 、-separated lists, (c) one .xlsx per table, (d) one workbook with Chinese sheet names,
aliased Chinese headers and title rows, and (e) a database's Arrow columns with an activity–student
link table, loads to the same bundle as the typed rows (bundle_from_rows) give.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from load_helpers import chinese_date, columns_bundle, csv_folder, plain, rated_schools, workbook_folder, xlsx_per_table
from school import to_bundle

from engine import Bundle, load_bundle
from engine.model.warnings import ReportWarning

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def _codes(warnings: tuple[ReportWarning, ...], *, without: tuple[str, ...] = ()) -> Counter[str]:
    return Counter(w.code for w in warnings if w.code not in without)


@SETTINGS
@given(rated_schools())
def test_every_form_of_a_school_loads_to_the_same_bundle(tmp_path_factory: pytest.TempPathFactory, school: dict[str, Any]) -> None:
    reference = to_bundle(school)
    expected = plain(reference)
    assert expected["rejected"] == []

    root = tmp_path_factory.mktemp("forms")
    forms: dict[str, Bundle] = {
        "utf-8 csv": load_bundle(csv_folder(school, root / "utf8")),
        "gb18030 csv, Chinese headers": load_bundle(
            csv_folder(school, root / "gb", names="zh", encoding="gb18030", date=chinese_date, sep="、")
        ),
        "one xlsx per table": load_bundle(xlsx_per_table(school, root / "xlsx")),
        "one workbook, Chinese sheets": load_bundle(workbook_folder(school, root / "book")),
        "database columns": columns_bundle(school),
    }
    for form, bundle in forms.items():
        got = plain(bundle)
        for part in expected:
            assert got[part] == expected[part], f"{form}: {part}"

    # what loading warns about is the data's (an event outside the school year, …), not the form's,
    # except that GB18030 text says so once per file, and no column goes unread
    sanity = _codes(reference.warnings)
    for form, bundle in forms.items():
        assert _codes(bundle.warnings, without=("gb18030",)) == sanity, form
    gb = forms["gb18030 csv, Chinese headers"]
    assert sorted(w.file for w in gb.warnings if w.code == "gb18030") == sorted(f"{k}.csv" for k in
        ("mentors", "students", "assignments", "activities", "student_events", "ratings"))  # fmt: skip
    assert all(w.code != "gb18030" for form, b in forms.items() if b is not gb for w in b.warnings)


def test_the_workbook_form_names_its_sheets_in_messages(tmp_path: Path) -> None:
    """The forms differ where they should: a database row has no line; a sheet row is Excel's row."""
    import datetime as dt

    school = {
        "calendar": {"school_year": "2025-2026", "terms": [{"id": "T1", "name": "第一学期", "start": dt.date(2025, 9, 1), "end": dt.date(2026, 1, 16)}],
                     "events": []},
        "mentors": [{"id": "M1", "name": "张", "roles": [], "tags": [], "class": None}],
        "students": [{"id": "S1", "name": "明", "grade": 1, "class": "一(1)班", "tags": []}],
        "assignments": [{"mentor_id": "M1", "student_id": "S1", "start": None, "end": None}],
        "activities": [{"id": "A1", "action": "谈心", "date": dt.date(2025, 9, 2), "mentor_id": "M1", "student_ids": ["S1"], "class": None,
                        "duration_min": 30}],
        "student_events": [],
        "ratings": [],
    }  # fmt: skip
    b = load_bundle(workbook_folder(school, tmp_path / "book"))
    assert b.files.activities == "学校数据.xlsx:活动"
    assert b.activities.line.tolist() == [4]  # title row 1, header row 2, empty row 3
    assert columns_bundle(school).activities.line.tolist() == [0]
