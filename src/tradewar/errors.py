"""Errors users see.

`InputError` is a user mistake (a bad scenario, an unknown code, a missing file): interfaces
print its one-line message and exit with status 2, never a traceback. `NotConverged` is a
solver failure: it says what did not converge, how far it got, and what to try. `NoDeal` is
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
    """An equilibrium solve stopped before its residual met the tolerance."""

    def __init__(self, what: str, max_residual: float, iterations: int, tol: float):
        self.max_residual = max_residual
        self.iterations = iterations
        super().__init__(
            f"{what} did not converge: largest residual {max_residual:.3g} after "
            f"{iterations} iterations (tolerance {tol:.1g}). Try a smaller shock in several "
            f"steps, more iterations (max_iter), or check the data with `tradewar data validate`."
        )


class NoDeal(TradewarError):
    """Trade talks found no tariffs that every player prefers to the threat point."""
