"""The evaluation engine against DuckDB SQL, side by side, on the same synthetic schools.

Four rules (PERFORMANCE.md), per student: ≥3 talks (谈心) per term; ≥2 check-ins (学生汇报)
per calendar month, clipped to the term with SPEC §4's short-window merge; ≥1 meeting
(见面交流) per 14-day block; ≥1 talk within 7 days after each exam (calendar events of kind
考试, with their grade limits).

For each size the school is generated once and cached under the temp folder. DuckDB gets the
CSVs loaded into tables first (untimed, activities exploded to one row per student); then
both sides evaluate with the data in memory, and every per-(rule, student, window) count and
status must agree (checked at 100k always, at every size with --check-all). End to end
figures run in fresh subprocesses: the API (load + evaluate), the `mentorship evaluate`
CLI, and bare Python start-up for reference. No figure here is asserted against a target.

    .venv/bin/pip install duckdb        # the `bench` extra
    .venv/bin/python benchmarks/bench_engine.py [--big] [--repeat 5] [--cache DIR]
"""

from __future__ import annotations

import argparse
import calendar as cal
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

SCHEME = """\
scheme "bench: four rules"
action 谈心 "talk"
action 学生汇报 "check-in"
action 见面交流 "meeting"
require talks: 谈心 at least 3 per term
require checkins: 学生汇报 at least 2 per month
require meetings: 见面交流 at least 1 per 2 weeks
require exam_talk: 谈心 at least 1 within 7 days after event 考试
"""
AS_OF = dt.date(2026, 1, 20)  # late in term 1: most windows are judged, some still open
FULL = "".join(chr(c) for c in range(0xFF01, 0xFF5F))  # full-width ！ to ～
HALF = "".join(chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F))
SIZES = {"100k": (100_000, 3_000), "1M": (1_000_000, 28_571), "10M": (10_000_000, 285_714)}


# --------------------------------------------------------------------------- data


def school(cache: Path, name: str, messy: bool = False) -> Path:
    """The generated bundle of one size, reused when a previous run left it complete; `messy`: as
    schools keep it (synth/messy.py: students named twice in a cell, mixed separators and date
    forms, full-width ids and classes, stray spaces, blank rows, CRLF)."""
    n, students = SIZES[name]
    out = cache / f"school-{name}-s{students}-seed1{'-messy' if messy else ''}"
    done = out / ".complete"
    if not done.exists():
        from synth.generate import generate_school
        from synth.messy import mess_bundle

        t = time.perf_counter()
        generate_school(out, students=students, activities=n, seed=1)
        if messy:
            mess_bundle(out, seed=1, mess=True)
        done.write_text("ok")
        print(f"  generated {name}{' (messy)' if messy else ''} in {time.perf_counter() - t:.1f} s: {out}", flush=True)
    return out


# --------------------------------------------------------------------------- DuckDB side


def term_of(bundle_dir: Path) -> tuple[dt.date, dt.date, list[dict[str, Any]]]:
    """The term containing AS_OF and the calendar's events, read independently of the engine."""
    import yaml

    c = yaml.safe_load((bundle_dir / "calendar.yaml").read_text(encoding="utf-8"))
    day = lambda v: v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v))  # noqa: E731
    terms = sorted((day(t["start"]), day(t["end"])) for t in c["terms"])
    started = [t for t in terms if t[0] <= AS_OF]
    ts, te = started[-1] if started else terms[0]
    events = [{"kind": e["kind"], "date": day(e["date"]), "grades": e.get("grades")} for e in c.get("events") or []]
    return ts, te, events


def merge_short(pieces: list[tuple[dt.date, dt.date, int]]) -> list[tuple[dt.date, dt.date]]:
    """SPEC §4: a clipped window shorter than half its full length joins its neighbour."""
    wins = [[s, e, full] for s, e, full in pieces]
    short = lambda w: ((w[1] - w[0]).days + 1) * 2 < w[2]  # noqa: E731
    if len(wins) > 1 and short(wins[0]):
        wins[1][0] = wins[0][0]
        wins.pop(0)
    if len(wins) > 1 and short(wins[-1]):
        wins[-2][1] = wins[-1][1]
        wins.pop()
    return [(s, e) for s, e, _ in wins]


