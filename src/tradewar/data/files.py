"""File helpers shared by loaders and writers: clear errors for missing inputs, atomic writes."""

from __future__ import annotations

import csv
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


def read_csv_rows(path) -> tuple[list[str], list[list[str]]]:
    """(header, rows) of a small CSV file, every cell a stripped string, with the csv module (no
    pandas: loading a bundled table stays light). `path` is a `Path` or an importlib resource.
    A file that is not UTF-8 text, is malformed or is empty raises ``ValueError`` whose message
    says which, for the caller's one-line error."""
    try:
        with path.open("r", encoding="utf-8", newline="") as fh:
            table = [[cell.strip() for cell in row] for row in csv.reader(fh, strict=True) if row]
    except UnicodeDecodeError:
        raise ValueError("not UTF-8 text") from None
    except csv.Error as e:
        raise ValueError(f"malformed: {e}") from None
    if not table:
        raise ValueError("empty file, no header")
    return table[0], table[1:]


def _umask() -> int:
    """The process's umask, read without changing it where the system allows (Linux)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)  # elsewhere: set and restore
    os.umask(mask)
    return mask


def write_atomic(path: str | Path, content: str | bytes) -> Path:
    """Write `content` to `path` through a temporary file and a rename: never half-written.

    The file gets the mode an ordinary write would give it: that of the file it replaces, or
    0666 less the umask (0644 with the usual umask 022), not the 0600 of a temporary file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = path.stat().st_mode & 0o7777
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    binary = isinstance(content, bytes)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb" if binary else "w", encoding=None if binary else "utf-8") as fh:
            fh.write(content)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
