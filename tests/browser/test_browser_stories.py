"""Users' stories in a real browser (Chromium, Playwright's sync API) against a real gunicorn (see conftest.py):

- a mentor on a phone logs the activity an overdue duty asks for, and sees it done
- a school admin pastes a broken scheme, sees the line and the message, fixes it, publishes version 2
- the dashboard draws its charts, with no console error and no CSP violation
- the English switch re-renders the page in English
- signing out ends the session: back to /me lands on /login
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from district import TODAY  # tests/service/district.py, put on sys.path by conftest.py

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip(f"!!! {CHROMIUM} is missing (Debian's chromium): the browser tests did NOT run !!!", allow_module_level=True)

from playwright.sync_api import expect  # noqa: E402

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
SCREENSHOT = Path("/tmp/me-360.png")  # and /tmp/me-360-full.png, the whole page
# mentors tried in turn for one with an overdue duty they can still log (the district's data decides who has one)
MENTORS = ("mentor1a", "mentor1b", "mentor2a", "mentor2b")


@dataclass(frozen=True)
class Duty:
    label: str
    subject: str
    start: dt.date
    end: dt.date
    count: int
    min: int

    def same(self, other: Duty) -> bool:
        return (self.label, self.subject, self.start, self.end) == (other.label, other.subject, other.start, other.end)


def on_or_before(month_day: str, limit: dt.date) -> dt.date:
    """The last day with this MM-DD on or before `limit` (a key moment's runs are shown without their year)."""
    m, d = map(int, month_day.split("-"))
    day = dt.date(limit.year, m, d)
    return day if day <= limit else dt.date(limit.year - 1, m, d)


def duties_under(page: Any, group: str) -> list[Duty]:
    """The duties listed in the section headed by h2#<group> (已逾期 overdue, 进行中 open, 已完成 done, …), as shown: a duty's
    window is its 时间窗口, or for a key moment the first and last day of its runs (关键时间节点 10-29–11-26、12-31–01-28)."""
    out = []
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")  # 已完成 and 尚未开始 come folded
    for li in page.locator("section.card", has=page.locator(f"h2#{group}")).locator("ul.duties > li").all():
        title = " ".join(li.locator(".title").inner_text().split())
        meta = " ".join(li.locator(".meta").inner_text().split())
        window = re.search(r"时间窗口 (\d{4}-\d\d-\d\d) – (\d{4}-\d\d-\d\d)", meta)
        runs, due = re.search(r"关键时间节点 ([\d\-–、]+)", meta), re.search(r"截止 (\d{4}-\d\d-\d\d)", meta)
        done = re.search(r"已做 (\d+) 次，至少 (\d+) 次", meta)
        assert (window or (runs and due)) and done, f"a duty without its window or count: {title} | {meta}"
        if window:
            start, end = dt.date.fromisoformat(window[1]), dt.date.fromisoformat(window[2])
        else:  # the last run ends on the due day (or grace days before it)
            assert runs and due
            spans = runs[1].split("、")
            end = on_or_before(spans[-1].split("–")[-1], dt.date.fromisoformat(due[1]))
            start = on_or_before(spans[0].split("–")[0], end)
        out.append(Duty(li.locator(".title strong").inner_text().strip(), li.locator(".title .subject").inner_text().strip(), start, end,
                        int(done[1]), int(done[2])))  # fmt: skip
    return out


def student_box(page: Any, name: str) -> Any:
    """The log form's checkbox of a student shown as “name（class）”."""
    return page.locator("#log-students").get_by_role("checkbox", name=re.compile("^" + re.escape(name) + "（"))


def no_horizontal_scroll(page: Any, width: int) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url} scrolls sideways at {width}px: scrollWidth {scroll}"


def assert_clean(page: Any, *statuses: int) -> None:
    """No console error, uncaught exception, failed request or CSP violation on the page — but the document's own error statuses it expects
    (Chromium logs “Failed to load resource … status of 422” for a page answered 422 on purpose)."""
    expected = tuple(f"the server responded with a status of {s} " for s in statuses)
    problems = [p for p in page.problems if not (expected and any(e in p for e in expected))]
    problems += [f"CSP violation on {page.url}: {v}" for v in page.evaluate("window.__cspViolations || []")]
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------- 1. a mentor on a phone


