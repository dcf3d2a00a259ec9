"""evaluate, explain, generate: the engine's commands (filled in by the engine work)."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []
