"""evaluate, explain: the engine's commands (SPEC §7). `generate` is added by engine/generate.py's work.

Exit codes: 0 success; 1 the scheme does not compile, the bundle does not load or the
term is unknown (every reason on stderr); 2 usage errors (click).
"""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

import click

from engine import Bundle, BundleError, Report, evaluate, load_bundle
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
        click.echo(e.render(lang), err=True)
        if getattr(e, "rows", None):
            n = len(e.rows)  # type: ignore[attr-defined]
            hint = (f"共 {n} 处错误；改正后重试，或加 --skip-bad-rows 跳过这些行（跳过的行会列在报告的 rejected 中）" if lang == "zh"
                    else f"{n} problem{'s' if n != 1 else ''}; fix them, or pass --skip-bad-rows to leave those rows out (they are listed in the report's rejected)")  # fmt: skip
            click.echo(hint, err=True)
        sys.exit(1)


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
    elif fmt == "csv":
        out.write(to_csv(report).encode("utf-8"))
    else:
        out.write(to_table(report, language).encode("utf-8"))
    out.flush()


@click.command(name="explain")
@click.option("--scheme", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--data", required=True, type=click.Path(exists=True, file_okay=False))
@click.option("--as-of", "as_of", required=True, metavar="YYYY-MM-DD")
@click.option("--term", default=None, metavar="ID")
@click.option("--student", default=None, metavar="ID", help="Explain this student's duties.")
@click.option("--mentor", default=None, metavar="ID", help="Explain the duties this mentor answers for, and their score.")
@click.option("--skip-bad-rows", is_flag=True)
@_LANG
def explain_cmd(scheme: str, data: str, as_of: str, term: str | None, student: str | None, mentor: str | None, skip_bad_rows: bool,
                lang: str | None) -> None:  # fmt: skip
    """Say in plain words why each duty of a student or mentor is in its state."""
    if (student is None) == (mentor is None):
        raise click.UsageError("give exactly one of --student ID or --mentor ID")
    language = _lang(lang)
    report = _run(scheme, data, as_of, term, skip_bad_rows, language)
    known = report.bundle.student_index if student is not None else report.bundle.mentor_index
    who = student if student is not None else mentor
    if who not in known:
        what = ("学生" if student else "导师") if language == "zh" else ("student" if student else "mentor")
        click.echo(f"{what} {who} 不在数据中" if language == "zh" else f"{what} {who} is not in the data", err=True)
        sys.exit(1)
    click.echo(explain(report, student=student, mentor=mentor, lang=language))


COMMANDS: list[click.Command] = [evaluate_cmd, explain_cmd]
