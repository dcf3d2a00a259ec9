"""A scheme file with everything it `extends`, read and parsed, in inclusion order.

Bases are included depth first, each once (SPEC §4.1): for `R extends A, B` with
`A extends C`, the order is C, A, B, R. A missing base, a cycle, an unreadable
file: each is a diagnostic at the `extends` line that caused it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from . import ast
from .errors import Diagnostic, SchemeFileError, Text
from .parser import MAX_BYTES, ParsedFile, parse_file_text


@dataclass
class Program:
    root: ParsedFile
    bases: list[ParsedFile] = field(default_factory=list)  # inclusion order, root excluded
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def files(self) -> list[ParsedFile]:
        return [*self.bases, self.root]

    def all_diagnostics(self) -> list[Diagnostic]:
        found = list(self.diagnostics)
        for f in self.files:
            found.extend(f.diagnostics)
        return found


def read_scheme_text(path: str | os.PathLike[str]) -> str:
    """Read a scheme as UTF-8 (BOM allowed); refuse what is too large or not text."""
    name = str(path)
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise _file_error(name, "too-large", "方案文件超过 1 MiB，拒绝处理", "the scheme file is larger than 1 MiB and is refused")
        data = p.read_bytes()
    except FileNotFoundError:
        raise _file_error(name, "no-file", "找不到这个方案文件", "no such scheme file") from None
    except IsADirectoryError:
        raise _file_error(name, "no-file", "这是一个文件夹，不是方案文件", "this is a folder, not a scheme file") from None
    except PermissionError:
        raise _file_error(name, "no-file", "没有权限读取这个文件", "permission denied reading this file") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise SchemeFileError(
            [
                Diagnostic(
                    "not-utf8",
                    Text("文件不是 UTF-8 编码", "the file is not UTF-8 text"),
                    name, line, 1,
                    Text("用“另存为 UTF-8”重新保存这个文件", "save the file again as UTF-8"),
                )
            ]
        ) from None  # fmt: skip


def _file_error(name: str, code: str, zh: str, en: str) -> SchemeFileError:
    return SchemeFileError([Diagnostic(code, Text(zh, en), name, 1, 1)])


def load_program(path: str | os.PathLike[str]) -> Program:
    """Read and parse `path` and every file it extends."""
    return load_program_text(read_scheme_text(path), str(path))


def load_program_text(text: str, file: str = "<scheme>") -> Program:
    root = parse_file_text(text, file)
    program = Program(root)
    seen = {_key(file)}
    _include(program, root, [_key(file)], seen)
    return program


def _key(file: str) -> str:
    return os.path.normcase(os.path.abspath(file))


def _include(program: Program, parsed: ParsedFile, stack: list[str], seen: set[str]) -> None:
    for stmt in parsed.tree.statements:
        if not (isinstance(stmt, ast.Header) and stmt.kind == "extends"):
            continue
        target = os.path.normpath(os.path.join(os.path.dirname(parsed.file), stmt.value))
        key = _key(target)
        if key in stack:
            program.diagnostics.append(_at(stmt, parsed, "extends-cycle",
                Text(f"继承形成了循环：“{stmt.value}”又继承回了这个文件", f"extends goes round in a circle: '{stmt.value}' leads back to this file"),
                Text("删掉其中一个“继承”语句", "remove one of the extends statements")))  # fmt: skip
            continue
        if key in seen:
            continue
        try:
            text = read_scheme_text(target)
        except SchemeFileError as e:
            program.diagnostics.append(_at(stmt, parsed, "extends-missing",
                Text(f"无法读取被继承的文件“{target}”：{e.diagnostics[0].message.zh}", f"cannot read the extended file '{target}': {e.diagnostics[0].message.en}"),
                Text("路径相对于本文件所在的文件夹；检查文件名和路径", "the path is relative to this file's folder: check the name and path")))  # fmt: skip
            continue
        seen.add(key)
        base = parse_file_text(text, target)
        _include(program, base, [*stack, key], seen)
        program.bases.append(base)


def _at(stmt: ast.Header, parsed: ParsedFile, code: str, msg: Text, hint: Text) -> Diagnostic:
    span = stmt.value_span
    line_text = parsed.text.splitlines()[span.line - 1] if span.line <= len(parsed.text.splitlines()) else ""
    return Diagnostic(code, msg, span.file, span.line, span.column, hint, "error", span.width + 2, line_text)