def month_windows(ts: dt.date, te: dt.date) -> list[tuple[dt.date, dt.date]]:
    pieces, d = [], ts.replace(day=1)
    while d <= te:
        days = cal.monthrange(d.year, d.month)[1]
        last = d.replace(day=days)
        pieces.append((max(d, ts), min(last, te), days))
        d = last + dt.timedelta(days=1)
    return merge_short(pieces)


def block_windows(ts: dt.date, te: dt.date, length: int) -> list[tuple[dt.date, dt.date]]:
    pieces, d = [], ts
    while d <= te:
        pieces.append((d, min(d + dt.timedelta(days=length - 1), te), length))
        d += dt.timedelta(days=length)
    return merge_short(pieces)


def duckdb_setup(bundle_dir: Path) -> Any:
    """Tables loaded from the CSVs (untimed): students, activities exploded per student, windows."""
    import duckdb

    con = duckdb.connect()
    f = lambda name: str(bundle_dir / name)  # noqa: E731
    # data as schools keep it: full-width letters and digits folded (DuckDB has no NFKC), blanks
    # trimmed (the ideographic space too), four date forms, five list separators
    quoted = lambda text: text.replace("'", "''")  # noqa: E731
    con.execute(f"""CREATE MACRO fold(s) AS trim(CASE WHEN regexp_matches(s, '[！-～]') THEN translate(s, '{quoted(FULL)}', '{quoted(HALF)}')
                    ELSE s END, ' \u3000\t')""")  # translate() only where there is something to translate: 5× quicker
    con.execute("""CREATE MACRO day(d) AS coalesce(try_strptime(d, '%Y-%m-%d'), try_strptime(d, '%Y/%-m/%-d'),
                   try_strptime(d, '%Y-%m-%d %H:%M'), try_strptime(d, '%Y年%-m月%-d日'))::DATE""")
    con.execute(
        f"CREATE TABLE students AS SELECT fold(id) AS id, grade::INTEGER AS grade FROM read_csv('{f('students.csv')}', header=true, all_varchar=true)"
        " WHERE fold(id) <> ''"
    )
    con.execute(f"""CREATE TABLE acts AS
        SELECT DISTINCT id, action, day(d) AS day, fold(s) AS student  -- distinct: count(*) counts distinct ids
        FROM (SELECT fold(id) AS id, fold(action) AS action, fold(date) AS d,
                     unnest(regexp_split_to_array(student_ids, '[;；、，,\n]')) AS s
              FROM read_csv('{f("activities.csv")}', header=true, all_varchar=true))
        WHERE fold(s) <> ''""")
    ts, te, events = term_of(bundle_dir)
    rows = [("talks", ts, te)]
    rows += [("checkins", s, e) for s, e in month_windows(ts, te)]
    rows += [("meetings", s, e) for s, e in block_windows(ts, te, 14)]
    con.execute("CREATE TABLE windows (rule VARCHAR, wstart DATE, wend DATE)")
    con.executemany("INSERT INTO windows VALUES (?, ?, ?)", rows)
    # one row per (exam, grade it reaches); an exam without grade limits reaches every grade
    grades = [r[0] for r in con.execute("SELECT DISTINCT grade FROM students").fetchall()]
    exam_rows = [(e["date"], g) for e in events if e["kind"] == "考试" and ts <= e["date"] <= te for g in (e["grades"] or grades)]
    con.execute("CREATE TABLE exams (day DATE, grade INTEGER)")
    if exam_rows:
        con.executemany("INSERT INTO exams VALUES (?, ?)", exam_rows)
    con.execute("CREATE TABLE params AS SELECT ?::DATE AS as_of, ?::DATE AS ts, ?::DATE AS te", [AS_OF, ts, te])
    return con


