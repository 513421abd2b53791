"""`tradewar data`: list the bundled data sets, aggregate one with mapping files, validate a folder.

    tradewar data list [--provenance] [--json]   (also: elasticities by horizon, the observed table)
    tradewar data aggregate --mapping regions.csv [--mapping sectors.csv] --out DIR [--data DIR] [--json]
    tradewar data validate DIR [--json]

The folder layout is documented in docs/data-layout.md (the same files as the bundled
world2022). Mistakes give a one-line error and exit status 2; nothing is written then.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import typer

from tradewar.cli.output import PLAIN_HELP, console, emit_json, table
from tradewar.data.aggregate import aggregate, read_mappings
from tradewar.data.observed import ALL, FILE, load_observed
from tradewar.data.registry import DATASETS, load_dataset
from tradewar.data.world2022 import (
    list_datasets,
    read_dataset,
    write_dataset,
)
from tradewar.data.world2022_full import bundled_mappings, resolve_mappings
from tradewar.errors import InputError
from tradewar.models.horizon import horizon_table

JsonOption = typer.Option(False, "--json", help="Print one JSON object on stdout instead of tables.")


def _summary(b) -> dict:
    return {
        "name": b.name,
        "regions": list(b.regions),
        "sectors": list(b.sectors),
        "n_regions": b.n_regions,
        "n_sectors": b.n_sectors,
        "gross_output": float(b.gross_output.sum()),
        "value_added": float(b.value_added.sum()),
        "tariff_revenue": float(b.tariff_revenue.sum()),
        "international_trade": float(b.imports.sum()),
        "largest_deficit_share_of_va": float((abs(b.deficit) / b.value_added).max()),
    }


def _horizons() -> dict:
    """world2022's elasticities at each horizon of `horizon_table`, with the sources."""
    b = load_dataset("world2022")
    rows = [{**h, "theta": [round(h["theta_scale"] * t, 4) for t in b.theta]} for h in horizon_table()]
    return {"sectors": list(b.sectors), "horizons": rows}


def _horizons_by_source(rows: list[dict]) -> dict[str, list[str]]:
    """Each source of `horizon_table` once, with the horizons it stands for (in table order)."""
    labels: dict[str, list[str]] = {}
    for h in rows:
        labels.setdefault(h["source"], []).append(h["horizon"])
    return labels


def _first_source(provenance: str) -> str:
    """A PROVENANCE.md's first source, whole: the bold name of its first "- **...**" item and
    the parenthesis after it (the item may run over several lines)."""
    text = " ".join(provenance.split())
    found = re.search(r"- \*\*(.+?)\*\*( \([^)]*\))?", text)
    return "".join(part for part in found.groups() if part) if found else "see PROVENANCE.md"


def _observed() -> dict:
    """The bundled observed table: file, months, partners, source."""
    obs = load_observed()
    return {
        "file": f"datasets/observed/{FILE}",
        "months": obs.months,
        "partners": sorted(set(obs.table.partner_iso3) - {ALL}),
        "source": "tradewartracker/TRI-tracker (MIT licence), from US Census imports for consumption and "
        "calculated duties; datasets/observed/PROVENANCE.md",
    }


