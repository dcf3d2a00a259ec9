"""A bundle and a few more activities → the bundle with them, without building the rest again.

The service appends the activities a mentor just logged to the school it holds: only the new rows
are checked (against the bundle's own mentors, students and classes) and built, then merged into
the sorted log. The result equals building the whole school again with those rows after the others
(tests/service/test_mentor_page.py holds the two equal). When a new row repeats an id already in the
log, None: the caller builds the school again, which reports the repeat as a full build does.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ..errors import BadRowsError
from ..model.activities import Activities
from ..model.bundle import Bundle
from . import activities as act
from .builder import _in_order
from .roster import Refs
from .table import RawTable


def with_activities(bundle: Bundle, log: RawTable) -> Bundle | None:
    """The bundle with the activities of `log` added after its own (in the order read)."""
    if not len(log):
        return bundle
    refs = Refs(bundle.mentor_index, bundle.student_index, bundle.files.mentors, bundle.files.students)
    checked = act.check(log, refs, bundle.class_index)
    bad = list(log.bad) + act.explain(log, checked, refs, bundle.class_index)
    if bad and not bundle.skip_bad_rows:
        raise BadRowsError(_in_order(bad, bundle.files))
    new = act.build(checked)
    old = bundle.activities
    if len(new) and len(old):
        wide = np.dtype(f"S{max(old.ids.itemsize, new.ids.itemsize)}")
        if np.isin(new.ids.astype(wide), old.ids.astype(wide)).any():
            return None
    return dataclasses.replace(bundle, activities=merge(old, new), rejected=(*bundle.rejected, *_in_order(bad, bundle.files)))


def merge(a: Activities, b: Activities) -> Activities:
    """Two sorted logs as one, sorted by (action name, day, order read) with a's rows read before b's."""
    if not len(b):
        return a
    if not len(a):
        return b
    names = tuple(sorted(set(a.action_names) | set(b.action_names)))
    code = {name: i for i, name in enumerate(names)}
    action = np.concatenate([np.array([code[n] for n in a.action_names], np.int16)[a.action],
                             np.array([code[n] for n in b.action_names], np.int16)[b.action]])  # fmt: skip
    day = np.concatenate([a.day, b.day])
    order = np.lexsort((day, action))  # stable: within an action and a day, a's rows (read first) stay first
    counts = np.concatenate([np.diff(a.stu_ptr), np.diff(b.stu_ptr)])
    starts = np.concatenate([a.stu_ptr[:-1], b.stu_ptr[:-1] + a.stu_ptr[-1]])
    stu = np.concatenate([a.stu, b.stu])
    s_counts = counts[order]
    s_ptr = np.zeros(len(order) + 1, np.int64)
    np.cumsum(s_counts, out=s_ptr[1:])
    gather = np.repeat(starts[order] - s_ptr[:-1], s_counts) + np.arange(int(s_ptr[-1]), dtype=np.int64)
    action_sorted = action[order]
    return Activities(
        ids=np.concatenate([a.ids, b.ids])[order],  # numpy widens the narrower ids
        action_names=names,
        action=action_sorted,
        day=day[order],
        mentor=np.concatenate([a.mentor, b.mentor])[order],
        klass=np.concatenate([a.klass, b.klass])[order],
        duration=np.concatenate([a.duration, b.duration])[order],
        stu_ptr=s_ptr,
        stu=stu[gather],
        line=np.concatenate([a.line, b.line])[order],
        action_ptr=np.searchsorted(action_sorted, np.arange(len(names) + 1), "left").astype(np.int64),
    )