# Period rules: each activity day falls in at most one window of a rule (windows of a period
# rule never overlap), so a day→window lookup is an equality join and a GROUP BY, no range join.
# Exam windows are per student and may overlap, so they take a range join on (student, day).
DUCKDB_SQL = """
WITH p AS (SELECT * FROM params),
rule_action(rule, action, min_n) AS (VALUES ('talks', '谈心', 3), ('checkins', '学生汇报', 2), ('meetings', '见面交流', 1)),
daymap AS (
    SELECT w.rule, w.wstart, w.wend, (w.wstart + INTERVAL (d) DAY)::DATE AS day
    FROM windows w, range(0, 400) r(d) WHERE d <= w.wend - w.wstart),
period_counts AS (
    SELECT m.rule, a.student, m.wstart, count(*) AS n
    FROM acts a JOIN rule_action ra ON a.action = ra.action
    JOIN daymap m ON m.rule = ra.rule AND m.day = a.day, p
    WHERE a.day <= p.as_of
    GROUP BY ALL),
period_duties AS (
    SELECT w.rule, s.id AS student, w.wstart, w.wend, coalesce(c.n, 0) AS n, ra.min_n
    FROM students s CROSS JOIN windows w JOIN rule_action ra ON ra.rule = w.rule
    LEFT JOIN period_counts c ON c.rule = w.rule AND c.student = s.id AND c.wstart = w.wstart),
exam_windows AS (
    SELECT DISTINCT s.id AS student, e.day AS wstart, (e.day + 7)::DATE AS wend
    FROM students s JOIN exams e ON e.grade = s.grade),
exam_duties AS (
    SELECT 'exam_talk' AS rule, w.student, w.wstart, w.wend, count(a.id) AS n, 1 AS min_n
    FROM exam_windows w, p
    LEFT JOIN acts a ON a.student = w.student AND a.action = '谈心' AND a.day BETWEEN w.wstart AND least(w.wend, p.as_of)
    GROUP BY ALL),
duties AS (SELECT * FROM period_duties UNION ALL SELECT * FROM exam_duties)
SELECT d.rule, d.student, d.wstart, d.wend, d.n,
       CASE WHEN p.as_of < d.wstart THEN 'upcoming'
            WHEN d.n >= d.min_n THEN 'satisfied'
            WHEN p.as_of > d.wend THEN 'overdue'
            ELSE 'open' END AS status
FROM duties d, p
"""


def duckdb_evaluate(con: Any) -> dict[str, np.ndarray]:
    return con.execute(DUCKDB_SQL).fetchnumpy()


# --------------------------------------------------------------------------- engine side


def compiled_scheme() -> Any:
    from engine.model.scheme import compile_scheme
    from rules_dsl.compiler import compile_text

    return compile_scheme(compile_text(SCHEME, "bench.scheme"))


def engine_rows(report: Any) -> set[tuple[str, str, dt.date, dt.date, int, str]]:
    from engine.evaluation.duties import STATUSES

    out = set()
    for block in report.blocks:
        labels = block.labels
        for subj, s, e, n, st in zip(block.subject.tolist(), block.start.tolist(), block.end.tolist(), block.count.tolist(),
                                     block.status.tolist(), strict=True):  # fmt: skip
            out.add((block.rule.id, labels[subj], dt.date.fromordinal(s), dt.date.fromordinal(e), n, STATUSES[st]))
    return out


def duckdb_rows(res: dict[str, np.ndarray]) -> set[tuple[str, str, dt.date, dt.date, int, str]]:
    day = lambda v: v.astype("datetime64[D]").astype(object)  # noqa: E731
    return set(zip(res["rule"].tolist(), res["student"].tolist(), day(res["wstart"]), day(res["wend"]),
                   res["n"].astype(np.int64).tolist(), res["status"].tolist(), strict=True))  # fmt: skip


def timed(fn: Any, repeat: int) -> tuple[float, Any]:
    """Median seconds over `repeat` runs (after one warm-up run) and the last result."""
    result = fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


