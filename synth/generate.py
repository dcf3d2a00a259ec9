"""A realistic synthetic school: a data bundle (SPEC §3) for demos, tests and benchmarks.

What it models, and why:
- a Chinese school calendar (two terms, 国庆/元旦/清明/劳动节 holidays, 期中/期末 exams with
  grade limits as under 双减, 家长会), classes named 一(1)班 … of realistic size;
- every teacher a mentor (班主任 with their class, 学科教师, a few 行政 with no student), mentors
  grouped by class, so a class's students share its mentors;
- students tagged 城区, 留守, 单亲, 特殊需求, 两导一生 at realistic rates; 特殊需求 and 两导一生
  students get two mentors, a few students none, some change mentor mid-term, some transfer out;
- activities with a skewed diligence per mentor (exemplary, average, lagging; some mentors skip
  an action entirely), dates clustered where schools cluster them (暑期/寒假家访 before term,
  the first weeks, around exams, 期末 feedback), group talks, class meetings, missing durations;
- manual ratings for a named score, tied to diligence.

Deterministic by seed: every random stream is a numpy Generator seeded from (seed, purpose), so
the same arguments give byte-identical files. Activities are written day by day in chunks of
vectorised rows, so 10M rows need no more memory than one chunk.

`engine` never imports `rules_dsl`: a scheme reaches this module as its compiled IR (a dict),
from which it takes action names, rule frequencies, tags, roles, event kinds and manual items.
An action group is not logged: its rules' frequencies go to its members (a school logs a 家访 or
a 电话联系, not a 家校联系); key moments bring their event kinds; 每半月 counts 19 a year.
"""

from __future__ import annotations

import csv
import math
import os
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["GenerateSummary", "generate_school", "DEFAULT_ACTIONS", "SCHOOL_TYPES"]

# --------------------------------------------------------------------------------------------
# Vocabulary

# The most common surnames, most frequent first; weights fall off with rank like the real table.
_SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢"
             "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")  # fmt: skip
# Given names: one character, or two (most common today); students get names in fashion since
# 2010, teachers the names of their parents' generation.
_GIVEN_ONE = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚辉鹏华玲婷颖博宇浩晨阳琳倩雪峰凯欣悦琪轩涵"
_STUDENT_GIVEN = ("子涵 梓轩 欣怡 诗琪 雨泽 思远 佳乐 嘉俊 晨曦 若彤 一诺 可馨 语桐 宸铭 博文 睿哲 奕辰 昊天 紫萱 梦瑶 "
                  "雅婷 心悦 安琪 皓轩 逸凡 书瑶 沐阳 浩宇 子轩 雨桐 欣然 思彤 宇轩 梓涵 一鸣 天佑 嘉怡 诗涵 浩然 明轩 "
                  "佳琪 俊熙 铭泽 依诺 芷若 梓萌 亦菲 沐辰 锦程 煜城 若汐 静怡 子墨 梓豪 嘉懿 语嫣 思琪 文轩 乐瑶").split()  # fmt: skip
_TEACHER_GIVEN = ("建华 丽娟 志强 红梅 海燕 建国 秀英 桂英 玉兰 丽华 文静 俊杰 晓东 春燕 秋实 冬梅 海波 志刚 丹丹 慧敏 "
                  "建平 卫东 晓红 丽萍 国庆 军 芳 静 敏 磊 勇 艳 涛 娟 霞 伟 燕 平 晓燕 雪梅 永刚 明华 淑芬 美玲 "
                  "少华 振宇 立新 新华 爱华 春梅").split()  # fmt: skip

# Grade number → how the class name starts (一(1)班, 初一(1)班, 高一(1)班).
_GRADE_PREFIX = {1: "一", 2: "二", 3: "三", 4: "四", 5: "五", 6: "六", 7: "初一", 8: "初二", 9: "初三",
                 10: "高一", 11: "高二", 12: "高三"}  # fmt: skip
SCHOOL_TYPES: dict[str, tuple[int, ...]] = {
    "primary": (1, 2, 3, 4, 5, 6),
    "junior": (7, 8, 9),
    "senior": (10, 11, 12),
    "nine_year": tuple(range(1, 10)),
    "twelve_year": tuple(range(1, 13)),
}
# 大班额 limits: primary classes up to 45, secondary up to 50.
_CLASS_SIZE = {"primary": 45, "junior": 50, "senior": 50, "nine_year": 45, "twelve_year": 45}

_PRIMARY_SUBJECTS = ("英语", "科学", "道德与法治", "音乐", "美术", "体育", "信息科技", "劳动")
_SECONDARY_SUBJECTS = ("英语", "物理", "化学", "生物", "历史", "地理", "道德与法治", "体育", "音乐", "美术", "信息技术")

# Student tags and their rates; 留守 only among students not living in town.
_TAG_RATES = {"城区": 0.55, "留守": 0.12, "单亲": 0.09, "特殊需求": 0.02, "两导一生": 0.01}
_EXTRA_TAG_RATE = 0.05  # a tag a scheme names that this module does not know
_TWO_MENTOR_TAGS = ("特殊需求", "两导一生")
_NO_MENTOR_RATE = 0.01
_CHANGE_RATE = 0.04
# Student events per student per school year; 转学 means leaving: the assignment ends that day.
_EVENT_RATES = {"重大变故": 0.02, "情绪波动": 0.04, "转学": 0.008}
_EXTRA_EVENT_RATE = 0.03
_CALENDAR_KINDS = ("考试", "家长会")

_DEFAULT_PER_STUDENT = 35.0  # activities per student per school year when no count is given


@dataclass(frozen=True)
class ActionSpec:
    """How an action shows up in a school's log.

    kind: `student` (names students), `class` (a class meeting logged by the head teacher with
    `class` set), `mentor` (the mentor's own paperwork; `about_student` names the student the
    write-up is about). weight: relative frequency. profile: when in the year it happens.
    """

    kind: str = "student"
    weight: float = 1.0
    profile: str = "flat"
    duration: tuple[int, int, int, int] | None = (25, 10, 5, 90)  # mean, sd, lo, hi minutes
    missing: float = 0.08  # share of rows with no duration
    group: float = 0.0  # share of rows naming several students
    group_size: tuple[int, int] = (2, 5)
    about_student: bool = False
    notes: tuple[str, ...] = ("按计划完成", "已记录在导师手册", "详见记录本")


