"""`mentorship`: the command group. Each area adds its commands from its own module.

Exit codes (docs/cli.md): 0 success; 1 the input has errors (a scheme does not
check, a data bundle does not load, `fmt --check` found a file to reformat);
2 the command was used wrongly (click's usage errors).
"""

from __future__ import annotations

import importlib

import click

from rules_dsl.errors import default_lang

# Each command's module is imported only when that command runs: `check` need not load
# numpy and the engine, and every command starts sooner.
COMMAND_MODULES = {
    "check": "dsl_commands",
    "fmt": "dsl_commands",
    "compile": "dsl_commands",
    "compare": "compare_command",
    "evaluate": "engine_commands",
    "explain": "engine_commands",
    "generate": "generate_command",
    "serve": "service_commands",
    "demo": "service_commands",
    "db": "service_commands",
    "school": "service_commands",
    "user": "service_commands",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMAND_MODULES)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module_name = COMMAND_MODULES.get(cmd_name)
        if module_name is None:
            return None
        module = importlib.import_module(f"{__package__}.{module_name}")
        return next(c for c in module.COMMANDS if c.name == cmd_name)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--lang", type=click.Choice(["zh", "en"], case_sensitive=False), callback=lambda _c, _p, v: v.lower(),
              default=default_lang, show_default="zh, or MENTORSHIP_LANG",
              help="Language of messages: zh (中文) or en.")  # fmt: skip
@click.pass_context
def cli(ctx: click.Context, lang: str) -> None:
    """全员导师制方案工具 — mentorship schemes: check, format, compile, evaluate."""
    ctx.obj = {"lang": lang}


def main() -> None:
    cli()
