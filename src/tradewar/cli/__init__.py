"""The `tradewar` command line: a thin shell over the library (scenarios, games, replications).

User mistakes (`InputError`, and every usage error: a missing argument, an unknown option or
command, a bad value) print one line on stderr and exit with status 2; solver failures
(`NotConverged`) one line and status 1; never a traceback. With ``--json`` a command prints
exactly one JSON object on stdout and nothing else there.

Commands are imported when they run (`tradewar.cli.lazy`): the tables below name each command's
module and its one-line help, which `tradewar --help` lists without importing them.
"""

from __future__ import annotations

import atexit
import gc
import os
import sys
import warnings

import typer

from tradewar.cli import output as out
from tradewar.cli.lazy import Lazy, lazy_group
from tradewar.errors import ImplausibleInput, InputError, TradewarError

PROG = "tradewar"

# A command's process ends right after it: freezing the objects at exit (after JAX's own exit
# handlers, registered later, have run) spares the garbage collector's passes over them while the
# interpreter shuts down, 0.2-0.4 s of a JAX command on 2 cores (issue 15). Reference counting
# still frees what it frees, and every file is written and closed before the command returns.
atexit.register(gc.freeze)

#: Top-level commands: name -> (module whose ``register`` defines it, one-line help), in the
#: order of `tradewar --help`; None: defined here.
COMMANDS = {
    "run": Lazy("tradewar.cli.run", "Solve every step of a scenario in general equilibrium and show what it does."),
    "serve": Lazy("tradewar.cli.web", "Serve the JSON API (/api, /openapi.json) and the dashboard (/) with uvicorn."),
    "optimal": Lazy(
        "tradewar.cli.games",
        "A region's optimal tariffs with every other tariff as it is (with its FOC certificate).",
    ),
    "nash": Lazy(
        "tradewar.cli.games", "The Nash equilibrium of a tariff war among the players; everyone else passive."
    ),
    "talks": Lazy(
        "tradewar.cli.games",
        "Trade talks: a Nash-bargaining deal against the war, or efficient equal-gains tariffs.",
    ),
    "replicate": None,
    "gravity": Lazy(
        "tradewar.cli.gravity", "Structural gravity: PPML estimation and general-equilibrium counterfactuals."
    ),
    "frontier": Lazy(
        "tradewar.cli.frontier",
        "The Pareto frontier of two players' payoffs with their war, their deal and the Busan deal on it.",
    ),
    "data": Lazy("tradewar.cli.data", "Bundled data sets: list, aggregate with mapping files, validate."),
    "backtest": Lazy(
        "tradewar.cli.backtest",
        "A dated scenario's months beside observed US imports by partner, at each horizon x tariff basis.",
    ),
}
#: `tradewar replicate` commands, likewise.
REPLICATE_COMMANDS = {
    "cp2015": Lazy(
        "tradewar.cli.replicate",
        "Caliendo and Parro (2015), Table 2 (NAFTA's tariff reductions), or Table A4 with --deficits.",
    ),
    "yotov-nafta": Lazy(
        "tradewar.cli.gravity",
        "Yotov et al. (2016) ch. 2 app. 2: the effects of NAFTA (1994, sigma = 7), beside the book's table.",
        "The effects of NAFTA: Yotov et al. (2016), ch. 2 app. 2.",
    ),
    "yotov-borders": Lazy(
        "tradewar.cli.gravity",
        "Yotov et al. (2016) ch. 2 app. 1: trade without borders (2006, sigma = 7), beside the book's table.",
        "Trade without borders: Yotov et al. (2016), ch. 2 app. 1.",
    ),
    "liberation-day": Lazy(
        "tradewar.cli.libday",
        "Ignatenko, Lashkaripour, Macedoni & Simonovska (2025): the Liberation Day tariffs on 194 countries.",
    ),
    "ossa2014": Lazy(
        "tradewar.cli.games", "Ossa (2014), Tables 2-5: one cell per published value, computed by the solvers."
    ),
}

app = typer.Typer(
    cls=lazy_group(COMMANDS),
    no_args_is_help=True,
    add_completion=False,
    help="What trade wars and trade talks do to the world economy, in general equilibrium, on real data.",
    **out.PLAIN_HELP,
)
replicate_app = typer.Typer(
    cls=lazy_group(REPLICATE_COMMANDS, replicate=True),
    no_args_is_help=True,
    help="Reproduce published tables; computed values come from the solvers.",
    **out.PLAIN_HELP,
)
app.add_typer(replicate_app, name="replicate")


def _one_line_warning(message, category, filename, lineno, file=None, line=None):
    """Every warning as one line on stderr: `ImplausibleInput` as "warning: ...", a library's as
    "note: <category>: <its first line>" (not Python's two lines with the source line)."""
    if issubclass(category, ImplausibleInput):
        out.err_console.print(f"warning: {message}", markup=False, highlight=False, soft_wrap=True)
    else:
        first = (str(message).strip().splitlines() or [""])[0][:200]
        out.err_console.print(f"note: {category.__name__}: {first}", markup=False, highlight=False, soft_wrap=True)


def main(args: list[str] | None = None) -> None:
    """The console entry point: runs the command line and turns every failure a user can cause
    into one line on stderr. Exit status: 2 for usage and input errors, 1 for a solver failure,
    130 after Ctrl-C; a traceback only for a bug. Independent of how the commands are registered
    and of which click typer uses (see `tradewar.cli.output`). Warnings: `_one_line_warning`."""
    args = sys.argv[1:] if args is None else list(args)
    warnings.showwarning = _one_line_warning
    try:
        code = app(args=args, prog_name=PROG, standalone_mode=False)
    except InputError as e:
        out.fail(f"error: {e}", 2)
    except TradewarError as e:  # NotConverged and the solver's other refusals
        out.fail(f"error: {e}", 1)
    except KeyboardInterrupt:
        out.fail("error: interrupted", 130)
    except BrokenPipeError:  # e.g. `tradewar run X --json | head -c 100`
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silences the flush at exit
        raise SystemExit(1) from None
    except Exception as e:
        if "Abort" in out.class_names(e):
            out.fail("error: aborted", 1)
        if out.is_exit_request(e) and not out.is_click_exception(e):
            raise SystemExit(e.exit_code) from None
        if not out.is_click_exception(e):
            raise
        if "NoArgsIsHelpError" in out.class_names(e):
            help_text = e.format_message()  # empty when typer's rich help has printed it already
            if help_text.strip():
                sys.stdout.write(help_text.rstrip("\n") + "\n")
            out.fail(out.missing_command_line(e, PROG), 2)
        out.fail(out.usage_error_line(e, args, PROG), 2)
    # click returns the status of an Exit(n) raised by a command when not in standalone mode
    raise SystemExit(code if isinstance(code, int) else 0)
