"""What an upload would do, as the dry run shows it and the apply writes it: the Plan (its bad rows, warnings, and one
TablePlan per uploaded table: rows to add, to change, unchanged), a Change as listed on the page, the digest the apply
compares, and the two refusals (Refused: a bad row; Stale: the school's data changed since the dry run shown).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from engine.errors import BadRow
from engine.load.columns import COLUMNS, TABLE_NAMES
from engine.model.warnings import ReportWarning

from .rows import KEYS, Row, key_text
from .uploads import Text, Upload

SHOWN = 50  # changes and new keys listed per table on the dry run


@dataclass(frozen=True)
class Change:
    key: str
    column: str  # as the file's header names it
    old: str
    new: str


@dataclass
class TablePlan:
    """One uploaded table: its rows to add, to change (with the database row's id and the columns that differ), unchanged."""

    kind: str
    source: str  # the file or sheet, as messages name it
    headers: dict[str, str] = field(default_factory=dict)
    added: list[Row] = field(default_factory=list)
    changed: list[tuple[int, Row, Row]] = field(default_factory=list)  # (database id, new row, old row)
    unchanged: int = 0
    bad: int = 0  # rows of the upload left out by a problem

    def differing(self, new: Row, old: Row) -> list[str]:
        return [c for c in COLUMNS[self.kind] if c not in KEYS[self.kind] and new[c] != old[c]]

    def changes(self, limit: int = SHOWN) -> list[Change]:
        out: list[Change] = []
        for _, new, old in self.changed:
            for c in self.differing(new, old):
                if len(out) == limit:
                    return out
                out.append(Change(key_text(self.kind, new), self.headers.get(c, c), old[c], new[c]))
        return out

    def added_keys(self, limit: int = SHOWN) -> list[str]:
        return [key_text(self.kind, r) for r in self.added[:limit]]


@dataclass
class Plan:
    """The dry run of an upload: what is wrong with it, and what importing it would do."""

    upload: Upload
    tables: list[TablePlan] = field(default_factory=list)
    fatal: list[BadRow] = field(default_factory=list)  # the file or a header cannot be read: nothing else is checked
    bad: list[BadRow] = field(default_factory=list)  # rows of the upload that do not load
    database: list[BadRow] = field(default_factory=list)  # rows already in the database the check rejects, as it did before
    database_new: list[BadRow] = field(default_factory=list)  # rows already in the database this upload would make bad
    warnings: list[ReportWarning] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether the upload may be applied: it was read, and no row of it is bad."""
        return not self.fatal and not self.bad

    @property
    def added(self) -> int:
        return sum(len(t.added) for t in self.tables)

    @property
    def changed(self) -> int:
        return sum(len(t.changed) for t in self.tables)

    @property
    def unchanged(self) -> int:
        return sum(t.unchanged for t in self.tables)

    @property
    def digest(self) -> str:
        """What applying would write, in a few characters: the apply refuses when it no longer matches the dry run shown."""
        h = hashlib.sha256()
        for t in self.tables:
            h.update(json.dumps([t.kind, t.added, [(pk, new) for pk, new, _ in t.changed]], sort_keys=True, ensure_ascii=False).encode())
        return h.hexdigest()[:24]

    def summary(self) -> Text:
        parts_zh = [f"{TABLE_NAMES[t.kind][1]}：新增 {len(t.added)}，修改 {len(t.changed)}，未变 {t.unchanged}" for t in self.tables]
        parts_en = [f"{t.kind}: {len(t.added)} added, {len(t.changed)} changed, {t.unchanged} unchanged" for t in self.tables]
        return Text("；".join(parts_zh), "; ".join(parts_en))


class Refused(Exception):
    """The upload has a bad row or a header problem: nothing was imported."""

    def __init__(self, plan: Plan):
        self.plan = plan
        super().__init__(f"{len(plan.fatal)} file or header problem(s), {len(plan.bad)} bad row(s)")


class Stale(Exception):
    """The school's data changed since the dry run the clerk saw: nothing was imported; here is the new dry run."""

    def __init__(self, plan: Plan):
        self.plan = plan
        super().__init__("the dry run no longer matches the data")
