"""The check, fmt and compile commands: output streams and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from mentorship.cli import cli

GOOD = 'scheme "好方案"\naction 家访 "家访"\nrequire   家访 at least 1   per term\n'
BAD = 'scheme "坏方案"\naction 家访 "家访"\nrequire 家方 at least 1 per term\n'


def _write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_check_exits_0_on_a_clean_scheme_and_summarises_it(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["check", _write(tmp_path, "good.scheme", GOOD)])
    assert result.exit_code == 0
    assert "ok" in result.stdout and "1 条要求" in result.stdout


def test_check_exits_1_and_prints_diagnostics_to_stderr(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--lang", "en", "check", _write(tmp_path, "bad.scheme", BAD)])
    assert result.exit_code == 1
    assert "bad.scheme:3:9: error: action '家方' is not declared" in result.stderr
    assert "did you mean '家访'?" in result.stderr
    assert result.stdout == ""


def test_check_reports_every_file_and_fails_if_any_fails(tmp_path: Path) -> None:
    good, bad = _write(tmp_path, "a.scheme", GOOD), _write(tmp_path, "b.scheme", BAD)
    result = CliRunner().invoke(cli, ["check", good, bad])
    assert result.exit_code == 1
    assert "a.scheme: ok" in result.stdout and "b.scheme" in result.stderr


def test_check_takes_a_folder(tmp_path: Path) -> None:
    _write(tmp_path, "a.scheme", GOOD)
    (tmp_path / "sub").mkdir()
    _write(tmp_path / "sub", "b.scheme", GOOD)
    result = CliRunner().invoke(cli, ["check", str(tmp_path)])
    assert result.exit_code == 0 and result.stdout.count(": ok") == 2


def test_check_json_lists_diagnostics_on_stdout(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["check", "--format", "json", _write(tmp_path, "bad.scheme", BAD)])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data[0]["ok"] is False and data[0]["diagnostics"][0]["code"] == "undeclared-action"
    assert data[0]["diagnostics"][0]["hint"]["en"] == "did you mean '家访'?"


def test_check_a_missing_file_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--lang", "en", "check", str(tmp_path / "nope.scheme")])
    assert result.exit_code == 1 and "no such scheme file" in result.stderr


def test_check_a_non_utf8_file_says_so(tmp_path: Path) -> None:
    path = tmp_path / "gbk.scheme"
    path.write_bytes('scheme "古猗"\n'.encode("gbk"))
    result = CliRunner().invoke(cli, ["--lang", "en", "check", str(path)])
    assert result.exit_code == 1 and "not UTF-8" in result.stderr


def test_check_accepts_an_excel_style_bom(tmp_path: Path) -> None:
    path = tmp_path / "bom.scheme"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.encode("utf-8"))
    assert CliRunner().invoke(cli, ["check", str(path)]).exit_code == 0


def test_fmt_prints_the_canonical_layout(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["fmt", _write(tmp_path, "a.scheme", GOOD)])
    assert result.exit_code == 0
    assert result.stdout == 'scheme "好方案"\naction 家访 "家访"\nrequire 家访 at least 1 per term\n'


def test_fmt_check_exits_1_when_a_file_would_change_and_0_when_not(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.scheme", GOOD)
    assert CliRunner().invoke(cli, ["fmt", "--check", path]).exit_code == 1
    assert CliRunner().invoke(cli, ["fmt", "--write", path]).exit_code == 0
    assert CliRunner().invoke(cli, ["fmt", "--check", path]).exit_code == 0
    assert Path(path).read_text(encoding="utf-8").startswith('scheme "好方案"\naction')


def test_fmt_refuses_a_scheme_with_syntax_errors(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.scheme", 'scheme "x"\nrequire 家访 at least per term\n')
    result = CliRunner().invoke(cli, ["fmt", "--write", path])
    assert result.exit_code == 1 and "at least" in result.stderr
    assert Path(path).read_text(encoding="utf-8").endswith("per term\n")  # untouched


def test_fmt_check_and_write_together_is_a_usage_error(tmp_path: Path) -> None:
    assert CliRunner().invoke(cli, ["fmt", "--check", "--write", _write(tmp_path, "a.scheme", GOOD)]).exit_code == 2


def test_compile_prints_ir_json(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["compile", _write(tmp_path, "a.scheme", GOOD)])
    assert result.exit_code == 0
    ir = json.loads(result.stdout)
    assert ir["rules"][0]["id"] == "家访-1" and ir["rules"][0]["period"] == {"unit": "term", "n": 1}


def test_compile_exits_1_on_errors(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["compile", _write(tmp_path, "a.scheme", BAD)])
    assert result.exit_code == 1 and result.stdout == ""
