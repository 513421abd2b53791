"""What a reader of a scenario wants first: one overview table and the headline figures.

`overview(result)` gives one row per step (steps down) and the key numbers across: the US and
Chinese average tariffs on each other, US imports from China, the welfare of the main regions
and, for the United States, the three figures readers of tariff studies expect (the Yale
Budget Lab's, for instance). Every column carries its unit (`Column`). `headline(eq)` computes
those figures for one solved step:

* ``us_consumer_prices_pct``: the change in the US consumer price index relative to US wages,
  100 (P'/w' / (P/w) - 1) = 100 (1 / real_wage_hat - 1). P is the model's consumer price index
  over final-demand sectors, tariffs included (Caliendo and Parro 2015, eqs. 11 and 16:
  prod_j (P_n^j)^alpha_n^j). Measured in US wages, it says how much more the same basket costs
  out of an unchanged wage: the Budget Lab's assumption that the Fed lets prices rise rather
  than nominal wages fall. (The model's own `price_index_pct` is relative to its numeraire,
  world value added, and moves with the US terms of trade.)
* ``us_cost_per_household_usd``: that price change times US final expenditure in the baseline
  (the model's income I_n = VA_n + tariff revenue_n + D_n, a year) over the number of US
  households: what the baseline basket costs each household more a year, before any use of the
  tariff revenue. Final expenditure is all final demand (households, government, investment;
  the data do not split it), where the Budget Lab uses personal consumption only (about two
  thirds of it), so for the same price change their figure is about a third lower.
* ``us_real_income_cost_per_household_usd``: the net cost, -(real income change) x I_n /
  households: the loss of real income after the tariff revenue is spent at home (exact,
  I'_n / (I_n P_hat_n) - 1).
* ``us_tariff_revenue_usd_bn``: US tariff revenue a year in the new equilibrium, sum over
  partners and sectors of tariff x imports net of tariffs (after trade has adjusted), and
  ``us_tariff_revenue_change_usd_bn`` its change from the baseline.

Dollar figures need the dataset's unit of money (`MONEY_UNITS`): world2022 is in USD million of
2022 (its PROVENANCE.md), so the dollar figures are for the 2022 economy in 2022 dollars.
Households: 131.20 million in 2022 (US Census Bureau, Current Population Survey, Annual Social
and Economic Supplement 2022, Table HH-1).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from tradewar.report.numbers import format_number
from tradewar.report.tables import WAR_PARTIES, bilateral_change, step_labels, welfare_column

#: Regions whose welfare the overview shows by default, in this order (those present).
OVERVIEW_REGIONS = ("USA", "CHN", "EU27")
#: Changes (in %) below this size in every step are shown with three decimals instead of two.
SMALL_CHANGE = 0.1
#: US households in 2022 (Census CPS ASEC 2022, Table HH-1: 131,202 thousand).
US_HOUSEHOLDS_2022 = 131_202_000


@dataclass(frozen=True)
class MoneyUnit:
    """A dataset's unit of money: `dollars` US dollars of `year`; `households` the number of US
    households in that year (for per-household figures)."""

    dollars: float
    year: int
    households: float
    source: str


#: Units of money by dataset name (the part before any " (...)" suffix an aggregation adds):
#: world2022 and world2022-full are in USD million of 2022 (their PROVENANCE.md).
MONEY_UNITS = {
    name: MoneyUnit(
        1e6,
        2022,
        US_HOUSEHOLDS_2022,
        f"{name}: USD million, 2022, current prices (PROVENANCE.md); "
        "131.20 million US households in 2022 (Census CPS ASEC, Table HH-1)",
    )
    for name in ("world2022", "world2022-full")
}


def money_unit(baseline) -> MoneyUnit | None:
    """The unit of money of `baseline`, or None where it is not known (no dollar figures)."""
    return MONEY_UNITS.get(baseline.name.split(" (")[0])


@dataclass(frozen=True)
class Column:
    """One column of the overview: its key in the rows, its header (unit included; lines
    broken with "\\n" to fit 80 terminal columns), decimals (negative: round to tens, hundreds)
    and whether a change is shown with its sign."""

    key: str
    header: str
    digits: int
    signed: bool = True


def headline(eq) -> dict[str, float]:
    """The US headline figures of one solved step (module docstring); {} where the dataset has
    no USA, the model no consumer price index, or the unit of money is unknown."""
    b, out = eq.baseline, eq.outcomes
    unit = money_unit(b)
    needed = ("real_wage_hat", "real_income_hat", "income_old", "tariff_revenue_old", "tariff_revenue_new")
    if unit is None or "USA" not in b.regions or not all(k in out for k in needed):
        return {}
    u = b.region_index("USA")
    income = float(out["income_old"][u]) * unit.dollars
    prices = 100 * (1 / float(out["real_wage_hat"][u]) - 1)
    real_income = 100 * (float(out["real_income_hat"][u]) - 1)
    revenue_old = float(out["tariff_revenue_old"][u]) * unit.dollars / 1e9
    revenue_new = float(out["tariff_revenue_new"][u]) * unit.dollars / 1e9
    return {
        "us_consumer_prices_pct": prices,
        "us_cost_per_household_usd": prices / 100 * income / unit.households,
        "us_real_income_cost_per_household_usd": -real_income / 100 * income / unit.households,
        "us_tariff_revenue_usd_bn": revenue_new,
        "us_tariff_revenue_change_usd_bn": revenue_new - revenue_old,
        "money_year": unit.year,
    }


@dataclass(frozen=True)
class Overview:
    """Steps down (`rows`, one dict per step), key numbers across (`columns`); `labels` are
    the steps' labels, `title` the scenario's, `money` the unit of money (None: no dollars)."""

    title: str
    columns: list[Column]
    rows: list[dict]
    labels: list[str]
    money: MoneyUnit | None
    welfare_measure: str


def overview(result, regions=OVERVIEW_REGIONS) -> Overview:
    """One row per step of `result` (a `ScenarioResult`) with the columns that its dataset and
    model support: tariffs and trade between the US and China where both are present, welfare
    of `regions` (those present; the first three regions otherwise) and the US headline."""
    from tradewar.scenario.run import average_tariff_keys

    b = result.baseline
    first = result.steps[0].equilibrium.regions()
    measure = welfare_column(first.columns)
    shown = [c for c in regions if c in b.regions] or list(b.regions[:3])
    war = set(WAR_PARTIES) <= set(b.regions)
    columns = [Column("date", "date", 0, signed=False)]
    if war:
        columns += [
            Column("us_tariff_on_china_pct", "US\ntariff\non CHN\n%", 1, signed=False),
            Column("china_tariff_on_us_pct", "CHN\ntariff\non US\n%", 1, signed=False),
            Column("us_imports_from_china_pct", "US\nimports\nfrom\nCHN %", 0),
        ]
    columns += [Column(f"welfare_{code}", f"{code}\nwelfare\n%", 2) for code in shown]
    has_headline = bool(headline(result.steps[0].equilibrium))
    if has_headline:
        columns += [
            Column("us_consumer_prices_pct", "US\nprices\n%", 2),
            Column("us_cost_per_household_usd", "US cost\nper\nhouse-\nhold\n$/yr", -1, signed=False),
            Column("us_tariff_revenue_usd_bn", "US\ntariff\nrevenue\n$bn/yr", 0, signed=False),
        ]
    rows = []
    steps = list(result.steps)
    dates = step_labels(steps)  # the date, or "step k"; numbered where dates repeat
    if getattr(result, "long_run", None) is not None:  # the last step in the long run (a horizon's end)
        steps.append(result.long_run)
        dates.append("long run")
    for k, step in enumerate(steps):
        eq = step.equilibrium
        frame = eq.regions()
        row: dict = {"date": dates[k]}
        if war:
            row.update(average_tariff_keys(eq))
            row["us_imports_from_china_pct"] = bilateral_change(eq, "USA", "CHN")
        row.update({f"welfare_{code}": float(frame.loc[code, measure]) for code in shown})
        if has_headline:
            row.update(headline(eq))
        rows.append(row)
    # small changes get a third decimal, so that they do not all print as 0.00
    columns = [
        replace(c, digits=3) if c.digits == 2 and max(abs(r.get(c.key, 0.0)) for r in rows) < SMALL_CHANGE else c
        for c in columns
    ]
    return Overview(
        title=result.title,
        columns=columns,
        rows=rows,
        labels=[s.label for s in steps],
        money=money_unit(b) if has_headline else None,
        welfare_measure=measure,
    )


def formatted_rows(view: Overview) -> list[list[str]]:
    """The overview's rows as strings, column by column (`format_number`)."""
    return [[format_number(row.get(c.key), c.digits, c.signed) for c in view.columns] for row in view.rows]