# --------------------------------------------------------------------------- subprocesses

API_CHILD = """
import time; t0 = time.perf_counter()
import datetime as dt, json, resource, sys
from engine import load_bundle, evaluate
from engine.model.scheme import compile_scheme
from rules_dsl.compiler import compile_file
t1 = time.perf_counter()
scheme = compile_scheme(compile_file(sys.argv[1]))
t2 = time.perf_counter(); bundle = load_bundle(sys.argv[2])
t3 = time.perf_counter(); report = evaluate(scheme, bundle, dt.date.fromisoformat(sys.argv[3]))
t4 = time.perf_counter()
print(json.dumps({"imports": t1 - t0, "compile": t2 - t1, "load": t3 - t2, "evaluate": t4 - t3, "total": t4 - t0,
                  "peak_mb": int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1]) / 1024}))
"""


DUCKDB_CHILD = """
import time; t0 = time.perf_counter()
import json, sys
sys.path.insert(0, sys.argv[2])
from benchmarks.bench_engine import duckdb_setup, duckdb_evaluate
from pathlib import Path
con = duckdb_setup(Path(sys.argv[1])); t1 = time.perf_counter()
res = duckdb_evaluate(con); t2 = time.perf_counter()
print(json.dumps({"setup": t1 - t0, "evaluate": t2 - t1, "duties": len(res["rule"])}))
"""


def run_duckdb(bundle_dir: Path) -> dict[str, float]:
    """DuckDB end to end in a fresh process: import, read the CSVs (with the messy-data handling), evaluate."""
    t = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", DUCKDB_CHILD, str(bundle_dir), str(ROOT)], check=True, capture_output=True, text=True, cwd=ROOT)
    r: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    r["wall"] = time.perf_counter() - t
    return r


def run_api(scheme_file: Path, bundle_dir: Path) -> dict[str, float]:
    t = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", API_CHILD, str(scheme_file), str(bundle_dir), AS_OF.isoformat()],
                          check=True, capture_output=True, text=True, cwd=ROOT)  # fmt: skip
    r: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    r["wall"] = time.perf_counter() - t
    return r


def run_cli(scheme_file: Path, bundle_dir: Path, fmt: str) -> float:
    exe = Path(sys.executable).parent / "mentorship"
    cmd = [str(exe), "evaluate", "--scheme", str(scheme_file), "--data", str(bundle_dir), "--as-of", AS_OF.isoformat(), "--format", fmt]
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    return time.perf_counter() - t


def python_startup() -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    return time.perf_counter() - t


# --------------------------------------------------------------------------- main


