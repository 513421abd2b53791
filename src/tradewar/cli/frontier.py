"""`tradewar frontier`: the two players' Pareto frontier with the war, the deal, the Busan policy
and the baseline on it; a thin shell over `tradewar.games.frontier`."""

from __future__ import annotations

from pathlib import Path

import typer

from tradewar.cli.games import DEAL_MAXIMISATIONS, NASH_BEST_RESPONSES, check_game_size
from tradewar.cli.output import JsonOption, console, emit_json, err_console, table
from tradewar.data.registry import DEFAULT_DATASET, load_dataset
from tradewar.errors import InputError
from tradewar.games.frontier import FRONTIER_POINTS, US_CONTROLLED_ELEC_SHARE, talks_frontier
from tradewar.models.horizon import parse_horizon
from tradewar.report.frontier import write_html, write_png


def register(app: typer.Typer, replicate_app: typer.Typer) -> None:
    """Add the command to the CLI (called once from `tradewar.cli`)."""

    @app.command("frontier")
    def frontier(
        players: str = typer.Option("USA,CHN", "--players", metavar="A,B", help="Two region codes, comma-separated."),
        controls: bool = typer.Option(
            False,
            "--controls/--tariffs-only",
            help="USA-CHN: China may cap its CHEM/MINE/ELEQ sales to the US (rare-earth-controls shares), "
            "the US its ELEC sales to China.",
        ),
        points: int = typer.Option(FRONTIER_POINTS, "--points", metavar="N", help="Number of frontier points."),
        horizon: str = typer.Option(
            "long",
            "--horizon",
            metavar="long|short|MONTHS",
            help="Trade elasticities at this horizon: long, short (one year) or months.",
        ),
        elec_share: float = typer.Option(
            100 * US_CONTROLLED_ELEC_SHARE,
            "--elec-share",
            metavar="PCT",
            help="Largest cut of US ELEC sales to China, percent.",
        ),
        dataset: str = typer.Option(None, "--dataset", metavar="NAME", help="Dataset name (default: world2022)."),
        data: Path = typer.Option(None, "--data", metavar="DIR", help="Folder of the dataset (default: bundled)."),
        out: Path = typer.Option(
            None, "--out", metavar="FILE", help="Write the plot here: PNG if the name ends in .png, HTML otherwise."
        ),
        json_out: bool = JsonOption,
    ):
        """The Pareto frontier of two players' payoffs with their war, their deal and the Busan deal on it.

        Payoffs: exact real income, % from the baseline. The war (Nash), the Nash-bargaining deal
        and, for USA-CHN, the Busan deal of Nov 10, 2025 (with the soybean pledge), each with its
        certificate. Without --json the plot is written as HTML (frontier-A-B.html, or --out)."""
        codes = [p.strip() for p in players.split(",") if p.strip()]
        if not 0 <= elec_share < 100:
            raise InputError(f"--elec-share: {elec_share:g}; give a percent in [0, 100)", field="elec_share")
        if points < 2:
            raise InputError(f"--points: {points}; trace at least 2 frontier points", field="points")
        chosen = parse_horizon(horizon, "--horizon")
        baseline = load_dataset(dataset or DEFAULT_DATASET, data)
        for code in codes:
            baseline.region_index(code, "--players")
        sectors = int(baseline.tradable.sum())
        check_game_size(  # the war, and the deals (bargaining, from Busan) and frontier points over both
            baseline, f"tariffs on each other ({sectors} sectors)", sectors, NASH_BEST_RESPONSES * 2,
            2 * DEAL_MAXIMISATIONS + points, 2, ["fewer --points"],
        )  # fmt: skip
        with err_console.status("tradewar frontier") as status:
            talks = talks_frontier(
                baseline,
                codes,
                controls=controls,
                n_points=points,
                theta_scale=chosen.response_share,
                elec_share=elec_share / 100,
                progress=(lambda m: status.update(f"tradewar frontier: {m}")) if err_console.is_terminal else None,
            )
        result = talks.to_dict()
        result["horizon"] = chosen.label
        if out is not None or not json_out:
            path = out or Path(f"frontier-{'-'.join(codes)}.html")
            (write_png if path.suffix.lower() == ".png" else write_html)(result, path)
            result["plot"] = str(path)
        if json_out:
            emit_json(result)
            return
        a, b = talks.players
        rows = []
        for key in ("baseline", "war", "deal", "busan"):
            entry = result.get(key)
            if entry:
                cert = entry.get("certificate") or {}
                deviation, foc = cert.get("max_deviation_gain_pct"), cert.get("foc_residual")
                rows.append([key, entry["payoffs"][a], entry["payoffs"][b], "-" if deviation is None else deviation,
                             "-" if foc is None else foc])  # fmt: skip
        title = f"{a}-{b}: {result['instruments']}, {chosen.label} run (elasticities x {chosen.response_share:.2f})"
        columns = ["point", f"{a} %", f"{b} %", "deviation gain %", "FOC residual"]
        console.print(table(title, columns, rows, digits=4))
        busan = result.get("busan")
        if busan:
            gain = busan["gain_over_war_pct"]
            console.print(
                f"Busan vs the war: {a} {gain[a]:+.3f}%, {b} {gain[b]:+.3f}%; "
                f"both could gain {busan['equal_gain_to_frontier_pct']:.3f} points more on the frontier"
            )
        console.print(f"plot: {result['plot']}")
