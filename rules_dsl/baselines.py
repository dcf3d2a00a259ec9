"""Where `conforms to "NAME"` finds its baseline: a file beside the scheme, or one shipped in schemes/baselines/."""

from __future__ import annotations

import os
from pathlib import Path

SHIPPED = Path(__file__).resolve().parents[1] / "schemes" / "baselines"


def shipped_baselines() -> list[str]:
    """The names of the shipped baselines (their file stems)."""
    return sorted(p.stem for p in SHIPPED.glob("*.scheme")) if SHIPPED.is_dir() else []


def find_baseline(name: str, scheme_file: str) -> Path | None:
    """The baseline file `name` names: a path relative to the scheme's folder (`.scheme` may be left off),
    else a shipped baseline of that name; None when there is none."""
    folder = Path(os.path.dirname(scheme_file) or ".")
    for candidate in (folder / name, folder / f"{name}.scheme", SHIPPED / name, SHIPPED / f"{name}.scheme"):
        if candidate.suffix == ".scheme" and candidate.is_file():
            return candidate
    return None
