"""The engine's exceptions and the bad-row record every load error is made of.

    BundleError (ValueError)            root: this data cannot be evaluated as asked
    ├── BadRowsError                    rows that do not load; `.rows` lists every one
    ├── BundleFileError (OSError)       a bundle file is missing or unreadable
    ├── UnknownTermError (KeyError)     `--term` names no term of the calendar
    └── SchemeIRError                   the IR is not a compiled scheme this engine reads

Every message has an English and a Chinese wording; `render(lang)` picks one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class BadRow:
    """One problem with one row: `file:line: column: reason` (`line` is the row Excel shows; 0 for a database row)."""

    file: str
    line: int
    column: str
    code: str
    reason: str
    reason_zh: str

    def render(self, lang: str = "en") -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file  # line 0: a database row, named by table and key in `file`
        return f"{where}: {self.column}: {self.reason_zh if lang == 'zh' else self.reason}"

    def __str__(self) -> str:
        return self.render("en")

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "column": self.column, "code": self.code,
                "reason": self.reason, "reason_zh": self.reason_zh}  # fmt: skip


def too_many_values(file: str, line: int, values: int, width: int) -> BadRow:
    """A CSV row with more values than its header has columns (an unquoted comma, usually)."""
    return BadRow(file, line, "-", "too-many-values",
                  f"the row has {values} values but the header has {width} columns (a value containing a comma must be in double quotes)",
                  f"这一行有 {values} 个值，但表头只有 {width} 列（含逗号的值要用双引号括起来）")  # fmt: skip


class BundleError(ValueError):
    """The root of the engine's exceptions."""

    def render(self, lang: str = "en") -> str:
        return str(self)


class BadRowsError(BundleError):
    """Some rows of the bundle are bad; every one of them is in `rows`.

    `skippable` is False for problems --skip-bad-rows cannot leave out: a table's header, the calendar."""

    def __init__(self, rows: list[BadRow], skippable: bool = True):
        self.rows = list(rows)
        self.skippable = skippable
        super().__init__(self.render("en"))

    def render(self, lang: str = "en") -> str:
        return "\n".join(r.render(lang) for r in self.rows)


class BundleFileError(BundleError, OSError):
    """A file of the bundle is missing or cannot be read."""

    def __init__(self, file: str, reason: str, reason_zh: str):
        self.file, self.reason, self.reason_zh = file, reason, reason_zh
        super().__init__(self.render("en"))

    def render(self, lang: str = "en") -> str:
        return f"{self.file}: {self.reason_zh if lang == 'zh' else self.reason}"

    def __str__(self) -> str:
        return self.render("en")


class UnknownTermError(BundleError, KeyError):
    """The requested term id is not in calendar.yaml."""

    def __init__(self, term_id: str, known: list[str]):
        self.term_id, self.known = term_id, known
        super().__init__(self.render("en"))

    def render(self, lang: str = "en") -> str:
        if lang == "zh":
            return f"calendar.yaml 中没有学期“{self.term_id}”；已有的学期：{'、'.join(self.known)}"
        return f"calendar.yaml has no term '{self.term_id}'; its terms are: {', '.join(self.known)}"

    def __str__(self) -> str:
        return self.render("en")


class SchemeIRError(BundleError):
    """The scheme IR handed to the engine is not one it can read."""
