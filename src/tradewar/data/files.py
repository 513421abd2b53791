"""File helpers shared by loaders and writers: clear errors for missing inputs, atomic writes."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from tradewar.errors import InputError


def require_file(path: str | Path, what: str) -> Path:
    """Return `path` if it is a readable file, else raise a one-line `InputError`."""
    path = Path(path)
    if not path.is_file():
        raise InputError(
            f"{what}: file not found: {path}; pass the folder that holds it (e.g. --data DIR)",
            field="path",
        )
    return path


def write_atomic(path: str | Path, content: str | bytes) -> Path:
    """Write `content` to `path` through a temporary file and a rename: never half-written."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = "wb" if isinstance(content, bytes) else "w"
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, mode) as fh:
            fh.write(content)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
