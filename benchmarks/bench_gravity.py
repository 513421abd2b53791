"""Timings of the gravity layer against its peers (prints figures; asserts nothing).

    python benchmarks/bench_gravity.py [--repeat 10]

Peers on this kind of machine (issue 5): gegravity 0.3 takes 1.5-2.9 s for its 30-country
counterfactual (examples_OneSectorGE.py: a CAN-JPN PTA) and 7-15 s for the 69-country one
(trade without borders), and gme's PPML 3.6-7.3 s on the 30-country sample. Target: general-
equilibrium solves at least 20 times faster than gegravity (<= 75 ms and <= 350 ms).

"cold" is the first call in a fresh process (JAX tracing and compilation included; the
persistent compilation cache, if warm, shortens it); "warm" is the median of --repeat later
calls, which is what a user running several scenarios, a batch or a game pays.
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings

import numpy as np

from tradewar.data import gegravity as gg
from tradewar.data.estimation import gravity_panel, ppml
from tradewar.data.long_table import square
from tradewar.data.registry import default_data_path
from tradewar.models import gravity
from tradewar.replicate import gegravity, gravity_book
from tradewar.replicate import yotov as ry


def timed(fn, repeat):
    t0 = time.perf_counter()
    out = fn()
    cold = time.perf_counter() - t0
    warm = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        warm.append(time.perf_counter() - t0)
    return out, cold, statistics.median(warm)


def line(label, cold, warm, peer=None):
    text = f"{label:<58} cold {cold:8.3f} s   warm {1000 * warm:9.2f} ms"
    if peer:
        lo, hi = peer
        text += f"   peer {lo:g}-{hi:g} s -> {lo / warm:7.0f}x-{hi / warm:.0f}x faster (warm)"
    print(text)


def can_jpn_inputs():
    df = gg.load_sample(default_data_path("gegravity"))
    b = gg.STATA_COEFFICIENTS
    df["cost_bln"] = np.exp(sum(v * df[k] for k, v in b.items()))
    cj = ((df.exporter == "CAN") & (df.importer == "JPN")) | ((df.exporter == "JPN") & (df.importer == "CAN"))
    df["cost_cfl"] = df["cost_bln"] * np.exp(b["pta"] * (np.where(cj, 1, df.pta) - df.pta))
    c, tb = square(df, "cost_bln")
    tc = square(df, "cost_cfl", c)[1]
    y = df.groupby("exporter")["Y"].first().reindex(c).to_numpy(float)
    e = df.groupby("importer")["E"].first().reindex(c).to_numpy(float)
    return df, c, tb, tc, y, e


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=10)
    args = ap.parse_args()
    r = args.repeat
    print(f"bench_gravity (repeat {r}); peers: gegravity 1.5-2.9 s (30 countries), 7-15 s (69), gme PPML 3.6-7.3 s")

    # 30 countries: gegravity's CAN-JPN example
    df, c, tb, tc, y, e = can_jpn_inputs()
    ref = c.index("DEU")
    out, cold, warm = timed(lambda: gegravity.gegravity_counterfactual(tb, tc, y, e, sigma=5.0, reference=ref), r)
    line("30 countries, CAN-JPN PTA, gegravity's definition", cold, warm, (1.5, 2.9))
    print(
        f"{'':<58} (CAN real GDP {out['real_gdp_pct'][c.index('CAN')]:+.4f} %, JPN "
        f"{out['real_gdp_pct'][c.index('JPN')]:+.4f} %)"
    )
    flows = square(df, "trade", c)[1]
    _, _, fitted = gravity.biproportional(tb, flows.sum(axis=0), flows.sum(axis=1), ref)
    base = gravity.gravity_baseline(c, fitted, sigma=5.0)
    p = gravity.params(base, cost_term_hat=tc / tb, deficits="ratio", numeraire="DEU")
    (res, _), cold, warm = timed(lambda: gravity.solve_equilibrium(p), r)
    line("30 countries, CAN-JPN PTA, full equilibrium (Newton)", cold, warm, (1.5, 2.9))
    print(
        f"{'':<58} (converged {bool(res.converged)}, max residual {float(res.max_residual):.1e}, "
        f"{int(res.iterations)} Newton steps)"
    )

    # 69 countries: trade without borders
    exp = ry.experiment("borders")
    ref = exp.countries.index("DEU")
    out, cold, warm = timed(
        lambda: gegravity.gegravity_counterfactual(
            exp.cost_bln, exp.cost_cfl, exp.output, exp.expenditure, sigma=7.0, reference=ref
        ),
        r,
    )
    line("69 countries, trade without borders, gegravity's definition", cold, warm, (7, 15))
    _, _, fitted = gravity.biproportional(exp.cost_bln, exp.output, exp.expenditure, ref)
    base = gravity.gravity_baseline(exp.countries, fitted, sigma=7.0)
    p = gravity.params(base, cost_term_hat=exp.cost_cfl / exp.cost_bln, deficits="ratio", numeraire="DEU")
    (res, _), cold, warm = timed(lambda: gravity.solve_equilibrium(p), r)
    line("69 countries, trade without borders, full equilibrium", cold, warm, (7, 15))
    print(
        f"{'':<58} (converged {bool(res.converged)}, max residual {float(res.max_residual):.1e}, "
        f"{int(res.iterations)} Newton steps)"
    )
    _, cold, warm = timed(
        lambda: gravity_book.book_procedure(
            exp.cost_bln, exp.cost_cfl, exp.output, exp.expenditure, sigma=7.0, reference=ref
        ),
        r,
    )
    line("69 countries, trade without borders, the book's loop", cold, warm, (7, 15))

    # PPML
    terms = list(gg.STATA_COEFFICIENTS)
    _, cold, warm = timed(lambda: ppml(df, "trade", terms), r)
    line("PPML, gegravity sample (900 obs, exporter + importer FE)", cold, warm, (3.6, 7.3))
    from tradewar.data.yotov import load_borders_2006, load_panel

    b06 = load_borders_2006()
    _, cold, warm = timed(lambda: ppml(b06, "trade", ["ln_dist", "cntg", "intl_brdr"]), r)
    line("PPML, AGTPA 2006 (4,761 obs, exporter + importer FE)", cold, warm)
    panel = gravity_panel(load_panel(years=ry.NAFTA_YEARS), common_domestic_pair=True)
    with warnings.catch_warnings():  # the 84 separated rows are reported once below, not per run
        warnings.simplefilter("ignore", UserWarning)
        fit, cold, warm = timed(
            lambda: ppml(panel, "trade", ["rta"], fixed_effects=("pair", "exp_time", "imp_time")), max(1, r // 5)
        )
    line("PPML, AGTPA panel (28,566 obs, pair + exp-year + imp-year FE)", cold, warm)
    print(f"{'':<58} (RTA {fit.coefficients['rta']:.7f}; {fit.n_separated} rows dropped for separation)")


if __name__ == "__main__":
    main()
