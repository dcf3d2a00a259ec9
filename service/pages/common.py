"""What several pages share: the signed-in user's school, mentor and evaluation."""

from __future__ import annotations

from flask import abort, current_app, g
from flask_login import current_user

from .. import models as m
from ..repository import Evaluation, Evaluations


def user() -> m.User:
    return current_user.user  # type: ignore[no-any-return]


def school_of_user() -> m.School:
    return school(user().school_id)  # type: ignore[arg-type]


def school(school_id: int) -> m.School:
    found = g.db.get(m.School, school_id)
    if found is None:
        abort(404)
    return found  # type: ignore[no-any-return]


def evaluation(school: m.School) -> Evaluation | None:
    evaluations: Evaluations = current_app.extensions["evaluations"]
    return evaluations.of(g.db, school)
