"""The Asia-tour deals of 2025 as trade talks: the US and one partner bargain with the April 2025
rates as the threat point; the model's deal is set beside the signed one.

The bundled scenario ``asia-tour-deals`` (built by scripts/build_scenarios.py from
../shared/data/recent/us_tariffs_2025/reciprocal_rates_annexI_2025-04-02.csv and
reciprocal_rates_2025-08-07.csv) holds the April threat (step of 2025-04-09: EO 14257 Annex I
rates) and the deals' rates (step of 2025-08-07). For talks between the US and a partner p
(`THREATS`, e.g. ``april-2025``):

- the **background** is the deal step's tariffs on every other flow (the US-China war at its
  August state, the other partners' deals), held fixed;
- the **threat** is the background with the US tariffs on p and p's tariffs on the US of the
  April step (p's own: its baseline rates, as none of the six retaliated);
- the **signed** deal is the background itself (the US tariffs on p at the deal's rate, p's at
  the baseline: the partners' concessions, e.g. Japan's investment fund, are not in the data);
- the **deal** is `tradewar.games.cooperative.bargaining` over the two players' tariffs on each
  other with the threat as disagreement point (Nash 1950: max sum_n log(u_n - u_n(threat))),
  everything else at the background; certified by its first-order residual and the largest
  gain in the Nash product from re-solving it from other starts.

Payoffs are the game's objective (exact real income, ``welfare_hat``, by default), percent from
the 2022 baseline.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from tradewar.errors import InputError, NotConverged
from tradewar.games.cooperative import bargaining
from tradewar.games.game import OBJECTIVES, Game, Progress
from tradewar.games.results import Certificate, GameResult, make_result
from tradewar.scenario.basis import average_tariff
from tradewar.scenario.compile import compile_steps
from tradewar.scenario.spec import load_scenario

ASIA_SCENARIO = "asia-tour-deals"
#: Threat points by name: (scenario, date of the threat's step, date of the signed deal's step).
THREATS: dict[str, tuple[str, str, str]] = {"april-2025": (ASIA_SCENARIO, "2025-04-09", "2025-08-07")}
#: The US's partners in the Asia-tour deals that are world2022 regions (Cambodia is inside
#: ASEAN_OTH, whose tariff only partly moves: see the scenario's description).
ASIA_PARTNERS = ("JPN", "KOR", "MYS", "THA", "VNM")


@dataclass(frozen=True, eq=False)
class DealTalks:
    """The threat, the signed deal and the model's deal of one US-partner pair."""

    players: tuple[str, str]
    threat_name: str
    threat: GameResult
    signed: GameResult
    deal: GameResult

    def column(self, result: GameResult) -> dict:
        """Payoffs, each side's gain over the threat and average tariffs on each other."""
        b = result.baseline
        a, p = self.players
        idx = [b.region_index(c) for c in self.players]
        gain = (1 + result.payoff_pct[idx] / 100) / (1 + self.threat.payoff_pct[idx] / 100) - 1
        return {
            "payoff_pct": {c: float(result.payoff_pct[k]) for c, k in zip(self.players, idx)},
            "gain_over_threat_pct": {c: float(100 * g) for c, g in zip(self.players, gain)},
            "tariffs_pct": {
                f"{a}_on_{p}": average_tariff(b, result.tariffs, a, p),
                f"{p}_on_{a}": average_tariff(b, result.tariffs, p, a),
            },
        }

    def to_dict(self) -> dict:
        """The key ``threat_point`` that `tradewar talks --threat` adds to the deal's JSON."""
        scenario, threat_date, deal_date = THREATS[self.threat_name]
        return {
            "name": self.threat_name,
            "scenario": scenario,
            "threat_step": threat_date,
            "signed_step": deal_date,
            "payoff": f"the game's objective, {self.deal.objective} ({OBJECTIVES[self.deal.objective]}): exact "
            "change, percent from the baseline",
            "threat": self.column(self.threat),
            "signed": self.column(self.signed),
            "deal": self.column(self.deal),
        }


def _policy_result(game: Game, kind: str, idx: list[int], tariffs: np.ndarray, start: np.ndarray) -> GameResult:
    """A given policy's outcomes as a result (no optimisation: no first-order residual)."""
    chosen = np.zeros(tariffs.shape, bool)
    chosen[np.ix_(idx, idx)] = True
    for n in idx:
        chosen[n, n] = False
    chosen &= np.asarray(game.baseline.tradable, bool)[None, None, :]
    cert = Certificate(foc_residual=None, equilibrium_residual=0.0)
    result = make_result(game, kind, idx, False, tariffs, start, chosen, cert, True, 0, time.perf_counter())
    if not result.converged:
        raise NotConverged(f"{game.model} equilibrium of the {kind} policy", np.nan, 0, game.tol)
    return result


def threat_tariffs(game: Game, players: Sequence[str], threat: str) -> tuple[np.ndarray, np.ndarray]:
    """(background, threat) tariffs [importer, exporter, sector] of the talks (module docstring)."""
    if threat not in THREATS:
        raise InputError(f"threat: {threat!r}; use war or one of {', '.join(THREATS)}", field="threat")
    players = list(players)
    if len(players) != 2 or "USA" not in players or players[0] == players[1]:
        raise InputError(
            f"players: {','.join(players)}; the {threat} threat point is for the US and one partner "
            f"({', '.join(ASIA_PARTNERS)}), e.g. --players USA,JPN",
            field="players",
        )
    partner = players[1 - players.index("USA")]
    if partner not in ASIA_PARTNERS:
        raise InputError(
            f"players: {partner} had no Asia-tour deal in the data; use one of {', '.join(ASIA_PARTNERS)} "
            f"with USA for --threat {threat}",
            field="players",
        )
    scenario, threat_date, deal_date = THREATS[threat]
    b = game.baseline
    steps = {s.date: s for s in compile_steps(load_scenario(scenario), b)}
    background = np.array(steps[deal_date].tariffs)
    threatened = background.copy()
    us, p = b.region_index("USA"), b.region_index(partner)
    for n, i in ((us, p), (p, us)):
        threatened[n, i] = steps[threat_date].tariffs[n, i]
    return background, threatened


def deal_talks(
    game: Game,
    players: Sequence[str] | str,
    threat: str = "april-2025",
    *,
    mfn: bool = False,
    lower: float = 0.0,
    upper: float = 2.25,
    progress: Progress | None = None,
) -> DealTalks:
    """The threat, the signed deal and the Nash-bargaining deal of the US and one Asia-tour
    partner (module docstring); every equilibrium checked (converged and valid)."""
    if isinstance(players, str):
        players = [c.strip() for c in players.split(",") if c.strip()]
    background, threatened = threat_tariffs(game, players, threat)
    idx = game.players_of(players)
    if progress:
        progress(f"threat point: the {threat} tariffs")
    threat_result = _policy_result(game, "threat", idx, threatened, background)
    signed = _policy_result(game, "signed", idx, background, background)
    deal = bargaining(
        game, players, mfn=mfn, lower=lower, upper=upper, start=background, threat=threat_result, progress=progress
    )
    return DealTalks(tuple(players), threat, threat_result, signed, deal)