_WRITTEN = (0, 0, 0, 0)  # written work: a duration is rarely recorded
ACTION_SPECS: dict[str, ActionSpec] = {
    "谈心": ActionSpec("student", 28, "talk", (25, 10, 5, 90), 0.08, 0.08, (2, 5), False,
                     ("了解近期学习状态", "沟通与同学相处情况", "考试前减压疏导", "聊兴趣爱好，鼓励参加社团",
                      "针对作业拖拉问题谈心", "情绪低落，耐心倾听", "制定下阶段小目标")),
    "谈话": ActionSpec("student", 6, "talk", (20, 8, 5, 60), 0.1, 0.15, (2, 5), False,
                     ("一对多谈话", "电话谈话", "了解思想动态", "学习方法交流")),
    "学生汇报": ActionSpec("student", 14, "flat", (15, 5, 5, 40), 0.15, 0.05, (2, 4), False,
                       ("汇报一周学习情况", "汇报阅读计划进度", "汇报班级活动参与情况", "汇报生活情况")),
    "家长联系": ActionSpec("student", 14, "parent", (10, 5, 3, 40), 0.2, 0.0, (2, 2), False,
                       ("电话沟通近期表现", "微信反馈作业情况", "约家长面谈", "告知考试安排", "接待日面谈")),
    "家长沟通": ActionSpec("student", 4, "parent", (12, 6, 3, 40), 0.2, 0.0, (2, 2), False,
                       ("通报在校学习情况", "电话沟通", "家长来校面谈")),
    "家访": ActionSpec("student", 5, "visit", (60, 20, 20, 150), 0.05, 0.03, (2, 2), False,
                     ("暑期上门家访", "了解家庭学习环境", "与家长交流孩子在校表现", "了解留守情况，与祖辈沟通",
                      "兄弟姐妹一同家访", "开学前走访")),
    "家访散记": ActionSpec("student", 1.5, "visit", _WRITTEN, 0.9, 0.0, (2, 2), False,
                       ("家访散记一篇", "整理家访所见所感")),
    "书面反馈": ActionSpec("student", 3, "term_end", _WRITTEN, 0.9, 0.0, (2, 2), False,
                       ("撰写个性化成长寄语", "期末书面反馈", "写下鼓励的话")),
    "成长寄语": ActionSpec("student", 2, "term_end", _WRITTEN, 0.9, 0.0, (2, 2), False,
                       ("成长寄语已发放", "成长激励卡", "期末寄语")),
    "书面评价": ActionSpec("student", 1.5, "term_end", _WRITTEN, 0.9, 0.0, (2, 2), False,
                       ("学期书面评价", "家长书面评价已收回")),
    "学期评价": ActionSpec("student", 1.5, "term_end", _WRITTEN, 0.9, 0.0, (2, 2), False,
                       ("学期表现评价", "评价已反馈学生")),
    "成长档案": ActionSpec("student", 3, "flat", _WRITTEN, 0.8, 0.0, (2, 2), False,
                       ("更新成长档案", "记录月度表现", "补充获奖记录")),
    "档案上交": ActionSpec("student", 1, "last14", _WRITTEN, 0.95, 0.0, (2, 2), False,
                       ("成长档案袋已上交德育处",)),
    "指导": ActionSpec("student", 5, "talk", (55, 15, 20, 120), 0.08, 0.1, (2, 4), False,
                     ("指导读书笔记", "论文选题指导", "学习规划指导", "课题进展讨论")),
    "交流": ActionSpec("student", 5, "flat", (30, 12, 5, 90), 0.1, 0.05, (2, 3), False,
                     ("面对面交流", "午间交流", "课后交流学习困难")),
    "见面交流": ActionSpec("student", 2, "first_last", (30, 10, 10, 90), 0.1, 0.1, (2, 4), False,
                       ("开学见面谈", "期末总结交流")),
    "小组活动": ActionSpec("student", 3, "flat", (40, 10, 20, 90), 0.1, 1.0, (3, 6), False,
                       ("小组读书分享", "小组集体交流", "户外实践活动")),
    "探究学习": ActionSpec("student", 1.5, "flat", (45, 15, 20, 120), 0.15, 0.3, (2, 4), False,
                       ("探究学习记录", "指导小课题")),
    "读书报告": ActionSpec("student", 0.8, "term_end", _WRITTEN, 0.9, 0.0, (2, 2), False,
                       ("读书报告已批阅",)),
    "生涯规划": ActionSpec("student", 1.5, "career", (40, 15, 15, 90), 0.1, 0.1, (2, 5), False,
                       ("生涯规划书指导并签字", "选科意向沟通", "职业兴趣测评解读")),
    "导师会": ActionSpec("class", 1.2, "meeting", (45, 10, 20, 90), 0.05, 0.0, (2, 2), False,
                      ("班级导师会", "交流困难学生情况", "商定本月重点")),
    "导师组会": ActionSpec("class", 0.8, "meeting", (50, 10, 20, 90), 0.05, 0.0, (2, 2), False,
                       ("导师组会议纪要", "班主任召集导师组")),
    "导师团研讨": ActionSpec("class", 0.8, "meeting", (40, 10, 20, 90), 0.05, 0.0, (2, 2), False,
                        ("导师团小教研", "困难学生聚焦研讨")),
    "座谈会": ActionSpec("class", 0.6, "exam_end", (60, 15, 30, 120), 0.05, 0.0, (2, 2), False,
                      ("期中座谈会", "期末座谈会", "班级联谊会")),
    "育人案例": ActionSpec("mentor", 0.5, "term_end30", _WRITTEN, 0.9, 0.0, (2, 2), True,
                       ("育人案例一篇", "个案跟踪记录")),
    "育人小结": ActionSpec("mentor", 0.3, "term_end", _WRITTEN, 0.9, 0.0, (2, 2), False,
                       ("期末育人小结", "学期导师工作总结")),
}
DEFAULT_ACTIONS: tuple[str, ...] = tuple(ACTION_SPECS)
_FOLLOW_UP_ACTIONS = ("谈心", "谈话", "交流", "指导")  # what a mentor logs after a 重大变故
_FOLLOW_UP_KINDS = ("重大变故", "情绪波动")
_NAME = re.compile(r"^[^\W\d]\w*$")


# --------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class GenerateSummary:
    """What was written, for the command's one-line summary and for benchmarks."""

    out_dir: Path
    school_year: str
    terms: int
    calendar_events: int
    classes: int
    mentors: int
    students: int
    assignments: int
    activities: int
    student_events: int
    ratings: int
    students_without_mentor: int
    students_with_two_mentors: int
    mentor_changes: int
    group_activities: int
    class_activities: int
    missing_durations: int
    exemplary_mentors: int
    lagging_mentors: int
    seconds: float

    def line(self) -> str:
        return (f"{self.out_dir}: {self.classes} classes, {self.mentors} mentors, {self.students} students, "
                f"{self.assignments} assignments, {self.activities} activities, {self.student_events} student events, "
                f"{self.ratings} ratings ({self.seconds:.1f} s)")  # fmt: skip


@dataclass(frozen=True)
class _Term:
    id: str
    name: str
    start: date
    end: date


@dataclass
class _Calendar:
    school_year: str
    terms: list[_Term]
    events: list[dict[str, Any]]
    holidays: set[date]


@dataclass
class _Days:
    """The day axis: day 0 is 30 days before the first term (pre-term home visits)."""

    day0: date
    n: int
    iso: list[str]
    in_term: np.ndarray  # bool
    school: np.ndarray  # bool: a weekday in term, not a holiday
    term_of: np.ndarray  # int: term index or -1
    since_start: np.ndarray  # days since the term's start (large outside terms)
    to_end: np.ndarray  # days to the term's end (large outside terms)
    pre_term: np.ndarray  # bool: within 30 days before a term starts

    def index(self, d: date) -> int:
        return (d - self.day0).days


@dataclass
class _Roster:
    grades: list[int]
    class_names: list[str]
    class_grade: list[int]
    student_ids: list[str]
    student_names: list[str]
    student_class: np.ndarray
    student_tags: list[tuple[str, ...]]
    mentor_ids: list[str]
    mentor_names: list[str]
    mentor_roles: list[list[str]]
    mentor_tags: list[list[str]]
    mentor_class: np.ndarray  # the class a head teacher leads, else -1
    mentor_group: np.ndarray  # the class whose students the mentor takes, -1 for none
    diligence: np.ndarray
    sloppiness: np.ndarray  # extra chance a mentor leaves the duration blank
    exemplary: int = 0
    lagging: int = 0


@dataclass
class _Assignments:
    mentor: np.ndarray
    student: np.ndarray
    start: np.ndarray  # day index; a very small number when open
    end: np.ndarray  # day index; a very large number when open
    start_text: list[str]
    end_text: list[str]
    changes: int = 0
    without: int = 0
    two: int = 0


@dataclass
class _Hints:
    """What a compiled scheme tells the generator (all optional)."""

    actions: list[str] = field(default_factory=list)
    kinds: dict[str, str] = field(default_factory=dict)
    min_minutes: dict[str, int] = field(default_factory=dict)
    # action → [(scope, mentor role or None, rows per subject per school year)] from its rules
    yearly: dict[str, list[tuple[str, str | None, float]]] = field(default_factory=dict)
    restrict_role: dict[str, str] = field(default_factory=dict)  # action → mentor tag/role
    student_tags: list[str] = field(default_factory=list)
    mentor_tags: list[str] = field(default_factory=list)
    event_kinds: list[str] = field(default_factory=list)
    grades: list[int] = field(default_factory=list)
    manual: list[tuple[str, str, str, float | None]] = field(default_factory=list)  # score, item, period, max
    students_per_mentor: float | None = None
    from_scheme: bool = False


_OPEN_START = -(10**6)
_OPEN_END = 10**6


# --------------------------------------------------------------------------------------------
# Entry point


