"""calendar.yaml → Calendar, every problem in plain words (zh and en) on its line.

```
school_year: "2025-2026"
terms: [{id, name, start, end}]            # name optional
events: [{kind, name, date, grades}]       # optional; name and grades optional
```
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import yaml

from ..errors import BadRow, BadRowsError, BundleFileError
from ..model.calendar import Calendar, CalendarEvent, Term
from .text import in_range, parse_date

KEYS = {"": ("school_year", "terms", "events"), "terms": ("id", "name", "start", "end"), "events": ("kind", "name", "date", "grades")}
NEEDED = {"": ("school_year", "terms"), "terms": ("id", "start", "end"), "events": ("kind", "date")}
ZH = {"school_year": "学年", "terms": "学期列表", "events": "事件列表", "id": "编号", "name": "名称", "start": "开始日期",
      "end": "结束日期", "kind": "类型", "date": "日期", "grades": "年级"}  # fmt: skip


NAMES = ("calendar.yaml", "calendar.yml", "校历.yaml", "校历.yml")
# keys a clerk may write in Chinese
CHINESE_KEYS = {"学年": "school_year", "学期": "terms", "事件": "events", "编号": "id", "名称": "name", "开始": "start", "结束": "end",
                "类型": "kind", "日期": "date", "年级": "grades"}  # fmt: skip
_FULL_WIDTH_COLON = re.compile(r"^(\s*(?:-\s*)?[^\s:：#{}\[\],]+?)\s*：", re.MULTILINE)


def read_calendar(path: Path, name: str = "calendar.yaml") -> Calendar:
    """The calendar at `path`, or, given a folder, the one in it (calendar.yaml, or .yml, or 校历.yaml)."""
    if path.is_dir():
        found = [path / n for n in NAMES if (path / n).exists()]
        if not found:
            raise BundleFileError(name, "is missing from the bundle folder", "在数据文件夹中缺失")
        path, name = found[0], found[0].name
    elif not path.exists():
        raise BundleFileError(name, "is missing from the bundle folder", "在数据文件夹中缺失")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        row = data.count(b"\n", 0, e.start) + 1
        raise BundleFileError(f"{name}:{row}", "is not UTF-8 text (Notepad on a Chinese Windows machine saves GBK): save it as UTF-8",
                              "不是 UTF-8 编码（中文 Windows 的记事本默认保存为 GBK）：请另存为 UTF-8") from e  # fmt: skip
    return parse_calendar(text, name)


class _TextDates(yaml.SafeLoader):
    """SafeLoader that leaves dates as text: our parser gives the clerk-friendly error (YAML's raises)."""


_TextDates.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _Check:
    def __init__(self, name: str, lines: dict[tuple[Any, ...], int]):
        self.name, self.lines, self.errors = name, lines, []  # type: ignore[var-annotated]

    def line(self, path: tuple[Any, ...]) -> int:
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path, 1)

    def add(self, path: tuple[Any, ...], code: str, en: str, zh: str) -> None:
        self.errors.append(BadRow(self.name, self.line(path), _path_text(path) or "-", code, en, zh))

    def mapping(self, value: Any, path: tuple[Any, ...], section: str) -> bool:
        """Whether `value` is a mapping with the section's keys; each problem added."""
        what_en = {"": "calendar.yaml", "terms": "a term", "events": "an event"}[section]
        what_zh = {"": "calendar.yaml", "terms": "每个学期", "events": "每个事件"}[section]
        if not isinstance(value, dict):
            self.add(path, "calendar-shape", f"{what_en} must be a set of 'key: value' lines ({', '.join(KEYS[section])})",
                     f"{what_zh}应当写成“键: 值”的形式（{', '.join(KEYS[section])}）")  # fmt: skip
            return False
        ok = True
        for key in value:
            if key not in KEYS[section]:
                self.add((*path, key), "calendar-key", f"'{key}' is not a key of {what_en} (the keys are: {', '.join(KEYS[section])})",
                         f"“{key}”不是{what_zh}可用的键（可用的键：{', '.join(KEYS[section])}）")  # fmt: skip
                ok = False
        for key in NEEDED[section]:
            if value.get(key) in (None, ""):
                self.add(path, "calendar-missing", f"{what_en} needs '{key}' ({ZH[key]})", f"{what_zh}都需要写“{key}”（{ZH[key]}）")
                ok = False
        return ok

    def date(self, value: Any, path: tuple[Any, ...]) -> dt.date | None:
        day = parse_date(str(value))
        if day is None:
            self.add(path, "bad-date", f"'{value}' is not a real date: write YYYY-MM-DD, e.g. 2025-09-01",
                     f"“{value}”不是有效日期：请写成 YYYY-MM-DD，例如 2025-09-01")  # fmt: skip
        elif not in_range(day):
            self.add(path, "date-out-of-range", f"{day} is not between 1900 and 2100: check the year", f"{day} 不在 1900 年到 2100 年之间：请检查年份")
            day = None
        return day


