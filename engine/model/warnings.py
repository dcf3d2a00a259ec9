"""A warning: something worth a look that does not stop the load or the evaluation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ReportWarning:
    """Something the user should look at that does not stop the evaluation."""

    code: str
    message: str
    message_zh: str
    file: str | None
    lines: tuple[int, ...]

    def render(self, lang: str = "en") -> str:
        return self.message_zh if lang == "zh" else self.message

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "message_zh": self.message_zh, "file": self.file, "lines": list(self.lines)}