def generate_school(
    out_dir: Path,
    students: int = 600,
    seed: int = 1,
    activities: int | None = None,
    school_year: str = "2025-2026",
    *,
    actions: Sequence[str] | None = None,
    until: date | None = None,
    school_type: str | None = None,
    students_per_mentor: float | None = None,
    score_name: str | None = None,
    manual_items: Sequence[str] | None = None,
    score_period: str = "term",
    scheme: Mapping[str, Any] | None = None,
    per_student: float = _DEFAULT_PER_STUDENT,
    progress: Callable[[str], None] | None = None,
    chunk_rows: int = 200_000,
) -> GenerateSummary:
    """Write a synthetic school's bundle into `out_dir` (created; existing bundle files replaced).

    activities: the number of activity rows to write (default: `per_student` a year per
    student, or what `scheme`'s rules ask for, scaled to the part of the year before `until`).
    until: nothing after this day is written (the school as seen on that day).
    scheme: a compiled scheme (IR dict): its actions, rule frequencies, tags, roles, event
    kinds and manual score items shape the data. Explicit arguments win over it.
    """
    started = time.perf_counter()
    if students < 1:
        raise ValueError("students must be at least 1")
    if activities is not None and activities < 0:
        raise ValueError("activities must not be negative")
    if score_period not in ("term", "school_year"):
        raise ValueError("score_period must be 'term' or 'school_year'")
    hints = _hints_from_scheme(scheme) if scheme is not None else _Hints()
    action_names = list(actions) if actions else (hints.actions or list(DEFAULT_ACTIONS))
    _check_names(action_names, "action")
    if len(set(action_names)) != len(action_names):
        raise ValueError("actions must not repeat")
    grades = _grades_for(school_type, hints)
    spm = students_per_mentor or hints.students_per_mentor or 12.0
    if spm <= 0:
        raise ValueError("students_per_mentor must be positive")

    calendar = _build_calendar(school_year, grades)
    days = _build_days(calendar)
    # The last day index written; -1 when `until` is before the year (nothing happened yet).
    limit = days.n - 1 if until is None else max(-1, min(days.n - 1, days.index(until)))
    roster = _build_roster(np.random.default_rng([seed, 1]), students, grades, school_type or _type_for(grades), spm, hints)
    student_events = _build_student_events(np.random.default_rng([seed, 2]), roster, days, limit, hints)
    assignments = _build_assignments(np.random.default_rng([seed, 3]), roster, calendar, days, limit, student_events)
    manual = _manual_items(hints, score_name, manual_items, score_period)
    ratings = _build_ratings(np.random.default_rng([seed, 4]), roster, calendar, days, limit, manual)

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    _write_calendar(out_dir / "calendar.yaml", calendar, seed, until)
    _write_mentors(out_dir / "mentors.csv", roster)
    _write_students(out_dir / "students.csv", roster)
    _write_assignments(out_dir / "assignments.csv", roster, assignments)
    _write_student_events(out_dir / "student_events.csv", roster, days, student_events)
    _write_ratings(out_dir / "ratings.csv", roster, ratings)
    stats = _ActivityWriter(seed, roster, assignments, calendar, days, limit, action_names, hints, student_events,
                            activities, per_student, chunk_rows, progress).write(out_dir / "activities.csv")  # fmt: skip

    return GenerateSummary(
        out_dir=out_dir, school_year=calendar.school_year, terms=len(calendar.terms),
        calendar_events=len(calendar.events), classes=len(roster.class_names), mentors=len(roster.mentor_ids),
        students=len(roster.student_ids), assignments=len(assignments.mentor), activities=stats["rows"],
        student_events=len(student_events[0]), ratings=len(ratings), students_without_mentor=assignments.without,
        students_with_two_mentors=assignments.two, mentor_changes=assignments.changes, group_activities=stats["group"],
        class_activities=stats["class"], missing_durations=stats["missing"], exemplary_mentors=roster.exemplary,
        lagging_mentors=roster.lagging, seconds=time.perf_counter() - started,
    )  # fmt: skip


def _check_names(names: Sequence[str], what: str) -> None:
    # Names go into CSV cells unquoted and into scheme files: keep them scheme identifiers.
    for name in names:
        if not _NAME.match(name):
            raise ValueError(f"{what} name {name!r} is not a name (letters, digits and _, not starting with a digit)")


# --------------------------------------------------------------------------------------------
# Reading a compiled scheme


def _hints_from_scheme(ir: Mapping[str, Any]) -> _Hints:
    hints = _Hints(from_scheme=True)
    # An action group (`action 家校联系 = 家长联系, 家访`) is never logged itself: schools log its members.
    groups = {a["name"]: list(a["members"]) for a in ir.get("actions", []) if a.get("members")}
    hints.actions = [a["name"] for a in ir.get("actions", []) if a["name"] not in groups]
    hints.min_minutes = {a["name"]: int(a["min_minutes"]) for a in ir.get("actions", []) if a.get("min_minutes")}
    hints.grades = list(ir.get("grades") or [])
    student_tags: list[str] = []
    mentor_tags: list[str] = []
    events: list[str] = []
    for rule in ir.get("rules", []):
        action, scope = rule["action"], rule.get("scope", "student")
        _walk_cond(rule.get("where"), student_tags, mentor_tags, hints.grades)
        # key moments: event kinds of the alternatives (window clauses name none); the duty is one a term
        events.extend(m["event"]["kind"] for m in rule.get("moments") or [] if m.get("event"))
        if rule.get("event"):
            events.append(rule["event"]["kind"])
            continue
        cond = rule.get("where")
        role = cond["tag"] if cond and cond.get("op") == "mentor_has" else None
        share = 0.3 if cond and scope in ("student", "pair") else 1.0  # a `where` narrows the students
        minimum = _count(rule.get("min")) or (1 if rule.get("max") is None else 0)
        need = minimum * _periods_per_year(rule.get("period")) * share
        # a rule on a group is met by any member: its need is shared among them by how often each is logged
        members = groups.get(action, [action])
        weights = [ACTION_SPECS[a].weight if a in ACTION_SPECS else 3.0 for a in members]
        for member, weight in zip(members, weights, strict=True):
            if member not in ACTION_SPECS and scope in ("class", "mentor"):
                hints.kinds.setdefault(member, scope)
            if scope in ("mentor", "class") and role:
                hints.restrict_role[member] = role
            hints.yearly.setdefault(member, []).append((scope, role, need * weight / sum(weights)))
    for ratio in ir.get("ratios", []):
        _walk_cond(ratio.get("where"), student_tags, mentor_tags, hints.grades)
        if ratio.get("direction") == "students_per_mentor" and ratio.get("group") is None:
            lo, hi = _count(ratio.get("min")), ratio.get("max")
            if hi is not None:
                hints.students_per_mentor = (lo + hi) / 2 if lo else max(1.0, hi * 0.8)
            elif lo:
                hints.students_per_mentor = lo * 1.5
    for score in ir.get("scores", []):
        for item in score.get("items", []):
            if item.get("unit") == "manual":
                cap = float(item["max"]) if item.get("max") is not None else None
                hints.manual.append((score["name"], item["name"], score.get("period", "term"), cap))
    hints.student_tags = list(dict.fromkeys(student_tags))
    hints.mentor_tags = list(dict.fromkeys(mentor_tags))
    hints.event_kinds = [k for k in dict.fromkeys(events) if k not in _CALENDAR_KINDS]
    return hints


def _count(value: Any) -> int:
    if isinstance(value, Mapping):  # tolerate a {"value": n} count
        value = value.get("value", 0)
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def _periods_per_year(period: Mapping[str, Any] | None) -> float:
    # Nominal school year: 2 terms, ~9.5 months, ~38 weeks, ~266 days in term.
    if not period:
        return 2.0
    unit, n = str(period.get("unit")), max(1, int(period.get("n") or 1))
    return {"term": 2.0, "school_year": 1.0, "month": 9.5, "half_month": 19.0, "week": 38.0, "weeks": 38.0 / n,
            "days": 266.0 / n}.get(unit, 2.0)  # fmt: skip