def test_mentor_on_a_phone_logs_an_overdue_duty_and_sees_it_done(server: Any, open_page: Any, sign_in: Any) -> None:
    seen = []
    for username in MENTORS:
        # the page names a duty, not the action that meets it: that comes from the school's scheme
        actions = server.actions[server.info["users"][username]["school_id"]]
        page = open_page(**PHONE)
        sign_in(page, username)
        expect(page).to_have_url(re.compile(r"/me$"))
        expect(page.locator("h1")).to_contain_text("我的任务")
        no_horizontal_scroll(page, 360)
        overdue = duties_under(page, "overdue")
        # one the form can meet: a student's duty (the form ticks students, not classes) of a known action
        duty = next((d for d in overdue if d.label in actions and student_box(page, d.subject).count() == 1), None)
        seen.append(f"{username}: {len(overdue)} overdue, {'one' if duty else 'none'} loggable")
        if duty is not None:
            break
    else:
        pytest.fail(f"no mentor has an overdue duty that the log form can meet: {'; '.join(seen)}")
    print(f"\nmentors tried: {'; '.join(seen)}; logging “{duty.label} · {duty.subject}” ({duty.start} – {duty.end}) as {username}")
    expect(page.locator("h2#overdue")).to_contain_text("已逾期")
    page.screenshot(path=str(SCREENSHOT))  # the first screen a mentor sees
    page.screenshot(path=str(SCREENSHOT.with_name("me-360-full.png")), full_page=True)

    # an overdue duty's window is over: date the activity inside it (the form refuses only the future)
    day = min(duty.end, TODAY)
    form = page.locator("section#log")
    form.get_by_label("活动").select_option(value=actions[duty.label])
    student_box(page, duty.subject).check()
    form.get_by_label("日期").fill(day.isoformat())
    # what the browser's own validation says of the filled form: a `required` on every student's checkbox would make
    # it refuse to send the form until ALL students are ticked
    blocked = form.locator("form").evaluate(
        "f => Array.from(f.elements).filter(e => e.willValidate && !e.checkValidity()).map(e => `${e.name}=${e.value}: ${e.validationMessage}`)"
    )
    assert blocked == [], "the browser refuses to send the log form as filled in"
    with page.expect_navigation():
        form.get_by_role("button", name="保存").click()

    expect(page).to_have_url(re.compile(r"/me$"))
    expect(page.locator("p.flash")).to_contain_text(f"已记录：满足 {duty.label} · {duty.subject}")
    no_horizontal_scroll(page, 360)
    done = [d for d in duties_under(page, "done") if d.same(duty)]
    assert len(done) == 1, f"“{duty.label} · {duty.subject}” is not under 已完成 after logging: {duties_under(page, 'done')}"
    assert done[0].count == duty.count + 1, (duty, done[0])
    assert done[0].count >= done[0].min
    assert not [d for d in duties_under(page, "overdue") if d.same(duty)], "the duty is still listed as overdue"
    assert_clean(page)


# --------------------------------------------------------------------------- 2. a school admin and the scheme


def versions(page: Any) -> list[str]:
    table = page.locator("section.card", has=page.get_by_role("heading", name="版本历史")).locator("tbody tr td:first-child a")
    return [a.strip() for a in table.all_inner_texts()]


def test_admin_sees_a_scheme_error_on_its_line_then_publishes_the_fix(open_page: Any, sign_in: Any) -> None:
    page = open_page()
    sign_in(page, "admin1")
    page.locator("nav.top").get_by_role("link", name="方案", exact=True).click()
    expect(page).to_have_url(re.compile(r"/schools/\d+/scheme$"))
    scheme_url = page.url
    shown = page.locator("table.source tr[id^=L] td:not(.ln)").all_text_contents()
    assert shown, "the scheme in force is not shown"
    editor = page.get_by_label(re.compile("或在此编辑方案文本"))
    source = editor.input_value().splitlines()
    assert [line.rstrip() for line in source] == [line.rstrip() for line in shown], "the editor does not hold the text shown"
    before = versions(page)
    assert before, "no version in the history"

    # break one line: a misspelt keyword (the scheme may be written with English or Chinese keywords)
    typos = {"require": "requir", "要求": "要球"}
    n, keyword = next((i, line.split()[0]) for i, line in enumerate(source, 1) if line.split()[:1] and line.split()[0] in typos)
    typo = typos[keyword]
    broken = list(source)
    broken[n - 1] = broken[n - 1].replace(keyword, typo, 1)
    editor.fill("\n".join(broken) + "\n")
    with page.expect_navigation():
        page.get_by_role("button", name="检查并发布").click()

    expect(page.get_by_role("alert")).to_contain_text("未发布")
    expect(page.locator(f"tr#L{n}.error")).to_be_visible()
    expect(page.locator("table.source tr[id^=L].error")).to_have_count(1)  # only the broken line
    message = page.locator(f"tr#L{n} + tr.error-msg")
    expect(message).to_be_visible()
    expect(message).to_contain_text(re.compile(rf"第\s*{n}\s*行"))
    expect(message).to_contain_text(f"不认识的词“{typo}”")
    assert versions(page) == before, "a scheme with an error gained a version"

    # fix it in the text the page kept, and publish
    box = page.get_by_label(re.compile("或在此编辑方案文本"))
    kept = box.input_value()
    fixed = kept.splitlines()
    assert fixed[n - 1].startswith(typo), "the page lost the pasted text"
    fixed[n - 1] = fixed[n - 1].replace(typo, keyword, 1)
    box.fill("\n".join(fixed) + "\n")
    with page.expect_navigation():
        page.get_by_role("button", name="检查并发布").click()

    number = max(int(v) for v in before) + 1
    assert number == 2, f"a fresh district has one version, not {before}"
    expect(page).to_have_url(scheme_url)
    expect(page.locator("p.flash")).to_contain_text(f"已发布第 {number} 版")
    assert versions(page) == [str(number), *before]
    expect(page.locator("table.source tr.error-msg")).to_have_count(0)
    assert_clean(page, 422)


