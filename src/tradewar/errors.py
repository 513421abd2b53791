"""Errors users see.

`InputError` is a user mistake (a bad scenario, an unknown code, a missing file): interfaces
print its one-line message and exit with status 2, never a traceback. `NotConverged` is a
solver failure: it says what did not converge, how far it got, and what to try; its subclass
`InvalidEquilibrium` is a converged root that is not an economy (negative trade, income, ...).
`ImplausibleInput` warns, in one line, about valid input that is probably a mistake. `NoDeal` is
an answer, not a failure: no tariffs were found that leave every bargaining player better off
than their war.
"""

from __future__ import annotations


class TradewarError(Exception):
    """Base class of every error tradewar raises on purpose."""


class InputError(TradewarError, ValueError):
    """Bad input: the message names the field, the value and the fix, on one line."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


class NotConverged(TradewarError, RuntimeError):
    """An equilibrium solve stopped before its residual met the tolerance.

    `iterations` is None where the caller counted none (a game's inner solves); `advice` replaces
    the default advice for an equilibrium solve."""

    ADVICE = (
        "Try a smaller shock in several steps, more iterations (max_iter), or check the data with "
        "`tradewar data validate`."
    )

    def __init__(
        self, what: str, max_residual: float, iterations: int | None, tol: float, *, advice: str | None = None
    ):
        self.max_residual = max_residual
        self.iterations = iterations
        after = "" if iterations is None else f" after {iterations} iterations"
        super().__init__(
            f"{what} did not converge: largest residual {max_residual:.3g}{after} (tolerance {tol:.1g}). "
            + (self.ADVICE if advice is None else advice)
        )


class InvalidEquilibrium(NotConverged):
    """The solver met its tolerance at a point that is not an economy: negative trade, income,
    output or prices (the equations are polynomial in some unknowns and have such roots where no
    valid equilibrium exists). `problem` names the quantity, the region and the value."""

    def __init__(self, what: str, problem: str, max_residual: float, iterations: int | None):
        self.problem = problem
        self.max_residual = max_residual
        self.iterations = iterations
        TradewarError.__init__(
            self,
            f"{what}: the solver's root (residual {max_residual:.1g}) is an equilibrium with {problem}; "
            "there is no valid equilibrium at this policy. Try a smaller shock or another deficit closure.",
        )


class ImplausibleInput(UserWarning):
    """Input that is valid but probably a mistake (a tariff above 1,000 %): a one-line warning."""


class NoDeal(TradewarError):
    """Trade talks found no tariffs that every player prefers to the threat point."""
