"""What every command prints with: the rich consoles, tables, one JSON object on stdout, and
one-line errors.

Usage errors come from click; typer >= 0.29 carries its own copy of click (``typer._click``),
older typer uses the ``click`` package. Their exceptions are different classes with the same
protocol, so they are recognised here by that protocol, never by the module they come from: a
click exception has an integer ``exit_code`` and a ``format_message()`` (a usage error is one
with ``exit_code == 2``); an exit request (``Exit``) has an ``exit_code`` and no message;
``Abort`` and ``NoArgsIsHelpError`` are known by their class names.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from contextlib import contextmanager

import typer
import typer.core
from rich import box
from rich.console import Console
from rich.table import Table

from tradewar.report.numbers import format_number  # math only: light

#: Help in plain text (click's layout) for every command group: two columns that fit the terminal,
#: defaults kept; the commands are `PlainHelpCommand`s (no "<str>" type tags).
PLAIN_HELP = {"rich_markup_mode": None, "context_settings": {"max_content_width": 100}}


class PlainHelpCommand(typer.core.TyperCommand):
    """A command whose help has no type tags such as "<str>" or "<list[str]>": a tag says how
    Python reads a value, not what to give. Every argument, and every option that takes a value,
    is shown by its metavar: the one it declares (``--step N|DATE|TEXT``) or its name in capitals
    (click's convention, ``SCENARIO``). typer >= 0.29 writes the tag after an argument even when it
    has a metavar, so `format_options` leaves it out; older typer writes none."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for param in self.params:
            if param.metavar is None and not getattr(param, "is_flag", False):
                param.metavar = param.name.upper()

    def format_options(self, ctx, formatter) -> None:
        """The "Arguments" and "Options" sections, as typer writes them, less arguments' tags."""
        rows: dict[str, list[tuple[str, str]]] = {"argument": [], "option": []}
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            name, text = record
            type_tag = getattr(param, "display_type_rich", None)  # typer >= 0.29
            if param.param_type_name == "argument" and type_tag is not None:
                name = name.removesuffix(f" {type_tag(ctx)}")
            rows[param.param_type_name].append((name, text))
        for title, section in (("Arguments", rows["argument"]), ("Options", rows["option"])):
            if section:
                with formatter.section(title):
                    formatter.write_dl(section)


def use_plain_help(app: typer.Typer) -> None:
    """Build `app`'s commands, and those of the apps added to it, as `PlainHelpCommand`s
    (unless a command asks for a class of its own; typer >= 0.29 records its default class, older
    typer None); call before typer builds the click commands."""
    for command in app.registered_commands:
        if command.cls in (None, typer.core.TyperCommand):
            command.cls = PlainHelpCommand
    for group in app.registered_groups:
        if group.typer_instance is not None:
            use_plain_help(group.typer_instance)


console = Console()
err_console = Console(stderr=True)

DataOption = typer.Option(
    None, "--data", metavar="DIR", help="Folder of the replication data (default: ../shared/data/<name>)."
)
JsonOption = typer.Option(False, "--json", help="Print one JSON object on stdout instead of tables.")


def emit_json(obj: dict) -> None:
    """Print one JSON object on stdout (NaN and infinities become null)."""
    from tradewar.report.jsonenc import dumps  # numpy: not for `tradewar --help` (tradewar.cli imports this module)

    sys.stdout.write(dumps(obj) + "\n")


def table(title: str, columns: list[str], rows: list[list], *, digits: int = 2) -> Table:
    """A compact rich table (a rule under the header, no boxes: more columns fit in 80); floats
    with `digits` decimals (never "-0.00"); headers wrap at spaces when the terminal is narrow."""
    t = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for i, c in enumerate(columns):
        t.add_column(c, justify="left" if i == 0 else "right")
    for row in rows:
        t.add_row(*[format_number(v, digits, signed=False) if isinstance(v, float) else str(v) for v in row])
    return t


def fail(line: str, status: int) -> None:
    """Print one line on stderr (no markup, no wrapping) and exit with `status`."""
    err_console.print(line, markup=False, highlight=False, soft_wrap=True)
    raise SystemExit(status)


# -- click's exceptions, whichever click raised them ---------------------------------------
def class_names(exc: BaseException) -> set[str]:
    return {k.__name__ for k in type(exc).__mro__}


def is_click_exception(exc: BaseException) -> bool:
    """A click (or typer-bundled click) exception that carries a message for the user."""
    return isinstance(getattr(exc, "exit_code", None), int) and callable(getattr(exc, "format_message", None))


def is_exit_request(exc: BaseException) -> bool:
    """click's or typer's ``Exit(code)``: a command asked to stop with that status."""
    return "Exit" in class_names(exc) and isinstance(getattr(exc, "exit_code", None), int)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _given_value(args: Sequence[str], opts: Sequence[str]) -> str | None:
    """The value given on the command line to an option named `opts` (its last occurrence)."""
    value = None
    for k, arg in enumerate(args):
        for opt in opts:
            if arg == opt and k + 1 < len(args):
                value = args[k + 1]
            elif arg.startswith(opt + "="):
                value = arg.split("=", 1)[1]
    return value


def _command_path(exc: BaseException, prog: str) -> str:
    return getattr(getattr(exc, "ctx", None), "command_path", None) or prog


def _subcommands(ctx) -> list[str]:
    command = getattr(ctx, "command", None)
    if ctx is None or not callable(getattr(command, "list_commands", None)):
        return []
    return list(command.list_commands(ctx))


def missing_command_line(exc: BaseException, prog: str) -> str:
    """A command group called without a command (click's ``NoArgsIsHelpError``)."""
    names = _subcommands(getattr(exc, "ctx", None))
    choose = f"; use one of: {', '.join(names)}" if names else ""
    return f"error: missing command{choose} (see '{_command_path(exc, prog)} --help')"


def usage_error_line(exc: BaseException, args: Sequence[str], prog: str) -> str:
    """One line for a click usage error: the option or argument, the value given, what is
    wrong, and where the help is."""
    path = _command_path(exc, prog)
    if "MissingParameter" in class_names(exc):
        what = _one_line(exc.format_message()).rstrip(".")
        return f"error: {what[:1].lower()}{what[1:]}; give it (see '{path} --help')"
    opts = [o for o in (getattr(getattr(exc, "param", None), "opts", None) or []) if o.startswith("-")]
    message = _one_line(getattr(exc, "message", "") or "")
    if opts and message:
        value = _given_value(args, opts)
        shown = f" {value}" if value is not None else ""
        return f"error: {max(opts, key=len)}{shown}: {message} (see '{path} --help')"
    text = _one_line(exc.format_message())
    names = _subcommands(getattr(exc, "ctx", None))
    if text.startswith("No such command") and names:  # click may add "Did you mean ...?"
        return f"error: {text} Commands: {', '.join(names)} (see '{path} --help')"
    return f"error: {text} (see '{path} --help')"


@contextmanager
def working(what: str):
    """A spinner saying what runs, on stderr and only where stderr is a terminal (stdout stays
    clean for --json and pipes; nothing is left behind when it ends)."""
    if not err_console.is_terminal:
        yield
        return
    with err_console.status(what):
        yield
