r"""Trade elasticities by horizon: how much of the long-run response has happened after h months.

The Caliendo-Parro elasticities theta^j of the bundled data (CP 2015, their Table 1, 1.45 to
14 by sector) are estimated from cross-sections of tariffs and trade: long-run values. Events
weeks or months apart answer at a shorter horizon, where trade responds less. This module maps
a horizon to elasticities by scaling the model's sector pattern:

    theta_h^j = R(h) theta^j,        R(h) = 1 - exp(-h / T),        R(long run) = 1,

with R the share of the long-run response reached after h months.

**Anchors.** Boehm, Levchenko and Pandalai-Nayar (2023, "The Long and Short (Run) of Trade
Elasticities", AER 113(4), 861-905; NBER WP 27064): the elasticity of *tariff-exclusive* trade
flows to (1 + tariff) is about -0.76 one year after a tariff change and -1.75 to -2.25 in the
long run, reached after 7-10 years. Anderson and Yotov (2020, "Short run gravity", JIE 126,
103341): short-run trade is a geometric average of long-run gravity (weight delta) and fixed
bilateral capacity (weight 1 - delta), so the short-run elasticity to trade costs is delta times
the long-run one: a proportional scaling of theta, which is what R(h) does.

**Calibration of R.** R(12) = 0.76 / 2.0 = 0.38 (BLP at one year over the midpoint of their
long-run range), so T = -12 / ln(1 - 0.38) = 25.1 months; then R(84) = 0.965 and R(120) = 0.992:
the long run is reached after 7-10 years, as BLP find. With the ends of their long-run range,
R(12) lies in [0.34, 0.43] (`SHORT_RUN_SHARE_RANGE`). Only this ratio is taken from BLP.

**What BLP's number is in this model.** In CP 2015 the share pi_ni^j of tariff-inclusive
expenditure moves with kappa_ni^j^(-theta^j), kappa including (1 + tau) (eq. 12), so the
elasticity of trade to (1 + tariff) and to cost is -theta for *tariff-inclusive* spending, and
-(theta + 1) for *tariff-exclusive* flows (the flow is pi X / (1 + tau)); in general equilibrium
and for a partner with share pi the partial response is -(theta (1 - pi) + 1). BLP's elasticities
are of tariff-exclusive flows, so they correspond to -(theta + 1): their long run means
theta = 0.75 to 1.25, their one-year value theta = -0.24, which no Eaton-Kortum model admits
(theta > 0). The levels therefore cannot be carried over; the *ratio* short/long can, and is.
Scaling (theta + 1) by R instead would give negative theta for the machinery sector (R(12) x
2.45 - 1 < 0). The model's long run stays CP's: with theta at the US import-weighted mean
(about 6.4 on world2022) the long-run flow elasticity is about -7.4, four times BLP's; at the
short horizon it is about -3.4, still above BLP's -0.76. Short-run answers from this mapping are
therefore smaller than the long-run ones but larger than BLP's level would imply; the backtest
(`tradewar backtest`) shows how far that is from 2025's data.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass

import numpy as np

from tradewar.errors import InputError

#: BLP (2023): elasticity of tariff-exclusive flows to (1 + tariff) one year after the change.
BLP_ONE_YEAR = -0.76
#: BLP (2023): the long-run elasticity, range and midpoint, reached after 7-10 years.
BLP_LONG_RUN_RANGE = (-1.75, -2.25)
BLP_LONG_RUN = -2.0
#: Months of the "short" horizon: BLP's one year.
SHORT_RUN_MONTHS = 12.0
#: Share of the long-run response reached after one year: R(12) = 0.76 / 2.0.
SHORT_RUN_SHARE = BLP_ONE_YEAR / BLP_LONG_RUN
SHORT_RUN_SHARE_RANGE = (BLP_ONE_YEAR / BLP_LONG_RUN_RANGE[1], BLP_ONE_YEAR / BLP_LONG_RUN_RANGE[0])
#: Adjustment time T in R(h) = 1 - exp(-h / T), months.
ADJUSTMENT_MONTHS = -SHORT_RUN_MONTHS / math.log(1.0 - SHORT_RUN_SHARE)
#: Named horizons (a number of months is also accepted).
NAMED = ("short", "long")
SOURCES = {
    "short": "Boehm, Levchenko & Pandalai-Nayar (2023, AER): tariff-exclusive flows -0.76 after one year",
    "long": "Caliendo & Parro (2015) sector elasticities (BLP 2023: long run -1.75 to -2.25 after 7-10 years)",
    "months": f"R(h) = 1 - exp(-h/T), T = {ADJUSTMENT_MONTHS:.1f} months from BLP's one-year/long-run ratio; "
    "Anderson & Yotov (2020, JIE) short-run gravity: short-run elasticity = delta x long-run",
}


@dataclass(frozen=True)
class Horizon:
    """A horizon: "short" (12 months), "long" (months None) or a number of months."""

    label: str
    months: float | None

    @property
    def response_share(self) -> float:
        """R(h): the share of the long-run response reached (1 in the long run)."""
        return response_share(self.months)

    def theta(self, theta: np.ndarray) -> np.ndarray:
        """The model's elasticities scaled to this horizon (sector pattern kept)."""
        return self.response_share * np.asarray(theta, dtype=float)

    def __str__(self) -> str:
        return self.label


def response_share(months: float | None) -> float:
    """R(h) = 1 - exp(-h / T) for h months; 1 for the long run (None or infinity)."""
    if months is None or math.isinf(months):
        return 1.0
    return 1.0 - math.exp(-months / ADJUSTMENT_MONTHS)


def parse_horizon(value, field: str = "model.horizon") -> Horizon:
    """ "short", "long" or a positive number of months (a number or a numeric string).

    Unknown values raise a one-line `InputError` naming the closest valid one."""
    if isinstance(value, Horizon):
        return value
    if isinstance(value, str):
        text = value.strip().lower()
        if text == "short":
            return Horizon("short", SHORT_RUN_MONTHS)
        if text == "long":
            return Horizon("long", None)
        try:
            months = float(text.removesuffix("months").removesuffix("m").strip())
        except ValueError:
            close = difflib.get_close_matches(text, NAMED, n=1, cutoff=0.0)
            raise InputError(
                f"{field}: unknown horizon {value!r}; use short, long or a number of months (closest: {close[0]!r})",
                field=field,
            ) from None
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        months = float(value)
    else:
        raise InputError(f"{field}: horizon {value!r} is not short, long or a number of months", field=field)
    if not (math.isfinite(months) and months > 0):
        raise InputError(f"{field}: horizon of {months:g} months; give a number of months above 0", field=field)
    return Horizon(f"{months:g} month{'' if months == 1 else 's'}", months)


def horizon_table(months=(1, 3, 6)) -> list[dict]:
    """The horizons with their share of the long-run response and their sources (for
    `tradewar data list`): a few month counts, short and long."""
    rows = []
    for h in [parse_horizon(m) for m in months] + [parse_horizon("short"), parse_horizon("long")]:
        key = h.label if h.label in NAMED else "months"
        rows.append({"horizon": h.label, "months": h.months, "theta_scale": h.response_share, "source": SOURCES[key]})
    return rows
