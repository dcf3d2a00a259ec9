"""check, fmt, compile: the scheme-language commands."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from rules_dsl.compiler import compile_program, diagnose
from rules_dsl.errors import Diagnostic, SchemeError
from rules_dsl.formatter import format_text
from rules_dsl.program import load_program, read_scheme_text


def _lang() -> str:
    ctx = click.get_current_context()
    return str((ctx.find_root().obj or {}).get("lang", "zh"))


def _set_lang(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value:
        root = ctx.find_root()
        root.obj = {**(root.obj or {}), "lang": value.lower()}


# `--lang` is the group's option; accepting it after the subcommand too saves a usage error
lang_option = click.option("--lang", type=click.Choice(["zh", "en"], case_sensitive=False), expose_value=False,
                           callback=_set_lang, is_eager=True, help="Language of messages (also accepted before the command).")  # fmt: skip


def _expand(paths: tuple[str, ...]) -> list[str]:
    """Files as given; a folder stands for every *.scheme below it."""
    out: list[str] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            out.extend(str(f) for f in sorted(path.rglob("*.scheme")))
        else:
            out.append(p)
    return out


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _print_diagnostics(diags: list[Diagnostic]) -> None:
    for d in diags:
        click.echo(d.render(_lang()) + "\n", err=True)


@click.command()
@click.argument("files", nargs=-1, required=True)
@lang_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="json: one object per file with its diagnostics, on stdout.")  # fmt: skip
@click.option(
    "--baseline",
    type=click.Path(dir_okay=False),
    help="Prove each file meets this baseline, rule by rule (SPEC §5); exit 1 if a rule is not met.",
)
def check(files: tuple[str, ...], fmt: str, baseline: str | None) -> None:
    """Check scheme files (folders: every *.scheme in them). Exit 1 on any error."""
    failed = False
    results = []
    base = _baseline(baseline) if baseline else None
    for file in _expand(files):
        try:
            program = load_program(file)
            diags = diagnose(program)
            ir = None if any(d.severity == "error" for d in diags) else compile_program(program)
        except SchemeError as e:
            diags, ir = e.diagnostics, None
        errors = [d for d in diags if d.severity == "error"]
        failed |= bool(errors)
        claimed = _claimed_baseline(ir, file) if ir is not None and base is None else None  # `conforms to`: check proves it too
        against = base if base is not None else claimed
        verdicts = _conformance(ir, against) if ir is not None and against is not None else []
        failed |= base is not None and any(v.status == "not met" for v in verdicts)  # a claim not met is a warning, --baseline fails
        if fmt == "json":
            results.append({"file": file, "ok": not errors, "diagnostics": [d.to_json() for d in diags]}
                           | ({"conformance": [v.to_json() for v in verdicts]} if against is not None else {}))  # fmt: skip
            continue
        _print_diagnostics(diags)
        if ir is not None:
            summary = (f"{len(ir['actions'])} 个动作、{len(ir['ratios'])} 条配比、{len(ir['rules'])} 条要求、{len(ir['scores'])} 项评分"
                       if _lang() == "zh" else
                       ", ".join(_count(len(ir[k]), k[:-1]) for k in ("actions", "ratios", "rules", "scores")))  # fmt: skip
            click.echo(f"{file}: ok — {summary}")
            if claimed is not None and verdicts:
                zh = _lang() == "zh"
                unmet = sum(v.status != "met" for v in verdicts)
                click.echo(f"  遵循“{ir['conforms_to']}”：{len(verdicts) - unmet}/{len(verdicts)} 条得到证明" if zh
                           else f"  conforms to '{ir['conforms_to']}': {len(verdicts) - unmet} of {len(verdicts)} proved")  # fmt: skip
            _print_verdicts(verdicts, summary=claimed is None)
            _print_looser(ir, against, file)
        else:
            n = len(errors)
            click.echo(f"{file}: {n} 个错误" if _lang() == "zh" else f"{file}: {n} error{'s' if n != 1 else ''}", err=True)
    if fmt == "json":
        click.echo(json.dumps(results, ensure_ascii=False, indent=2))
    sys.exit(1 if failed else 0)


def _compiled(path: str) -> dict[str, Any]:
    """The file's IR; on an error, its diagnostics printed and exit 1."""
    try:
        return compile_program(load_program(path))
    except SchemeError as e:
        _print_diagnostics(e.diagnostics)
        sys.exit(1)


def _baseline(path: str) -> dict[str, Any]:
    """The baseline's IR; a file that is not a baseline is said and exit 1."""
    ir = _compiled(path)
    if ir["kind"] != "baseline":
        click.echo(
            f"{path}: 不是基线（文件应以“基线”开头）"
            if _lang() == "zh"
            else f"{path}: not a baseline (the file must start with 'baseline')",
            err=True,
        )
        sys.exit(1)
    return ir


