"""Loader for the Ossa (2014) data: 7 regions x 33 GTAP industries, 2007.

Reads the folder described by its README (``../shared/data/ossa2014``): ``trade_tariff.csv``
(Ossa's purged, balanced-trade flows and factual tariffs), ``trade_raw_unpurged.csv`` (the raw
GTAP flows, with trade imbalances), ``regions.csv``, ``industries.csv``, ``elasticities.csv``,
``political_economy_weights.csv`` and ``target_tariffs.csv``.

Axis conversion: Ossa's files are keyed exporter x importer (``TRADEs(i, j, s)`` is the flow
from exporter i to importer j); the `Baseline` holds ``trade[n, i, s]`` with the importer first
(see `tradewar.data.baseline`). Flows are tariff-exclusive; importer spending is (1 + t) X.

How Ossa's one-factor model fills the `Baseline` fields: ``va_share`` is 1 (no intermediate
inputs: sales are labour income plus profits), ``io_share`` is 0, ``final_share`` is the
Cobb-Douglas share mu_ns of industry s in region n's tariff-inclusive spending, and ``theta`` is
the trade elasticity sigma_s - 1. Extras:

    sigma            [s]     elasticity of substitution of the main results (``SIGMA``)
    sigma_alt        dict    {"low_mean3p5", "med_mean5", "high_mean6p5", "novar"} -> [s]
    lambda_pol       [n, s]  political-economy weights calibrated by Ossa (``LAMBDAPOL``)
    lambda_bas       [n, s]  all ones: governments maximise welfare (``LAMBDABAS``)
    target_tariff    [n, s]  tariffs LAMBDAPOL was calibrated to match (``TARGETTARIFF``)
    mfn_optimal_tariff_pol [n, s]  Ossa's MFN optimal tariffs at LAMBDAPOL
    trade_purged     [n,i,s] Ossa's purged flows (also in ``trade`` unless raw=True)

Region codes: BRA, CHN, EU, IND, JPN, ROW, USA (ISO alpha-3 where a region is a country).
Sector codes: the GTAP industry codes of ``industries.csv`` (ric ... omf).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from tradewar.data.baseline import Baseline
from tradewar.data.files import require_file
from tradewar.errors import InputError

#: Ossa's region names (regions.csv) -> tradewar codes.
REGION_CODES = {
    "Brazil": "BRA",
    "China": "CHN",
    "EU": "EU",
    "India": "IND",
    "Japan": "JPN",
    "ROW": "ROW",
    "US": "USA",
}
#: Alternative elasticity columns of elasticities.csv (panel C of Ossa's Tables 3-8).
SIGMA_ALTERNATIVES = {
    "low_mean3p5": "sigma_low_mean3p5",
    "med_mean5": "sigma_med_mean5",
    "high_mean6p5": "sigma_high_mean6p5",
    "novar": "sigma_novar",
}


def _bilateral(df: pd.DataFrame, column: str, n: int, s: int) -> np.ndarray:
    """Long exporter/importer/industry table -> array [importer, exporter, sector]."""
    arr = np.full((n, n, s), np.nan)
    n_idx, i_idx, s_idx = (df[c].to_numpy() - 1 for c in ("importer_id", "exporter_id", "industry_id"))
    arr[n_idx, i_idx, s_idx] = df[column]
    return arr


def _region_sector(df: pd.DataFrame, id_column: str, column: str, n: int, s: int) -> np.ndarray:
    arr = np.full((n, s), np.nan)
    arr[df[id_column].to_numpy() - 1, df.industry_id.to_numpy() - 1] = df[column]
    return arr


def load_ossa2014(path: str | Path, raw: bool = False) -> Baseline:
    """The Ossa (2014) data as a validated `Baseline` [importer, exporter, sector].

    ``raw=False`` (default) gives Ossa's purged, balanced-trade flows, the baseline of all his
    counterfactuals. ``raw=True`` gives the raw GTAP flows with their trade imbalances; pass them
    to `tradewar.models.ossa.purge` to rebuild the balanced baseline.
    """
    path = Path(path)
    regions = pd.read_csv(require_file(path / "regions.csv", "ossa2014"))
    industries = pd.read_csv(require_file(path / "industries.csv", "ossa2014"))
    elasticities = pd.read_csv(require_file(path / "elasticities.csv", "ossa2014"))
    purged = pd.read_csv(require_file(path / "trade_tariff.csv", "ossa2014"))
    weights = pd.read_csv(require_file(path / "political_economy_weights.csv", "ossa2014"))
    targets = pd.read_csv(require_file(path / "target_tariffs.csv", "ossa2014"))
    n, s = len(regions), len(industries)
    unknown = sorted(set(regions.region) - set(REGION_CODES))
    if unknown:
        raise InputError(
            f"ossa2014: unknown region names {unknown} in regions.csv; expected {list(REGION_CODES)}",
            field="regions",
        )
    ordered = lambda ids, k: list(ids) == list(range(1, k + 1))
    if not (ordered(regions.region_id, n) and ordered(industries.industry_id, s)):
        raise InputError("ossa2014: regions.csv / industries.csv ids must run 1..N in order", field="regions")
    if list(elasticities.industry_code) != list(industries.industry_code):
        raise InputError("ossa2014: elasticities.csv industries differ from industries.csv", field="sigma")
    if len(purged) != n * n * s:
        raise InputError(
            f"ossa2014: trade_tariff.csv has {len(purged)} rows, expected {n * n * s}; the folder is incomplete",
            field="trade",
        )

    trade_purged = _bilateral(purged, "trade_value", n, s)
    tariffs = _bilateral(purged, "tariff", n, s)
    if raw:
        raw_df = pd.read_csv(require_file(path / "trade_raw_unpurged.csv", "ossa2014"))
        trade = _bilateral(raw_df, "trade_value", n, s)
    else:
        trade = trade_purged
    for name, arr in (("trade", trade), ("tariffs", tariffs)):
        if np.isnan(arr).any():
            raise InputError(f"ossa2014: {name} has missing importer/exporter/industry cells", field=name)

    sigma = elasticities.sigma.to_numpy(dtype=float)
    gross = trade * (1 + tariffs)
    spending = gross.sum(axis=1)  # [n, s]
    final_share = spending / spending.sum(axis=1, keepdims=True)
    extras = {
        "sigma": sigma,
        "sigma_alt": {k: elasticities[c].to_numpy(dtype=float) for k, c in SIGMA_ALTERNATIVES.items()},
        "lambda_pol": _region_sector(weights, "region_id", "lambda_pol", n, s),
        "lambda_bas": _region_sector(weights, "region_id", "lambda_bas", n, s),
        "target_tariff": _region_sector(targets, "importer_id", "target_tariff", n, s),
        "mfn_optimal_tariff_pol": _region_sector(targets, "importer_id", "mfn_optimal_tariff_pol", n, s),
        "trade_purged": trade_purged,
    }
    label = "raw, unpurged" if raw else "purged, balanced trade"
    baseline = Baseline(
        name=f"ossa2014 ({label})",
        regions=tuple(REGION_CODES[r] for r in regions.region),
        region_names=tuple(regions.region),
        sectors=tuple(industries.industry_code),
        sector_names=tuple(industries.industry_name),
        trade=trade,
        tariffs=tariffs,
        va_share=np.ones((n, s)),
        io_share=np.zeros((n, s, s)),
        final_share=final_share,
        theta=sigma - 1,
        provenance=(
            f"Ossa (2014) AER replication data (GTAP, 2007; 7 regions x 33 industries), {label} flows; "
            f"money in (assumed) millions of US$; read from {path}"
        ),
        extras=extras,
    )
    return baseline.validate()
