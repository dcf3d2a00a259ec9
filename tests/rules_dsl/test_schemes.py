"""Every scheme shipped in schemes/ compiles clean, formats stably and says where it came from."""

from __future__ import annotations

from pathlib import Path

import pytest

from rules_dsl.compiler import compile_file, compile_text, diagnose, strip_sources
from rules_dsl.formatter import format_text
from rules_dsl.program import load_program

ROOT = Path(__file__).resolve().parents[2]
SCHEMES = sorted((ROOT / "schemes").rglob("*.scheme"))


def test_the_seed_schemes_are_all_there() -> None:
    names = {p.stem for p in SCHEMES}
    assert {"gu_yi", "gezhi", "plan2_high_school", "huaqiao", "plan4", "plan5", "xiamen", "plan7", "shiyan", "wuhu", "shanghai_sanshiyi"} <= names
    # seed 001's plans that state a figure: 5–10 per class, 15–20, weekly guidance, 1:1~2 with monthly files, a weekly 导师制时间
    assert {"zhongxue_5to10", "zhongxue2023_15to20", "zhongxue2024_weekly", "zhongxue_erpian_1to2", "zhongxue2023_tutor_time"} <= names


@pytest.mark.parametrize("path", SCHEMES, ids=lambda p: p.name)
def test_scheme_compiles_without_errors_or_warnings(path: Path) -> None:
    """Each shipped scheme compiles, with no warning either."""
    assert diagnose(load_program(path)) == []
    ir = compile_file(path)
    assert ir["title"] and ir["actions"]


@pytest.mark.parametrize("path", SCHEMES, ids=lambda p: p.name)
def test_scheme_formats_to_the_same_ir(path: Path) -> None:
    """fmt keeps the meaning of every shipped scheme and is idempotent on it."""
    text = path.read_text(encoding="utf-8")
    formatted = format_text(text, str(path))
    assert strip_sources(compile_text(formatted, str(path))) == strip_sources(compile_file(path))
    assert format_text(formatted, str(path)) == formatted


@pytest.mark.parametrize("path", SCHEMES, ids=lambda p: p.name)
def test_scheme_opens_with_a_comment_naming_its_source(path: Path) -> None:
    first = path.read_text(encoding="utf-8").lstrip("\ufeff").splitlines()[0]
    assert first.startswith("#"), f"{path.name} must open with a comment naming its source plan"


def test_at_least_two_schemes_are_written_with_chinese_keywords() -> None:
    chinese = [p for p in SCHEMES if any(line.lstrip().startswith(("方案", "基线")) for line in p.read_text(encoding="utf-8").splitlines())]
    assert len(chinese) >= 2


def test_readme_describes_every_scheme() -> None:
    readme = (ROOT / "schemes" / "README.md").read_text(encoding="utf-8")
    for path in SCHEMES:
        assert path.name in readme, f"schemes/README.md does not mention {path.name}"
