"""Chinese numerals where a whole number goes (SPEC §2.4): 一 … 九十九, and 两 alone for 2.

Plans write `至少一次`, `每两周`, `前十五%`. The forms a clerk might also write but that no plan
needs — 零/〇, 百, 一十, 两十, 两 inside a compound — are refused with the digits to write
instead, so a number is never guessed.
"""

from __future__ import annotations

DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CHARS = frozenset("一二三四五六七八九十两零〇百")  # what the lexer reads as one numeral


def value(text: str) -> int | None:
    """The value of a numeral the language accepts, else None (see `digits` for what to say)."""
    if text == "两":
        return 2
    if len(text) == 1 and text in DIGITS:
        return DIGITS[text]
    tens, sep, ones = text.partition("十")
    if not sep or len(tens) > 1 or len(ones) > 1:
        return None
    if tens and tens not in DIGITS or tens == "一":  # 一十 is refused: plans write 十
        return None
    if ones and ones not in DIGITS:
        return None
    return (DIGITS[tens] if tens else 1) * 10 + (DIGITS[ones] if ones else 0)


def is_numeral(text: str) -> bool:
    return bool(text) and all(ch in CHARS for ch in text)


def digits(text: str) -> int | None:
    """What a refused numeral most likely means, read leniently (一百 → 100, 二零 → 20, 两十 → 20), for the error's help."""
    digit = {**DIGITS, "两": 2, "零": 0, "〇": 0}
    if all(ch in digit for ch in text):  # written digit by digit: 二〇 → 20
        return int("".join(str(digit[ch]) for ch in text))
    total, current = 0, 0
    for ch in text:
        if ch in digit:
            current = digit[ch]
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        else:
            return None
    return total + current
