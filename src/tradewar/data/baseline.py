"""The `Baseline`: one observed (or calibrated) world economy, labelled and validated.

Axis order, used everywhere inside tradewar's numerical core:

    bilateral arrays  [importer n, exporter i, sector j]   (destination, origin, sector)
    region x sector   [region n, sector j]
    input-output      [region n, input sector k, using sector j]

Loaders convert their source's order to this one; public outputs name the dimensions
(`importer`, `exporter`, `sector`). Money is in any unit (results do not depend on it);
tariffs are decimals (0.25 = 25 %).

Accounting (Caliendo and Parro 2015, section 2):

    trade[n, i, j]      flow from i to n in sector j, net of tariffs; the diagonal is domestic sales
    expenditure X_n^j = sum_i trade[n, i, j] (1 + tariff[n, i, j])          (absorption)
    gross output Y_i^j = sum_n trade[n, i, j]
    value added  VA_i  = sum_j va_share[i, j] Y_i^j
    tariff revenue R_n = sum_{i, j} tariff[n, i, j] trade[n, i, j]
    deficit D_n        = imports - exports (international, net of tariffs)
    income I_n         = VA_n + R_n + D_n                                   (final expenditure)
    goods market       X_n^j = sum_k (1 - va_share[n, k]) io_share[n, j, k] Y_n^k + final_share[n, j] I_n
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from tradewar.errors import InputError

#: Relative tolerance of the accounting checks (goods-market clearing, deficits).
ACCOUNTING_RTOL = 1e-6
#: Absolute tolerance on shares (they must lie in [0, 1] and add up to 1). Published tables
#: round shares to 7 decimals, so 40 of them can miss 1 by 2e-6 (CP2015 Mexico, Private).
SHARE_ATOL = 1e-5


@dataclass(frozen=True, eq=False)
class Baseline:
    """A world economy at its observed (factual) equilibrium.

    Attributes are plain float64 numpy arrays in the axis order of the module docstring.
    `theta` is the trade elasticity by sector (Caliendo-Parro's theta_j); other models read
    the elasticity they need from `elasticity` with their own meaning (Ossa's sigma).
    """

    name: str
    regions: tuple[str, ...]
    sectors: tuple[str, ...]
    trade: np.ndarray
    tariffs: np.ndarray
    va_share: np.ndarray
    io_share: np.ndarray
    final_share: np.ndarray
    theta: np.ndarray
    region_names: tuple[str, ...] = ()
    sector_names: tuple[str, ...] = ()
    tradable: np.ndarray | None = None
    provenance: str = ""
    extras: dict = field(default_factory=dict)

    def __post_init__(self):
        n, j = len(self.regions), len(self.sectors)
        as_float = lambda a: np.ascontiguousarray(np.asarray(a, dtype=np.float64))
        for attr in ("trade", "tariffs", "va_share", "io_share", "final_share", "theta"):
            object.__setattr__(self, attr, as_float(getattr(self, attr)))
        if not self.region_names:
            object.__setattr__(self, "region_names", tuple(self.regions))
        if not self.sector_names:
            object.__setattr__(self, "sector_names", tuple(self.sectors))
        if self.tradable is None:
            offdiag = self.trade.sum(axis=(0, 1)) - np.einsum("nnj->j", self.trade)
            object.__setattr__(self, "tradable", offdiag > 0)
        object.__setattr__(self, "tradable", np.asarray(self.tradable, dtype=bool))
        shapes = {
            "trade": (n, n, j),
            "tariffs": (n, n, j),
            "va_share": (n, j),
            "io_share": (n, j, j),
            "final_share": (n, j),
            "theta": (j,),
            "tradable": (j,),
        }
        for attr, shape in shapes.items():
            got = getattr(self, attr).shape
            if got != shape:
                raise InputError(
                    f"{self.name}: {attr} has shape {got}, expected {shape} "
                    f"({n} regions, {j} sectors); check the loader's axis order",
                    field=attr,
                )
        if len(set(self.regions)) != n:
            raise InputError(f"{self.name}: region codes repeat: {self.regions}", field="regions")
        if len(set(self.sectors)) != j:
            raise InputError(f"{self.name}: sector codes repeat: {self.sectors}", field="sectors")

    # ----------------------------------------------------------------- derived accounts
    @property
    def n_regions(self) -> int:
        return len(self.regions)

    @property
    def n_sectors(self) -> int:
        return len(self.sectors)

    @cached_property
    def expenditure(self) -> np.ndarray:
        """X_n^j, tariff-inclusive absorption [n, j]."""
        return np.einsum("nij,nij->nj", self.trade, 1.0 + self.tariffs)

    @cached_property
    def gross_output(self) -> np.ndarray:
        """Y_i^j, sales at factory-gate prices [i, j]."""
        return self.trade.sum(axis=0)

    @cached_property
    def value_added(self) -> np.ndarray:
        """VA_n = w_n L_n [n]."""
        return (self.va_share * self.gross_output).sum(axis=1)

    @cached_property
    def tariff_revenue(self) -> np.ndarray:
        return np.einsum("nij,nij->n", self.trade, self.tariffs)

    @cached_property
    def imports(self) -> np.ndarray:
        """International imports net of tariffs by region [n]."""
        return self.trade.sum(axis=(1, 2)) - np.einsum("nnj->n", self.trade)

    @cached_property
    def exports(self) -> np.ndarray:
        return self.trade.sum(axis=(0, 2)) - np.einsum("nnj->n", self.trade)

    @cached_property
    def deficit(self) -> np.ndarray:
        """D_n = imports - exports [n]; sums to zero over the world."""
        return self.imports - self.exports

    @cached_property
    def income(self) -> np.ndarray:
        """I_n = VA_n + R_n + D_n, final expenditure [n]."""
        return self.value_added + self.tariff_revenue + self.deficit

    @cached_property
    def expenditure_shares(self) -> np.ndarray:
        """pi_ni^j, tariff-inclusive import shares [n, i, j]; sum over i is 1.

        Where a region spends nothing on a sector, the share is put on domestic supply
        (a convention with no effect on any outcome).
        """
        gross = self.trade * (1.0 + self.tariffs)
        total = gross.sum(axis=1, keepdims=True)
        pi = np.divide(gross, total, out=np.zeros_like(gross), where=total > 0)
        empty_n, empty_j = np.nonzero(total[:, 0, :] <= 0)
        pi[empty_n, empty_n, empty_j] = 1.0
        return pi

    def region_index(self, code: str, field_name: str = "region") -> int:
        try:
            return self.regions.index(code)
        except ValueError:
            raise InputError(
                f"{field_name}: unknown region code {code!r} for dataset {self.name}; "
                f"use one of {', '.join(self.regions)}",
                field=field_name,
            ) from None

    def region_members(self, code: str, field_name: str = "region") -> list[int]:
        """Indices of a region code, or of a group's members where the data set defines the group
        (``extras['region_groups']``: world2022-full names world2022's regions, e.g. EU27)."""
        groups = self.extras.get("region_groups", {})
        if code not in self.regions and code in groups:
            return [self.region_index(c, field_name) for c in groups[code]]
        return [self.region_index(code, field_name)]

    def sector_members(self, code: str, field_name: str = "sectors") -> list[int]:
        """Indices of a sector code, or of a group's members (``extras['sector_groups']``)."""
        groups = self.extras.get("sector_groups", {})
        if code not in self.sectors and code in groups:
            return [self.sector_index(c, field_name) for c in groups[code]]
        return [self.sector_index(code, field_name)]

    def sector_index(self, code: str, field_name: str = "sectors") -> int:
        try:
            return self.sectors.index(code)
        except ValueError:
            raise InputError(
                f"{field_name}: unknown sector code {code!r} for dataset {self.name}; "
                f"use one of {', '.join(self.sectors)}",
                field=field_name,
            ) from None

    # ----------------------------------------------------------------------- validation
    def validate(self, *, negative_input_share_floor: float = 0.0) -> Baseline:
        """Check the accounts; raise `InputError` naming the region, sector and value.

        Checks: finite non-negative flows and tariffs above -100 %; shares in [0, 1] that add
        up to 1; goods-market clearing X = intermediate demand + final demand, which is
        income = final expenditure = VA + tariff revenue + deficit; world deficits sum to 0.
        `negative_input_share_floor` (<= 0) admits input shares down to that value, for
        published tables that have them (CP2015's IO.txt); any other data keeps the default.
        """
        r, s = self.regions, self.sectors

        def where(mask):
            return tuple(int(x[0]) for x in np.nonzero(mask))

        for attr in ("trade", "tariffs", "va_share", "io_share", "final_share", "theta"):
            arr = getattr(self, attr)
            if not np.all(np.isfinite(arr)):
                idx = where(~np.isfinite(arr))
                raise InputError(
                    f"{self.name}: {attr}{self._label(attr, idx)} is {arr[idx]}; every value must be a finite number",
                    field=attr,
                )
        if np.any(self.trade < 0):
            n, i, j = where(self.trade < 0)
            raise InputError(
                f"{self.name}: trade from {r[i]} to {r[n]} in {s[j]} is {self.trade[n, i, j]:g}; flows must be >= 0",
                field="trade",
            )
        if np.any(self.tariffs <= -1):
            n, i, j = where(self.tariffs <= -1)
            raise InputError(
                f"{self.name}: tariff of {r[n]} on {r[i]} in {s[j]} is "
                f"{100 * self.tariffs[n, i, j]:g}%; tariffs must be above -100%",
                field="tariffs",
            )
        if np.any(self.theta <= 0):
            (j,) = where(self.theta <= 0)
            raise InputError(
                f"{self.name}: trade elasticity of {s[j]} is {self.theta[j]:g}; it must be > 0",
                field="theta",
            )
        for attr in ("va_share", "final_share", "io_share"):
            arr = getattr(self, attr)
            floor = negative_input_share_floor if attr == "io_share" else 0.0
            bad = (arr < floor - SHARE_ATOL) | (arr > 1 + SHARE_ATOL)
            if np.any(bad):
                idx = where(bad)
                raise InputError(
                    f"{self.name}: {attr}{self._label(attr, idx)} is {arr[idx]:g}; shares must lie in [0, 1]",
                    field=attr,
                )
        final_sum = self.final_share.sum(axis=1)
        bad = np.abs(final_sum - 1) > SHARE_ATOL
        if np.any(bad):
            (n,) = where(bad)
            raise InputError(
                f"{self.name}: final-demand shares of {r[n]} add up to {final_sum[n]:.6g}; they must add up to 1",
                field="final_share",
            )
        io_sum = self.io_share.sum(axis=1)
        needs_inputs = self.va_share < 1 - SHARE_ATOL
        bad = needs_inputs & (np.abs(io_sum - 1) > SHARE_ATOL)
        if np.any(bad):
            n, j = where(bad)
            raise InputError(
                f"{self.name}: input shares of {s[j]} in {r[n]} add up to {io_sum[n, j]:.6g} "
                f"with value-added share {self.va_share[n, j]:.4g}; they must add up to 1",
                field="io_share",
            )
        scale = self.expenditure.sum() / self.expenditure.size
        world_deficit = self.deficit.sum()
        if abs(world_deficit) > ACCOUNTING_RTOL * self.deficit.__abs__().sum() + 1e-12 * scale:
            raise InputError(f"{self.name}: world deficits add up to {world_deficit:g}, not 0", field="trade")
        demand = self.intermediate_demand + self.final_share * self.income[:, None]
        gap = np.abs(demand - self.expenditure)
        tol = ACCOUNTING_RTOL * np.maximum(self.expenditure, scale)
        if np.any(gap > tol):
            n, j = where(gap - tol == (gap - tol).max())
            raise InputError(
                f"{self.name}: absorption of {s[j]} in {r[n]} is {self.expenditure[n, j]:.6g} but "
                f"intermediate plus final demand (income = VA + tariff revenue + deficit) is "
                f"{demand[n, j]:.6g}; the accounts must balance",
                field="trade",
            )
        return self

    @cached_property
    def intermediate_demand(self) -> np.ndarray:
        """sum_k (1 - va_share[n, k]) io_share[n, j, k] Y_n^k [n, j]."""
        return np.einsum("njk,nk->nj", self.io_share, (1 - self.va_share) * self.gross_output)

    def _label(self, attr: str, idx: tuple[int, ...]) -> str:
        r, s = self.regions, self.sectors
        if attr in ("trade", "tariffs"):
            n, i, j = idx
            return f" (importer {r[n]}, exporter {r[i]}, sector {s[j]})"
        if attr == "io_share":
            n, k, j = idx
            return f" (region {r[n]}, input {s[k]}, user {s[j]})"
        if attr == "theta":
            return f" (sector {s[idx[0]]})"
        n, j = idx
        return f" (region {r[n]}, sector {s[j]})"
