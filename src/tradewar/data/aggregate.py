"""Aggregate a `Baseline` to coarser regions and/or sectors with mapping tables.

A mapping file is a CSV with the header ``region,new_region`` (regions) or ``sector,new_sector``
(sectors), one row per code of the data set; every code must be mapped exactly once. New codes
keep the order of their first member. Aggregation keeps the accounts exact, so the result
validates whenever the input does (axis order as in `tradewar.data.baseline`):

    trade          summed over members (trade between merged regions becomes domestic)
    tariffs        trade-weighted mean (simple mean where the merged cells have no trade), so
                   tariff revenue is unchanged
    va_share       value added / gross output of the merged cells
    io_share       input spending (1 - va_share) io_share Y summed, then divided by its total
    final_share    final spending final_share * income summed over members, over new income
    theta          harmonic mean weighted by international trade of the member sectors (by
                   gross output where they have none); theta_se (if present) the same weights
    tradable       any member tradable
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from tradewar.data.baseline import Baseline
from tradewar.data.files import read_csv_rows
from tradewar.errors import InputError

KINDS = {"region": "new_region", "sector": "new_sector"}


def read_mapping_file(path: str | Path) -> tuple[str, dict[str, str]]:
    """('region' | 'sector', {old code: new code}) from a mapping CSV."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"--mapping: file not found: {path}", field="mapping")
    try:
        cols, rows = read_csv_rows(path)
    except ValueError as e:
        raise InputError(f"--mapping: {path} is not a readable CSV file ({e})", field="mapping") from None
    kind = next((k for k, new in KINDS.items() if k in cols and new in cols), None)
    if kind is None:
        raise InputError(
            f"--mapping: {path} has columns {', '.join(cols)}; the header must be 'region,new_region' "
            "or 'sector,new_sector'",
            field="mapping",
        )
    at_old, at_new = cols.index(kind), cols.index(KINDS[kind])
    cell = lambda row, k: row[k] if k < len(row) else ""
    old, new = [cell(r, at_old) for r in rows], [cell(r, at_new) for r in rows]
    for k, (o, nw) in enumerate(zip(old, new)):
        if not o or not nw:
            raise InputError(f"--mapping: {path} row {k + 2} has an empty code; fill both columns", field="mapping")
    seen = set()
    for o in old:
        if o in seen:
            raise InputError(f"--mapping: {path} maps {kind} {o} twice; map each code once", field="mapping")
        seen.add(o)
    return kind, dict(zip(old, new))


def read_mappings(mapping, baseline: Baseline) -> tuple[dict | None, dict | None]:
    """Region and sector maps from one mapping file or a list of them."""
    paths = [mapping] if isinstance(mapping, (str, Path)) else list(mapping)
    maps: dict[str, dict] = {}
    for p in paths:
        kind, m = read_mapping_file(p)
        if kind in maps:
            raise InputError(f"--mapping: two {kind} mapping files given; pass one per kind", field="mapping")
        maps[kind] = m
    return maps.get("region"), maps.get("sector")


def _groups(codes: tuple[str, ...], mapping: dict | None, kind: str, dataset: str):
    if mapping is None:
        return list(codes), np.arange(len(codes))
    unknown = [c for c in mapping if c not in codes]
    if unknown:
        raise InputError(
            f"--mapping: {kind} {unknown[0]!r} is not in data set {dataset}; its {kind}s are {', '.join(codes)}",
            field="mapping",
        )
    missing = [c for c in codes if c not in mapping]
    if missing:
        raise InputError(
            f"--mapping: {kind} {missing[0]} is not mapped; add a row '{missing[0]},<new {kind}>' "
            f"(every {kind} of {dataset} needs one)",
            field="mapping",
        )
    new = list(dict.fromkeys(mapping[c] for c in codes))
    return new, np.array([new.index(mapping[c]) for c in codes])


def aggregate(baseline: Baseline, region_map: dict | None = None, sector_map: dict | None = None) -> Baseline:
    """The baseline aggregated by the maps ({old code: new code}); validated."""
    b = baseline
    regions, rg = _groups(b.regions, region_map, "region", b.name)
    sectors, sg = _groups(b.sectors, sector_map, "sector", b.name)
    n, j = len(regions), len(sectors)
    R = np.zeros((n, b.n_regions))
    R[rg, np.arange(b.n_regions)] = 1.0
    S = np.zeros((j, b.n_sectors))
    S[sg, np.arange(b.n_sectors)] = 1.0

    trade = np.einsum("an,bi,cj,nij->abc", R, R, S, b.trade, optimize=True)
    revenue = np.einsum("an,bi,cj,nij->abc", R, R, S, b.trade * b.tariffs, optimize=True)
    count = np.einsum("a,b,c->abc", R.sum(axis=1), R.sum(axis=1), S.sum(axis=1))  # members per cell
    simple = np.einsum("an,bi,cj,nij->abc", R, R, S, b.tariffs, optimize=True) / count
    tariffs = np.divide(revenue, trade, out=simple, where=trade > 0)

    output = b.gross_output
    Y = R @ output @ S.T
    va = np.einsum("an,cj,nj->ac", R, S, b.va_share * output, optimize=True)
    va_share = np.divide(va, Y, out=np.ones_like(Y), where=Y > 0)
    spend = np.einsum("an,ck,dj,nkj->acd", R, S, S, b.io_share * ((1 - b.va_share) * output)[:, None, :], optimize=True)
    total = spend.sum(axis=1, keepdims=True)
    io_share = np.divide(spend, total, out=np.zeros_like(spend), where=total > 0)
    empty = total[:, 0, :] <= 0
    for a, c in zip(*np.nonzero(empty)):
        io_share[a, c, c] = 1.0  # no intermediate inputs: convention (va_share is 1 there)
    final = np.einsum("an,cj,nj->ac", R, S, b.final_share * b.income[:, None], optimize=True)
    final_share = final / final.sum(axis=1, keepdims=True)

    intl = b.trade.sum(axis=(0, 1)) - np.einsum("nnj->j", b.trade)
    weight = np.where((S @ intl)[sg] > 0, intl, output.sum(axis=0))
    wsum = S @ weight
    theta = wsum / (S @ (weight / b.theta))
    extras = {}
    if "theta_se" in b.extras:
        se = np.asarray(b.extras["theta_se"], dtype=float)
        extras["theta_se"] = (S @ (weight * se)) / wsum
    tradable = (S @ b.tradable.astype(float)) > 0

    def names(new, groups, old_names, old_codes):
        out = []
        for k, code in enumerate(new):
            members = [old_codes[i] for i in np.nonzero(groups == k)[0]]
            out.append(old_names[old_codes.index(members[0])] if len(members) == 1 else f"{code} ({' '.join(members)})")
        return tuple(out)

    agg = replace(
        b,
        name=f"{b.name} (aggregated)",
        regions=tuple(regions),
        region_names=names(regions, rg, b.region_names, b.regions),
        sectors=tuple(sectors),
        sector_names=names(sectors, sg, b.sector_names, b.sectors),
        trade=trade,
        tariffs=tariffs,
        va_share=va_share,
        io_share=io_share,
        final_share=final_share,
        theta=theta,
        tradable=tradable,
        provenance=b.provenance + f"; aggregated to {n} regions x {j} sectors",
        extras=extras,
    )
    return agg.validate()
