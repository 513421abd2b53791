"""What a tariff game returns: the answer (`GameResult`) with its certificate (`Certificate`)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from tradewar.data.baseline import Baseline
from tradewar.games.game import Game


@dataclass(frozen=True, eq=False)
class Certificate:
    """Evidence that an answer solves its problem.

    ``foc_residual``: largest projected-gradient component of any optimiser's objective at the
    answer (percent of the payoff per unit of tariff; zero at a KKT point of the bounds); None
    for a given policy, which no optimiser chose (e.g. `tradewar.games.deals`' threat and signed
    deal).
    ``deviation_gain_pct``: for a Nash equilibrium, per player, the largest gain in its payoff
    (percent) from re-solving its best response with the others fixed. For a Nash-bargaining
    deal, ``{"nash_product": g}``: the largest gain g in the Nash product prod_n (u_n - u_n(threat))
    (percent) found by re-maximising it from starting points other than the deal's own
    (`tradewar.games.optimise.deal_deviation_gain_pct`; Nash 1950: the deal maximises it). None
    where no such certificate was computed, for a deal because no other start leaves every
    player better off than the threat (the deal is then not converged).
    ``constraint_residual``: for equal gains, the largest distance of a player's gain from the
    common gain (percentage points); for bargaining, None.
    ``equilibrium_residual``: the largest residual of the equilibrium conditions met on the way.
    """

    foc_residual: float | None
    equilibrium_residual: float
    deviation_gain_pct: dict[str, float] | None = None
    constraint_residual: float | None = None

    @property
    def max_deviation_gain_pct(self) -> float | None:
        return None if self.deviation_gain_pct is None else max(self.deviation_gain_pct.values())

    def to_dict(self) -> dict:
        return {
            "foc_residual": self.foc_residual,
            "equilibrium_residual": self.equilibrium_residual,
            "deviation_gain_pct": self.deviation_gain_pct,
            "max_deviation_gain_pct": self.max_deviation_gain_pct,
            "constraint_residual": self.constraint_residual,
        }


@dataclass(frozen=True, eq=False)
class GameResult:
    """The answer to a tariff game: tariffs, payoffs, the certificate and solver diagnostics.

    ``tariffs`` are the full tariffs [importer, exporter, sector] at the answer; ``chosen`` marks
    the cells the players chose. ``outcomes`` are the model's outcomes there (numpy).
    Percent changes are relative to the baseline (the factual equilibrium) unless named
    ``*_vs_start``.
    """

    kind: str
    model: str
    baseline: Baseline
    objective: str
    players: tuple[str, ...]
    mfn: bool
    tariffs: np.ndarray
    start_tariffs: np.ndarray
    chosen: np.ndarray
    outcomes: dict
    objective_key: str
    start_payoff_pct: np.ndarray
    certificate: Certificate
    converged: bool
    iterations: int
    evaluations: int
    seconds: float
    details: dict = field(default_factory=dict)

    @property
    def payoff_pct(self) -> np.ndarray:
        """Change in every region's payoff (welfare or government welfare), percent."""
        return 100 * (self.outcomes[self.objective_key] - 1)

    @property
    def welfare_pct(self) -> np.ndarray:
        return 100 * (self.outcomes["welfare_hat"] - 1)

    @property
    def gain_vs_start_pct(self) -> np.ndarray:
        """Payoff change relative to the starting tariffs, percent."""
        return 100 * ((1 + self.payoff_pct / 100) / (1 + self.start_payoff_pct / 100) - 1)

    def median_tariff_pct(self, code: str) -> float:
        """Median of the tariffs a player chose (over partners and sectors), percent."""
        n = self.baseline.region_index(code, "player")
        return float(100 * np.median(self.tariffs[n][self.chosen[n]]))

    def tariff_table(self) -> pd.DataFrame:
        """The chosen tariffs, labelled: index (importer, exporter, sector), columns tariff_pct
        and start_tariff_pct."""
        b = self.baseline
        n, i, s = np.nonzero(self.chosen)
        index = pd.MultiIndex.from_arrays(
            [np.array(b.regions)[n], np.array(b.regions)[i], np.array(b.sectors)[s]],
            names=["importer", "exporter", "sector"],
        )
        return pd.DataFrame(
            {"tariff_pct": 100 * self.tariffs[n, i, s], "start_tariff_pct": 100 * self.start_tariffs[n, i, s]},
            index=index,
        )

    def mfn_table(self) -> pd.DataFrame:
        """For MFN answers: one tariff per (importer, sector)."""
        t = self.tariff_table().reset_index()
        return t.groupby(["importer", "sector"], sort=False)[["tariff_pct", "start_tariff_pct"]].mean()

    def regions(self) -> pd.DataFrame:
        """One row per region: payoff and welfare changes (vs baseline and vs start), real wage,
        median chosen tariff (players only)."""
        b = self.baseline
        out = self.outcomes
        data = {
            "player": [r in self.players for r in b.regions],
            "payoff_pct": self.payoff_pct,
            "welfare_pct": self.welfare_pct,
            "gain_vs_start_pct": self.gain_vs_start_pct,
        }
        if "government_welfare_hat" in out:
            data["government_welfare_pct"] = 100 * (out["government_welfare_hat"] - 1)
        if "real_wage_hat" in out:
            data["real_wage_pct"] = 100 * (out["real_wage_hat"] - 1)
        data["median_tariff_pct"] = [
            self.median_tariff_pct(r) if self.chosen[k].any() else np.nan for k, r in enumerate(b.regions)
        ]
        return pd.DataFrame(data, index=pd.Index(b.regions, name="code"))

    def to_dict(self, *, tariffs: bool = True) -> dict:
        regions = self.regions().reset_index()
        d = {
            "kind": self.kind,
            "model": self.model,
            "dataset": self.baseline.name,
            "objective": self.objective,
            "players": list(self.players),
            "mfn": self.mfn,
            "converged": self.converged,
            "iterations": self.iterations,
            "evaluations": self.evaluations,
            "seconds": self.seconds,
            "certificate": self.certificate.to_dict(),
            "regions": [
                {k: (v if isinstance(v, (str, bool)) else float(v)) for k, v in row.items()}
                for row in regions.to_dict(orient="records")
            ],
            "details": dict(self.details),
        }
        if tariffs:
            t = self.tariff_table().reset_index()
            d["tariffs"] = [
                {
                    "importer": r.importer,
                    "exporter": r.exporter,
                    "sector": r.sector,
                    "tariff_pct": float(r.tariff_pct),
                    "start_tariff_pct": float(r.start_tariff_pct),
                }
                for r in t.itertuples()
            ]
        return d


def make_result(game: Game, kind, players, mfn, tariffs, start, chosen, cert, converged, iterations, t0, **details):
    out, res, ok, _ = game.solve(tariffs)
    start_out, _, _, _ = game.solve(start)
    cert = Certificate(
        foc_residual=cert.foc_residual,
        equilibrium_residual=max(cert.equilibrium_residual, res),
        deviation_gain_pct=cert.deviation_gain_pct,
        constraint_residual=cert.constraint_residual,
    )
    return GameResult(
        kind=kind,
        model=game.model,
        baseline=game.baseline,
        objective=game.objective,
        players=tuple(game.baseline.regions[p] for p in players),
        mfn=mfn,
        tariffs=np.asarray(tariffs),
        start_tariffs=np.asarray(start),
        chosen=chosen,
        outcomes=out,
        objective_key=game.key,
        start_payoff_pct=100 * (start_out[game.key] - 1),
        certificate=cert,
        converged=bool(converged and ok),
        iterations=int(iterations),
        evaluations=game.evaluations,
        seconds=time.perf_counter() - t0,
        details=details,
    )
