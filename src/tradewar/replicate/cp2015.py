"""Caliendo and Parro (2015), "Estimates of the Trade and Welfare Effects of NAFTA", RES 82(1).

Table 2 ("NAFTA's tariff reductions", section 5.1): from CP's zero-deficit 1993 base year, set
tariffs among Canada, Mexico and the US to their 2005 levels and all others to 1993, deficits
zero. Table A4: the same with the 1993 data and deficits held fixed. Welfare is CP's linearised
decomposition (eq. 16, `Welfarelineal.m`), real wage w_hat / prod_j P_hat_j^alpha_j.
"""

from __future__ import annotations

from tradewar.data.cp2015 import load_cp2015
from tradewar.data.registry import default_data_path
from tradewar.models import caliendo_parro
from tradewar.solver.equilibrium import solve

#: The paper's Table 2, rows Mexico, Canada, U.S. (percent).
TABLE_2 = {
    "MEX": {"welfare_pct": 1.31, "terms_of_trade_pct": -0.41, "volume_of_trade_pct": 1.72, "real_wage_pct": 1.72},
    "CAN": {"welfare_pct": -0.06, "terms_of_trade_pct": -0.11, "volume_of_trade_pct": 0.04, "real_wage_pct": 0.32},
    "USA": {"welfare_pct": 0.08, "terms_of_trade_pct": 0.04, "volume_of_trade_pct": 0.04, "real_wage_pct": 0.11},
}
#: The paper's Table A4 (model with trade deficits), welfare column (percent).
TABLE_A4 = {"MEX": {"welfare_pct": 1.17}, "CAN": {"welfare_pct": -0.04}, "USA": {"welfare_pct": 0.09}}


def replicate(data=None, *, with_deficits: bool = False) -> dict:
    """Solve the NAFTA experiment and return the NAFTA rows beside the published values."""
    path = data or default_data_path("cp2015")
    if with_deficits:
        baseline = caliendo_parro.calibrate(load_cp2015(path, "with-deficits"), deficits="fixed")
        published, title = TABLE_A4, "Caliendo-Parro (2015) Table A4: NAFTA's tariff reductions, deficits fixed"
    else:
        baseline = load_cp2015(path, "zero-deficit")
        published, title = TABLE_2, "Caliendo-Parro (2015) Table 2: NAFTA's tariff reductions"
    eq = solve(caliendo_parro.NAME, baseline, baseline.extras["tariff_cf_nafta"], deficits="fixed")
    out = eq.to_dict()
    for row in out["regions"]:
        if row["code"] in published:
            row["published"] = published[row["code"]]
    nafta = [r for r in out["regions"] if r["code"] in published]
    return {
        "title": title,
        **{k: v for k, v in out.items() if k != "regions"},
        "regions": nafta,
        "all_regions": out["regions"],
    }
