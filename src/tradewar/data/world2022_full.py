"""The bundled `world2022-full` dataset (80 economies x 50 industries, 2022) and the bundled mappings.

`load_world2022_full()` reads ``tradewar/datasets/world2022-full/world2022-full.npz``: the OECD
ICIO 2022 extract's every economy and industry, built by ``scripts/build_world2022.py`` with the
same steps as world2022 (sources, assumptions and every figure in its ``PROVENANCE.md``),
calibrated so that the flows are an equilibrium of the Caliendo-Parro model at the factual
tariffs. world2022 is its aggregation by the bundled mappings ``world2022-regions.csv`` and
``world2022-sectors.csv``.

The npz holds the `Baseline` arrays in its axis order ([importer, exporter, sector]), the codes
and names, and side tables (`extras`): ``theta_se``, ``theta_source``, ``tariff_source`` (a
source code per tariff cell), ``icio_gross_output``, ``icio_value_added``, ``icio_final_sales``
and ``derived_final_demand`` ([economy, industry], USD million).

Bundled mappings (``tradewar/datasets/mappings``, the `tradewar data aggregate` CSV layout):

    world2022-regions.csv     the 80 economies -> world2022's 18 regions
    world2022-sectors.csv     the 50 industries -> world2022's 16 sectors
    g7-china-asean-rest.csv   G7 / CHN / ASEAN / REST
    eu-members.csv            world2022's regions, with the 27 EU members separately

A mapping argument is a path or the name of a bundled mapping (``"world2022-regions"``).
"""

from __future__ import annotations

import io
from dataclasses import replace
from importlib import resources
from pathlib import Path

import numpy as np

from tradewar.data.aggregate import aggregate, read_mapping_file, read_mappings
from tradewar.data.baseline import Baseline
from tradewar.data.files import require_file, write_atomic
from tradewar.errors import InputError

NAME = "world2022-full"
SUMMARY = (
    "world2022-full: OECD ICIO 2025 ed., year 2022, 80 economies x 50 industries, USD million; final demand "
    "derived, US/China goods pairs balanced to BACI 2023, tariffs from US 2024 duties and China's 2019 rates; "
    "calibrated to a Caliendo-Parro equilibrium (see tradewar/datasets/world2022-full/PROVENANCE.md)"
)
ARRAYS = ("trade", "tariffs", "va_share", "io_share", "final_share", "theta", "tradable")
LABELS = ("regions", "region_names", "sectors", "sector_names")
#: Extras stored as text, one label per cell (written as codes into a table of labels).
TEXT_EXTRAS = ("theta_source", "tariff_source")


def bundled_file():
    return resources.files("tradewar").joinpath("datasets", NAME, f"{NAME}.npz")


def mappings_folder():
    return resources.files("tradewar").joinpath("datasets", "mappings")


def bundled_mappings() -> dict[str, str]:
    """{name: first line of the file} of the bundled mappings."""
    return {
        f.name.removesuffix(".csv"): f.read_text(encoding="utf-8").splitlines()[0]
        for f in sorted(mappings_folder().iterdir(), key=lambda f: f.name)
        if f.name.endswith(".csv")
    }


def mapping_path(mapping: str | Path) -> Path:
    """A mapping file's path: the path as given if it is a file, else a bundled mapping's name."""
    text = str(mapping)
    if Path(text).is_file():
        return Path(text)
    bundled = mappings_folder().joinpath(f"{text}.csv")
    if bundled.is_file():
        return Path(str(bundled))
    raise InputError(
        f"--mapping: {text} is neither a file nor a bundled mapping; pass a CSV path or one of "
        f"{', '.join(bundled_mappings())}",
        field="mapping",
    )


def resolve_mappings(mapping) -> list[Path] | None:
    """Paths of one mapping or a list of them (names of bundled mappings allowed)."""
    if mapping is None:
        return None
    items = [mapping] if isinstance(mapping, (str, Path)) else list(mapping)
    return [mapping_path(m) for m in items]


def write_npz_dataset(baseline: Baseline, path: str | Path) -> Path:
    """Write `baseline` (arrays, labels and extras) as one compressed npz, atomically."""
    arrays = {k: getattr(baseline, k) for k in ARRAYS}
    arrays.update({k: np.array(getattr(baseline, k)) for k in LABELS})
    for key, value in baseline.extras.items():
        if key in TEXT_EXTRAS:
            labels, codes = np.unique(np.asarray(value, dtype=str), return_inverse=True)
            arrays[f"{key}__labels"] = labels
            arrays[f"{key}__codes"] = codes.reshape(np.shape(value)).astype(np.int16)
        else:
            arrays[f"extra_{key}"] = np.asarray(value, dtype=float)
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    return write_atomic(path, buf.getvalue())


def read_npz_dataset(path, name: str) -> Baseline:
    """A `Baseline` from an npz written by `write_npz_dataset`, validated."""
    path = require_file(str(path), f"dataset {name}")
    with np.load(path, allow_pickle=False) as z:
        extras = {k.removeprefix("extra_"): z[k] for k in z.files if k.startswith("extra_")}
        for key in TEXT_EXTRAS:
            if f"{key}__codes" in z.files:
                extras[key] = z[f"{key}__labels"][z[f"{key}__codes"]]
        baseline = Baseline(
            name=name,
            **{k: tuple(str(x) for x in z[k]) for k in LABELS},
            **{k: z[k] for k in ARRAYS},
            extras=extras,
        )
    return baseline.validate()


def load_world2022_full(mapping=None) -> Baseline:
    """The bundled world2022-full baseline, validated; aggregated first if `mapping` is given
    (a mapping CSV path or bundled mapping name, or a list of them; see `tradewar.data.aggregate`).

    Its ``extras['region_groups']`` and ``['sector_groups']`` name world2022's regions and sectors
    (from the bundled world2022 mappings), so that scenario files written for world2022 (EU27,
    METAL) run on it: a policy on a group applies to each member (set_pct sets each member's
    tariff to that level)."""
    baseline = read_npz_dataset(Path(str(bundled_file())), NAME)
    groups = {}
    for kind, name in (("region", "world2022-regions"), ("sector", "world2022-sectors")):
        _, m = read_mapping_file(mapping_path(name))
        groups[f"{kind}_groups"] = {new: [c for c in m if m[c] == new] for new in dict.fromkeys(m.values())}
    baseline = replace(baseline, provenance=SUMMARY, extras={**baseline.extras, **groups})
    if mapping is None:
        return baseline
    return aggregate(baseline, *read_mappings(resolve_mappings(mapping), baseline))
