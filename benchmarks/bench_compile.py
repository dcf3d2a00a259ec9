"""Scheme language speed: parser construction, each seed scheme, a 10,000-line scheme.

Prints figures; records nothing and asserts nothing (docs/benchmarks.md keeps the
results with the machine and date). Run: `.venv/bin/python benchmarks/bench_compile.py`.
"""

from __future__ import annotations

import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rules_dsl.compiler import compile_text  # noqa: E402
from rules_dsl.program import read_scheme_text  # noqa: E402


def median_ms(f: Callable[[], object], runs: int) -> float:
    f()  # warm: parser tables, caches
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def construction_ms(cache: bool) -> float:
    """Building the LALR parser in a fresh process (lark's table cache on or off)."""
    code = (
        "import time; from importlib import resources; from lark import Lark; from rules_dsl.parser import _NoLexer;"
        "g = resources.files('rules_dsl').joinpath('grammar.lark').read_text(encoding='utf-8');"
        f"t = time.perf_counter(); Lark(g, parser='lalr', lexer=_NoLexer, start='statement', maybe_placeholders=True, cache={cache});"
        "print((time.perf_counter() - t) * 1000)"
    )
    runs = [float(subprocess.check_output([sys.executable, "-c", code], cwd=ROOT, text=True)) for _ in range(5)]
    return statistics.median(runs)


ACTIONS = ["家访", "谈心", "书面反馈", "家长联系", "学生汇报", "成长寄语", "导师会", "育人案例"]
RULES = [
    "require {a} at least 1 per term from 30 days before term start to 14 days after term start",
    "要求 {a} 至少4次 每学期",
    "require {a} at least 1 per month per pair where student has \"城区\" and not student.grade in 1, 5",
    "require {a} between 2 and 3 per 2 weeks as \"每两周\"",
    "require {a} at least 1 within 7 days after event 重大变故",
    "要求 {a} 至少 1 次 每 学期 在 后 21 天 本学期",
    "require {a} at least 1 per school_year by 10-15",
    "require {a} at most 4 per week per mentor where mentor has \"班主任\"",
]


def big_scheme(lines: int) -> str:
    out = ['scheme "生成的大方案"', 'school "某某学校"', "grace 3 days"]
    out += [f'action {a} "{a}说明"' for a in ACTIONS]
    out += ["ratio students per mentor at most 15", "ratio mentors per student at least 1"]
    n = 0
    while len(out) < lines - 1:
        out.append(f"# 第 {n} 组")
        out.append(RULES[n % len(RULES)].format(a=ACTIONS[n % len(ACTIONS)]))
        n += 1
    return "\n".join(out[:lines]) + "\n"


def main() -> None:
    print(f"python {platform.python_version()} on {platform.machine()}, {platform.processor() or platform.platform()}")
    print(f"parser construction, fresh process: {construction_ms(False):.1f} ms uncached, {construction_ms(True):.1f} ms with lark's table cache")
    print("\nparse + check + compile + validate, median of 300 runs:")
    seeds = sorted((ROOT / "schemes").rglob("*.scheme"))
    medians = []
    for path in seeds:
        text = read_scheme_text(path)
        ms = median_ms(lambda text=text, path=path: compile_text(text, str(path)), 300)
        medians.append(ms)
        print(f"  {path.relative_to(ROOT)!s:42} {len(text.splitlines()):4d} lines  {ms:6.2f} ms")
    print(f"  median over the {len(seeds)} seed schemes: {statistics.median(medians):.2f} ms; slowest {max(medians):.2f} ms")
    text = big_scheme(10_000)
    ms = median_ms(lambda: compile_text(text, "big.scheme"), 5)
    rules = text.count("\nrequire") + text.count("\n要求")
    print(f"\ngenerated scheme: 10,000 lines ({rules} rules), median of 5: {ms:.0f} ms")


if __name__ == "__main__":
    main()