def register(app: typer.Typer, replicate_app: typer.Typer) -> None:
    """Add `tradewar data ...` to the CLI (called once from `tradewar.cli`)."""
    data_app = typer.Typer(
        no_args_is_help=True, help="Bundled data sets: list, aggregate with mapping files, validate.", **PLAIN_HELP
    )
    app.add_typer(data_app, name="data")

    @data_app.command("list")
    def data_list(
        provenance: bool = typer.Option(False, "--provenance", help="Print each data set's full PROVENANCE.md."),
        as_json: bool = JsonOption,
    ):
        """The bundled data sets with their size and provenance."""
        rows = []
        for d in list_datasets():
            if d["name"] not in DATASETS:  # observed/ (listed below) and the like are tables, not economies
                continue
            b = load_dataset(d["name"])
            rows.append(
                {
                    **d,
                    **{k: v for k, v in _summary(b).items() if k in ("regions", "sectors")},
                    "year": 2022 if d["name"].startswith("world2022") else None,
                }
            )
        others = [s for s in DATASETS if s not in {r["name"] for r in rows}]
        horizons, observed = _horizons(), _observed()
        if as_json:
            emit_json(
                {"datasets": rows, "other_sources": others, "elasticities_by_horizon": horizons, "observed": observed}
            )
            return
        console.print(
            table(
                "Bundled data sets",
                ["name", "regions", "sectors", "files", "bytes"],
                [[r["name"], len(r["regions"]), len(r["sectors"]), len(r["files"]), f"{r['bytes']:,}"] for r in rows],
            )
        )
        for r in rows:
            console.print(f"{r['name']}: regions {' '.join(r['regions'])}", highlight=False)
            console.print(f"{r['name']}: sectors {' '.join(r['sectors'])}", highlight=False)
            if provenance:
                console.print(r["provenance"], markup=False, highlight=False)
            else:
                source = _first_source(r["provenance"])
                console.print(
                    f"{r['name']}: source {source} (full text: tradewar data list --provenance)",
                    markup=False,
                    highlight=False,
                )
        console.print(f"Loaders for the shared replication data (../shared/data): {', '.join(others)}", highlight=False)
        by_horizon = horizons["horizons"]
        console.print(
            table(
                "world2022 trade elasticities (theta) by horizon",
                ["sector", *(h["horizon"] for h in by_horizon)],
                [["x long run (CP 2015)", *(h["theta_scale"] for h in by_horizon)]]
                + [[s, *(h["theta"][k] for h in by_horizon)] for k, s in enumerate(horizons["sectors"])],
            )
        )
        for source, labels in _horizons_by_source(by_horizon).items():
            console.print(f"  {', '.join(labels)}: {source}", markup=False, highlight=False)
        console.print(
            f"observed: {observed['file']}, {observed['months'][0]} to {observed['months'][-1]}, "
            f"{len(observed['partners'])} partners; {observed['source']}",
            markup=False,
            highlight=False,
        )

    @data_app.command("mappings")
    def data_mappings(as_json: bool = JsonOption):
        """The bundled mapping files (names usable as --mapping and as a scenario's [dataset] mapping)."""
        maps = bundled_mappings()
        if as_json:
            emit_json({"mappings": maps})
            return
        console.print(table("Bundled mappings", ["name", "header"], [[k, v] for k, v in maps.items()]))

    @data_app.command("aggregate")
    def data_aggregate(
        mapping: list[str] = typer.Option(
            ...,
            "--mapping",
            metavar="FILE|NAME",
            help="Mapping CSV ('region,new_region' or 'sector,new_sector') or a bundled mapping's name "
            "(tradewar data mappings); repeatable.",
        ),
        out: Path = typer.Option(
            ..., "--out", metavar="DIR", help="Folder to write the aggregated data set to (docs/data-layout.md)."
        ),
        data: Path | None = typer.Option(
            None, "--data", metavar="DIR", help="A data set folder in the layout (default: the bundled --dataset)."
        ),
        dataset: str = typer.Option(
            "world2022", "--dataset", metavar="NAME", help="Bundled data set: world2022 or world2022-full."
        ),
        as_json: bool = JsonOption,
    ):
        """Aggregate a data set with mapping files and write it, validated, in the CSV layout."""
        if dataset not in ("world2022", "world2022-full"):
            raise InputError(f"--dataset: {dataset!r} is not bundled; use world2022 or world2022-full", field="dataset")
        source = read_dataset(data) if data is not None else load_dataset(dataset)
        region_map, sector_map = read_mappings(resolve_mappings(mapping), source)
        agg = aggregate(source, region_map, sector_map)
        prov = resources.files("tradewar").joinpath("datasets", dataset, "PROVENANCE.md").read_text(encoding="utf-8")
        prov = prov if data is None else ""
        note = (
            f"# {out.name}: {source.name} aggregated by tradewar data aggregate\n\n"
            f"Mapping files: {', '.join(str(m) for m in mapping)}.\n"
            f"Result: {agg.n_regions} regions x {agg.n_sectors} sectors; aggregation rules in "
            "tradewar/data/aggregate.py (accounts kept exact, validated).\n\n"
        )
        written = write_dataset(agg, out, provenance=note + prov)
        summary = {**_summary(agg), "out": str(out), "files": [p.name for p in written]}
        if as_json:
            emit_json(summary)
            return
        console.print(
            f"wrote {len(written)} files to {out}: {agg.n_regions} regions x {agg.n_sectors} sectors "
            f"({' '.join(agg.regions)} | {' '.join(agg.sectors)}), validated",
            highlight=False,
        )

    @data_app.command("validate")
    def data_validate(
        folder: Path = typer.Argument(
            ..., metavar="FOLDER", help="A data set folder in the CSV layout of docs/data-layout.md."
        ),
        as_json: bool = JsonOption,
    ):
        """Check a data set folder: layout, codes, shares and the model's accounts."""
        b = read_dataset(folder)
        s = _summary(b)
        if as_json:
            emit_json({"valid": True, **s})
            return
        console.print(
            table(
                f"{folder}: valid",
                ["check", "value"],
                [
                    ["regions x sectors", f"{b.n_regions} x {b.n_sectors}"],
                    ["world gross output", s["gross_output"]],
                    ["world value added", s["value_added"]],
                    ["tariff revenue", s["tariff_revenue"]],
                    ["international trade", s["international_trade"]],
                    ["largest |deficit| / value added", s["largest_deficit_share_of_va"]],
                ],
                digits=4,
            )
        )
