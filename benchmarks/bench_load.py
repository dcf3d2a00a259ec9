"""Loading a school's data from each source into a Bundle: CSV (clean, messy, one bad row), Excel, SQLite rows.

Prints medians (and min–max) of a few runs of each, in this process after a warm-up, so imports
are not counted. The schools are generated once and cached under the temp folder.

    .venv/bin/python benchmarks/bench_load.py [--repeat 5] [--cache DIR] [--skip-xlsx]

Figures:
- 1M activities as clean CSV, and the same file with one bad row in the middle (skip_bad_rows):
  what one unusual row costs;
- 100k activities in one .xlsx (python-calamine);
- a 3,000-student, 100k-activity school from SQLite rows (one query per table, the students of
  each activity as a link table) to a Bundle: the fetch and the build timed apart.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pyarrow as pa  # noqa: E402
import pyarrow.compute as pc  # noqa: E402

from engine import bundle_from_columns, load_bundle  # noqa: E402
from engine.load.calendar import read_calendar  # noqa: E402
from synth.generate import generate_school  # noqa: E402
from synth.messy import mess_bundle  # noqa: E402


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, float, float]:
    fn()  # warm-up
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t)
    return statistics.median(runs), min(runs), max(runs)


def school(cache: Path, students: int, activities: int, messy: bool = False) -> Path:
    out = cache / f"school-s{students}-a{activities}{'-messy' if messy else ''}"
    if not (out / ".complete").exists():
        shutil.rmtree(out, ignore_errors=True)
        generate_school(out, students=students, activities=activities, seed=1)
        if messy:
            mess_bundle(out, seed=1, mess=True)
        (out / ".complete").write_text("ok")
    return out


def with_bad_row(src: Path, dst: Path) -> Path:
    """The same school with one activity in the middle naming an unknown mentor."""
    if not dst.exists():
        shutil.copytree(src, dst)
        lines = (src / "activities.csv").read_bytes().split(b"\n")
        mid = len(lines) // 2
        while b'"' in lines[mid]:  # a plain row, so that its fourth cell is the mentor's
            mid += 1
        cells = lines[mid].split(b",")
        cells[3] = b"NOBODY"
        lines[mid] = b",".join(cells)
        (dst / "activities.csv").write_bytes(b"\n".join(lines))
    return dst


def as_xlsx(src: Path, dst: Path) -> Path:
    """activities.csv as activities.xlsx (real date cells), the other tables as CSV."""
    if not (dst / "activities.xlsx").exists():
        import csv
        import datetime as dt

        import openpyxl

        shutil.copytree(src, dst, dirs_exist_ok=True)
        (dst / "activities.csv").unlink()
        book = openpyxl.Workbook(write_only=True)
        sheet = book.create_sheet("活动")
        with (src / "activities.csv").open(encoding="utf-8") as f:
            rows = csv.reader(f)
            sheet.append(next(rows))
            for r in rows:
                r[2] = dt.date.fromisoformat(r[2])  # type: ignore[call-overload]
                sheet.append(r)
        book.save(dst / "activities.xlsx")
    return dst


def to_sqlite(src: Path, db: Path) -> None:
    """The school's tables in SQLite as a service would keep them: the students of an activity in a link table."""
    import csv

    if db.exists():
        return
    con = sqlite3.connect(db)
    for name, cols in (("mentors", "id,name,roles,tags,class"), ("students", "id,name,grade,class,tags"),
                       ("assignments", "mentor_id,student_id,start,end"), ("student_events", "student_id,kind,date")):  # fmt: skip
        con.execute(f"CREATE TABLE {name} ({cols})")
        with (src / f"{name}.csv").open(encoding="utf-8") as f:
            rows = list(csv.reader(f))[1:]
        con.executemany(f"INSERT INTO {name} VALUES ({','.join('?' * len(cols.split(',')))})", rows)
    con.execute("CREATE TABLE activities (id PRIMARY KEY, action, date, mentor_id, class, duration_min, note)")
    con.execute("CREATE TABLE activity_students (activity_id, student_id)")
    with (src / "activities.csv").open(encoding="utf-8") as f:
        rows = list(csv.reader(f))[1:]
    con.executemany("INSERT INTO activities VALUES (?,?,?,?,?,?,?)", [(r[0], r[1], r[2], r[3], r[5], r[6] or None, r[7]) for r in rows])
    con.executemany("INSERT INTO activity_students VALUES (?,?)", [(r[0], s) for r in rows for s in r[4].split(";") if s])
    con.commit()
    con.close()


