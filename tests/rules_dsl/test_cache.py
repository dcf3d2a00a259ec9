"""The per-user cache of generated code: made once, reused, never required."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rules_dsl import cache


def test_a_cached_module_is_made_once_and_reused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    calls = []

    def source() -> str:
        calls.append(1)
        return "def answer():\n    return 42\n"

    first = cache.cached_module("probe", "k1", source)
    second = cache.cached_module("probe", "k1", source)
    assert first is not None and second is not None
    assert first.answer() == second.answer() == 42
    assert len(calls) == 1
    assert oct((tmp_path / "mentorship").stat().st_mode & 0o777) == "0o700"


def test_a_new_key_makes_a_new_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache.cached_module("probe", "a", lambda: "x = 1\n").x == 1  # type: ignore[union-attr]
    assert cache.cached_module("probe", "b", lambda: "x = 2\n").x == 2  # type: ignore[union-attr]


def test_a_cache_folder_others_can_write_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    (tmp_path / "mentorship").mkdir(mode=0o777)
    os.chmod(tmp_path / "mentorship", 0o777)
    assert cache.cache_dir() is None
    assert cache.cached_module("probe", "k", lambda: "x = 1\n") is None


def test_a_damaged_cache_file_is_not_fatal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache.cached_module("probe", "k", lambda: "x = 1\n") is not None
    for f in (tmp_path / "mentorship").glob("probe_*"):
        f.write_bytes(b"not marshal data")
    assert cache.cached_module("probe", "k", lambda: "x = 1\n") is None


def test_the_ir_validator_works_without_any_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from rules_dsl import compiler

    monkeypatch.setenv("XDG_CACHE_HOME", "/proc/no-such-place")
    compiler._fast_validator.cache_clear()
    try:
        ir = compiler.compile_text('scheme "x"\naction a\nrequire a at least 1', "x.scheme")
        bad = {**ir, "kind": "neither"}
        with pytest.raises(Exception, match="kind"):
            compiler.validate_ir(bad)
    finally:
        compiler._fast_validator.cache_clear()