def _walk_cond(cond: Any, student_tags: list[str], mentor_tags: list[str], grades: list[int]) -> None:
    if not isinstance(cond, Mapping):
        return
    op = cond.get("op")
    if op == "student_has":
        student_tags.append(cond["tag"])
    elif op == "mentor_has":
        mentor_tags.append(cond["tag"])
    elif op == "grade_in":
        grades.extend(int(g) for g in cond.get("grades", []))
    for sub in cond.get("args", []) or []:
        _walk_cond(sub, student_tags, mentor_tags, grades)
    _walk_cond(cond.get("arg"), student_tags, mentor_tags, grades)


def _type_for(grades: Sequence[int]) -> str:
    for name, span in SCHOOL_TYPES.items():
        if tuple(grades) == span:
            return name
    return "twelve_year"


def _grades_for(school_type: str | None, hints: _Hints) -> list[int]:
    if school_type is not None:
        if school_type not in SCHOOL_TYPES:
            raise ValueError(f"school type must be one of {', '.join(SCHOOL_TYPES)}")
        return list(SCHOOL_TYPES[school_type])
    wanted = set(hints.grades)
    # The smallest usual school that has every grade the scheme names (primary by default).
    for name in ("primary", "junior", "senior", "nine_year", "twelve_year"):
        if wanted <= set(SCHOOL_TYPES[name]):
            return list(SCHOOL_TYPES[name])
    return list(SCHOOL_TYPES["twelve_year"])


# --------------------------------------------------------------------------------------------
# Calendar


def _build_calendar(school_year: str, grades: Sequence[int]) -> _Calendar:
    m = re.fullmatch(r"(\d{4})-(\d{4})", school_year)
    if not m or int(m.group(2)) != int(m.group(1)) + 1:
        raise ValueError(f"school year must look like 2025-2026, not {school_year!r}")
    y = int(m.group(1))
    # Term 1 opens on 1 September (the Monday after, on a weekend) and runs 21 weeks; the winter
    # break is about 4.5 weeks (春节); term 2 runs 19 weeks to early July.
    s1 = date(y, 9, 1)
    if s1.weekday() >= 5:
        s1 += timedelta(days=7 - s1.weekday())
    e1 = _monday(s1) + timedelta(weeks=20, days=4)
    s2 = _monday(e1) + timedelta(days=35)
    e2 = s2 + timedelta(weeks=18, days=4)
    terms = [_Term(f"{school_year}-1", f"{y}学年第一学期", s1, e1), _Term(f"{school_year}-2", f"{y}学年第二学期", s2, e2)]
    holidays = {date(y, 10, d) for d in range(1, 8)} | {date(y + 1, 1, 1)}
    holidays |= {date(y + 1, 4, d) for d in range(4, 7)} | {date(y + 1, 5, d) for d in range(1, 6)}

    def school_day(term: _Term, week: int, weekday: int) -> date:
        d = _monday(term.start) + timedelta(weeks=week - 1, days=weekday)
        while d in holidays or d.weekday() >= 5:
            d += timedelta(days=1)
        return min(d, term.end)

    paper = [g for g in grades if g >= 3]  # 双减: no written exams in grades 1 and 2
    early = [g for g in grades if g < 3]
    events: list[dict[str, Any]] = []
    for term, (mid, final) in zip(terms, ((11, 20), (10, 18)), strict=True):
        label = "第一学期" if term is terms[0] else "第二学期"
        exam_grades = paper if early else None
        if paper:
            events.append(_event("考试", f"{label}期中考试", school_day(term, mid, 2), exam_grades))
        events.append(_event("家长会", f"{label}家长会", school_day(term, mid + 1, 4), None))
        if paper:
            events.append(_event("考试", f"{label}期末考试", school_day(term, final, 2), exam_grades))
        if early:
            events.append(_event("考试", f"{label}一二年级期末乐考", school_day(term, final, 3), early))
    top = max(grades)
    if top in (9, 12):  # 中考/高考 mock exams for the graduating grade
        word = "中考" if top == 9 else "高考"
        events.append(_event("考试", f"{word}一模", school_day(terms[1], 6, 2), [top]))
        events.append(_event("考试", f"{word}二模", school_day(terms[1], 12, 2), [top]))
    events.sort(key=lambda e: (e["date"], e["name"]))
    return _Calendar(school_year, terms, events, holidays)


def _event(kind: str, name: str, day: date, grades: list[int] | None) -> dict[str, Any]:
    event: dict[str, Any] = {"kind": kind, "name": name, "date": day}
    if grades:
        event["grades"] = list(grades)
    return event


def _monday(d: date) -> date:
    return d - timedelta(days=d.weekday())


def _build_days(calendar: _Calendar) -> _Days:
    day0 = calendar.terms[0].start - timedelta(days=30)
    n = (calendar.terms[-1].end - day0).days + 1
    dates = [day0 + timedelta(days=i) for i in range(n)]
    big = 10**4
    in_term = np.zeros(n, bool)
    term_of = np.full(n, -1, np.int32)
    since = np.full(n, big, np.int32)
    to_end = np.full(n, big, np.int32)
    pre = np.zeros(n, bool)
    for t, term in enumerate(calendar.terms):
        a, b = (term.start - day0).days, (term.end - day0).days
        in_term[a : b + 1] = True
        term_of[a : b + 1] = t
        since[a : b + 1] = np.arange(b - a + 1)
        to_end[a : b + 1] = np.arange(b - a, -1, -1)
        pre[max(0, a - 30) : a] = True
    weekday = np.array([d.weekday() for d in dates])
    holiday = np.array([d in calendar.holidays for d in dates])
    school = in_term & (weekday < 5) & ~holiday
    return _Days(day0, n, [d.isoformat() for d in dates], in_term, school, term_of, since, to_end, pre)


# --------------------------------------------------------------------------------------------
# People


def _names(rng: np.random.Generator, n: int, given: Sequence[str]) -> list[str]:
    ranks = np.arange(len(_SURNAMES))
    p = 1.0 / (ranks + 4.0)
    surname = rng.choice(len(_SURNAMES), size=n, p=p / p.sum())
    pool = [*given, *_GIVEN_ONE]  # about one name in three is a single character
    first = rng.integers(0, len(pool), n)
    return [_SURNAMES[s] + pool[g] for s, g in zip(surname.tolist(), first.tolist(), strict=True)]


