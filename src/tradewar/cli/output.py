"""What every command prints with: the rich consoles, tables, and one JSON object on stdout."""

from __future__ import annotations

import sys

import typer
from rich.console import Console
from rich.table import Table

from tradewar.report.jsonenc import dumps

console = Console()
err_console = Console(stderr=True)

DataOption = typer.Option(None, "--data", help="Folder of the replication data (default: ../shared/data/<name>).")
JsonOption = typer.Option(False, "--json", help="Print one JSON object on stdout instead of tables.")


def emit_json(obj: dict) -> None:
    """Print one JSON object on stdout (NaN and infinities become null)."""
    sys.stdout.write(dumps(obj) + "\n")


def table(title: str, columns: list[str], rows: list[list], *, digits: int = 2) -> Table:
    """A rich table; floats formatted with `digits` decimals."""
    t = Table(title=title, title_justify="left")
    for i, c in enumerate(columns):
        t.add_column(c, justify="left" if i == 0 else "right")
    for row in rows:
        t.add_row(*[f"{v:.{digits}f}" if isinstance(v, float) else str(v) for v in row])
    return t
