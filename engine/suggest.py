"""'Did you mean …?' for ids that are nearly right (a typo'd mentor id, an O for a 0)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

LIMIT = 50_000  # beyond this many ids, a suggestion costs more than it helps


def suggest(value: str, known: Iterable[str]) -> tuple[str, str]:
    """English and Chinese hints naming up to two close ids, best first; ('', '') when none."""
    candidates = list(known)
    if not value or len(candidates) > LIMIT:
        return "", ""
    matcher = difflib.SequenceMatcher()
    matcher.set_seq2(value)
    scored = []
    for c in candidates:
        matcher.set_seq1(c)
        if matcher.real_quick_ratio() >= 0.5 and matcher.quick_ratio() >= 0.5:
            score = matcher.ratio()
            if c.lower() == value.lower():
                score = 2.0
            if score >= 0.5:
                scored.append((-score, c))
    best = [c for _, c in sorted(scored)[:2]]
    if not best:
        return "", ""
    en = " or ".join(f"'{c}'" for c in best)
    zh = "还是".join(f"“{c}”" for c in best)
    return f" (did you mean {en}?)", f"（是不是{zh}？）"
