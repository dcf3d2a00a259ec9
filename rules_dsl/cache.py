"""A private per-user folder for things worth keeping between runs (parser tables,
the generated IR validator), so a command starts in milliseconds, not a tenth of a second.

Not the shared temp folder: what is cached here is loaded as code or pickles, and a
folder other users can write to would let them plant it.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType


def cache_dir() -> Path | None:
    """~/.cache/mentorship (or $XDG_CACHE_HOME/mentorship), private to this user; None if unusable."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    path = Path(base) / "mentorship"
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = path.stat()
        if hasattr(os, "getuid") and (st.st_uid != os.getuid() or st.st_mode & 0o022):
            return None
        return path
    except OSError:
        return None


def digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()[:20]


def cached_module(name: str, key: str, make_source: Callable[[], str]) -> ModuleType | None:
    """The module `make_source()` writes, kept compiled in the cache, made on first use.

    The compiled code is stored with marshal ourselves rather than left to the import
    system, which writes no bytecode where PYTHONDONTWRITEBYTECODE is set (as here)."""
    folder = cache_dir()
    if folder is None:
        return None
    path = folder / f"{name}_{digest(key, sys.version)}.marshal"
    try:
        if path.exists():
            code = marshal.loads(path.read_bytes())
        else:
            code = compile(make_source(), f"<{name}>", "exec")
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(marshal.dumps(code))
            os.replace(tmp, path)  # atomic: a concurrent reader sees all of it or nothing
        module = ModuleType(name)
        exec(code, module.__dict__)
        return module
    except (OSError, ValueError, EOFError, TypeError, SyntaxError):
        return None
