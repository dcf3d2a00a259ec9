"""Golden files: NAME.scheme beside NAME.ir.json (compiles to exactly this IR) or
NAME.error / NAME.en.error (fails with exactly this text, Chinese and English).
`pytest --update-golden` rewrites them; review the diff before committing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rules_dsl.compiler import compile_program
from rules_dsl.errors import SchemeError
from rules_dsl.program import load_program

HERE = Path(__file__).parent
GOLDEN = HERE / "golden"
CASES = sorted(p.stem for p in GOLDEN.glob("*.scheme") if not p.stem.startswith("_"))


def _compile(name: str, monkeypatch: pytest.MonkeyPatch) -> tuple[dict | None, SchemeError | None]:
    monkeypatch.chdir(HERE)  # file names in IR and errors read golden/NAME.scheme
    try:
        return compile_program(load_program(f"golden/{name}.scheme")), None
    except SchemeError as e:
        return None, e


def _check(path: Path, actual: str, update: bool) -> None:
    if update:
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"no golden file {path.name}: run pytest --update-golden and review it"
    assert actual == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", CASES)
def test_golden(name: str, monkeypatch: pytest.MonkeyPatch, update_golden: bool) -> None:
    """Each golden scheme compiles to its recorded IR, or fails with its recorded errors."""
    ir, error = _compile(name, monkeypatch)
    expects_error = (GOLDEN / f"{name}.error").exists() or name.startswith("err_")
    if expects_error:
        assert error is not None, f"{name} was expected to fail but compiled"
        _check(GOLDEN / f"{name}.error", error.render("zh") + "\n", update_golden)
        _check(GOLDEN / f"{name}.en.error", error.render("en") + "\n", update_golden)
    else:
        assert error is None, error.render("en") if error else ""
        _check(GOLDEN / f"{name}.ir.json", json.dumps(ir, ensure_ascii=False, indent=2) + "\n", update_golden)


TWINS = sorted(p.stem.removesuffix("_en") for p in GOLDEN.glob("*_en.scheme"))


@pytest.mark.parametrize("name", TWINS)
def test_english_and_chinese_twins_compile_to_one_ir(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """NAME_en.scheme and NAME_zh.scheme say the same in both spellings (Chinese numerals and word order,
    full-width marks included): their IR is identical but for file names and lines."""
    from rules_dsl.compiler import strip_sources

    english, e1 = _compile(f"{name}_en", monkeypatch)
    chinese, e2 = _compile(f"{name}_zh", monkeypatch)
    assert e1 is None and e2 is None
    assert strip_sources(english) == strip_sources(chinese)


@pytest.mark.parametrize("name", [c for c in CASES if not c.startswith("err_")])
def test_fmt_keeps_the_ir_of_every_golden_scheme(name: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """`fmt` output re-parses to the same IR and is stable (new constructs in both spellings included)."""
    from rules_dsl.compiler import compile_text, strip_sources
    from rules_dsl.formatter import format_text

    monkeypatch.chdir(HERE)
    source = (GOLDEN / f"{name}.scheme").read_text(encoding="utf-8")
    formatted = format_text(source, f"golden/{name}.scheme")
    assert format_text(formatted, f"golden/{name}.scheme") == formatted
    assert strip_sources(compile_text(formatted, f"golden/{name}.scheme")) == strip_sources(compile_text(source, f"golden/{name}.scheme"))