def headline_sentences(view: Overview) -> list[str]:
    """Two or three plain sentences on the last step (and the peak, where it differs): US
    prices, cost per household, tariff revenue; [] where the overview has no headline."""
    if view.money is None:
        return []
    rows, labels = view.rows, view.labels
    long_run = rows[-1] if rows[-1]["date"] == "long run" else None
    if long_run is not None:
        rows, labels = rows[:-1], labels[:-1]
    last = rows[-1]
    year = view.money.year
    digits = next(c.digits for c in view.columns if c.key == "us_consumer_prices_pct")
    when = f"{last['date']} ({labels[-1]})" if labels[-1] else last["date"]
    money = lambda v: format_number(v, -1, signed=False)
    out = [
        (
            f"Last step, {when}: US consumer prices "
            f"{format_number(last['us_consumer_prices_pct'], digits)} % relative to wages, a cost of "
            f"${money(last['us_cost_per_household_usd'])} per household a year "
            f"({net_cost(last['us_real_income_cost_per_household_usd'])} net of the tariff revenue spent at home); "
            f"tariff revenue ${format_number(last['us_tariff_revenue_usd_bn'], 0, signed=False)} bn a year "
            f"({format_number(last['us_tariff_revenue_change_usd_bn'], 0)} bn on the baseline). "
            f"In {year} dollars on the {year} economy."
        )
    ]
    if long_run is not None:
        out.append(
            f"In the long run: US consumer prices {format_number(long_run['us_consumer_prices_pct'], digits)} %, "
            f"${money(long_run['us_cost_per_household_usd'])} per household a year."
        )
    peak = int(np.argmax([r["us_consumer_prices_pct"] for r in rows]))
    if peak != len(rows) - 1:
        p = rows[peak]
        out.append(
            f"Peak, {p['date']} ({labels[peak]}): US consumer prices "
            f"{format_number(p['us_consumer_prices_pct'], digits)} %, "
            f"${money(p['us_cost_per_household_usd'])} per household a year."
        )
    return out


def add_headline_keys(out: dict, result) -> dict:
    """Add the US headline figures (`headline`) to `ScenarioResult.to_dict()`: each step gets a
    `headline` object ({} where the dataset has none) and the top level the last step's."""
    for entry, step in zip(out["steps"], result.steps):
        entry["headline"] = headline(step.equilibrium)
    out["headline"] = out["steps"][-1]["headline"]
    return out


def net_cost(usd: float) -> str:
    """'$330' for a cost, 'a gain of $400' for a negative cost, in tens of dollars."""
    amount = format_number(abs(usd), -1, signed=False)
    return f"a gain of ${amount}" if round(usd, -1) < 0 else f"${amount}"