def parse_calendar(text: str, name: str = "calendar.yaml") -> Calendar:
    text = _FULL_WIDTH_COLON.sub(r"\1:", text)  # `学年：2025-2026`, as an input method types it
    try:
        node = yaml.compose(text, Loader=_TextDates)
        data = yaml.load(text, Loader=_TextDates)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(e, "problem", None) or str(e)
        raise BadRowsError([BadRow(name, line, "-", "yaml", f"not valid YAML ({problem}): check the indentation, colons and brackets on this line",
                                   f"不是有效的 YAML（{problem}）：请检查这一行的缩进、冒号和括号")], skippable=False) from e  # fmt: skip
    lines: dict[tuple[Any, ...], int] = {}
    _node_lines(node, (), lines)
    c = _Check(name, lines)
    data = _english_keys({} if data is None else data)
    if not c.mapping(data, (), ""):
        raise BadRowsError(c.errors, skippable=False)
    terms_in = data["terms"]
    if not isinstance(terms_in, list) or not terms_in:
        c.add(("terms",), "calendar-shape", "terms must be a list of at least one term: '- {id: T1, start: 2025-09-01, end: 2026-01-20}'",
              "terms 必须是至少包含一个学期的列表：“- {id: T1, start: 2025-09-01, end: 2026-01-20}”")  # fmt: skip
        raise BadRowsError(c.errors, skippable=False)
    terms: list[tuple[int, Term]] = []
    for i, t in enumerate(terms_in):
        if not c.mapping(t, ("terms", i), "terms"):
            continue
        start, end = c.date(t["start"], ("terms", i, "start")), c.date(t["end"], ("terms", i, "end"))
        if start is None or end is None:
            continue
        if end < start:
            c.add(("terms", i, "end"), "end-before-start", f"the term ends ({end}) before it starts ({start})", f"学期结束日期 {end} 早于开始日期 {start}")
            continue
        tid = str(t["id"])
        if any(x.id == tid for _, x in terms):
            c.add(("terms", i, "id"), "duplicate-id", f"duplicate term id '{tid}'", f"学期编号“{tid}”重复")
            continue
        terms.append((i, Term(tid, str(t.get("name") or tid), start, end)))
    terms.sort(key=lambda it: it[1].start)
    for (_, a), (i, b) in zip(terms, terms[1:], strict=False):
        if b.start <= a.end:
            c.add(("terms", i), "overlap", f"term '{b.id}' starts before term '{a.id}' ends", f"学期“{b.id}”在学期“{a.id}”结束前就开始了")
    events: list[CalendarEvent] = []
    events_in = data.get("events") or []
    if not isinstance(events_in, list):
        c.add(("events",), "calendar-shape", "events must be a list: '- {kind: 考试, name: 期中考试, date: 2025-11-10}'",
              "events 必须是列表：“- {kind: 考试, name: 期中考试, date: 2025-11-10}”")  # fmt: skip
        events_in = []
    for i, ev in enumerate(events_in):
        if not c.mapping(ev, ("events", i), "events"):
            continue
        day = c.date(ev["date"], ("events", i, "date"))
        grades = _grades(ev.get("grades"), ("events", i, "grades"), c)
        if day is not None and grades != ():
            events.append(CalendarEvent(str(ev["kind"]).strip(), str(ev.get("name") or ev["kind"]), day, grades))
    if c.errors:
        raise BadRowsError(c.errors, skippable=False)
    return Calendar(str(data["school_year"]), tuple(t for _, t in terms), tuple(events))


def _english_keys(value: Any) -> Any:
    """Chinese keys (学年, 学期, 开始 …) as their English twins, at every level."""
    if isinstance(value, dict):
        return {CHINESE_KEYS.get(k, k) if isinstance(k, str) else k: _english_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_english_keys(v) for v in value]
    return value


def _grades(value: Any, path: tuple[Any, ...], c: _Check) -> tuple[int, ...] | None:
    """None for every grade; () when the value is bad (a problem added)."""
    if value is None:
        return None
    items = value if isinstance(value, list) else [value]
    if items and all(isinstance(g, int) and not isinstance(g, bool) and g >= 1 for g in items):
        return tuple(sorted(set(items)))
    c.add(path, "bad-grades", f"grades must be a grade number or a list of them, e.g. [1, 2] (初一 is 7): got {value!r}",
          f"grades 应为年级数字或其列表，例如 [1, 2]（初一为 7）：现在是 {value!r}")  # fmt: skip
    return ()


def _node_lines(node: Any, path: tuple[Any, ...], out: dict[tuple[Any, ...], int]) -> None:
    if node is None:
        return
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            name = CHINESE_KEYS.get(key.value, key.value)
            _node_lines(value, (*path, name), out)
            out[(*path, name)] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _node_lines(item, (*path, i), out)


def _path_text(path: tuple[Any, ...]) -> str:
    text = ""
    for p in path:
        text += f"[{p}]" if isinstance(p, int) else (f".{p}" if text else str(p))
    return text
