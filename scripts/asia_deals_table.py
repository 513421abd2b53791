"""The README's table of the Asia-tour deals (issue 13, Build item 5): for each US partner with a
2025 deal that is a world2022 region, the April threat, the signed deal and the model's
Nash-bargaining deal (`tradewar.games.deals.deal_talks`, what `tradewar talks --players USA,P
--threat april-2025` prints), with the deal's certificate.

Run: python scripts/asia_deals_table.py [--json out.json]. Prints a markdown table; welfare is
exact real income (welfare_hat), % from the 2022 baseline, at the data's (long-run) elasticities;
tariffs are trade-weighted goods averages at baseline trade.
"""

from __future__ import annotations

import argparse
import json
import time

from tradewar import load_dataset
from tradewar.games import Game
from tradewar.games.deals import ASIA_PARTNERS, deal_talks


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--json")
    args = parser.parse_args()
    game = Game("caliendo-parro", load_dataset("world2022"))
    rows, runs = [], {}
    print(
        "| partner | point | US tariff on it % | its tariff on the US % | US welfare % | its welfare % "
        "| US gain over April % | its gain over April % | largest gain from deviating % | first-order residual |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for partner in ASIA_PARTNERS:
        t0 = time.perf_counter()
        talks = deal_talks(game, ("USA", partner), "april-2025")
        runs[partner] = {**talks.to_dict(), "certificate": talks.deal.certificate.to_dict()}
        cert = talks.deal.certificate
        for key, name in (("threat", "April threat"), ("signed", "signed deal"), ("deal", "model's deal")):
            col = runs[partner][key]
            t, u, g = col["tariffs_pct"], col["payoff_pct"], col["gain_over_threat_pct"]
            extra = f"{cert.max_deviation_gain_pct:.1e} | {cert.foc_residual:.1e}" if key == "deal" else "- | -"
            rows.append(
                f"| {partner} | {name} | {t[f'USA_on_{partner}']:.2f} | {t[f'{partner}_on_USA']:.2f} | "
                f"{u['USA']:+.3f} | {u[partner]:+.3f} | {g['USA']:+.3f} | {g[partner]:+.3f} | {extra} |"
            )
            print(rows[-1], flush=True)
        runs[partner]["seconds"] = time.perf_counter() - t0
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(runs, fh, indent=1)


if __name__ == "__main__":
    main()
