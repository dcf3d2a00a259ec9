"""Diagnostics and the exceptions that carry them.

    SchemeError                      root: one or more Diagnostics
    ├── SchemeSyntaxError (ValueError)   the text cannot be read as a scheme
    ├── SchemeCheckError  (ValueError)   it reads, but says something impossible
    └── SchemeFileError   (OSError)      a file is missing, too large or unreadable

Every diagnostic carries its message in Chinese and English; rendering picks one.
Columns count characters (1-based); the caret is padded by display width so it
lines up under wide (CJK) characters in a terminal.
"""

from __future__ import annotations

import json
import os
import unicodedata
from dataclasses import asdict, dataclass, field
from typing import Any

LANGS = ("zh", "en")


def default_lang() -> str:
    """Chinese first; `MENTORSHIP_LANG=en` switches to English (any other value: Chinese)."""
    explicit = os.environ.get("MENTORSHIP_LANG", "").lower()
    if explicit in LANGS:
        return explicit
    return "zh"


@dataclass(frozen=True)
class Text:
    """One message in both languages."""

    zh: str
    en: str

    def get(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class Diagnostic:
    code: str
    message: Text
    file: str
    line: int
    column: int
    hint: Text | None = None
    severity: str = "error"  # "error" | "warning"
    width: int = 1  # characters under the caret
    source_line: str = field(default="", compare=False)

    def render(self, lang: str | None = None) -> str:
        lang = lang or default_lang()
        label = "error" if self.severity == "error" else "warning"
        out = [f"{self.file}:{self.line}:{self.column}: {label}: {self.message.get(lang)}"]
        if self.source_line:
            gutter = f"{self.line} | "
            out.append(gutter + self.source_line)
            out.append(" " * (len(gutter) - 2) + "| " + caret_line(self.source_line, self.column, self.width))
        if self.hint is not None:
            out.append(f"  = help: {self.hint.get(lang)}")
        return "\n".join(out)

    def __str__(self) -> str:
        return self.render()

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["message"] = asdict(self.message)
        data["hint"] = asdict(self.hint) if self.hint else None
        return data


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def caret_line(source_line: str, column: int, width: int) -> str:
    before = source_line[: max(column - 1, 0)]
    pad = "".join("\t" if ch == "\t" else " " * display_width(ch) for ch in before)
    marked = source_line[column - 1 : column - 1 + max(width, 1)]
    return pad + "^" * max(display_width(marked), 1)


class SchemeError(Exception):
    """A scheme could not be compiled; `diagnostics` says every reason found."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = list(diagnostics)
        super().__init__(self.render())

    def render(self, lang: str | None = None) -> str:
        return "\n\n".join(d.render(lang) for d in self.diagnostics)

    def __str__(self) -> str:
        return self.render()

    def to_json(self) -> str:
        return json.dumps([d.to_json() for d in self.diagnostics], ensure_ascii=False)


class SchemeSyntaxError(SchemeError, ValueError):
    """The text does not follow the scheme grammar."""


class SchemeCheckError(SchemeError, ValueError):
    """The scheme parses but is inconsistent (undeclared names, impossible windows, ...)."""


class SchemeFileError(SchemeError, OSError):
    """A scheme file (or one it extends) is missing, unreadable or too large."""
