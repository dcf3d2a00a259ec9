"""compare: schemes side by side, and (with --baseline) whether each meets the baseline (SPEC §5)."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from conformance.compare import rows, to_csv, to_json, to_table

from .dsl_commands import _baseline, _compiled, _conformance, _expand, _lang, _print_verdicts, lang_option


@click.command()
@click.argument("files", nargs=-1, required=True)
@lang_option
@click.option("--baseline", type=click.Path(dir_okay=False), help="Also prove each scheme meets this baseline, rule by rule.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
def compare(files: tuple[str, ...], baseline: str | None, fmt: str) -> None:
    """Schemes side by side: per action each one's requirements and a per-term figure, then ratios and scores."""
    lang = _lang()
    paths = _expand(files)
    schemes = [_compiled(p) for p in paths]
    base = _baseline(baseline) if baseline else None
    shown = ([base] if base else []) + schemes
    titles = [s["title"] for s in shown]
    table = rows(shown, lang)
    verdicts = [_conformance(s, base) for s in schemes] if base else []
    if fmt == "json":
        doc: dict[str, Any] = {"schemes": [{"title": s["title"], "file": p} | ({"conformance": [v.to_json() for v in vs]} if base else {})
                                           for s, p, vs in zip(schemes, paths, verdicts or [[]] * len(schemes), strict=True)],
                               "table": to_json(([baseline] if baseline and base else []) + paths, shown, table)}  # fmt: skip
        if base is not None:
            doc = {"baseline": {"title": base["title"], "file": baseline}} | doc
        click.echo(json.dumps(doc, ensure_ascii=False, indent=2))
        return
    if fmt == "csv":  # a BOM, so Excel reads UTF-8
        sys.stdout.flush()
        found = [(s["title"], v) for s, vs in zip(schemes, verdicts, strict=False) for v in vs]
        sys.stdout.buffer.write(to_csv(titles, table, lang, found).encode("utf-8-sig"))
        return
    click.echo(to_table(titles, table, lang), nl=False)
    zh = lang == "zh"
    for s, vs in zip(schemes, verdicts, strict=False):
        click.echo(f"\n{s['title']} — {'与基线对照' if zh else 'against the baseline'}")
        _print_verdicts(vs)


COMMANDS = [compare]
