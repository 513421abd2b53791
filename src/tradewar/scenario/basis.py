"""The basis of US tariffs: statutory (as announced) or collected (duties actually paid).

A scenario step sets statutory tariffs: every announced rate applied to all of a partner's
goods in its sectors. What US customs collected was much less: USMCA-compliant goods from
Canada and Mexico were exempt from the fentanyl tariffs, Annex II goods and the April
electronics carve-out from the reciprocal ones, goods in transit were exempt for weeks, and
product exclusions continued. On the `collected` basis, each step's US tariff on each partner
region r is brought to the duties actually collected on r's goods in the step's month
(`tradewar.data.observed`: duties / imports, EU members and the other regions' members in the
file summed):

1. **Target rate.** With observed data for r in the month: target = collected rate of r.
   Without, target = A0 + k (As - A0), with A0 the baseline average of the US tariff on r, As
   the step's statutory average, and k the share of the statutory increase that was collected,
   k = (collected - A0') / (As' - A0'), measured in the model at a month with data: for a
   region with no partner in the file, k of all partners together (averages over every
   exporter) in the same month; for a month after the file's last one, k of r itself in the
   file's last month (the policy in force then, `month_policy`), or of all partners if r has
   no data. k = 1 where the statutory increase is below `MATERIAL_RISE_PP` (nothing to scale).
   For Canada and Mexico this carries forward their exempt USMCA-compliant share.
2. **Tariffs.** The step's statutory increase over the baseline is scaled so that the
   trade-weighted average (`average_tariff`, baseline trade weights, goods) equals
   the target: tau' = tau_0 + k (tau_stat - tau_0), k = (target - A0) / (As - A0), which keeps
   the sector pattern of the increase. When the statutory increase is below
   `MATERIAL_RISE_PP` or the target is below A0, the statutory levels are scaled instead:
   tau' = tau_stat x target / As. Only US import tariffs change; other importers stay statutory.

Averages are at baseline (2022 model) trade weights while the collected rate is at the month's
import mix, and a collected rate is itself lowered by substitution towards untaxed goods:
buyers shift to exempt products and partners, so duties / imports understate the tariff on a
fixed basket, and the model then lets buyers substitute once more across sectors and partners.
The collected basis is therefore a lower bound on the tariff shock, the statutory one an upper
bound. Steps in the same month share its collected rate.

Also here: `average_tariff`, the trade-weighted average at baseline trade that defines the
basis and that scenario results report, and `month_policy`, the policy in force in a month.
"""

from __future__ import annotations

import calendar
import difflib
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

import numpy as np

from tradewar.data.baseline import Baseline
from tradewar.errors import InputError

if TYPE_CHECKING:  # the observed data (pandas) load only for collected tariffs (`collected_steps`)
    from tradewar.data.observed import Observed

BASES = ("statutory", "collected")
#: Statutory increases (model average, points) below which levels are scaled, not increases.
MATERIAL_RISE_PP = 0.5
IMPORTER = "USA"


def average_tariff(baseline: Baseline, tariffs: np.ndarray, importer: str, exporter: str | list[str]) -> float:
    """Trade-weighted average tariff of `importer` on `exporter`'s goods, at baseline trade (%).

    Goods are the sectors that carry a tariff somewhere in the baseline (services and utilities
    carry none), so the average compares with published goods averages (PIIE's, for example).
    `exporter` may be a list of codes: the average over all their goods, weighted the same way.
    """
    n = baseline.region_index(importer, "importer")
    i = [baseline.region_index(e, "exporter") for e in ([exporter] if isinstance(exporter, str) else exporter)]
    goods = np.any(baseline.tariffs != 0, axis=(0, 1))
    weights = baseline.trade[n, i] * baseline.tradable * (goods if goods.any() else 1.0)
    return float(100 * np.sum(weights * tariffs[n, i]) / np.sum(weights))


def parse_basis(value, field: str = "model.tariff_basis") -> str:
    """ "statutory" or "collected"; anything else is a one-line error naming the closest."""
    text = str(value).strip().lower()
    if text in BASES:
        return text
    close = difflib.get_close_matches(text, BASES, n=1, cutoff=0.0)
    raise InputError(
        f"{field}: unknown tariff basis {value!r}; use statutory or collected (closest: {close[0]!r})",
        field=field,
    )


@dataclass(frozen=True)
class CollectedRate:
    """The collected-basis target for one exporter region in one month, and how it was set."""

    exporter: str
    month: str
    target_pct: float
    statutory_pct: float
    baseline_pct: float
    rule: str  # "observed" or the share collected that set it (rule 1 of the module docstring)


def month_policy(steps, baseline: Baseline, month: str) -> dict:
    """The policy in force in `month` (YYYY-MM): the day-weighted average of the arrays of the
    steps in force on each day (a step is in force from its date to the next step's date; days
    before the first step have the baseline's tariffs and no export tax or limit; months after
    the last step have the last step's policy). Export limits average the cut (no limit = 0) and
    are NaN where the average is 0. `steps` are `PolicyArrays` with dates (YYYY-MM-DD).

    Returns {"tariffs", "export_taxes", "export_limits", "in_force": [(date, label, days)]}."""
    first = date.fromisoformat(f"{month}-01")
    n_days = calendar.monthrange(first.year, first.month)[1]
    dated = []
    for k, step in enumerate(steps):
        if not step.date:
            raise InputError(
                f"scenario: step {k + 1} ({step.label!r}) has no date; a monthly policy needs dated steps",
                field=f"step[{k}].date",
            )
        dated.append((date.fromisoformat(step.date[:10]), step))
    dated.sort(key=lambda x: x[0])
    days: dict[int, int] = {}
    for d in range(n_days):
        day = first + timedelta(days=d)
        k = max((j for j, (when, _) in enumerate(dated) if when <= day), default=-1)
        days[k] = days.get(k, 0) + 1
    tariffs = np.zeros_like(baseline.tariffs)
    taxes = np.zeros_like(baseline.tariffs)
    cuts = np.zeros_like(baseline.tariffs)
    in_force = []
    for k, n in days.items():
        w = n / n_days
        if k < 0:
            tariffs += w * baseline.tariffs
            in_force.append((None, "baseline", n))
            continue
        step = dated[k][1]
        tariffs += w * step.tariffs
        taxes += w * step.export_taxes
        cuts += w * np.nan_to_num(step.export_limits, nan=0.0)
        in_force.append((step.date, step.label, n))
    return {
        "tariffs": tariffs,
        "export_taxes": taxes,
        "export_limits": np.where(cuts > 0, cuts, np.nan),
        "in_force": in_force,
    }


