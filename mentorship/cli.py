"""`mentorship`: the command group. Each area adds its commands from its own module.

Exit codes (docs/cli.md): 0 success; 1 the input has errors (a scheme does not
check, a data bundle does not load, `fmt --check` found a file to reformat);
2 the command was used wrongly (click's usage errors).
"""

from __future__ import annotations

import click

from rules_dsl.errors import default_lang

from . import dsl_commands, engine_commands, generate_command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--lang", type=click.Choice(["zh", "en"], case_sensitive=False), callback=lambda _c, _p, v: v.lower(),
              default=default_lang, show_default="zh, or MENTORSHIP_LANG",
              help="Language of messages: zh (中文) or en.")  # fmt: skip
@click.pass_context
def cli(ctx: click.Context, lang: str) -> None:
    """全员导师制方案工具 — mentorship schemes: check, format, compile, evaluate."""
    ctx.obj = {"lang": lang}


for command in [*dsl_commands.COMMANDS, *engine_commands.COMMANDS, *generate_command.COMMANDS]:
    cli.add_command(command)


def main() -> None:
    cli()
