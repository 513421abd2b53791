"""The `tradewar` command line: a thin shell over the library (scenarios, games, replications).

User mistakes (`InputError`) and solver failures (`NotConverged`) print one line on stderr and
exit with status 2 (1 for non-convergence); never a traceback. With ``--json`` a command prints
exactly one JSON object on stdout and nothing else there.
"""

from __future__ import annotations

import click
import typer

from tradewar.cli import data, games, gravity, libday, replicate, run, web
from tradewar.cli.output import err_console
from tradewar.errors import InputError, NotConverged, TradewarError

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__.splitlines()[0])
replicate_app = typer.Typer(
    no_args_is_help=True, help="Reproduce published tables; computed values come from the solvers."
)
app.add_typer(replicate_app, name="replicate")

# One module per command group; each adds its commands (and its `replicate` tables) here.
for _group in (run, replicate, gravity, libday, data, web, games):
    _group.register(app, replicate_app)


def main() -> None:
    try:
        app(standalone_mode=False)
    except InputError as e:
        err_console.print(f"error: {e}", markup=False, highlight=False, soft_wrap=True)
        raise SystemExit(2) from None
    except NotConverged as e:
        err_console.print(f"error: {e}", markup=False, highlight=False, soft_wrap=True)
        raise SystemExit(1) from None
    except TradewarError as e:
        err_console.print(f"error: {e}", markup=False, highlight=False, soft_wrap=True)
        raise SystemExit(1) from None
    except Exception as e:  # click's usage errors and aborts
        if isinstance(e, click.exceptions.ClickException):
            e.show()
            raise SystemExit(e.exit_code) from None
        if isinstance(e, click.exceptions.Abort):
            raise SystemExit(130) from None
        raise
