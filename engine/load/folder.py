"""A bundle folder → the tables in it, wherever a school keeps them, → the builder (SPEC §3).

Each table may be `NAME.csv` or `NAME.xlsx` (its first sheet), NAME in English or Chinese
(`activities`, `活动`), or a sheet so named in any other workbook of the folder. A table
found twice is an error naming both places; `calendar.yaml` stays beside them.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..errors import BundleFileError
from ..model.bundle import Bundle, FileNames
from . import xlsx
from .builder import build
from .calendar import read_calendar
from .columns import OPTIONAL_TABLES, TABLE_NAMES, TABLES, fold
from .csvfile import read_csv
from .table import RawTable


def load_bundle(folder: str | Path, *, skip_bad_rows: bool = False) -> Bundle:
    """Read a bundle folder; BundleError on any problem, unless skip_bad_rows (then bad rows are in `rejected`)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise BundleFileError(str(folder), "is not a folder: give the folder holding calendar.yaml and the tables",
                              "不是文件夹：请给出存放 calendar.yaml 和各数据表的文件夹")  # fmt: skip
    calendar = read_calendar(folder)
    places = find_tables(folder)
    for kind in TABLES:
        if kind not in places and kind not in OPTIONAL_TABLES:
            raise missing_table(folder, kind)
    # the log, by far the biggest table, is read on a second thread (pyarrow and numpy let go of the
    # interpreter while they work) while this one reads and checks the roster
    with ThreadPoolExecutor(max_workers=1) as pool:
        reading = [pool.submit(read_place, places["activities"], "activities")]
        try:
            tables = {kind: read_place(places[kind], kind) for kind in TABLES if kind in places and kind != "activities"}
            for kind in OPTIONAL_TABLES:  # an empty optional table (a 0-byte file, a blank sheet) has no rows
                if kind in tables and [b.code for b in tables[kind].fatal] == ["empty"]:
                    del tables[kind]
            files = FileNames(**{k: t.source for k, t in tables.items()}, activities=places["activities"][2])
            # handed over, not kept: the builder lets the log's text go once it has checked it
            return build(calendar, tables, skip_bad_rows=skip_bad_rows, files=files, read_log=lambda: reading.pop().result())
        finally:
            for job in reading:
                job.cancel()


Place = tuple[Path, str | None, str]  # file, sheet (None: a CSV, or the first sheet), the name messages use


def read_place(place: Place, kind: str) -> RawTable:
    path, sheet, source = place
    if path.suffix.lower() == ".csv":
        return read_csv(path, kind, source)
    return xlsx.read_sheet(path, sheet, kind, source)


SPREADSHEETS = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")  # what python-calamine reads


def _kind_of(name: str) -> str | None:
    folded = fold(name).casefold()
    return next((kind for kind, names in TABLE_NAMES.items() if folded in (n.casefold() for n in names)), None)


def find_tables(folder: Path) -> dict[str, Place]:
    found: dict[str, list[Place]] = {}
    workbooks = []
    for path in sorted(folder.iterdir()):
        suffix = path.suffix.lower()
        if not path.is_file() or path.name.startswith(("~$", ".")) or suffix not in (".csv", *SPREADSHEETS):
            continue  # Excel's lock files (~$…) and hidden files are not tables
        kind = _kind_of(path.stem)
        if kind is not None:
            found.setdefault(kind, []).append((path, None, path.name))
        elif suffix != ".csv":
            workbooks.append(path)
    for book in workbooks:
        for sheet in xlsx.sheet_names(book):
            kind = _kind_of(sheet)
            if kind is not None:
                found.setdefault(kind, []).append((book, sheet, f"{book.name}:{sheet}"))
    out = {}
    for kind, places in found.items():
        if len(places) > 1:
            names = " and ".join(p[2] for p in places)
            raise BundleFileError(places[0][2], f"the {kind} table is found twice ({names}): keep one and remove the other",
                                  f"“{TABLE_NAMES[kind][1]}”表出现了两次（{'、'.join(p[2] for p in places)}）：只保留一处")  # fmt: skip
        out[kind] = places[0]
    return out


def missing_table(folder: Path, kind: str) -> BundleFileError:
    """A required table not found, with what was found instead that looks like it: a sheet or file
    named 活动记录 for 活动, a workbook Excel cannot have saved as .xlsx (WPS's .et)."""
    en, zh = TABLE_NAMES[kind]
    near: list[str] = []
    for path in sorted(folder.iterdir()):
        if not path.is_file() or path.name.startswith(("~$", ".")):
            continue
        names = [(path.stem, path.name)]
        if path.suffix.lower() in SPREADSHEETS and _kind_of(path.stem) is None:
            names += [(sheet, f"{path.name}:{sheet}") for sheet in xlsx.sheet_names(path)]
        near += [where for name, where in names if fold(name).casefold().startswith((en, zh)) and _kind_of(name) is None]
        if path.suffix.lower() == ".et":
            near.append(path.name)
    hint_en = f"; found {', '.join(near)}: name the file or sheet exactly {en} or {zh} (save WPS .et files as .xlsx)" if near else ""
    hint_zh = f"；找到了 {'、'.join(near)}：文件名或工作表名须正好是 {en} 或 {zh}（WPS 的 .et 文件请另存为 .xlsx）" if near else ""
    return BundleFileError(f"{en}.csv", f"is missing from the bundle folder (or give {en}.xlsx, {zh}.csv, {zh}.xlsx, or a sheet named {en} or {zh}){hint_en}",
                           f"在数据文件夹中缺失（也可以是 {en}.xlsx、{zh}.csv、{zh}.xlsx，或工作簿中名为 {en} 或 {zh} 的工作表）{hint_zh}")  # fmt: skip
