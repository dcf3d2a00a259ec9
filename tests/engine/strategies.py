"""Hypothesis strategies: small random schools and random compiled schemes (IR dicts)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import strategies as st

STUDENT_IDS = ["s1", "s2", "s10", "S-3", "学生1", "s2a"]
MENTOR_IDS = ["m1", "m10", "m2", "M-1", "导师"]
ACTIONS = ["谈心", "家访", "导师会", "家校"]  # 家校: sometimes a group of others (schemes() decides)
KINDS = ["考试", "重大变故"]
TAGS = ["单亲", "城区", "特殊需求"]
ROLES = ["班主任", "导师组长"]
SRC = {"file": "t.scheme", "line": 1}

# Strategies built once: building them inside the loops costs more than drawing from them.
BOOL = st.booleans()
TAG_LISTS = st.lists(st.sampled_from(TAGS), max_size=2, unique=True)
ROLE_LISTS = st.lists(st.sampled_from(ROLES), max_size=2, unique=True)
MENTOR_TAGS = st.lists(st.sampled_from(["骨干"]), max_size=1)
KIND = st.sampled_from(KINDS)
DURATION = st.none() | st.integers(0, 90)
SMALL = {k: st.integers(0, k) for k in range(0, 64)}


def pick(draw: st.DrawFn, seq: list[Any]) -> Any:
    """One element of a list known only at draw time (cheaper than a new sampled_from)."""
    return seq[draw(SMALL[len(seq) - 1])] if len(seq) <= 64 else seq[draw(st.integers(0, len(seq) - 1))]


def subset(draw: st.DrawFn, seq: list[Any], most: int) -> list[Any]:
    """Up to `most` distinct elements of seq, in a drawn order."""
    out: list[Any] = []
    for _ in range(draw(SMALL[most])):
        x = pick(draw, seq)
        if x not in out:
            out.append(x)
    return out


@st.composite
def calendars(draw: st.DrawFn) -> dict[str, Any]:
    start = dt.date(2024, 1, 1) + dt.timedelta(days=draw(st.integers(0, 800)))
    terms = []
    for i in range(draw(st.integers(1, 3))):
        length = draw(st.sampled_from([3, 10, 20, 45, 60, 100, 140]) | st.integers(1, 150))
        end = start + dt.timedelta(days=length - 1)
        terms.append({"id": f"T{i + 1}", "name": f"第{i + 1}学期", "start": start, "end": end})
        start = end + dt.timedelta(days=draw(st.integers(1, 40)))
    first, last = terms[0]["start"], terms[-1]["end"]
    span = (last - first).days
    events = []
    for _ in range(draw(st.integers(0, 3))):
        day = first + dt.timedelta(days=draw(st.integers(-10, span + 10)))
        grades = draw(st.none() | st.lists(st.integers(1, 3), min_size=1, max_size=2, unique=True))
        events.append({"kind": draw(st.sampled_from(KINDS)), "name": "事件", "date": day, "grades": grades})
    return {"school_year": f"{first.year}-{first.year + 1}", "terms": terms, "events": events}


def _day(draw: st.DrawFn, cal: dict[str, Any], before: int = 40, after: int = 15) -> dt.date:
    first, last = cal["terms"][0]["start"], cal["terms"][-1]["end"]
    return first + dt.timedelta(days=draw(st.integers(-before, (last - first).days + after)))


def _term_day(draw: st.DrawFn, cal: dict[str, Any]) -> dt.date:
    term = pick(draw, cal["terms"])
    return term["start"] + dt.timedelta(days=draw(st.integers(0, (term["end"] - term["start"]).days)))


@st.composite
def schools(draw: st.DrawFn) -> dict[str, Any]:
    cal = draw(calendars())
    sids = draw(st.lists(st.sampled_from(STUDENT_IDS), max_size=6, unique=True))
    students = []
    for sid in sids:
        grade = draw(st.integers(1, 3))
        students.append(
            {"id": sid, "name": "学生", "grade": grade, "class": f"{grade}({draw(st.integers(1, 2))})班", "tags": draw(TAG_LISTS)}
        )
    classes = sorted({s["class"] for s in students}) or ["1(1)班"]
    mids = draw(st.lists(st.sampled_from(MENTOR_IDS), max_size=4, unique=True))
    mentors = [
        {
            "id": m,
            "name": "老师",
            "roles": draw(ROLE_LISTS),
            "tags": draw(MENTOR_TAGS),
            "class": pick(draw, classes) if draw(BOOL) else None,
        }
        for m in mids
    ]
    assignments = []
    if mids and sids:
        for _ in range(draw(st.integers(0, 8))):
            s = _day(draw, cal) if draw(SMALL[2]) == 0 else None
            e = _day(draw, cal) if draw(SMALL[2]) == 0 else None
            if s and e and e < s:
                s, e = e, s
            assignments.append({"mentor_id": pick(draw, mids), "student_id": pick(draw, sids), "start": s, "end": e})
    activities = []
    if mids:
        busy = pick(draw, ACTIONS)  # one action logged often, so counts above 1 and `exceeded` happen
        names = [*ACTIONS, busy, busy, "未声明"]
        for i in range(draw(SMALL[40])):
            activities.append(
                {
                    "id": f"a{draw(SMALL[3])}{i}",
                    "action": pick(draw, names),
                    "date": _term_day(draw, cal) if draw(SMALL[3]) else _day(draw, cal),
                    "mentor_id": pick(draw, mids),
                    "student_ids": subset(draw, sids, 3) if sids else [],
                    "class": pick(draw, classes) if draw(SMALL[2]) == 0 else None,
                    "duration_min": draw(DURATION),
                }
            )
    for a in activities:
        if a["class"] is not None and a["class"] not in {s["class"] for s in students} | {m["class"] for m in mentors}:
            a["class"] = None
    events = []
    if sids:
        for _ in range(draw(st.integers(0, 4))):
            events.append({"student_id": pick(draw, sids), "kind": draw(KIND), "date": _day(draw, cal, 10, 10)})
    return {
        "calendar": cal,
        "mentors": mentors,
        "students": students,
        "assignments": assignments,
        "activities": activities,
        "student_events": events,
        "ratings": [],
    }


def _student_cond(draw: st.DrawFn, depth: int, mentor_ok: bool) -> dict[str, Any]:
    leaves = [
        st.builds(lambda t: {"op": "student_has", "tag": t}, st.sampled_from(TAGS)),
        st.builds(lambda g: {"op": "grade_in", "grades": sorted(g)}, st.sets(st.integers(1, 3), min_size=1, max_size=2)),
        st.builds(
            lambda c: {"op": "class_in", "classes": sorted(c)},
            st.sets(st.sampled_from(["1(1)班", "2(1)班", "3(2)班"]), min_size=1, max_size=2),
        ),
    ]
    if mentor_ok:
        leaves.append(st.builds(lambda t: {"op": "mentor_has", "tag": t}, st.sampled_from([*ROLES, "骨干"])))
    if depth >= 2 or draw(st.booleans()):
        return draw(st.one_of(leaves))
    op = draw(st.sampled_from(["and", "or", "not"]))
    if op == "not":
        return {"op": "not", "arg": _student_cond(draw, depth + 1, mentor_ok)}
    return {"op": op, "args": [_student_cond(draw, depth + 1, mentor_ok) for _ in range(2)]}


def _mentor_cond(draw: st.DrawFn, depth: int = 0) -> dict[str, Any]:
    leaf = {"op": "mentor_has", "tag": draw(st.sampled_from([*ROLES, "骨干"]))}
    if depth >= 1 or draw(st.booleans()):
        return leaf
    op = draw(st.sampled_from(["and", "or", "not"]))
    if op == "not":
        return {"op": "not", "arg": _mentor_cond(draw, depth + 1)}
    return {"op": op, "args": [leaf, _mentor_cond(draw, depth + 1)]}


def _bound(draw: st.DrawFn) -> tuple[int, int | None]:
    kind = draw(st.sampled_from(["at_least", "at_most", "between", "exactly"]))
    if kind == "at_least":
        return draw(st.integers(1, 3)), None
    if kind == "at_most":
        return 0, draw(st.integers(0, 2))
    if kind == "exactly":
        n = draw(st.integers(1, 2))
        return n, n
    lo = draw(st.integers(0, 2))
    return lo, lo + draw(st.integers(0, 2)) or 1


def _anchor(draw: st.DrawFn) -> dict[str, Any]:
    return {"anchor": draw(st.sampled_from(["term_start", "term_end"])), "offset_days": draw(st.integers(-40, 40))}


@st.composite
def rules(draw: st.DrawFn, n: int) -> dict[str, Any]:
    action = draw(st.sampled_from(ACTIONS))
    lo, hi = _bound(draw)
    kind = draw(st.sampled_from(["term", "school_year", "month", "half_month", "week", "weeks", "days", "event", "moments"]))
    period = event = window = where = moments = None
    if kind == "moments":  # one duty a term at any of 1–3 moments (a lone one is an event window)
        period = {"unit": "term", "n": 1}
        moments = [{"event": _event(draw)} if draw(BOOL) else {"window": _term_clause(draw)} for _ in range(draw(st.integers(2, 3)))]
        if draw(st.integers(0, 3)) == 0:
            moments = [{"event": _event(draw)}]
        scope = draw(st.sampled_from(["student", "pair"]))
    elif kind == "event":
        event = {
            "kind": draw(st.sampled_from(KINDS)),
            "direction": draw(st.sampled_from(["after", "before", "around"])),
            "days": draw(st.integers(0, 10)),
        }
        scope = draw(st.sampled_from(["student", "pair"]))
    else:
        period = {"unit": kind, "n": draw(st.integers(1, 3)) if kind == "weeks" else (draw(st.integers(3, 20)) if kind == "days" else 1)}
        scope = draw(st.sampled_from(["student", "pair", "mentor", "class"]))
        if kind == "term":
            window = draw(st.sampled_from([None, "first", "last", "range", "by"]))
        elif kind == "school_year":
            window = draw(st.sampled_from([None, "by"]))
        if window == "first":
            window = {"kind": "first_days", "days": draw(st.integers(1, 30))}
        elif window == "last":
            window = {"kind": "last_days", "days": draw(st.integers(1, 30))}
        elif window == "range":
            window = {"kind": "range", "start": _anchor(draw), "end": _anchor(draw)}
        elif window == "by":
            month = draw(st.integers(1, 12))
            window = {"kind": "by", "month": month, "day": draw(st.sampled_from([1, 15, 28, 29] if month == 2 else [1, 15, 28, 30]))}
    if draw(st.booleans()):
        if scope == "student":
            where = _student_cond(draw, 0, False)
        elif scope == "pair":
            where = _student_cond(draw, 0, True)
        elif scope == "mentor":
            where = _mentor_cond(draw)
    return {
        "id": f"r{n}",
        "name": None,
        "label": draw(st.none() | st.just("标签")),
        "action": action,
        "min": lo,
        "max": hi,
        "period": period,
        "event": event,
        "scope": scope,
        "window": window,
        "where": where,
        "moments": moments,
        "source": {"file": "t.scheme", "line": n + 10},
    }


def _event(draw: st.DrawFn) -> dict[str, Any]:
    return {"kind": draw(KIND), "direction": draw(st.sampled_from(["after", "before", "around"])), "days": draw(st.integers(0, 10))}


def _term_clause(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["first_days", "last_days", "range"]))
    if kind == "range":
        return {"kind": "range", "start": _anchor(draw), "end": _anchor(draw)}
    return {"kind": kind, "days": draw(st.integers(1, 30))}


@st.composite
def ratios(draw: st.DrawFn, n: int) -> dict[str, Any]:
    lo, hi = _bound(draw)
    return {
        "id": f"ratio-{n}",
        "direction": draw(st.sampled_from(["students_per_mentor", "mentors_per_student"])),
        "group": draw(st.sampled_from([None, "grade", "class"])),
        "min": lo,
        "max": hi,
        "where": _student_cond(draw, 0, False) if draw(st.booleans()) else None,
        "advisory": draw(BOOL),
        "source": {"file": "t.scheme", "line": n},
    }


DEC = st.sampled_from(["0.05", "0.25", "0.5", "1", "2", "0.1", "0.3333"])


@st.composite
def scores(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any] | None]:
    items = []
    for i in range(draw(st.integers(1, 4))):
        unit = draw(st.sampled_from(["action", "student", "student_with", "manual"]))
        items.append(
            {
                "name": f"i{i}",
                "unit": unit,
                "action": draw(st.sampled_from(ACTIONS)) if unit in ("action", "student_with") else None,
                "points": None if unit == "manual" else draw(DEC),
                "max": draw(st.none() | st.sampled_from(["0.5", "1", "2"])),
                "source": SRC,
            }
        )
    names = [it["name"] for it in items]

    def expr(depth: int) -> dict[str, Any]:
        choice = draw(st.sampled_from(["num", "item", "sum", "bin"] if depth < 2 else ["num", "item", "sum"]))
        if choice == "num":
            return {"op": "num", "value": draw(DEC)}
        if choice == "item":
            return {"op": "item", "name": draw(st.sampled_from(names))}
        if choice == "sum":
            return {"op": "sum"}
        op = draw(st.sampled_from(["+", "-", "*", "/", "min", "max", "neg"]))
        if op == "neg":
            return {"op": "neg", "args": [expr(depth + 1)]}
        return {"op": op, "args": [expr(depth + 1), expr(depth + 1)]}

    score = {
        "name": "考核",
        "title": None,
        "period": draw(st.sampled_from(["term", "school_year"])),
        "items": items,
        "total": expr(0) if draw(st.booleans()) else {"op": "sum"},
        "source": SRC,
    }
    rating = None
    if draw(st.booleans()):
        tiers = [{"name": "优秀", "when": {"op": "top", "percent": draw(st.sampled_from(["15", "50", "33.3", "100"]))}, "source": SRC},
                 {"name": "合格", "when": {"op": "compare", "item": draw(st.none() | st.sampled_from(names)), "cmp": draw(st.sampled_from([">=", ">", "<=", "<", "="])),
                                         "value": draw(DEC)}, "source": SRC}]  # fmt: skip
        if draw(st.booleans()):
            tiers.append({"name": "待改善", "when": {"op": "otherwise"}, "source": SRC})
        rating = {"name": "等级", "score": "考核", "tiers": tiers, "source": SRC}
    return score, rating


@st.composite
def schemes(draw: st.DrawFn) -> dict[str, Any]:
    rule_list = [draw(rules(i)) for i in range(draw(st.integers(1, 4)))]
    score_list, rating_list = [], []
    if draw(st.booleans()):
        score, rating = draw(scores())
        score_list.append(score)
        if rating:
            rating_list.append(rating)
    return {
        "ir_version": 1,
        "kind": "scheme",
        "title": "随机方案",
        "school": None,
        "district": None,
        "file": "t.scheme",
        "files": ["t.scheme"],
        "grades": draw(st.none() | st.lists(st.integers(1, 3), min_size=1, max_size=2, unique=True).map(sorted)),
        "conforms_to": None,
        "grace_days": draw(st.integers(0, 3)),
        "remind_days": 7,
        "actions": [
            {"name": "谈心", "title": None, "min_minutes": None, "members": None, "source": SRC},
            {"name": "家访", "title": None, "min_minutes": None, "members": None, "source": SRC},
            {"name": "导师会", "title": None, "min_minutes": draw(st.none() | st.integers(1, 45)), "members": None, "source": SRC},
            {"name": "家校", "title": None, "min_minutes": None, "source": SRC,
             "members": draw(st.none() | st.lists(st.sampled_from(ACTIONS[:3]), min_size=1, max_size=3, unique=True))},
        ],
        "ratios": [draw(ratios(i + 1)) for i in range(draw(st.integers(0, 2)))],
        "rules": rule_list,
        "scores": score_list,
        "ratings": rating_list,
    }


@st.composite
def ratings_rows(draw: st.DrawFn, school: dict[str, Any], scheme: dict[str, Any]) -> list[dict[str, Any]]:
    """Valid ratings.csv rows for the scheme's manual items (one per key)."""
    rows: dict[tuple[str, str, str, str], dict[str, Any]] = {}
    cal = school["calendar"]
    for score in scheme["scores"]:
        manual = [it["name"] for it in score["items"] if it["unit"] == "manual"]
        keys = [t["id"] for t in cal["terms"]] if score["period"] == "term" else [cal["school_year"]]
        if not manual or not school["mentors"]:
            continue
        for _ in range(draw(st.integers(0, 4))):
            m = draw(st.sampled_from([m["id"] for m in school["mentors"]]))
            key = (m, score["name"], draw(st.sampled_from(manual)), draw(st.sampled_from(keys)))
            rows[key] = {
                "mentor_id": key[0],
                "score": key[1],
                "item": key[2],
                "term": key[3],
                "value": draw(st.sampled_from(["0", "0.5", "1.25", "3", "-1"])),
            }
    return list(rows.values())
