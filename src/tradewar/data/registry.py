"""The dataset registry: names of the datasets `load_dataset` reads, and where the shared
replication data live (`default_data_path`)."""

from __future__ import annotations

from pathlib import Path

from tradewar.data.aggregate import aggregate, read_mappings
from tradewar.data.baseline import Baseline
from tradewar.data.world2022 import load_world2022, read_dataset
from tradewar.data.world2022_full import load_world2022_full, resolve_mappings
from tradewar.errors import InputError

DATASETS = ("world2022", "world2022-full", "cp2015", "ossa2014", "baci2023")
#: The bundled dataset used where none is named.
DEFAULT_DATASET = "world2022"


def load_dataset(source: str = DEFAULT_DATASET, path: str | Path | None = None, *, mapping=None, **options) -> Baseline:
    """Load a dataset by its source name (see `DATASETS`; default: the bundled world2022),
    aggregated by `mapping` if given.

    `mapping`: a mapping CSV path or the name of a bundled mapping (`tradewar data mappings`), or
    a list of them (one per kind: regions, sectors); see `tradewar.data.aggregate`. An unmapped
    or doubly mapped code is a one-line `InputError`. With a `path`, world2022 reads that folder
    in the world2022 CSV layout (docs/data-layout.md) instead of the bundled one. Other `options`
    go to the loader (cp2015, ossa2014: see their modules).
    """
    baseline = _load(source, path, **options)
    if mapping is None:
        return baseline
    return aggregate(baseline, *read_mappings(resolve_mappings(mapping), baseline))


def _load(source: str, path: str | Path | None, **options) -> Baseline:
    if source == "world2022":
        return read_dataset(path) if path is not None else load_world2022()
    if source == "world2022-full":
        if path is not None:
            raise InputError(
                "dataset.path: world2022-full is bundled and takes no path; remove path (or use source = "
                '"world2022" with a folder in the CSV layout)',
                field="dataset.path",
            )
        return load_world2022_full()
    # the replication loaders (pandas readers of the shared data) are imported when asked for
    if source == "cp2015":
        from tradewar.data.cp2015 import load_cp2015

        return load_cp2015(path or default_data_path("cp2015"), **options)
    if source == "ossa2014":
        from tradewar.data.ossa2014 import load_ossa2014

        return load_ossa2014(path or default_data_path("ossa2014"), **options)
    if source == "baci2023":
        from tradewar.data.baci import load_baci2023

        return load_baci2023(path or default_data_path("recent/baci2023_libday"))
    raise InputError(
        f"dataset.source: unknown dataset {source!r}; use one of {', '.join(DATASETS)}", field="dataset.source"
    )


def default_data_path(folder: str) -> Path:
    """Where the shared replication data live when no path is given: ../shared/data/<folder>
    beside the working directory or beside the repository."""
    repo = Path(__file__).resolve().parents[3]
    for root in (Path.cwd(), repo):
        candidate = root.parent / "shared" / "data" / folder
        if candidate.is_dir():
            return candidate
    raise InputError(
        f"dataset.path: no path given and ../shared/data/{folder} not found; pass --data DIR",
        field="dataset.path",
    )
