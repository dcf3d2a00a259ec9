"""Chinese first, English on request: every text is written as a (zh, en) pair where it is used.

The language is the `lang` cookie (set by /lang/<code>), else zh-CN. Like the engine's messages,
the pair stays together in the source, so no text can lose its translation.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g, make_response, redirect, request

from .access import allow

LANGS = ("zh", "en")
bp = Blueprint("i18n", __name__)


def current_lang() -> str:
    lang = g.get("lang")
    if lang is None:
        lang = request.cookies.get("lang", "zh")
        g.lang = lang = lang if lang in LANGS else "zh"
    return lang  # type: ignore[no-any-return]


def t(zh: str, en: str) -> str:
    return en if current_lang() == "en" else zh


STATUS_WORDS = {
    "overdue": ("已逾期", "overdue"),
    "open": ("进行中", "open"),
    "due_soon": ("即将到期", "due soon"),
    "satisfied": ("已完成", "done"),
    "exceeded": ("超出上限", "over the maximum"),
    "upcoming": ("未开始", "upcoming"),
}


def status_word(status: str) -> str:
    zh, en = STATUS_WORDS.get(status, (status, status))
    return t(zh, en)


@bp.route("/lang/<code>", methods=["POST"])
@allow()
def switch(code: str) -> Any:
    back = request.referrer if request.referrer and request.referrer.startswith(request.host_url) else "/"
    response = make_response(redirect(back))
    if code in LANGS:
        response.set_cookie("lang", code, max_age=365 * 86400, samesite="Lax", secure=request.is_secure, httponly=True)
    return response
