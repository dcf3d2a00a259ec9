"""generate: write a realistic synthetic school's data bundle (SPEC §3) for demos, tests and benchmarks."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
from pathlib import Path
from typing import Any

import click

from synth.generate import SCHOOL_TYPES, generate_school
from synth.messy import ENCODINGS, FORMATS, HEADERS, mess_bundle, remove_stale


def _lang() -> str:
    ctx = click.get_current_context()
    return str((ctx.find_root().obj or {}).get("lang", "zh"))


def _fail(zh: str, en: str) -> None:
    click.echo(("错误：" + zh) if _lang() == "zh" else ("error: " + en), err=True)
    sys.exit(1)


def _names(text: str | None) -> list[str] | None:
    if text is None:
        return None
    return [part.strip() for part in text.replace("，", ",").split(",") if part.strip()]


def _scheme_ir(file: str) -> dict[str, Any]:
    # rules_dsl is imported here only: the engine itself never depends on the scheme language.
    from rules_dsl.compiler import compile_program
    from rules_dsl.errors import SchemeError
    from rules_dsl.program import load_program

    try:
        return compile_program(load_program(file))
    except SchemeError as e:
        for d in e.diagnostics:
            click.echo(d.render(_lang()) + "\n", err=True)
        _fail(f"方案 {file} 有错误，未生成数据", f"the scheme {file} has errors; nothing was generated")
    except OSError as e:
        _fail(f"无法读取方案 {file}：{e.strerror or e}", f"cannot read the scheme {file}: {e.strerror or e}")
    raise AssertionError("unreachable")


@click.command()
@click.option(
    "--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path), help="Folder to write the bundle into (created)."
)
@click.option("--students", type=click.IntRange(min=1), default=600, show_default=True, help="Number of students.")
@click.option("--seed", type=int, default=1, show_default=True, help="Random seed: the same seed writes the same bytes.")
@click.option(
    "--activities",
    type=click.IntRange(min=0),
    default=None,
    help="Activity rows to write [default: about 35 per student a year, or what --scheme asks for].",
)
@click.option("--school-year", default="2025-2026", show_default=True, help="School year, e.g. 2025-2026.")
@click.option(
    "--school-type",
    type=click.Choice(list(SCHOOL_TYPES)),
    default=None,
    help="Grades of the school [default: primary, or the smallest that has the scheme's grades].",
)
@click.option("--actions", default=None, help="Comma-separated action names [default: the scheme's, or a common set].")
@click.option(
    "--scheme",
    "scheme_file",
    default=None,
    type=click.Path(dir_okay=False),
    help="Shape the data to a scheme: its actions, rule frequencies, tags, roles, events and manual items.",
)
@click.option(
    "--as-of-end",
    "--until",
    "until",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Write nothing dated after this day (the school as seen on that day).",
)
@click.option(
    "--students-per-mentor",
    type=click.FloatRange(min=0.5),
    default=None,
    help="Students per mentor [default: 12, or what the scheme's ratio allows].",
)
@click.option("--score-name", default=None, help="Score the manual ratings are for [default: 考核].")
@click.option("--manual-items", default=None, help="Comma-separated manual items to rate [default: 进步,创新].")
@click.option(
    "--score-period",
    type=click.Choice(["term", "school_year"]),
    default="term",
    show_default=True,
    help="Period of that score: ratings keyed by term id or by school year.",
)
@click.option(
    "--mess",
    is_flag=True,
    help="Write the data as schools' own files are: a student named twice in a group talk, mixed list separators "
    "and date forms, full-width class names, stray spaces, blank rows (same meaning, messier cells).",
)
@click.option(
    "--headers",
    type=click.Choice(list(HEADERS)),
    default="en",
    show_default=True,
    help="Header names: en (id, name, …) or zh (编号, 姓名, …).",
)
@click.option(
    "--encoding",
    type=click.Choice(list(ENCODINGS)),
    default="utf-8",
    show_default=True,
    help="Encoding of the CSV files: gb18030 is what Chinese Excel saves (no BOM). calendar.yaml stays UTF-8.",
)
@click.option(
    "--format",
    "file_format",
    type=click.Choice(list(FORMATS)),
    default="csv",
    show_default=True,
    help="Tables as NAME.csv, as NAME.xlsx, or as one workbook school.xlsx with a sheet per table (导师, 学生, …).",
)
@click.option("--force", is_flag=True, help="Write into a folder that is not empty (bundle files are replaced).")
@click.option("--quiet", is_flag=True, help="No progress messages on stderr.")
def generate(out: Path, students: int, seed: int, activities: int | None, school_year: str, school_type: str | None,
             actions: str | None, scheme_file: str | None, until: dt.datetime | None, students_per_mentor: float | None,
             score_name: str | None, manual_items: str | None, score_period: str, mess: bool, headers: str, encoding: str,
             file_format: str, force: bool, quiet: bool) -> None:  # fmt: skip
    """Write a realistic synthetic school (calendar, mentors, students, assignments, activities,
    student events, ratings) into --out. Exit 0 on success, 1 on an error."""
    if out.exists() and not out.is_dir():
        _fail(f"{out} 不是文件夹", f"{out} is not a folder")
    if out.is_dir() and any(out.iterdir()) and not force:
        _fail(f"{out} 不是空文件夹；加 --force 覆盖其中的数据文件", f"{out} is not empty; add --force to replace its bundle files")
    if encoding != "utf-8" and file_format != "csv":
        _fail("--encoding 只适用于 CSV 文件（--format csv）", "--encoding applies to CSV files only (--format csv)")
    scheme = _scheme_ir(scheme_file) if scheme_file else None

    def progress(message: str) -> None:
        if not quiet:
            click.echo(message, err=True)

    try:
        summary = generate_school(
            out, students=students, seed=seed, activities=activities, school_year=school_year,
            actions=_names(actions), until=until.date() if until else None, school_type=school_type,
            students_per_mentor=students_per_mentor, score_name=score_name, manual_items=_names(manual_items),
            score_period=score_period, scheme=scheme, progress=progress,
        )  # fmt: skip
        messy = mess_bundle(out, seed=seed, mess=mess, headers=headers, encoding=encoding, format=file_format, progress=progress)
        summary = dataclasses.replace(summary, seconds=summary.seconds + messy.seconds)
        remove_stale(out, file_format)  # tables an earlier run left in another format would be found twice
    except ValueError as e:
        _fail(str(e), str(e))
    except OSError as e:
        _fail(f"无法写入 {out}：{e.strerror or e}", f"cannot write to {out}: {e.strerror or e}")
    s = summary
    how = _how(mess, headers, encoding, file_format)
    if _lang() == "zh":
        click.echo(f"{s.out_dir}：{s.classes} 个班、{s.mentors} 名导师、{s.students} 名学生、{s.assignments} 条结对、"
                   f"{s.activities} 条活动、{s.student_events} 个学生事件、{s.ratings} 条评分（{s.seconds:.1f} 秒）"
                   + (f"；{'、'.join(zh for zh, _ in how)}" if how else ""))  # fmt: skip
    else:
        click.echo(s.line() + (f"; {', '.join(en for _, en in how)}" if how else ""))
    sys.exit(0)


def _how(mess: bool, headers: str, encoding: str, file_format: str) -> list[tuple[str, str]]:
    """How the files were written, when not as clean UTF-8 CSV: (zh, en) phrases for the summary line."""
    how = []
    if mess:
        how.append(("杂乱数据", "messy data"))
    if headers == "zh":
        how.append(("中文表头", "Chinese headers"))
    if encoding != "utf-8":
        how.append((f"{encoding.upper()} 编码", f"{encoding.upper()} encoded"))
    if file_format == "xlsx":
        how.append(("每表一个 .xlsx", "one .xlsx per table"))
    elif file_format == "workbook":
        how.append(("单个工作簿 school.xlsx", "one workbook school.xlsx"))
    return how


COMMANDS: list[click.Command] = [generate]
