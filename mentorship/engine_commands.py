"""evaluate, explain: the engine's commands (SPEC §7). `generate` is added by engine/generate.py's work.

Exit codes: 0 success; 1 the scheme does not compile, the bundle does not load, the
term is unknown, or explain's --student/--mentor names nobody or several people (every
reason on stderr); 2 usage errors (click).
"""

from __future__ import annotations

import datetime as dt
import sys
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import click

from engine import BadRowsError, Bundle, BundleError, Report, evaluate, load_bundle
from engine.model.roster import Mentor, Student
from engine.report.render import explain, to_csv, to_table
from rules_dsl.compiler import compile_file
from rules_dsl.errors import SchemeError


def _lang(override: str | None = None) -> str:
    if override:
        return override
    ctx = click.get_current_context()
    return str((ctx.find_root().obj or {}).get("lang", "zh"))


def _as_of(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a date: write YYYY-MM-DD") from None


def _run(scheme: str, data: str, as_of: str, term: str | None, skip_bad_rows: bool, lang: str) -> Report:
    """Compile, load, evaluate; on any error print every reason to stderr and exit 1."""
    day = _as_of(as_of)
    try:
        ir: dict[str, Any] = compile_file(scheme)
    except SchemeError as e:
        click.echo(e.render(lang), err=True)
        sys.exit(1)
    try:
        bundle: Bundle = load_bundle(data, skip_bad_rows=skip_bad_rows)
        return evaluate(ir, bundle, day, term)
    except BundleError as e:
        click.echo(_listing(e, lang), err=True)
        if isinstance(e, BadRowsError):
            n = len(e.rows)
            if e.skippable:
                hint = (f"共 {n} 处错误；改正后重试，或加 --skip-bad-rows 跳过这些行（跳过的行会列在报告的 rejected 中）" if lang == "zh"
                        else f"{n} problem{'s' if n != 1 else ''}; fix them, or pass --skip-bad-rows to leave those rows out (they are listed in the report's rejected)")  # fmt: skip
            else:  # a header or the calendar: no row can be left out
                hint = (f"共 {n} 处错误；请先改正（表头和校历的错误不能用 --skip-bad-rows 跳过）" if lang == "zh"
                        else f"{n} problem{'s' if n != 1 else ''}; fix them first (header and calendar problems cannot be skipped with --skip-bad-rows)")  # fmt: skip
            click.echo(hint, err=True)
        sys.exit(1)


def _listing(e: BundleError, lang: str, shown: int = 100) -> str:
    """The error for a terminal: every bad row up to `shown`, then how many more, by column and reason
    (one wrong value copied down a column must not bury the others under thousands of lines)."""
    if not isinstance(e, BadRowsError) or len(e.rows) <= shown:
        return e.render(lang)
    head = [r.render(lang) for r in e.rows[:shown]]
    rest = Counter((r.file.split("[")[0], r.column, r.code) for r in e.rows[shown:])
    if lang == "zh":
        head.append(f"……另有 {len(e.rows) - shown} 行有问题：")
        head += [f"  {file} 的 {column} 列（{code}）：{n} 行" for (file, column, code), n in rest.most_common()]
    else:
        head.append(f"… and {len(e.rows) - shown} more:")
        head += [f"  {file}, column {column} ({code}): {n} row{'s' if n != 1 else ''}" for (file, column, code), n in rest.most_common()]
    return "\n".join(head)


def _left_out(report: Report, lang: str, shown: int = 20) -> None:
    """The rows --skip-bad-rows left out and the warnings, on stderr, for the outputs that have no place for them."""
    rows, notes = report.rejected, report.warnings
    if rows:
        click.echo(f"跳过了 {len(rows)} 行：" if lang == "zh" else f"{len(rows)} row{'s' if len(rows) != 1 else ''} left out:", err=True)
        for r in rows[:shown]:
            click.echo(f"  {r.render(lang)}", err=True)
        if len(rows) > shown:
            click.echo(f"  …（共 {len(rows)} 行，完整列表见 --format json 的 rejected）" if lang == "zh"
                       else f"  … ({len(rows)} in all: --format json lists them in rejected)", err=True)  # fmt: skip
    for w in notes:
        click.echo(("注意：" if lang == "zh" else "warning: ") + w.render(lang), err=True)


_LANG = click.option(
    "--lang", type=click.Choice(["zh", "en"]), default=None, help="Language of the table and messages (default: the global --lang)."
)


@click.command(name="evaluate")
@click.option("--scheme", required=True, type=click.Path(exists=True, dir_okay=False), help="The school's .scheme file.")
@click.option("--data", required=True, type=click.Path(exists=True, file_okay=False), help="The data bundle folder (calendar.yaml, *.csv).")
@click.option("--as-of", "as_of", required=True, metavar="YYYY-MM-DD", help="Evaluate as of this day.")
@click.option(
    "--term", default=None, metavar="ID", help="Evaluate this term (default: the term containing --as-of, else the last one started)."
)
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
@click.option("--skip-bad-rows", is_flag=True, help="Leave bad rows out (listed in the report's rejected) instead of failing.")
@_LANG
def evaluate_cmd(scheme: str, data: str, as_of: str, term: str | None, fmt: str, skip_bad_rows: bool, lang: str | None) -> None:
    """Evaluate a school's logged activity against its scheme."""
    language = _lang(lang)
    report = _run(scheme, data, as_of, term, skip_bad_rows, language)
    # straight to the byte stream: click.echo would first scan the whole text (30 MB of JSON
    # for a school of 3,000) for ANSI codes to strip
    sys.stdout.flush()
    out = sys.stdout.buffer
    if fmt == "json":
        report.write_json(out)
        out.write(b"\n")
    elif fmt == "csv":  # a BOM first, and Excel opens the file as UTF-8 rather than as GBK
        out.write(to_csv(report, language).encode("utf-8-sig"))
        _left_out(report, language)  # the CSV has no place for them: said on stderr, so nothing is left out unsaid
    else:
        out.write(to_table(report, language).encode("utf-8"))
    out.flush()


@click.command(name="explain")
@click.option("--scheme", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--data", required=True, type=click.Path(exists=True, file_okay=False))
@click.option("--as-of", "as_of", required=True, metavar="YYYY-MM-DD")
@click.option("--term", default=None, metavar="ID")
@click.option("--student", default=None, metavar="ID|NAME", help="Explain this student's duties (an id, or a name only one student has).")
@click.option(
    "--mentor",
    default=None,
    metavar="ID|NAME",
    help="Explain the duties this mentor answers for, and their score (an id, or a unique name).",
)
@click.option("--skip-bad-rows", is_flag=True)
@_LANG
def explain_cmd(scheme: str, data: str, as_of: str, term: str | None, student: str | None, mentor: str | None, skip_bad_rows: bool,
                lang: str | None) -> None:  # fmt: skip
    """Say in plain words why each duty of a student or mentor is in its state."""
    if (student is None) == (mentor is None):
        raise click.UsageError("give exactly one of --student ID|NAME or --mentor ID|NAME")
    language = _lang(lang)
    report = _run(scheme, data, as_of, term, skip_bad_rows, language)
    if student is not None:
        student = _resolve(student, report.bundle.students, report.bundle.student_index, "student", language)
    else:
        mentor = _resolve(mentor or "", report.bundle.mentors, report.bundle.mentor_index, "mentor", language)
    click.echo(explain(report, student=student, mentor=mentor, lang=language))
    _left_out(report, language)


def _resolve(who: str, people: Sequence[Student] | Sequence[Mentor], index: Mapping[str, int], kind: str, lang: str) -> str:
    """The id `who` names: an id as it is, else the id of the one person with that name.
    Several people of that name, or nobody: say so on stderr and exit 1."""
    who = unicodedata.normalize("NFKC", who).strip()  # as the loader normalises ids; a name pasted with a space is still the name
    if who in index:
        return who
    ids = [p.id for p in people if p.name == who] if who else []
    if len(ids) == 1:
        return ids[0]
    zh = lang == "zh"
    what = ("学生" if kind == "student" else "导师") if zh else kind
    if not ids:
        click.echo(f"{what} {who} 不在数据中" if zh else f"{what} {who} is not in the data", err=True)
    elif zh:
        click.echo(f"有 {len(ids)} {'名' if kind == 'student' else '位'}{what}叫 {who}：{'、'.join(ids)}；请用编号：--{kind} ID", err=True)
    else:
        click.echo(f"{len(ids)} {kind}s are named {who}: {', '.join(ids)}; give the id: --{kind} ID", err=True)
    sys.exit(1)


COMMANDS: list[click.Command] = [evaluate_cmd, explain_cmd]