def _claimed_baseline(ir: dict[str, Any], file: str) -> dict[str, Any] | None:
    """The baseline a scheme's `conforms to` names, compiled (check has already said when it cannot be found)."""
    from rules_dsl.baselines import find_baseline

    path = find_baseline(ir["conforms_to"], file) if ir.get("conforms_to") else None
    try:
        return compile_program(load_program(str(path))) if path is not None else None
    except SchemeError:
        return None


def _conformance(school: dict[str, Any], base: dict[str, Any]) -> list[Any]:
    from conformance.prove import conformance  # the prover runs the engine for its counterexamples: loaded only when asked
    from conformance.witness import with_counterexamples

    return with_counterexamples(school, base, conformance(school, base))


def _print_looser(ir: dict[str, Any], against: dict[str, Any] | None, file: str) -> None:
    """Warn of an own rule looser than a baseline rule on the same action and timing: one it extends (inherited rules
    come from another file) or the one it claims to conform to."""
    from conformance.prove import looser_rules

    own = [r for r in ir["rules"] if r["source"]["file"] == ir["file"]]
    inherited = [r for r in ir["rules"] if r["source"]["file"] != ir["file"]]
    pairs = looser_rules(own, ir, inherited) + (looser_rules(own, against, against["rules"]) if against is not None else [])
    zh = _lang() == "zh"
    for r, b in pairs:
        at = f"{file}:{r['source']['line']}"
        click.echo(f"{at}: warning: 规则 {r['id']} 比基线的 {b['id']}（{b['source']['file']}:{b['source']['line']}）宽松：同一动作、同一周期，要求更少" if zh
                   else f"{at}: warning: rule {r['id']} is looser than the baseline's {b['id']} ({b['source']['file']}:{b['source']['line']}): same action and timing, asking less", err=True)  # fmt: skip


def _print_verdicts(verdicts: list[Any], summary: bool = True) -> None:
    """Each verdict on a line, after a count of each status (unless the caller has already said how many were proved)."""
    from conformance.prove import STATUS_ZH

    zh = _lang() == "zh"
    counts = {s: sum(v.status == s for v in verdicts) for s in ("met", "not met", "cannot prove")}
    if not verdicts or not summary:
        pass
    elif zh:
        click.echo(f"  对照基线：满足 {counts['met']}，不满足 {counts['not met']}，无法证明 {counts['cannot prove']}")
    else:
        click.echo(f"  against the baseline: {counts['met']} met, {counts['not met']} not met, {counts['cannot prove']} cannot prove")
    for v in verdicts:
        status = STATUS_ZH[v.status] if zh else v.status
        title = v.title_zh if zh else v.title_en
        head = v.baseline_rule if title in ("", v.baseline_rule) else f"{v.baseline_rule} · {title}"
        click.echo(f"  [{head}] {status}：{v.reason_zh}" if zh else f"  [{head}] {status}: {v.reason_en}")


@click.command()
@click.argument("files", nargs=-1, required=True)
@lang_option
@click.option("--check", "check_only", is_flag=True, help="Exit 1 if any file is not in canonical layout; change nothing.")
@click.option("--write", is_flag=True, help="Rewrite the files in place.")
def fmt(files: tuple[str, ...], check_only: bool, write: bool) -> None:
    """Print scheme files in canonical layout (comments kept)."""
    if check_only and write:
        raise click.UsageError("--check and --write cannot be used together")
    failed = False
    for file in _expand(files):
        try:
            text = read_scheme_text(file)
            out = format_text(text, file)
        except SchemeError as e:
            _print_diagnostics(e.diagnostics)
            failed = True
            continue
        if check_only:
            if out != text:
                click.echo(f"{file}: 格式不规范（运行 mentorship fmt --write）" if _lang() == "zh" else f"{file}: would reformat", err=True)
                failed = True
        elif write:
            if out != text:
                Path(file).write_text(out, encoding="utf-8")
                click.echo(f"reformatted {file}", err=True)
        else:
            click.echo(out, nl=False)
    sys.exit(1 if failed else 0)


@click.command(name="compile")
@click.argument("file")
@lang_option
def compile_cmd(file: str) -> None:
    """Print the compiled scheme (the IR) as JSON."""
    try:
        ir = compile_program(load_program(file))
    except SchemeError as e:
        _print_diagnostics(e.diagnostics)
        sys.exit(1)
    click.echo(json.dumps(ir, ensure_ascii=False, indent=2))


COMMANDS = [check, fmt, compile_cmd]
