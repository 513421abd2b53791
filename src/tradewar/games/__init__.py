"""Tariff games, generic over models (see `tradewar.games.game` for the method): the `Game`,
`optimal_tariffs` and `best_response`, `nash`, and trade talks (`equal_gains`, `bargaining`)."""

from tradewar.games.cooperative import bargaining, equal_gains
from tradewar.games.game import OBJECTIVES, Game
from tradewar.games.nash import nash
from tradewar.games.optimal import best_response, optimal_tariffs
from tradewar.games.results import Certificate, GameResult

__all__ = [
    "OBJECTIVES",
    "Certificate",
    "Game",
    "GameResult",
    "bargaining",
    "best_response",
    "equal_gains",
    "nash",
    "optimal_tariffs",
]
