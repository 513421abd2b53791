"""The README's table of issue 13: the US-China war and deal at the long- and short-run
horizons, tariff-only and with export controls, and the Busan policy against the frontier.

Run: python scripts/talks_table.py [--points 20] [--json out.json]. Prints a markdown table
(every figure from `tradewar.games.frontier.talks_frontier`, certificates included in --json).
The short run scales every trade elasticity by the one-year share of the long-run response of
`tradewar.models.horizon` (issue 16).
"""

from __future__ import annotations

import argparse
import json
import time

from tradewar import load_dataset
from tradewar.games.frontier import talks_frontier
from tradewar.models.horizon import parse_horizon


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--points", type=int, default=20)
    parser.add_argument("--json")
    args = parser.parse_args()
    baseline = load_dataset("world2022")
    runs = {}
    for horizon in ("long", "short"):
        scale = parse_horizon(horizon).response_share
        for controls in (False, True):
            t0 = time.perf_counter()
            talks = talks_frontier(baseline, ("USA", "CHN"), controls=controls, n_points=args.points, theta_scale=scale)
            runs[f"{horizon}/{'controls' if controls else 'tariffs'}"] = talks.to_dict()
            print(
                f"{horizon} {'controls' if controls else 'tariffs'}: {time.perf_counter() - t0:.0f} s",
                flush=True,
            )
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(runs, fh, indent=1)
    print(markdown(runs))


def markdown(runs: dict) -> str:
    def limits(entry) -> str:
        rows = entry.get("export_limits") or []
        used = [
            f"{r['exporter']} {r['sector']} {r['tax_equivalent_pct']:.2f}"
            for r in rows
            if r["tax_equivalent_pct"] > 1e-6
        ]
        return ", ".join(used) if used else ("none binding" if rows else "-")

    header = (
        "| horizon | instruments | point | US tariff on China % | China tariff on US % "
        "| export limits (tax equivalent %) | US welfare % | China welfare % "
        "| largest gain from deviating % | first-order residual |"
    )
    lines = [
        header,
        "|---|---|---|---:|---:|---|---:|---:|---:|---:|",
    ]
    for key, run in runs.items():
        horizon, instruments = key.split("/")
        for point in ("war", "deal", "busan"):
            e = run[point]
            cert = e.get("certificate") or {}
            dev = cert.get("max_deviation_gain_pct")
            foc = cert.get("foc_residual")
            lines.append(
                f"| {horizon} | {instruments} | {point} | {e['tariffs_pct']['USA_on_CHN']:.2f} "
                f"| {e['tariffs_pct']['CHN_on_USA']:.2f} "
                f"| {limits(e)} | {e['payoffs']['USA']:+.3f} | {e['payoffs']['CHN']:+.3f} "
                f"| {'-' if dev is None else f'{dev:.1e}'} | {'-' if foc is None else f'{foc:.1e}'} |"
            )
        b = run["busan"]
        soy = b["pledges"]["soybeans"]
        to_frontier = b["deal_from_busan"]["gain_over_busan_pct"]
        lines.append(
            f"| {horizon} | {instruments} | Busan: gain over the war | | | soybean pledge "
            f"{'binds' if soy['binding'] else 'slack'} "
            f"({soy['purchases'] / 1e3:.1f} vs {soy['floor'] / 1e3:.1f} bn USD) "
            f"| {b['gain_over_war_pct']['USA']:+.3f} | {b['gain_over_war_pct']['CHN']:+.3f} | | |"
        )
        lines.append(
            f"| {horizon} | {instruments} | Busan: room to the frontier | | | equal gain "
            f"{b['equal_gain_to_frontier_pct']:.3f} pp; Nash deal from Busan: | {to_frontier['USA']:+.3f} "
            f"| {to_frontier['CHN']:+.3f} | | {b['deal_from_busan']['certificate']['foc_residual']:.1e} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
