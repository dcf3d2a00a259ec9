"""The import page (being written)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from ..access import allow
from .common import school

bp = Blueprint("imports", __name__)


@bp.route("/schools/<int:school_id>/import")
@allow("school_admin", school=True)
def page(school_id: int) -> Any:
    return render_template("imports.html", school=school(school_id))
