"""The upload on disk: a clerk's file kept under a fresh token (root/<token>/data/<file>, meta.json beside it) between its
dry run and its apply. Saving, opening (the uploader's own, for this school, within the hour), expiring (sweep) and
discarding an upload, what is wrong with a file's name (file_problem) and the name messages show (display_name).
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import IO, NamedTuple

from engine.load.columns import TABLES

WORKBOOK = "workbook"
KINDS = (*TABLES, WORKBOOK)  # what an upload may hold: one table, or a workbook of them
EXTENSIONS = (".csv", ".xlsx", ".xls", ".xlsm", ".ods")
TTL_SECONDS = 3600  # an upload not applied within the hour is gone
TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")  # secrets.token_urlsafe(24)


class Text(NamedTuple):
    zh: str
    en: str


@dataclass(frozen=True)
class Upload:
    """A file kept for its dry run and its apply: root/<token>/data/<file>, and meta.json beside `data`."""

    token: str
    folder: Path
    school_id: int
    user_id: int
    kind: str  # a table of TABLES, or WORKBOOK
    name: str  # the file's name as uploaded, for messages only (never a path)
    file: str  # the name it is kept under: students.csv, workbook.xlsx
    created: float

    @property
    def path(self) -> Path:
        return self.folder / "data" / self.file


def file_problem(filename: str, kind: str) -> Text | None:
    """Why a file of this name cannot hold `kind`, or None."""
    suffix = Path(display_name(filename)).suffix.lower()
    if kind not in KINDS:
        return Text("请选择文件中是哪张表。", "Choose which table the file holds.")
    if suffix not in EXTENSIONS or (kind == WORKBOOK and suffix == ".csv"):
        allowed = ", ".join(e for e in EXTENSIONS if kind != WORKBOOK or e != ".csv")
        return Text(f"文件须为 {allowed} 格式（WPS 的 .et 文件请另存为 .xlsx）。", f"The file must be one of {allowed} (save WPS .et files as .xlsx).")
    return None


def display_name(filename: str) -> str:
    """The uploaded file's own name for messages: its last path part, without control characters, at most 100 characters."""
    base = re.split(r"[\\/]", filename or "")[-1]
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip()
    return base[-100:]


def save_upload(root: Path, stream: IO[bytes], filename: str, kind: str, school_id: int, user_id: int, now: float | None = None) -> Upload:
    """Keep the file under a fresh token; the client's name is kept for messages, never used as a path."""
    if file_problem(filename, kind) is not None:
        raise ValueError(f"not an importable file: {filename!r} as {kind}")
    now = time.time() if now is None else now
    sweep(root, now)
    name = display_name(filename)
    suffix = Path(name).suffix.lower()
    token = secrets.token_urlsafe(24)
    folder = root / token
    (folder / "data").mkdir(parents=True, mode=0o700)
    # a workbook is kept under a name that is no table's, so that find_tables reads its sheets
    file = f"{kind}{suffix}" if kind != WORKBOOK else f"workbook{suffix}"
    with (folder / "data" / file).open("wb") as out:
        shutil.copyfileobj(stream, out)
    upload = Upload(token, folder, school_id, user_id, kind, name or file, file, now)
    meta = {"school_id": school_id, "user_id": user_id, "kind": kind, "name": upload.name, "file": file, "created": now}
    (folder / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return upload


def open_upload(root: Path, token: str, school_id: int, user_id: int, now: float | None = None) -> Upload | None:
    """The upload of that token when it is this user's, for this school, and not expired; else None."""
    if not TOKEN.match(token or ""):
        return None
    folder = root / token
    try:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        upload = Upload(token, folder, int(meta["school_id"]), int(meta["user_id"]), str(meta["kind"]), str(meta["name"]),
                        str(meta["file"]), float(meta["created"]))  # fmt: skip
    except (OSError, ValueError, KeyError, TypeError):
        return None
    now = time.time() if now is None else now
    if now - upload.created > TTL_SECONDS:
        discard(upload)
        return None
    if (upload.school_id, upload.user_id) != (school_id, user_id) or upload.kind not in KINDS or "/" in upload.file or not upload.path.is_file():
        return None
    return upload


def discard(upload: Upload) -> None:
    shutil.rmtree(upload.folder, ignore_errors=True)


def sweep(root: Path, now: float) -> None:
    """Remove the uploads that have expired (each is looked at on its own: a broken one goes once it is old)."""
    if not root.is_dir():
        return
    for folder in root.iterdir():
        if not folder.is_dir() or not TOKEN.match(folder.name):
            continue
        try:
            created = float(json.loads((folder / "meta.json").read_text(encoding="utf-8"))["created"])
        except (OSError, ValueError, KeyError, TypeError):
            created = folder.stat().st_mtime
        if now - created > TTL_SECONDS:
            shutil.rmtree(folder, ignore_errors=True)
