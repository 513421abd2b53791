r"""Trade talks as they are: the war, the deal, the Busan deal and the Pareto frontier of two players.

`talks_frontier` plays, in one `tradewar.games.instruments.InstrumentGame`:

- the **war**: the Nash equilibrium of the two players' instruments on each other, everyone
  else passive at the baseline (tariffs only, or with export controls: `talks_instruments`);
- the **deal**: the Nash-bargaining deal over the same instruments with the war as threat point;
- the **frontier**: points max w u_A + (1 - w) u_B over the same instruments for weights w in
  (0, 1) (each undominated: a maximiser of a positively weighted sum), payoffs u the exact
  change in real income (``welfare_hat``), percent;
- for USA-CHN, the **Busan** policy (`busan_policy`: the busan-deal scenario's step of
  2025-11-10, its US-China tariffs and China's paused-to-eased rare-earth caps on the US,
  everyone else at the baseline so that it lives in the frontier's policy space; the soybean
  pledge `SOYBEAN_PLEDGE` met by China's tariff on US AGR, `apply_pledges`), its gain over
  the war and its distance to the frontier: the largest equal gain both could still get
  (where the 45-degree line from Busan meets the traced frontier) and the Nash-bargaining deal
  with Busan as the threat point (a certified frontier point dominating it) that keeps Busan's
  soybean pledge as a constraint (`tradewar.games.instruments.bargaining` with ``pledges``).

Controls (`talks_instruments`): China may cap its sales to the US of CHEM, MINE and ELEQ up to
the cuts of the rare-earth-controls scenario's stress step (the controlled products' shares of
each sector, `RARE_EARTH_SCENARIO`); the US may cap its ELEC sales to China up to
`US_CONTROLLED_ELEC_SHARE` (advanced chips' share of its electronics exports to China: an
assumption, no product-level export data in ../shared/data).

Horizon: ``theta_scale`` multiplies every trade elasticity (1: the data's long-run values;
`tradewar.models.horizon`'s response share scales them to a horizon, e.g. 0.38 after one year).
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from tradewar.data.baseline import Baseline
from tradewar.errors import InputError
from tradewar.games.game import Progress
from tradewar.games.instruments import (
    InstrumentGame,
    Instruments,
    Pledge,
    Policy,
    PolicyResult,
    apply_pledges,
    bargaining,
    evaluate,
    nash,
    weighted_optimum,
)
from tradewar.scenario.basis import average_tariff
from tradewar.scenario.compile import compile_steps
from tradewar.scenario.spec import load_scenario

RARE_EARTH_SCENARIO = "rare-earth-controls"
RARE_EARTH_SECTORS = ("CHEM", "MINE", "ELEQ")
#: Assumed share of controlled products (advanced semiconductors) in US electronics (ELEC)
#: exports to China: an order of magnitude, not data.
US_CONTROLLED_ELEC_SHARE = 0.10
BUSAN_SCENARIO, BUSAN_DATE = "busan-deal", "2025-11-10"
#: China's soybean pledge at Busan: 25 Mt a year for 2026-2028 (12 Mt by January 2026), row
#: 2025-10-30 of ../shared/data/recent/tariff_timeline_2018_2025.csv.
SOYBEAN_PLEDGE_MT = 25.0
#: Assumed US soybean export price, USD per tonne (about 11 USD a bushel, late 2025): an
#: assumption, no price data in ../shared/data.
SOYBEAN_PRICE_USD_PER_T = 404.0
#: The pledge as a floor on China's purchases of US AGR (USD million a year at baseline
#: prices). Soybeans are part of AGR, so a floor on the sector is a weaker constraint than one
#: on soybeans alone (other farm goods count towards it).
SOYBEAN_PLEDGE = Pledge("CHN", "USA", "AGR", SOYBEAN_PLEDGE_MT * SOYBEAN_PRICE_USD_PER_T, "soybeans")
#: Default number of frontier points.
FRONTIER_POINTS = 20


def rare_earth_cuts(baseline: Baseline, importer: str = "USA") -> dict[str, float]:
    """Largest cuts of China's sales to ``importer`` in the rare-earth sectors: the stress step
    of the rare-earth-controls scenario (controlled products cut off entirely: their shares)."""
    stress = compile_steps(load_scenario(RARE_EARTH_SCENARIO), baseline)[-1]
    n, i = baseline.region_index(importer), baseline.region_index("CHN")
    return {s: float(stress.export_limits[n, i, baseline.sector_index(s)]) for s in RARE_EARTH_SECTORS}


def talks_instruments(
    baseline: Baseline,
    players: Sequence[str],
    *,
    controls: bool,
    elec_share: float = US_CONTROLLED_ELEC_SHARE,
) -> dict[str, Instruments]:
    """Each player's instruments: tariffs, and with ``controls`` China's rare-earth caps and the
    US's ELEC cap (on each other; other players have no controls defined)."""
    out = {p: Instruments() for p in players}
    if controls:
        if "CHN" in out and "USA" in out:
            out["CHN"] = Instruments(export_limits=rare_earth_cuts(baseline, "USA"))
            out["USA"] = Instruments(export_limits={"ELEC": elec_share})
        else:
            raise InputError(
                f"controls: export controls are defined for the USA-CHN talks only, not {','.join(players)}; "
                "drop --controls",
                field="controls",
            )
    return out