def machine() -> str:
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = int(Path("/proc/meminfo").read_text().split()[1]) / 2**20
    except OSError:
        mem = float("nan")
    import duckdb

    return (f"{cpu}, {os.cpu_count()} CPUs, {mem:.0f} GiB; {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}, numpy {np.__version__}, duckdb {duckdb.__version__}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--big", action="store_true", help="also run 10M activities (generating it takes ~30 s, 680 MB)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--cache", default=str(Path(tempfile.gettempdir()) / "mentorship-bench-engine"))
    parser.add_argument("--check-all", action="store_true", help="check equality with DuckDB at every size, not just 100k")
    parser.add_argument("--messy", action="store_true", help="schools as schools keep them (synth/messy.py), not the generator's clean files")
    args = parser.parse_args()
    # the fresh-process figures are for code with its bytecode written, as pip installs it
    # (PYTHONDONTWRITEBYTECODE would else have every run compile our modules: 80 ms)
    subprocess.run([sys.executable, "-m", "compileall", "-q", *(str(ROOT / p) for p in ("rules_dsl", "engine", "mentorship", "service"))],
                   check=True)  # fmt: skip
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    scheme_file = cache / "bench.scheme"
    scheme_file.write_text(SCHEME, encoding="utf-8")
    print(machine())
    print(f"as of {AS_OF}; medians of {args.repeat} runs after a warm-up; DuckDB threads = its default ({os.cpu_count()})\n")

    from engine import evaluate, load_bundle

    scheme = compiled_scheme()
    sizes = ["100k", "1M"] + (["10M"] if args.big else [])
    rows = []
    for name in sizes:
        bundle_dir = school(cache, name, args.messy)
        if name != "10M":
            t = time.perf_counter()
            bundle = load_bundle(bundle_dir)
            load_s = time.perf_counter() - t
            eng_s, report = timed(lambda b=bundle: evaluate(scheme, b, AS_OF), args.repeat)
            con = duckdb_setup(bundle_dir)
            duck_s, res = timed(lambda c=con: duckdb_evaluate(c), args.repeat)
            checked = "–"
            if name == "100k" or args.check_all:
                mine, theirs = engine_rows(report), duckdb_rows(res)
                checked = f"equal ({len(mine):,} duties)" if mine == theirs else f"DIFFERENT: {len(mine ^ theirs)} rows"
                if mine != theirs:
                    for r in sorted(mine - theirs)[:5]:
                        print("  engine only:", r)
                    for r in sorted(theirs - mine)[:5]:
                        print("  duckdb only:", r)
            con.close()
            del bundle, report
            rows.append((name, load_s, eng_s, duck_s, checked))
            print(f"{name:>5}: engine load {load_s:.2f} s, evaluate {eng_s * 1000:.1f} ms; DuckDB {duck_s * 1000:.1f} ms; "
                  f"engine/DuckDB {eng_s / duck_s:.2f}; {checked}", flush=True)  # fmt: skip
        if name in ("100k", "10M"):
            runs = [run_api(scheme_file, bundle_dir) for _ in range(3)]
            for api in sorted(runs, key=lambda r: r["wall"]):
                print(f"{name:>5}: end to end (subprocess, API): wall {api['wall']:.2f} s = imports {api['imports']:.2f} + compile "
                      f"{api['compile']:.3f} + load {api['load']:.2f} + evaluate {api['evaluate']:.2f} (+ start-up and exit); "
                      f"peak RSS {api['peak_mb']:.0f} MB", flush=True)  # fmt: skip
            if name == "100k":
                start = statistics.median(python_startup() for _ in range(5))
                print(f"{name:>5}: bare Python start-up {start:.3f} s", flush=True)
                for fmt in ("json", "table", "csv"):
                    cli = statistics.median(run_cli(scheme_file, bundle_dir, fmt) for _ in range(3))
                    print(f"{name:>5}: end to end (subprocess, `mentorship evaluate --format {fmt}` > /dev/null): {cli:.2f} s", flush=True)

    print("\nEnd to end in fresh processes (import, read the files, evaluate), medians of 3:")
    for name in ("100k", "1M"):
        bundle_dir = school(cache, name, args.messy)
        api = sorted((run_api(scheme_file, bundle_dir) for _ in range(3)), key=lambda r: r["wall"])[1]
        duck = sorted((run_duckdb(bundle_dir) for _ in range(3)), key=lambda r: r["wall"])[1]
        print(f"{name:>5}{' messy' if args.messy else ''}: engine {api['wall']:.2f} s (load {api['load']:.2f}, evaluate {api['evaluate']:.2f}, "
              f"peak {api['peak_mb']:.0f} MB); DuckDB {duck['wall']:.2f} s (read {duck['setup']:.2f}, evaluate {duck['evaluate']:.2f}); "
              f"engine/DuckDB {api['wall'] / duck['wall']:.2f}", flush=True)  # fmt: skip

    print("\n| activities | engine load | engine evaluate | DuckDB evaluate | engine/DuckDB | same counts and statuses |")
    print("|---|---|---|---|---|---|")
    for name, load_s, eng_s, duck_s, checked in rows:
        print(f"| {name} | {load_s:.2f} s | {eng_s * 1000:.1f} ms | {duck_s * 1000:.1f} ms | {eng_s / duck_s:.2f} | {checked} |")


if __name__ == "__main__":
    main()