def _build_roster(rng: np.random.Generator, students: int, grades: list[int], school_type: str, spm: float,
                  hints: _Hints) -> _Roster:  # fmt: skip
    # Classes: equal cohorts per grade, as few classes as the class-size limit allows.
    size_limit = _CLASS_SIZE.get(school_type, 45)
    per_grade = [students // len(grades) + (1 if i < students % len(grades) else 0) for i in range(len(grades))]
    class_names: list[str] = []
    class_grade: list[int] = []
    student_class: list[int] = []
    for g, count in zip(grades, per_grade, strict=True):
        k = math.ceil(count / size_limit)  # a grade without students has no class
        first = len(class_names)
        class_names += [f"{_GRADE_PREFIX[g]}({i + 1})班" for i in range(k)]
        class_grade += [g] * k
        student_class += [first + i * k // count for i in range(count)]  # contiguous, even split
    n_classes = len(class_names)
    width = max(5, len(str(students)))
    student_ids = [f"S{i + 1:0{width}d}" for i in range(students)]
    student_names = _names(rng, students, _STUDENT_GIVEN)
    student_tags = _student_tags(rng, students, hints)

    # Mentors: one head teacher per class, subject teachers spread over the classes, a few
    # administrators who mentor no one (every teacher is a mentor, with or without students).
    n_mentors = max(n_classes, round(students / spm))
    n_admin = max(1, round(0.03 * n_mentors)) if n_mentors - n_classes >= 10 else 0
    n_subject = n_mentors - n_classes - n_admin
    group = list(range(n_classes))
    order = rng.permutation(n_classes)
    group += [int(order[i % n_classes]) for i in range(n_subject)]
    group += [-1] * n_admin
    mentor_group = np.array(group, np.int32)
    mentor_class = np.array(list(range(n_classes)) + [-1] * (n_subject + n_admin), np.int32)
    mwidth = max(3, len(str(n_mentors)))
    mentor_ids = [f"T{i + 1:0{mwidth}d}" for i in range(n_mentors)]
    mentor_names = _names(rng, n_mentors, _TEACHER_GIVEN)
    secondary = min(grades) >= 7
    subjects = _SECONDARY_SUBJECTS if secondary else _PRIMARY_SUBJECTS
    roles: list[list[str]] = []
    tags: list[list[str]] = []
    leader_of_grade: set[int] = set()
    for m in range(n_mentors):
        if m < n_classes:
            r = ["班主任"]
            grade = class_grade[m]
            if grade not in leader_of_grade:  # the first head teacher of a grade leads its mentor group
                leader_of_grade.add(grade)
                r.append("导师组长")
            t = [str(rng.choice(["语文", "数学", "英语"], p=[0.5, 0.35, 0.15]))]
        elif m < n_classes + n_subject:
            r = ["学科教师"]
            t = [str(subjects[int(rng.integers(0, len(subjects)))])]
            if m == n_classes:
                r.append("心理教师")
        else:
            r = ["行政"]
            t = [str(rng.choice(["副校长", "德育主任", "教务主任"]))]
        u = rng.random(3)
        t += [name for name, hit in (("骨干教师", u[0] < 0.15), ("党员", u[1] < 0.35), ("新教师", u[2] < 0.1)) if hit]
        roles.append(r)
        tags.append(t)
    for extra in hints.mentor_tags:  # a role or tag the scheme names: give it to some mentors
        if not any(extra in r or extra in t for r, t in zip(roles, tags, strict=True)):
            chosen = np.flatnonzero(rng.random(n_mentors) < 0.1).tolist() or [int(rng.integers(0, n_mentors))]
            for m in chosen:
                tags[m].append(extra)

    # Diligence: lognormal spread, with ~12% exemplary mentors and ~20% lagging ones.
    u = rng.random(n_mentors)
    factor = np.where(u < 0.12, 1.8, np.where(u > 0.80, 0.35, 1.0))
    diligence = rng.lognormal(0.0, 0.35, n_mentors) * factor
    sloppiness = np.where(rng.random(n_mentors) < 0.1, 0.4, 0.02)  # some never fill in durations
    return _Roster(grades, class_names, class_grade, student_ids, student_names, np.array(student_class, np.int32),
                   student_tags, mentor_ids, mentor_names, roles, tags, mentor_class, mentor_group, diligence,
                   sloppiness, exemplary=int((u < 0.12).sum()), lagging=int((u > 0.80).sum()))  # fmt: skip


def _student_tags(rng: np.random.Generator, n: int, hints: _Hints) -> list[tuple[str, ...]]:
    u = rng.random((n, len(_TAG_RATES)))
    town = u[:, 0] < _TAG_RATES["城区"]
    hits = {"城区": town, "留守": ~town & (u[:, 1] < _TAG_RATES["留守"] / (1 - _TAG_RATES["城区"]))}
    for j, name in enumerate(_TAG_RATES):
        if name not in hits:
            hits[name] = u[:, j] < _TAG_RATES[name]
    extras = [t for t in hints.student_tags if t not in _TAG_RATES]
    if extras:
        v = rng.random((n, len(extras)))
        for j, name in enumerate(extras):
            hits[name] = v[:, j] < _EXTRA_TAG_RATE
    names = list(hits)
    # One tuple per distinct combination (a few dozen), shared by the students who have it.
    code = np.zeros(n, np.int64)
    for j, k in enumerate(names):
        code |= hits[k].astype(np.int64) << j
    combos = {int(c): tuple(names[j] for j in range(len(names)) if int(c) >> j & 1) for c in np.unique(code)}
    return [combos[c] for c in code.tolist()]


def _build_student_events(rng: np.random.Generator, roster: _Roster, days: _Days, limit: int,
                          hints: _Hints) -> tuple[np.ndarray, list[str], np.ndarray]:  # fmt: skip
    """(student, kind, day) of life events, dated inside terms and not after `limit`."""
    rates = dict(_EVENT_RATES)
    for kind in hints.event_kinds:
        rates.setdefault(kind, _EXTRA_EVENT_RATE)
    n = len(roster.student_ids)
    term_days = np.flatnonzero(days.in_term & (np.arange(days.n) <= limit))
    school_days = np.flatnonzero(days.school & (np.arange(days.n) <= limit))
    students: list[np.ndarray] = []
    kinds: list[str] = []
    when: list[np.ndarray] = []
    for kind, rate in rates.items():
        who = np.flatnonzero(rng.random(n) < rate)
        pool = school_days if kind == "转学" else term_days  # transfers happen on school days
        if len(pool) == 0 or len(who) == 0:
            continue
        students.append(who)
        kinds += [kind] * len(who)
        when.append(pool[rng.integers(0, len(pool), len(who))])
    if not students:
        return np.zeros(0, np.int64), [], np.zeros(0, np.int64)
    s, d = np.concatenate(students), np.concatenate(when)
    order = np.lexsort((s, d))
    return s[order], [kinds[i] for i in order], d[order]


def _build_assignments(rng: np.random.Generator, roster: _Roster, calendar: _Calendar, days: _Days, limit: int,
                       events: tuple[np.ndarray, list[str], np.ndarray]) -> _Assignments:  # fmt: skip
    n_students = len(roster.student_ids)
    groups: dict[int, list[int]] = {}
    for m, g in enumerate(roster.mentor_group.tolist()):
        if g >= 0:
            groups.setdefault(g, []).append(m)
    by_grade: dict[int, list[int]] = {}
    for c, ms in groups.items():
        by_grade.setdefault(roster.class_grade[c], []).extend(ms)
    year_start, year_end = days.index(calendar.terms[0].start), days.index(calendar.terms[-1].end)
    leaving = {int(s): int(d) for s, k, d in zip(events[0], events[1], events[2], strict=True) if k == "转学"}
    change_pool = np.flatnonzero(days.school & (days.since_start >= 21) & (days.to_end >= 21) & (np.arange(days.n) <= limit))

    rows: list[list[Any]] = []
    out = _Assignments(np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0), [], [])
    # Every per-student draw up front, as vectors: the loop below only reads them.
    u_none, u_change, u_start, u_end = rng.random((4, n_students))
    change_day = change_pool[rng.integers(0, len(change_pool), n_students)] if len(change_pool) else np.zeros(n_students, np.int64)
    # Most rows name the school year's first day; some leave start or end open.
    y0, y1 = days.iso[year_start], days.iso[year_end]

    def other_mentor(c: int, not_m: int) -> int | None:
        # Another mentor of the class, else of the grade, else of the school (None in a one-mentor school).
        pool = [m for m in groups.get(c, []) if m != not_m] or [m for m in by_grade[roster.class_grade[c]] if m != not_m]
        pool = pool or [m for ms in groups.values() for m in ms if m != not_m]
        return pool[int(rng.integers(0, len(pool)))] if pool else None

    bounds = np.searchsorted(roster.student_class, np.arange(len(roster.class_names) + 1))  # students are by class
    for c in range(len(roster.class_names)):
        team = groups.get(c, [])
        if not team:  # cannot happen (every class has its head teacher), but stay safe
            continue
        shuffled = bounds[c] + rng.permutation(int(bounds[c + 1] - bounds[c]))
        for i, s in enumerate(shuffled.tolist()):
            two = any(t in roster.student_tags[s] for t in _TWO_MENTOR_TAGS)
            if not two and u_none[s] < _NO_MENTOR_RATE:
                continue
            first = team[i % len(team)]
            st, st_text = (_OPEN_START, "") if u_start[s] < 0.08 else (year_start, y0)
            en, en_text = (_OPEN_END, "") if u_end[s] < 0.65 else (year_end, y1)
            mine = [[first, s, st, en, st_text, en_text]]
            if two and (second := other_mentor(c, first)) is not None:
                out.two += 1
                mine.append([second, s, st, en, st_text, en_text])
            elif len(change_pool) and u_change[s] < _CHANGE_RATE and change_day[s] <= leaving.get(s, _OPEN_END):
                d = int(change_day[s])
                if (new := other_mentor(c, first)) is not None:
                    out.changes += 1
                    mine = [[first, s, st, d - 1, st_text, days.iso[d - 1]], [new, s, d, en, days.iso[d], en_text]]
            if s in leaving:  # transferred out: the mentoring ends that day
                d = leaving[s]
                mine = [r for r in mine if r[2] <= d]
                for r in mine:
                    if r[3] > d:
                        r[3], r[5] = d, days.iso[d]
            rows.extend(mine)
    rows.sort(key=lambda r: (r[1], r[2], r[0]))
    out.mentor = np.array([r[0] for r in rows], np.int64)
    out.student = np.array([r[1] for r in rows], np.int64)
    out.start = np.array([r[2] for r in rows], np.int64)
    out.end = np.array([r[3] for r in rows], np.int64)
    out.start_text = [r[4] for r in rows]
    out.end_text = [r[5] for r in rows]
    covered = np.zeros(n_students, bool)
    covered[out.student] = True
    out.without = int(n_students - covered.sum())
    return out


def _manual_items(hints: _Hints, score_name: str | None, items: Sequence[str] | None,
                  period: str) -> list[tuple[str, str, str, float | None]]:  # fmt: skip
    if score_name is None and items is None and (hints.manual or hints.from_scheme):
        return hints.manual  # a scheme without manual items gets no ratings
    name = score_name or "考核"
    chosen = list(items) if items is not None else ["进步", "创新"]
    _check_names([name, *chosen], "score or item")
    known = {(s, i): cap for s, i, _, cap in hints.manual}
    return [(name, item, period, known.get((name, item))) for item in chosen]


def _build_ratings(rng: np.random.Generator, roster: _Roster, calendar: _Calendar, days: _Days, limit: int,
                   manual: list[tuple[str, str, str, float | None]]) -> list[tuple[int, str, str, str, str]]:  # fmt: skip
    """(mentor, score, item, value, term) rows: evaluators rate the diligent higher, and skip some."""
    n = len(roster.mentor_ids)
    rank = np.argsort(np.argsort(roster.diligence)) / max(1, n - 1)  # 0 = least diligent
    started = [t for t in calendar.terms if days.index(t.start) <= limit]
    rows: list[tuple[int, str, str, str, str]] = []
    for score, item, period, cap in manual:
        # Without a stated cap: a bonus of a few points for a term score, a 0–100 mark for a yearly one.
        top = cap if cap is not None else (2.0 if period == "term" else 100.0)
        step = 0.5 if top <= 5 else 1.0
        keys = [t.id for t in started] if period == "term" else ([calendar.school_year] if started else [])
        for key in keys:
            given = rng.random(n) < 0.85
            noise = rng.normal(0, 0.1, n)
            share = np.clip(0.3 + 0.65 * rank + noise, 0, 1)
            values = np.round(top * share / step) * step
            for m in np.flatnonzero(given):
                rows.append((int(m), score, item, _number(float(values[m])), key))
    rows.sort(key=lambda r: (r[4], r[1], r[2], r[0]))
    return rows


def _number(x: float) -> str:
    return str(int(x)) if x == int(x) else f"{x:g}"


# --------------------------------------------------------------------------------------------
# Writing the small files


def _csv(path: Path, header: Sequence[str], rows: Any) -> None:
    tmp = path.with_name(path.name + ".part")
    with tmp.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
    os.replace(tmp, path)


def _q(text: str) -> str:
    # YAML double-quoted scalars are JSON strings.
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _write_calendar(path: Path, calendar: _Calendar, seed: int, until: date | None) -> None:
    lines = [f"# 合成校历（mentorship generate, seed {seed}{', until ' + until.isoformat() if until else ''}）",
             f"school_year: {_q(calendar.school_year)}", "terms:"]  # fmt: skip
    for t in calendar.terms:
        lines += [f"  - id: {_q(t.id)}", f"    name: {_q(t.name)}", f"    start: {_q(t.start.isoformat())}",
                  f"    end: {_q(t.end.isoformat())}"]  # fmt: skip
    lines.append("events:" if calendar.events else "events: []")
    for e in calendar.events:
        lines += [f"  - kind: {_q(e['kind'])}", f"    name: {_q(e['name'])}", f"    date: {_q(e['date'].isoformat())}"]
        if "grades" in e:
            lines.append(f"    grades: [{', '.join(str(g) for g in e['grades'])}]")
    tmp = path.with_name(path.name + ".part")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def _write_mentors(path: Path, r: _Roster) -> None:
    rows = ((r.mentor_ids[m], r.mentor_names[m], ";".join(r.mentor_roles[m]), ";".join(r.mentor_tags[m]),
             r.class_names[c] if c >= 0 else "") for m, c in enumerate(r.mentor_class.tolist()))  # fmt: skip
    _csv(path, ("id", "name", "roles", "tags", "class"), rows)


def _write_students(path: Path, r: _Roster) -> None:
    rows = ((r.student_ids[s], r.student_names[s], r.class_grade[c], r.class_names[c], ";".join(r.student_tags[s]))
            for s, c in enumerate(r.student_class.tolist()))  # fmt: skip
    _csv(path, ("id", "name", "grade", "class", "tags"), rows)


def _write_assignments(path: Path, r: _Roster, a: _Assignments) -> None:
    rows = ((r.mentor_ids[m], r.student_ids[s], a.start_text[i], a.end_text[i])
            for i, (m, s) in enumerate(zip(a.mentor.tolist(), a.student.tolist(), strict=True)))
    _csv(path, ("mentor_id", "student_id", "start", "end"), rows)


def _write_student_events(path: Path, r: _Roster, days: _Days, events: tuple[np.ndarray, list[str], np.ndarray]) -> None:
    rows = ((r.student_ids[s], k, days.iso[d]) for s, k, d in zip(events[0].tolist(), events[1], events[2].tolist(), strict=True))
    _csv(path, ("student_id", "kind", "date"), rows)


def _write_ratings(path: Path, r: _Roster, ratings: list[tuple[int, str, str, str, str]]) -> None:
    _csv(path, ("mentor_id", "score", "item", "value", "term"), ((r.mentor_ids[m], s, i, v, t) for m, s, i, v, t in ratings))


# --------------------------------------------------------------------------------------------
# Activities


def _profile(name: str, days: _Days, calendar: _Calendar) -> np.ndarray:
    """Relative chance of each day for an action: schools cluster duties at term start, exams, term end."""
    school = days.school.astype(float)
    weekend = (days.in_term & ~days.school).astype(float)
    start_bump = np.exp(-np.minimum(days.since_start, 200) / 10.0) * days.in_term
    end21 = (days.to_end < 21).astype(float)
    exam = np.zeros(days.n)
    for e in calendar.events:
        if e["kind"] == "考试":
            exam += np.exp(-np.abs(np.arange(days.n) - days.index(e["date"])) / 4.0)
    exam *= days.in_term
    pre = days.pre_term.astype(float)
    if name == "talk":
        w = school * (1 + 0.8 * start_bump + 1.2 * exam + 0.3 * end21) + 0.03 * weekend
    elif name == "parent":
        w = school * (1 + start_bump + exam) + 0.2 * weekend + 0.3 * pre
    elif name == "visit":  # 暑期/寒假家访 before term, then the first two weeks; weekends too
        w = 1.2 * pre + school * (0.25 + 2.5 * (days.since_start < 14) + 0.4 * end21) + 0.3 * weekend
    elif name == "term_end":
        w = school * (0.05 + 4 * end21)
    elif name == "term_end30":
        w = school * (0.05 + 4 * (days.to_end < 30))
    elif name == "last14":
        w = school * (0.05 + 4 * (days.to_end < 14))
    elif name == "first_last":
        w = school * (0.3 + 2 * (days.since_start < 28) + 2 * (days.to_end < 28))
    elif name == "career":  # 生涯规划 before mid-October
        y = calendar.terms[0].start.year
        a, b = days.index(date(y, 9, 1)), days.index(date(y, 10, 15))
        autumn = np.zeros(days.n)
        autumn[max(0, a) : b + 1] = 1
        w = school * (0.2 + 3 * autumn)
    elif name == "meeting":  # class meetings early in the month
        dom = np.array([int(s[8:10]) for s in days.iso])
        w = school * (1 + 0.5 * (dom <= 10))
    elif name == "exam_end":
        w = school * (0.2 + 2 * exam + 2 * end21)
    else:
        w = school + 0.03 * weekend
    return np.asarray(w, float)


def _allocate(total: int, weights: np.ndarray) -> np.ndarray:
    """Split `total` in proportion to `weights`, exactly, by largest remainder."""
    if total <= 0 or weights.sum() <= 0:
        return np.zeros(len(weights), np.int64)
    exact = total * weights / weights.sum()
    base = np.floor(exact).astype(np.int64)
    rest = total - int(base.sum())
    if rest:
        base[np.argsort(-(exact - base), kind="stable")[:rest]] += 1
    return base


class _ActivityWriter:
    """Streams activities.csv: counts per (action, day) first, then rows a chunk of days at a time."""

    def __init__(self, seed: int, roster: _Roster, assignments: _Assignments, calendar: _Calendar, days: _Days, limit: int,
                 actions: list[str], hints: _Hints, events: tuple[np.ndarray, list[str], np.ndarray],
                 target: int | None, per_student: float, chunk_rows: int,
                 progress: Callable[[str], None] | None) -> None:  # fmt: skip
        self.seed, self.r, self.a, self.days, self.limit = seed, roster, assignments, days, limit
        self.actions, self.hints, self.chunk_rows, self.progress = actions, hints, max(1000, chunk_rows), progress
        self.specs = [self._spec(name) for name in actions]
        M = len(roster.mentor_ids)
        rng = np.random.default_rng([seed, 5])

        # Mentor → assignments (CSR), to pick a mentor's student quickly.
        order = np.argsort(assignments.mentor, kind="stable")
        self.by_mentor = order
        self.ptr = np.zeros(M + 1, np.int64)
        np.cumsum(np.bincount(assignments.mentor, minlength=M), out=self.ptr[1:])
        load = np.diff(self.ptr).astype(float)

        # Per (action, mentor) weights: diligence × a personal taste, some skip an action entirely.
        taste = rng.lognormal(0, 0.4, (len(actions), M)) * (rng.random((len(actions), M)) >= 0.06)
        is_head = (roster.mentor_class >= 0).astype(float)
        self.cum: list[np.ndarray] = []
        for k, (name, spec) in enumerate(zip(actions, self.specs, strict=True)):
            if spec.kind == "student":
                base = roster.diligence * load
            elif spec.kind == "class":
                base = roster.diligence * is_head
            else:
                base = roster.diligence.copy()
            role = hints.restrict_role.get(name)
            if role:
                has = np.array([role in rr or role in tt for rr, tt in zip(roster.mentor_roles, roster.mentor_tags, strict=True)], float)
                if (base * has).sum() > 0:
                    base = base * has
            w = base * taste[k]
            if w.sum() <= 0:
                w = base
            self.cum.append(np.cumsum(w))

        # Day profiles, cut at the limit; the share of each profile before the limit scales counts.
        profiles = np.stack([_profile(s.profile, days, calendar) for s in self.specs]) if actions else np.zeros((0, days.n))
        full = profiles.sum(axis=1)
        profiles[:, max(0, limit + 1) :] = 0
        kept = np.divide(profiles.sum(axis=1), full, out=np.zeros(len(actions)), where=full > 0)
        usable = np.array([c[-1] > 0 if len(c) else False for c in self.cum]) & (kept > 0)
        yearly = self._yearly(load)
        mass = yearly * kept * usable
        if target is None:
            target = int(round(mass.sum())) if hints.yearly else int(round(per_student * len(roster.student_ids) * (mass.sum() / max(yearly.sum(), 1e-9))))
        self.target = target

        # Follow-up talks after a student's 重大变故: real mentors react, the diligent more often.
        self.follow = self._follow_ups(np.random.default_rng([seed, 6]), events, usable)
        per_action = _allocate(target, mass)
        if self.follow_action >= 0:
            taken = min(len(self.follow[0]), int(per_action[self.follow_action]))
            self.follow = tuple(x[:taken] for x in self.follow)  # type: ignore[assignment]
            per_action[self.follow_action] -= taken
        self.counts = np.zeros((len(actions), days.n), np.int64)
        crng = np.random.default_rng([seed, 7])
        for k in range(len(actions)):
            if per_action[k] > 0:
                self.counts[k] = crng.multinomial(int(per_action[k]), profiles[k] / profiles[k].sum())

        # Cell tables: every output cell is a lookup, not a format call.
        self.t_action = np.array(actions, dtype=object)
        self.t_date = np.array(days.iso, dtype=object)
        self.t_mentor = np.array(roster.mentor_ids, dtype=object)
        self.t_student = np.array([*roster.student_ids, ""], dtype=object)  # index -1 → ""
        self.t_class = np.array([*roster.class_names, ""], dtype=object)
        self.t_dur = np.array([""] + [str(i) for i in range(0, 1000)], dtype=object)  # index 0 → missing
        notes: list[str] = [""]
        self.note_at: list[tuple[int, int]] = []
        for s in self.specs:
            self.note_at.append((len(notes), len(s.notes)))
            notes.extend(s.notes)
        self.t_note = np.array(notes, dtype=object)

    def _spec(self, name: str) -> ActionSpec:
        spec = ACTION_SPECS.get(name) or ActionSpec(kind=self.hints.kinds.get(name, "student"), weight=3.0)
        minimum = self.hints.min_minutes.get(name)
        if minimum and spec.duration and spec.duration[0]:
            mean, sd, lo, hi = spec.duration
            # Around a fifth of sessions fall short of the scheme's minimum, as in real logs.
            mean = max(mean, round(minimum * 1.2))
            spec = ActionSpec(spec.kind, spec.weight, spec.profile, (mean, max(sd, mean // 4), lo, max(hi, mean * 2)),
                              spec.missing, spec.group, spec.group_size, spec.about_student, spec.notes)  # fmt: skip
        return spec

    def _yearly(self, load: np.ndarray) -> np.ndarray:
        """Expected rows per school year for each action (before scaling to the target)."""
        students = len(self.r.student_ids)
        if not self.hints.yearly:
            weights = np.array([s.weight for s in self.specs], float)
            return weights / max(weights.sum(), 1e-9) * _DEFAULT_PER_STUDENT * students
        # What the scheme asks of a school this size, with slack (the diligent do more than asked).
        out = []
        for name in self.actions:
            needs = self.hints.yearly.get(name)
            if not needs:
                out.append(0.3 * students)  # declared with no rule: logged now and then
                continue
            out.append(1.2 * max(need * self._subjects(scope, role, load) for scope, role, need in needs))
        return np.array(out, float)

    def _subjects(self, scope: str, role: str | None, load: np.ndarray) -> float:
        if scope == "class":
            return float(len(self.r.class_names))
        if scope == "mentor":
            if role:
                return float(sum(role in r or role in t for r, t in zip(self.r.mentor_roles, self.r.mentor_tags, strict=True)))
            return float(len(self.r.mentor_ids))
        if scope == "pair":
            return float(load.sum())
        return float(len(self.r.student_ids))

    def _follow_ups(self, rng: np.random.Generator, events: tuple[np.ndarray, list[str], np.ndarray],
                    usable: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
        self.follow_action = next((self.actions.index(a) for a in _FOLLOW_UP_ACTIONS if a in self.actions and usable[self.actions.index(a)]), -1)
        empty = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64))
        if self.follow_action < 0:
            return empty
        a = self.a
        days_out, mentors, students = [], [], []
        for s, kind, d in zip(events[0].tolist(), events[1], events[2].tolist(), strict=True):
            if kind not in _FOLLOW_UP_KINDS:
                continue
            lo, hi = np.searchsorted(a.student, s, "left"), np.searchsorted(a.student, s, "right")  # rows sorted by student
            active = [i for i in range(lo, hi) if a.start[i] <= d <= a.end[i]]
            if not active:
                continue
            m = int(a.mentor[active[0]])
            if rng.random() >= min(0.95, 0.2 + 0.5 * self.r.diligence[m]):
                continue
            when = d + int(rng.integers(0, 8))
            if when > self.limit:
                continue
            days_out.append(when)
            mentors.append(m)
            students.append(s)
        if not days_out:
            return empty
        order = np.argsort(np.array(days_out), kind="stable")
        return np.array(days_out)[order], np.array(mentors)[order], np.array(students)[order]

    # -- streaming --------------------------------------------------------------------------

    def write(self, path: Path) -> dict[str, int]:
        stats = {"rows": 0, "group": 0, "class": 0, "missing": 0}
        per_day = self.counts.sum(axis=0) + np.bincount(self.follow[0], minlength=self.days.n)[: self.days.n]
        width = max(6, len(str(max(1, int(per_day.sum())))))
        started, next_report = time.perf_counter(), 1_000_000
        tmp = path.with_name(path.name + ".part")
        with tmp.open("w", encoding="utf-8", newline="") as f:
            f.write("id,action,date,mentor_id,student_ids,class,duration_min,note\n")
            for index, (lo, hi) in enumerate(self._chunks(per_day)):
                rng = np.random.default_rng([self.seed, 100, index])
                n = self._write_chunk(f, rng, lo, hi, stats["rows"], width, stats)
                stats["rows"] += n
                if self.progress and stats["rows"] >= next_report:
                    self.progress(f"activities: {stats['rows']:,} / {int(per_day.sum()):,} ({time.perf_counter() - started:.1f} s)")
                    next_report = (stats["rows"] // 1_000_000 + 1) * 1_000_000
        os.replace(tmp, path)
        return stats

    def _chunks(self, per_day: np.ndarray) -> list[tuple[int, int]]:
        out, lo, acc = [], 0, 0
        for d in range(self.days.n):
            acc += int(per_day[d])
            if acc >= self.chunk_rows:
                out.append((lo, d + 1))
                lo, acc = d + 1, 0
        if lo < self.days.n:
            out.append((lo, self.days.n))
        return out

    def _write_chunk(self, f: Any, rng: np.random.Generator, lo: int, hi: int, first_id: int, width: int,
                     stats: dict[str, int]) -> int:  # fmt: skip
        parts: list[dict[str, np.ndarray]] = []
        span = np.arange(lo, hi)
        for k, spec in enumerate(self.specs):
            c = self.counts[k, lo:hi]
            if c.sum() == 0:
                continue
            day = np.repeat(span, c)
            mentor = np.searchsorted(self.cum[k], rng.random(len(day)) * self.cum[k][-1], side="right")
            mentor = np.minimum(mentor, len(self.cum[k]) - 1)
            parts.append(self._rows(rng, k, spec, day, mentor))
        fl = (self.follow[0] >= lo) & (self.follow[0] < hi)
        if fl.any():
            k = self.follow_action
            day, mentor, student = self.follow[0][fl], self.follow[1][fl], self.follow[2][fl]
            part = self._rows(rng, k, self.specs[k], day, mentor, student=student)
            parts.append(part)
        if not parts:
            return 0
        cols = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
        order = np.lexsort((rng.random(len(cols["day"])), cols["day"]))  # by day, actions mixed within a day
        n = len(order)
        stats["group"] += int(cols["group"].sum())
        stats["class"] += int((cols["class"] >= 0).sum())
        stats["missing"] += int((cols["dur"] == 0).sum())
        fmt = f"A{{:0{width}d}}".format
        ids = list(map(fmt, range(first_id + 1, first_id + n + 1)))
        lines = map(",".join, zip(ids, self.t_action[cols["action"][order]], self.t_date[cols["day"][order]],
                                   self.t_mentor[cols["mentor"][order]], cols["students"][order],
                                   self.t_class[cols["class"][order]], self.t_dur[cols["dur"][order]],
                                   self.t_note[cols["note"][order]], strict=True))  # fmt: skip
        f.write("\n".join(lines))
        f.write("\n")
        return n

    def _rows(self, rng: np.random.Generator, k: int, spec: ActionSpec, day: np.ndarray, mentor: np.ndarray,
              student: np.ndarray | None = None) -> dict[str, np.ndarray]:  # fmt: skip
        n = len(day)
        cls = np.full(n, -1, np.int64)
        group = np.zeros(n, bool)
        if student is not None:
            students = self.t_student[student]
        elif spec.kind == "class":
            cls = self.r.mentor_class[mentor].astype(np.int64)
            students = np.full(n, "", dtype=object)
        elif spec.kind == "mentor" and not spec.about_student:
            students = np.full(n, "", dtype=object)
        else:
            pick, pos = self._pick(rng, mentor, day)
            students = self.t_student[np.where(pick >= 0, self.a.student[np.maximum(pick, 0)] if len(self.a.student) else -1, -1)]
            if spec.group > 0 and spec.kind == "student":
                group = (rng.random(n) < spec.group) & (pick >= 0)
                rows = np.flatnonzero(group)
                if len(rows):
                    names, sizes = self._groups(rng, mentor[rows], day[rows], pick[rows], pos[rows], spec.group_size)
                    students[rows] = names
                    group[rows] = sizes > 1
        # Durations: rounded to 5 minutes; blank for written work and for sloppy mentors.
        dur = np.zeros(n, np.int64)  # table index: 0 = blank, v + 1 = v minutes
        if spec.duration and spec.duration[0]:
            mean, sd, lo, hi = spec.duration
            minutes = np.clip(np.round(rng.normal(mean, sd, n) / 5) * 5, lo, hi).astype(np.int64)
            dur = minutes + 1
        blank = rng.random(n) < np.clip(spec.missing + self.r.sloppiness[mentor], 0, 1)
        dur[blank] = 0
        first, count = self.note_at[k]
        note = np.where(rng.random(n) < 0.7, first + rng.integers(0, count, n), 0)
        return {"day": day, "action": np.full(n, k, np.int64), "mentor": mentor.astype(np.int64), "students": students,
                "class": cls, "dur": dur, "note": note, "group": group}  # fmt: skip

    def _pick(self, rng: np.random.Generator, mentor: np.ndarray, day: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each row, one of the mentor's assignments active that day (-1 if the mentor has none),
        and its position in the mentor's list."""
        start, size = self.ptr[mentor], self.ptr[mentor + 1] - self.ptr[mentor]
        pick = np.full(len(mentor), -1, np.int64)
        pos = np.zeros(len(mentor), np.int64)
        todo = np.flatnonzero(size > 0)
        for attempt in range(5):
            if len(todo) == 0:
                break
            at = (rng.random(len(todo)) * size[todo]).astype(np.int64)
            cand = self.by_mentor[start[todo] + at]
            ok = (self.a.start[cand] <= day[todo]) & (self.a.end[cand] >= day[todo])
            if attempt == 4:  # a mentor whose students have all left: keep a former student
                ok[:] = True
            pick[todo[ok]], pos[todo[ok]] = cand[ok], at[ok]
            todo = todo[~ok]
        return pick, pos

    def _groups(self, rng: np.random.Generator, mentor: np.ndarray, day: np.ndarray, first: np.ndarray, pos: np.ndarray,
                size: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
        """Group talks: the first student and the mentor's next students in list order (distinct by
        construction), those active that day; returns the `;`-joined ids and the group sizes."""
        n_slots = size[1] - 1
        want = rng.integers(size[0], size[1] + 1, len(mentor))
        have = self.ptr[mentor + 1] - self.ptr[mentor]
        step = np.arange(1, n_slots + 1)
        cand = self.by_mentor[self.ptr[mentor][:, None] + (pos[:, None] + step) % have[:, None]]
        ok = (step < want[:, None]) & (step < have[:, None])
        ok &= (self.a.start[cand] <= day[:, None]) & (self.a.end[cand] >= day[:, None])
        ids = np.where(ok, self.a.student[cand], -1)  # -1 → "" in the table
        table = self.t_student
        firsts = table[self.a.student[first]]
        names = np.array([";".join([f, *[x for x in row if x]]) for f, row in zip(firsts, table[ids].tolist(), strict=True)],
                         dtype=object)  # fmt: skip
        return names, 1 + ok.sum(axis=1)