def fetch(db: Path) -> tuple[dict[str, pa.Table], tuple[Any, pa.Array]]:
    """One query per table into Arrow columns; the link table's activity ids as row positions."""
    con = sqlite3.connect(db)
    tables = {}
    for name in ("mentors", "students", "assignments", "activities", "student_events"):
        cur = con.execute(f"SELECT * FROM {name}" + (" ORDER BY id" if name == "activities" else ""))
        names = [d[0] for d in cur.description]
        cols = list(zip(*cur.fetchall(), strict=True)) or [()] * len(names)
        tables[name] = pa.table({n: pa.array(c) for n, c in zip(names, cols, strict=True)})
    link = con.execute("SELECT activity_id, student_id FROM activity_students").fetchall()
    con.close()
    act_ids, stu_ids = (pa.array(c) for c in zip(*link, strict=True))
    rows = pc.index_in(act_ids, value_set=tables["activities"].column("id")).to_numpy(zero_copy_only=False)
    return tables, (rows, stu_ids)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--cache", default=str(Path(tempfile.gettempdir()) / "mentorship-bench-load"))
    parser.add_argument("--skip-xlsx", action="store_true")
    args = parser.parse_args()
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)

    for messy in (False, True):
        big = school(cache, 28_571, 1_000_000, messy)
        bad = with_bad_row(big, cache / f"bad-row-1M{'-messy' if messy else ''}")
        clean = timed(lambda b=big: load_bundle(b), args.repeat)
        one_bad = timed(lambda b=bad: load_bundle(b, skip_bad_rows=True), args.repeat)
        kind = "messy" if messy else "clean"
        print(f"1M CSV ({kind}):            {clean[0]:.3f} s  ({clean[1]:.3f}–{clean[2]:.3f})")
        print(f"1M CSV ({kind}), one bad row: {one_bad[0]:.3f} s  ({one_bad[1]:.3f}–{one_bad[2]:.3f}); "
              f"{(one_bad[0] / clean[0] - 1) * 100:+.1f}% over the same file without it", flush=True)  # fmt: skip

    small = school(cache, 3_000, 100_000)
    if not args.skip_xlsx:
        x = as_xlsx(small, cache / "xlsx-100k")
        xt = timed(lambda: load_bundle(x), max(1, args.repeat // 2))
        print(f"100k .xlsx activities:    {xt[0]:.3f} s  ({xt[1]:.3f}–{xt[2]:.3f}) the whole bundle")

    db = cache / "school-100k.sqlite"
    to_sqlite(small, db)
    calendar = read_calendar(small / "calendar.yaml")
    tables, links = fetch(db)
    keys = {"mentors": "id", "students": "id", "activities": "id"}
    f = timed(lambda: fetch(db), args.repeat)
    b = timed(lambda: bundle_from_columns(calendar, tables, keys, activity_students=links), args.repeat)
    print(f"100k SQLite: fetch {f[0] * 1000:.0f} ms ({f[1] * 1000:.0f}–{f[2] * 1000:.0f}); "
          f"rows → Bundle {b[0] * 1000:.0f} ms ({b[1] * 1000:.0f}–{b[2] * 1000:.0f})")  # fmt: skip


if __name__ == "__main__":
    main()