# --------------------------------------------------------------------------- 3. the dashboard's charts


def test_dashboard_draws_its_charts_without_errors_or_csp_violations(open_page: Any, sign_in: Any) -> None:
    page = open_page()
    sign_in(page, "admin1")
    expect(page).to_have_url(re.compile(r"/schools/\d+/dashboard$"))  # an admin's home
    charts = page.locator(".chart")
    expect(charts.first).to_be_visible()
    total = charts.count()
    assert total >= 2, f"expected the two charts, found {total}"
    for i in range(total):
        chart = charts.nth(i)
        expect(chart).to_have_class(re.compile(r"\bis-rendered\b"))
        canvas = chart.locator("canvas").first
        expect(canvas).to_be_visible()
        box = canvas.bounding_box()
        assert box and box["width"] > 100 and box["height"] > 100, f"chart {i} drew a tiny canvas: {box}"
    assert page.evaluate("window.__cspViolations") == []
    assert_clean(page)


def test_district_staff_on_a_phone_see_the_schemes_side_by_side_and_the_verdicts(open_page: Any, sign_in: Any) -> None:
    """The district user lands on the district page: the schemes in one table that on a phone becomes one block per row
    (each school's cell under its name), each school's verdicts against the district's baseline, the charts drawn —
    and nothing wider than the phone."""
    page = open_page(**PHONE)
    sign_in(page, "district")
    expect(page).to_have_url(re.compile(r"/district$"))
    table = page.locator("table.side-by-side")
    expect(table).to_be_visible()
    first = table.locator("td").first
    assert first.evaluate("td => getComputedStyle(td).display") == "block"  # stacked, not a wide row
    assert first.evaluate("td => getComputedStyle(td, '::before').content").strip('"') == "区基线"  # the column it belongs to
    expect(page.locator("ul.verdicts li").first).to_contain_text("每名学生至少有 1 位导师")
    expect(page.locator("ul.verdicts .badge").first).to_be_visible()
    for chart in page.locator(".chart").all():
        expect(chart).to_have_class(re.compile(r"\bis-rendered\b"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_clean(page)


# --------------------------------------------------------------------------- 4. English


def test_the_english_switch_renders_the_page_in_english(open_page: Any, sign_in: Any) -> None:
    page = open_page()
    sign_in(page, "mentor1a")
    expect(page.locator("h1")).to_contain_text("我的任务")
    with page.expect_navigation():
        page.get_by_role("button", name="English").click()
    expect(page).to_have_url(re.compile(r"/me$"))
    expect(page.locator("h1")).to_contain_text("My duties")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("nav.top").get_by_role("link", name="My duties")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    expect(page.get_by_role("button", name="中文")).to_be_visible()
    expect(page.get_by_role("heading", name="Log an activity")).to_be_visible()
    expect(page.get_by_role("button", name="Save")).to_be_visible()
    assert_clean(page)


# --------------------------------------------------------------------------- 5. signing out


def test_signing_out_ends_the_session(open_page: Any, sign_in: Any) -> None:
    page = open_page()
    sign_in(page, "mentor1a")
    expect(page).to_have_url(re.compile(r"/me$"))
    # the session cookie is Secure, and Chromium keeps it over plain http on loopback (a secure context)
    cookie = next((c for c in page.context.cookies() if c["name"] == "mentorship_session"), None)
    assert cookie and cookie["secure"] and cookie["httpOnly"] and cookie["sameSite"] == "Lax", cookie
    with page.expect_navigation():
        page.get_by_role("button", name="退出").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.locator("p.flash")).to_have_text("已退出登录。")

    page.go_back()  # the browser's back button: /me is not kept (no-store), so it is asked for again
    expect(page).to_have_url(re.compile(r"/login(\?next=%2Fme|\?next=/me)?$"))
    expect(page.get_by_label("用户名")).to_be_visible()
    page.goto("/me")
    expect(page).to_have_url(re.compile(r"/login(\?next=%2Fme|\?next=/me)?$"))
    expect(page.get_by_role("button", name="登录")).to_be_visible()
    assert_clean(page)
