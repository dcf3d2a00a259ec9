"""The prover is sound: whenever it says `met`, activity logs that satisfy the school rule never break the baseline
rule, both evaluated by the engine on the same calendar; whenever it says `not met`, its counterexample, run
through the engine again, satisfies the school and breaks the baseline.

Rules are drawn from the shapes plans write (periods, windows, event windows, key moments, conditions, action
groups, bounds); calendars have one or two terms of any length and events anywhere; logs are built to satisfy the
school rule (random days inside its windows, random members of its actions, random durations) plus random extras.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from conformance.prove import MET, NOT_MET, conformance, counted
from conformance.witness import _school, with_counterexamples
from engine import bundle_from_rows, evaluate
from engine.model.calendar import Calendar, CalendarEvent, Term
from engine.model.roster import Activity, Assignment, Mentor, Student
from rules_dsl.compiler import compile_text
from rules_dsl.errors import SchemeError

HEAD = 'action 家访 "家访" min 30 minutes\naction 谈心 "谈心"\naction 联系 "联系" = 家访, 谈心\n'
PERIODS = ["per term", "per school_year", "per month", "per half_month", "per week", "per 2 weeks", "per 10 days"]
WINDOWS = ["", "within first {n} days of term", "within last {n} days of term", "from {n} days before term start to term start",
           "from {n} days before term end to term end", "from term start to {n} days after term start",
           "from term start to {n} days before term end", "from 2 days after term start to term end",
           "from {n} days before term start to term end"]  # fmt: skip
EVENTS = ["within {n} days after event 变故", "within {n} days around event 考试", "within {n} days before event 考试"]
WHERE = ["", 'where student has "城区"', 'where not student has "城区"', "where student.grade in 1, 2"]


@st.composite
def rules(draw: st.DrawFn) -> str:
    action = draw(st.sampled_from(["家访", "谈心", "联系"]))
    k = draw(st.integers(1, 3))
    bound = draw(st.sampled_from([f"at least {k}", f"at most {k}", f"between {k} and {k + 1}"]))
    n = draw(st.integers(1, 40))
    shape = draw(st.sampled_from(["period", "window", "event", "moments"]))
    if shape == "period":
        timing = draw(st.sampled_from(PERIODS))
    elif shape == "window":
        timing = "per term " + draw(st.sampled_from(WINDOWS)).format(n=n)
    elif shape == "event":
        timing = draw(st.sampled_from(EVENTS)).format(n=n)
    else:
        alts = draw(st.lists(st.sampled_from(EVENTS + WINDOWS[1:]), min_size=1, max_size=3, unique=True))
        timing = "per term " + " or ".join(a.format(n=draw(st.integers(1, 30))) for a in alts)
    scope = draw(st.sampled_from(["", "per pair"] if shape in ("event", "moments") else ["", "per pair", "per mentor"]))
    return f"require {action} {bound} {timing} {scope} {draw(st.sampled_from(WHERE)) if scope != 'per mentor' else ''}"


@st.composite
def calendars(draw: st.DrawFn) -> Calendar:
    start = dt.date(2025, 9, 1) + dt.timedelta(days=draw(st.integers(0, 20)))
    terms = []
    for i in range(draw(st.integers(1, 2))):
        end = start + dt.timedelta(days=draw(st.integers(0, 150)))
        terms.append(Term(f"T{i + 1}", f"T{i + 1}", start, end))
        start = end + dt.timedelta(days=draw(st.integers(1, 40)))
    events = tuple(CalendarEvent(kind, kind, terms[0].start + dt.timedelta(days=draw(st.integers(0, 200))), None)
                   for kind in ("考试", "变故") for _ in range(draw(st.integers(0, 2))))  # fmt: skip
    return Calendar("2025-2026", tuple(terms), events)


def _duties(ir: dict[str, Any], bundle: Any, calendar: Calendar) -> list[dict[str, Any]]:
    as_of = calendar.terms[-1].end + dt.timedelta(days=120)
    return [d for t in calendar.terms for d in evaluate(ir, bundle, as_of, t.id).to_json()["duties"]]


def _bundle(calendar: Calendar, who: dict[str, Any], log: list[Activity]) -> Any:
    student = Student("S1", "学生", who["grade"], "甲班", tuple(who["tags"]))
    # mentored: None, no mentor; else the assignment's (start, end) as days from the first term's start (None: open)
    span = who["mentored"]
    day = (lambda n: None if n is None else calendar.terms[0].start + dt.timedelta(days=n))  # noqa: E731
    assignments = [] if span is None else [Assignment("M1", "S1", day(span[0]), day(span[1]))]
    return bundle_from_rows(calendar, [Mentor("M1", "导师", (), (), "甲班")], [student], assignments, log, [], [])


def _bad(duties: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [d for d in duties if d["status"] in ("overdue", "open", "exceeded")]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(b_text=rules(), s_text=rules(), calendar=calendars(), grade=st.integers(1, 3), tags=st.sets(st.sampled_from(["城区", "单亲"])),
       mentored=st.one_of(st.none(), st.just((None, None)), st.tuples(st.integers(-20, 200), st.none()),
                          st.tuples(st.none(), st.integers(0, 300))),
       seed=st.integers(0, 2**32 - 1))
def test_met_is_never_wrong_and_not_met_comes_with_a_real_counterexample(b_text: str, s_text: str, calendar: Calendar, grade: int,
                                                                          tags: set[str], mentored: tuple[int | None, int | None] | None,
                                                                          seed: int) -> None:
    _check(b_text, s_text, calendar, grade, tags, mentored, seed)


@st.composite
def timings(draw: st.DrawFn) -> str:
    """A rule on 家访 per student whose only freedom is its timing: the pairs of periods and windows that the wide
    property draws only now and then, drawn every time."""
    k = draw(st.integers(1, 3))
    shape = draw(st.sampled_from(["period", "window", "window"]))
    if shape == "period":
        timing = draw(st.sampled_from(PERIODS))
    else:
        timing = "per term " + draw(st.sampled_from(WINDOWS)).format(n=draw(st.integers(1, 40)))
    return f"require 家访 at least {k} {timing}"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(b_text=timings(), s_text=timings(), calendar=calendars(), seed=st.integers(0, 2**32 - 1))
def test_met_on_timing_alone_is_never_wrong(b_text: str, s_text: str, calendar: Calendar, seed: int) -> None:
    _check(b_text, s_text, calendar, 1, set(), (None, None), seed)


@st.composite
def moments(draw: st.DrawFn) -> str:
    """A rule on 谈心 per student around events or at key moments: the event reaches and moment sets drawn every time."""
    k = draw(st.integers(1, 2))
    if draw(st.booleans()):
        timing = draw(st.sampled_from(EVENTS)).format(n=draw(st.integers(0, 20)))
    else:
        alts = draw(st.lists(st.sampled_from(EVENTS + WINDOWS[1:]), min_size=1, max_size=3, unique=True))
        timing = "per term " + " or ".join(a.format(n=draw(st.integers(1, 30))) for a in alts)
    return f"require 谈心 at least {k} {timing}"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(b_text=moments(), s_text=moments(), calendar=calendars(), seed=st.integers(0, 2**32 - 1))
def test_met_on_events_and_key_moments_is_never_wrong(b_text: str, s_text: str, calendar: Calendar, seed: int) -> None:
    _check(b_text, s_text, calendar, 1, set(), (None, None), seed)


def _check(b_text: str, s_text: str, calendar: Calendar, grade: int, tags: set[str], mentored: tuple[int | None, int | None] | None,
           seed: int) -> None:  # fmt: skip
    try:
        base = compile_text(f'baseline "b"\n{HEAD}{b_text}\n', "b.scheme")
        school = compile_text(f'scheme "s"\n{HEAD}{s_text}\n', "s.scheme")
    except SchemeError:
        return  # a pairing the language refuses (e.g. per mentor with a student test)
    verdicts = with_counterexamples(school, base, conformance(school, base))
    (verdict,) = verdicts
    event(verdict.status)
    if verdict.status == NOT_MET:
        cx = verdict.counterexample
        assert cx is not None
        who = {**cx["student"], "tags": set(cx["student"]["tags"]), "mentor": set(cx["student"]["mentor"])}
        bundle = _school(who, sorted({"考试", "变故"}), [Activity(**a) for a in cx["activities"]])
        from conformance.witness import TERMS, YEAR_END

        school_duties = [d for t in TERMS for d in evaluate(school, bundle, YEAR_END, t.id).to_json()["duties"]]
        base_duties = [d for t in TERMS for d in evaluate(base, bundle, YEAR_END, t.id).to_json()["duties"]]
        assert not _bad(school_duties) and _bad(base_duties)
        return
    if verdict.status != MET:
        return
    who = {"grade": grade, "tags": tags, "mentored": mentored}
    rnd = random.Random(seed)  # the log's choices from one drawn seed: drawing each would overrun Hypothesis's buffer
    s_rule = school["rules"][0]
    names = list(counted(school, s_rule["action"]))
    log: list[Activity] = []
    for _ in range(6):  # add what the school's duties still lack, on random days of their windows
        lacking = [d for d in _bad(_duties(school, _bundle(calendar, who, log), calendar)) if d["status"] != "exceeded"]
        if not lacking:
            break
        for d in lacking:
            runs = d["windows"] or [[d["window_start"], d["window_end"]]]
            a, b = rnd.choice(runs)
            lo, hi = dt.date.fromisoformat(a), dt.date.fromisoformat(b)
            day = lo + dt.timedelta(days=rnd.randint(0, (hi - lo).days))
            students = () if d["scope"] == "mentor" else ("S1",)
            log.append(Activity(f"A{len(log)}", rnd.choice(names), day, "M1", students, "甲班", float(rnd.choice([10, 30, 45]))))
    for _ in range(rnd.randint(0, 4)):  # and a few more anywhere
        day = calendar.terms[0].start + dt.timedelta(days=rnd.randint(-40, 320))
        log.append(Activity(f"E{len(log)}", rnd.choice(["家访", "谈心", "联系"]), day, "M1", ("S1",), "甲班", 45.0))
    bundle = _bundle(calendar, who, log)
    if _bad(_duties(school, bundle, calendar)):
        return  # this log does not satisfy the school: nothing to check
    event("met, checked on a satisfying log")
    assert not _bad(_duties(base, bundle, calendar)), f"met by {s_text!r} but a satisfying log breaks {b_text!r}"


# --- ratios ----------------------------------------------------------------------------------


@st.composite
def ratios(draw: st.DrawFn) -> str:
    guideline = draw(st.sampled_from(["", "guideline "]))
    k = draw(st.integers(0, 4))
    bound = draw(st.sampled_from([f"at least {k}", f"at most {k + 1}", f"between {k} and {k + 2}"]))
    where = draw(st.sampled_from(WHERE))
    if draw(st.booleans()):
        group = draw(st.sampled_from(["", "per grade", "per class"]))
        return f"ratio {guideline}students per mentor {group} {bound} {where}"
    return f"ratio {guideline}mentors per student {bound} {where}"


@st.composite
def rosters(draw: st.DrawFn) -> Any:
    n_mentors = draw(st.integers(1, 3))
    people = draw(st.lists(st.tuples(st.integers(1, 3), st.sampled_from(["甲班", "乙班"]), st.sets(st.sampled_from(["城区", "单亲"])),
                                     st.sets(st.integers(0, n_mentors - 1))), max_size=12))  # fmt: skip
    students = [Student(f"S{i}", "学生", g, f"{g}{k}", tuple(sorted(t))) for i, (g, k, t, _) in enumerate(people)]  # a class is of one grade
    pairs = [Assignment(f"M{m}", f"S{i}") for i, (_, _, _, ms) in enumerate(people) for m in sorted(ms)]
    mentors = [Mentor(f"M{m}", "导师", ()) for m in range(n_mentors)]
    calendar = Calendar("2025-2026", (Term("T1", "T1", dt.date(2025, 9, 1), dt.date(2026, 1, 18)),), ())
    return bundle_from_rows(calendar, mentors, students, pairs, [], [], [])


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(b_text=ratios(), s_texts=st.lists(ratios(), min_size=1, max_size=2), b_grades=st.sampled_from(["", "grades 1, 2\n"]),
       s_grades=st.sampled_from(["", "grades 1, 2\n", "grades 1\n"]), roster=rosters())
def test_a_met_ratio_holds_on_every_roster_that_keeps_the_school_ratios_that_meet_it(b_text: str, s_texts: list[str], b_grades: str,
                                                                                     s_grades: str, roster: Any) -> None:
    """Whenever a baseline ratio is `met` by school ratios, any roster on which those school ratios hold (as the engine
    evaluates them, each scheme over its own students) keeps the baseline ratio; a `not met` comes with a roster the
    engine confirms."""
    try:
        base = compile_text(f'baseline "b"\n{b_grades}{HEAD}{b_text}\n', "b.scheme")
        school = compile_text(f'scheme "s"\n{s_grades}{HEAD}' + "\n".join(s_texts) + "\n", "s.scheme")
    except SchemeError:
        return
    (verdict,) = with_counterexamples(school, base, conformance(school, base))
    event(verdict.status)
    if verdict.status == NOT_MET:
        assert verdict.counterexample is not None and verdict.counterexample["broken"]["ok"] is False
        return
    if verdict.status != MET:
        return
    as_of = dt.date(2025, 10, 1)
    kept = all(r["ok"] for r in evaluate(school, roster, as_of).to_json()["ratios"] if r["rule"] in verdict.by)
    if not kept:
        return
    event("met, checked on a roster that keeps the school's ratios")
    assert all(r["ok"] for r in evaluate(base, roster, as_of).to_json()["ratios"]), f"{b_text!r} met by {s_texts!r}"