def busan_policy(baseline: Baseline) -> Policy:
    """The Busan deal in force (busan-deal scenario, step of 2025-11-10) on the US-China pair:
    the step's US tariffs on China and China's on the US, and China's eased rare-earth caps on
    its sales to the US; every other instrument at the baseline. (The soybean pledge is met by
    `apply_pledges` in the game.)"""
    spec = load_scenario(BUSAN_SCENARIO)
    steps = compile_steps(spec, baseline)
    step = next(s for s in steps if s.date == BUSAN_DATE)
    us, cn = baseline.region_index("USA"), baseline.region_index("CHN")
    policy = Policy.of(baseline)
    policy.tariffs[us, cn] = step.tariffs[us, cn]
    policy.tariffs[cn, us] = step.tariffs[cn, us]
    policy.export_limits[us, cn] = step.export_limits[us, cn]
    return policy


def trace_frontier(
    game: InstrumentGame,
    instruments: dict[str, Instruments],
    n_points: int = FRONTIER_POINTS,
    *,
    progress: Progress | None = None,
) -> list[PolicyResult]:
    """``n_points`` frontier points, weights w = k / (n + 1) on the first player, each warm
    started from its neighbour (certified: first-order residual)."""
    if n_points < 2:
        raise InputError(f"points: {n_points}; trace at least 2 frontier points", field="points")
    points, x = [], None
    for k in range(1, n_points + 1):
        w = k / (n_points + 1)
        if progress:
            progress(f"frontier point {k}/{n_points} (weight {w:.3f})")
        result, x = weighted_optimum(game, instruments, [w, 1 - w], x0=x)
        points.append(result)
    return points


def equal_gain_to_frontier(point: Sequence[float], frontier: Sequence[Sequence[float]]) -> float | None:
    """The largest g with point + (g, g) on the piecewise-linear frontier through ``frontier``
    (pairs of payoffs, in the order traced): how much both could gain, equally, over ``point``.
    None if the 45-degree line misses the traced stretch."""
    p = np.asarray(point, float)
    best = None
    for a, b in itertools.pairwise(frontier):
        a, b = np.asarray(a, float), np.asarray(b, float)
        # p + g (1, 1) = a + s (b - a):  [1, -(b-a)] [g, s]' = a - p, componentwise
        m = np.array([[1.0, -(b - a)[0]], [1.0, -(b - a)[1]]])
        if abs(np.linalg.det(m)) < 1e-15:
            continue
        g, s = np.linalg.solve(m, a - p)
        if -1e-12 <= s <= 1 + 1e-12:
            best = g if best is None else max(best, g)
    return None if best is None else float(best)


