"""Loading a school's data: sources (CSV, Excel, database rows) → RawTables → one builder → a Bundle.

    folder.py    where a folder keeps each table      csvfile.py / xlsx.py / rows.py   the sources
    columns.py   header names, Chinese and aliases    calendar.py                      calendar.yaml
    text.py      normalising, dates, lists (vectorised)
    roster.py    mentors, students, assignments, events, ratings: checked rows
    activities.py  the log: vectorised checks → Activities     explain.py  words for the flagged rows
    builder.py   the tables checked against each other → Bundle
    append.py    a Bundle and a few more activities → the Bundle with them
"""

from .folder import load_bundle
from .rows import bundle_from_columns, bundle_from_rows, bundle_with_activities

__all__ = ["bundle_from_columns", "bundle_from_rows", "bundle_with_activities", "load_bundle"]