def collected_share(baseline: Baseline, statutory: np.ndarray, collected_pct: float, exporters) -> float:
    """k = (collected - A0) / (As - A0) over `exporters` (a code or a list), 1 when the
    statutory increase As - A0 is below `MATERIAL_RISE_PP`."""

    a0 = average_tariff(baseline, baseline.tariffs, IMPORTER, exporters)
    a_stat = average_tariff(baseline, statutory, IMPORTER, exporters)
    return 1.0 if a_stat - a0 < MATERIAL_RISE_PP else (collected_pct - a0) / (a_stat - a0)


def collected_target(
    baseline: Baseline, observed: Observed, month: str, region: str, statutory_pct: float, statutory_at
) -> tuple[float, str]:
    """(target percent, rule) for one region and month: rule 1 of the module docstring.
    `statutory_pct` is the step's statutory average on the region; `statutory_at(month)` gives
    the statutory tariffs in force in a month (for the share collected in another month)."""

    a0 = average_tariff(baseline, baseline.tariffs, IMPORTER, region)
    r = observed.regions
    if (month, region) in r.index:
        return float(r.loc[(month, region), "collected_pct"]), "observed"
    partners = [c for c in baseline.regions if c != IMPORTER]
    if month in observed.months:
        k = collected_share(baseline, statutory_at(month), observed.total(month)["collected_pct"], partners)
        rule = f"share collected from all partners, {month}"
    else:
        earlier = [m for m in observed.months if m < month]
        if not earlier:
            raise InputError(
                f"--observed: no collected rate for {region} in {month} and no earlier month to carry one "
                "from; add months to the observed file or use the statutory basis",
                field="observed",
            )
        last = earlier[-1]
        if (last, region) in r.index:
            k = collected_share(baseline, statutory_at(last), float(r.loc[(last, region), "collected_pct"]), region)
            rule = f"share collected from {region}, {last}"
        else:
            k = collected_share(baseline, statutory_at(last), observed.total(last)["collected_pct"], partners)
            rule = f"share collected from all partners, {last}"
    return a0 + k * (statutory_pct - a0), rule


def to_collected(baseline: Baseline, tariffs: np.ndarray, month: str, observed: Observed, statutory_at):
    """Statutory `tariffs` (a step's, or a month's policy) with the US tariffs brought to the
    rates collected in `month` (rule 2 of the module docstring); `statutory_at(month)` gives the
    statutory tariffs in force in another month (rule 1). Returns (tariffs,
    [CollectedRate per exporter region])."""

    u = baseline.region_index(IMPORTER, "importer")
    out = np.array(tariffs, dtype=float, copy=True)
    rates = []
    for code in baseline.regions:
        if code == IMPORTER:
            continue
        i = baseline.region_index(code)
        a0 = average_tariff(baseline, baseline.tariffs, IMPORTER, code)
        a_stat = average_tariff(baseline, tariffs, IMPORTER, code)
        target, rule = collected_target(baseline, observed, month, code, a_stat, statutory_at)
        statutory, base = np.asarray(tariffs[u, i], float), baseline.tariffs[u, i]
        if a_stat - a0 >= MATERIAL_RISE_PP and target >= a0:
            out[u, i] = base + (target - a0) / (a_stat - a0) * (statutory - base)
        elif a_stat > 0:
            out[u, i] = statutory * target / a_stat
        else:  # no US tariff on r's goods at all: the target on every goods sector
            goods = np.any(baseline.tariffs != 0, axis=(0, 1))
            out[u, i] = np.where(goods, target / 100, statutory)
        rates.append(CollectedRate(code, month, target, a_stat, a0, rule))
    return out, rates


def collected_steps(baseline: Baseline, steps: list, observed: Observed | None = None) -> list:
    """A scenario's compiled steps [(PolicyArrays, extra)] with each step's US tariffs brought
    to the rates collected in the step's month (the bundled observed data by default)."""
    from dataclasses import replace

    from tradewar.data.observed import load_observed

    observed = observed if observed is not None else load_observed()
    arrays = [step for step, _ in steps]
    for k, step in enumerate(arrays):
        if not step.date:
            raise InputError(
                f"model.tariff_basis: collected tariffs are taken in each step's month, and step {k + 1} "
                f'({step.label!r}) has no date; date every step or use tariff_basis = "statutory"',
                field="model.tariff_basis",
            )
    policies: dict[str, np.ndarray] = {}

    def statutory_at(month):
        if month not in policies:
            policies[month] = month_policy(arrays, baseline, month)["tariffs"]
        return policies[month]

    return [
        (
            replace(step, tariffs=to_collected(baseline, step.tariffs, step.date[:7], observed, statutory_at)[0]),
            extra,
        )
        for step, extra in steps
    ]