@dataclass(frozen=True, eq=False)
class FrontierTalks:
    """Everything `tradewar frontier` shows (see the module docstring)."""

    players: tuple[str, ...]
    controls: bool
    theta_scale: float
    frontier: list[PolicyResult]
    war: PolicyResult
    deal: PolicyResult
    baseline: PolicyResult
    busan: PolicyResult | None
    busan_deal: PolicyResult | None
    seconds: float
    data: Baseline

    def point(self, result: PolicyResult) -> dict[str, float]:
        return {p: float(result.payoff_pct[self.data.region_index(p)]) for p in self.players}

    def to_dict(self) -> dict:
        def entry(result: PolicyResult | None, certified: bool = True) -> dict | None:
            if result is None:
                return None
            d = {"payoffs": self.point(result)}
            if certified and result.certificate is not None:
                c = result.certificate
                d["certificate"] = {
                    "max_deviation_gain_pct": c.max_deviation_gain_pct,
                    "foc_residual": c.foc_residual,
                    "equilibrium_residual": c.equilibrium_residual,
                }
                d["converged"] = result.converged
            d["tariffs_pct"] = self.average_tariffs(result)
            if "export_limits" in result.details:
                d["export_limits"] = result.details["export_limits"]
            return d

        busan = entry(self.busan)
        if busan is not None:
            war = self.point(self.war)
            busan["gain_over_war_pct"] = {p: _gain(busan["payoffs"][p], war[p]) for p in self.players}
            frontier = [tuple(self.point(r)[p] for p in self.players) for r in self.frontier]
            point = tuple(busan["payoffs"][p] for p in self.players)
            busan["equal_gain_to_frontier_pct"] = equal_gain_to_frontier(point, frontier)
            busan["pledges"] = self.busan.details["pledges"]
            busan["deal_from_busan"] = entry(self.busan_deal)
            busan["deal_from_busan"]["gain_over_busan_pct"] = self.busan_deal.details["gain_over_threat_pct"]
            busan["deal_from_busan"]["pledges"] = self.busan_deal.details["pledges"]
        deal = entry(self.deal)
        deal["gain_over_war_pct"] = self.deal.details["gain_over_threat_pct"]
        return {
            "players": list(self.players),
            "dataset": self.data.name,
            "instruments": "tariffs and export controls" if self.controls else "tariffs",
            "theta_scale": self.theta_scale,
            "payoff": "exact change in real income (welfare_hat), percent from the baseline",
            "frontier": [
                {
                    **self.point(r),
                    "weight": r.details["weights"][0],
                    "foc_residual": r.certificate.foc_residual,
                }
                for r in self.frontier
            ],
            "war": entry(self.war),
            "deal": deal,
            "busan": busan,
            "baseline": entry(self.baseline, certified=False),
            "seconds": self.seconds,
        }

    def average_tariffs(self, result: PolicyResult) -> dict[str, float]:
        """Each player's trade-weighted average tariff on the other (`tradewar.scenario.basis.average_tariff`)."""
        a, b = self.players[:2]
        return {
            f"{a}_on_{b}": average_tariff(self.data, result.policy.tariffs, a, b),
            f"{b}_on_{a}": average_tariff(self.data, result.policy.tariffs, b, a),
        }


def _gain(u: float, ref: float) -> float:
    """Gain of payoff u over ref (both percent changes from the baseline), percent."""
    return float(100 * ((1 + u / 100) / (1 + ref / 100) - 1))


def talks_frontier(
    baseline: Baseline,
    players: Sequence[str] | str = ("USA", "CHN"),
    *,
    controls: bool = False,
    n_points: int = FRONTIER_POINTS,
    theta_scale: float = 1.0,
    elec_share: float = US_CONTROLLED_ELEC_SHARE,
    busan: bool | None = None,
    model: str = "caliendo-parro",
    progress: Progress | None = None,
    **options,
) -> FrontierTalks:
    """The war, the deal, the frontier and (USA-CHN) the Busan policy: see the module docstring."""
    t0 = time.perf_counter()
    if isinstance(players, str):
        players = [p.strip() for p in players.split(",") if p.strip()]
    players = tuple(players)
    if len(players) != 2 or len(set(players)) != 2:
        raise InputError(
            f"players: {','.join(players)}; the frontier is of two different players, e.g. USA,CHN",
            field="players",
        )
    for p in players:
        baseline.region_index(p, "players")
    if not (np.isfinite(theta_scale) and theta_scale > 0):
        raise InputError(f"theta_scale: {theta_scale:g}; give a positive factor (1: long run)", field="theta_scale")
    with_busan = set(players) == {"USA", "CHN"} if busan is None else busan
    instruments = talks_instruments(baseline, players, controls=controls, elec_share=elec_share)
    busan_pol = busan_policy(baseline) if with_busan else None
    limit_cells = None if busan_pol is None else np.isfinite(busan_pol.export_limits)
    game = InstrumentGame(
        model, baseline, limit_cells=limit_cells, theta=theta_scale * np.asarray(baseline.theta), **options
    )
    say = progress or (lambda _m: None)
    say("the war")
    war = nash(game, instruments, progress=progress)
    say("the deal")
    deal = bargaining(game, instruments, war)
    frontier = trace_frontier(game, instruments, n_points, progress=progress)
    base = evaluate(game, Policy.of(baseline), players, kind="baseline")
    busan_result = busan_deal = None
    if busan_pol is not None:
        say("the Busan policy")
        busan_pol, pledges = apply_pledges(game, busan_pol, [SOYBEAN_PLEDGE])
        busan_result = evaluate(game, busan_pol, players, kind="busan")
        busan_result.details["pledges"] = pledges
        busan_deal = bargaining(game, instruments, busan_result, pledges=[SOYBEAN_PLEDGE])
    result = FrontierTalks(
        players=players,
        controls=controls,
        theta_scale=float(theta_scale),
        frontier=frontier,
        war=war,
        deal=deal,
        baseline=base,
        busan=busan_result,
        busan_deal=busan_deal,
        seconds=time.perf_counter() - t0,
        data=baseline,
    )
    return result
