"""Commands imported when they run (issue 15): `tradewar --help` lists every command from a
static table, and `tradewar run` imports the run command's module only, not the games', the web
server's or the estimation's (pyfixest, dask, matplotlib, fastapi, uvicorn and even JAX load
only with the commands that use them).

Each command module keeps its ``register(app, replicate_app)`` function; a `LazyGroup` calls it
on fresh Typer apps the first time one of the module's commands is resolved, and takes the
command from there. While formatting help, the group lists its commands from its table (name,
module, one-line help, short help if any) without importing anything; tests/test_cold_imports.py checks that this
listing is the one the loaded commands give.
"""

from __future__ import annotations

import difflib
import importlib
from typing import ClassVar, NamedTuple

import typer
from typer.core import TyperCommand, TyperGroup


class Lazy(NamedTuple):
    """A command defined by `module`'s ``register(app, replicate_app)``, with its one-line help
    and, where click's cut of that help at its first full stop would say too little (as after
    "et al."), the `short_help` the command declares for the listing."""

    module: str
    help: str
    short_help: str | None = None


class LazyGroup(TyperGroup):
    """A command group whose commands in `table` are imported when resolved.

    Subclasses set `table` (name -> `Lazy`, or None for a command added to the group itself, in
    the order of the help listing) and `replicate` (True for the ``replicate`` group: its
    commands are taken from the ``replicate_app`` that ``register`` fills).
    """

    table: ClassVar[dict[str, Lazy | None]] = {}
    replicate: ClassVar[bool] = False
    _listing: bool = False

    def list_commands(self, ctx) -> list[str]:
        return [*self.table, *(name for name in self.commands if name not in self.table)]

    def get_command(self, ctx, cmd_name: str):
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        entry = self.table.get(cmd_name)
        if entry is None:
            return None
        if self._listing:  # help: the table's line, no import
            return TyperCommand(cmd_name, help=entry.help, short_help=entry.short_help)
        self.commands[cmd_name] = load_command(entry.module, cmd_name, replicate=self.replicate)
        return self.commands[cmd_name]

    def resolve_command(self, ctx, args: list[str]):
        # Typer suggests close names from the commands loaded so far; the table has them all.
        name = args[0] if args else ""
        if name and not name.startswith("-") and name not in self.list_commands(ctx) and self.suggest_commands:
            matches = difflib.get_close_matches(name, self.list_commands(ctx))
            if matches:
                ctx.fail(f"No such command {name!r}. Did you mean {', '.join(repr(m) for m in matches)}?")
        return super().resolve_command(ctx, args)

    def format_help(self, ctx, formatter) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False


def load_command(module: str, name: str, *, replicate: bool = False):
    """Import `module`, let its ``register`` define its commands on fresh apps, return `name`."""
    from tradewar.cli.output import PLAIN_HELP, use_plain_help  # plain help for every command (as the groups)

    app, replicate_app = typer.Typer(**PLAIN_HELP), typer.Typer(**PLAIN_HELP)
    importlib.import_module(module).register(app, replicate_app)
    use_plain_help(replicate_app if replicate else app)
    group = typer.main.get_group(replicate_app if replicate else app)
    try:
        return group.commands[name]
    except KeyError:
        raise LookupError(f"{module}.register defines no command {name!r}") from None


def lazy_group(table: dict[str, Lazy | None], *, replicate: bool = False) -> type[LazyGroup]:
    """A `LazyGroup` class for `table` (pass it as ``typer.Typer(cls=...)``)."""
    return type("LazyGroup", (LazyGroup,), {"table": table, "replicate": replicate})
