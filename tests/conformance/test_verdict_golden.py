"""Every shipped school scheme against both shipped baselines, as `check --baseline` prints it, in Chinese and English:
the verdicts district staff read, pinned. A change to the prover or to a scheme that moves a verdict or its words shows
here as a diff to review (`pytest --update-golden` rewrites the files). Each verdict is argued in docs/conformance.md."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from mentorship.cli import cli

ROOT = Path(__file__).parents[2]
GOLDEN = Path(__file__).parent / "golden"
SCHOOLS = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "schemes/schools").glob("*.scheme"))


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("baseline", ["shanghai_sanshiyi", "wuhu"])
def test_every_school_against_each_baseline(baseline: str, lang: str, update_golden: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # file names print relative to the checkout
    result = CliRunner().invoke(cli, ["--lang", lang, "check", "--baseline", f"schemes/baselines/{baseline}.scheme", *SCHOOLS])
    assert result.exit_code == 1  # some school misses the baseline: `check --baseline` says so in its exit status
    path = GOLDEN / f"{baseline}.{lang}.txt"
    if update_golden:
        path.write_text(result.stdout, encoding="utf-8")
    assert path.exists(), f"no golden file {path.name}: run pytest --update-golden and review it"
    assert result.stdout == path.read_text(encoding="utf-8")
