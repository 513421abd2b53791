"""PPML gravity estimation with high-dimensional fixed effects (pyfixest's ``fepois``).

The structural gravity equation (Yotov, Piermartini, Monteiro and Larch 2016, ch. 1, eq. 1-10;
Santos Silva and Tenreyro 2006) in a panel:

    X_ijt = exp(pi_it + chi_jt + mu_ij + b . z_ijt) + e_ijt

with exporter-time effects pi_it (outward multilateral resistance and output), importer-time
effects chi_jt (inward resistance and expenditure), pair effects mu_ij (time-invariant bilateral
costs) and policy terms z_ijt (RTA dummies, border dummies, log(1 + tariff), ...). A cross-
section uses exporter and importer effects and gravity covariates (log distance, contiguity...).

`ppml(data, outcome, terms, fixed_effects=...)` estimates it from a long frame (one row per
exporter, importer, time). Nothing is dropped silently: the result counts and lists the rows
dropped for missing values, for separation (pyfixest's check "fe": all-zero outcomes within a
fixed-effect group, whose effect would be -infinity) and for singletons, and `summary()` says so.
Panels are built with `gravity_panel`, which adds ``exp_time``, ``imp_time`` and ``pair``
identifiers (symmetric pairs on request, one common pair effect for domestic flows on request,
as in the book's NAFTA application).
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from scipy.stats import norm

from tradewar.errors import InputError

FixedEffects = Sequence[str]


def import_pyfixest():
    """pyfixest (heavy: numba), imported only when a model is estimated, with the logging set-up
    as it was: its import calls ``logging.basicConfig(level=INFO)`` (pyfixest 0.30+,
    feols_compressed_.py), which would print every library's INFO records on stderr (JAX's
    "Unable to initialize backend 'tpu'")."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    import pyfixest

    pyfixest.fepois  # noqa: B018 -- pyfixest loads its estimators on first access: load them here
    root.handlers[:] = handlers
    root.setLevel(level)
    return pyfixest


@dataclass(frozen=True, eq=False)
class GravityFit:
    """A PPML gravity fit: tidy coefficients and an account of every dropped observation.

    ``coefficients`` and ``se`` are Series indexed by term; ``n_obs`` is the number of rows
    used; ``n_dropped`` the rows of the input not used, of which ``n_separated`` for separation
    and ``n_missing`` for missing values; ``dropped`` the input index labels of all of them.
    ``fitted`` is the fitted mean on the input index (NaN where dropped); ``fixed_effects`` maps
    each fixed-effect column to a Series of its estimated effects (one normalisation among many:
    only sums along observations are identified).
    """

    formula: str
    coefficients: pd.Series
    se: pd.Series
    n_obs: int
    n_input: int
    n_dropped: int
    n_separated: int
    n_missing: int
    dropped: pd.Index
    fitted: pd.Series
    fixed_effects: dict[str, pd.Series] = field(default_factory=dict)
    vcov: str = "hetero"
    notes: tuple[str, ...] = ()

    def table(self) -> pd.DataFrame:
        """Coefficients, standard errors, z and p values, one row per term."""
        z = self.coefficients / self.se
        return pd.DataFrame({"coefficient": self.coefficients, "se": self.se, "z": z, "p": 2 * norm.sf(np.abs(z))})

    def summary(self) -> str:
        """A plain-text report that always states the dropped and separated observations."""
        lines = [f"PPML {self.formula}  (vcov: {self.vcov})"]
        for term, row in self.table().iterrows():
            lines.append(f"  {term:<24} {row.coefficient: .7f}  ({row.se:.4f})")
        lines.append(
            f"  observations used {self.n_obs} of {self.n_input}; dropped {self.n_dropped} "
            f"({self.n_separated} for separation, {self.n_missing} for missing values)"
        )
        lines.extend(f"  note: {n}" for n in self.notes)
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return {
            "formula": self.formula,
            "vcov": self.vcov,
            "coefficients": {str(k): float(v) for k, v in self.coefficients.items()},
            "se": {str(k): float(v) for k, v in self.se.items()},
            "n_obs": self.n_obs,
            "n_input": self.n_input,
            "n_dropped": self.n_dropped,
            "n_separated": self.n_separated,
            "n_missing": self.n_missing,
            "notes": list(self.notes),
        }


def gravity_panel(
    data: pd.DataFrame,
    *,
    exporter: str = "exporter",
    importer: str = "importer",
    time: str | None = "year",
    pair: Literal["directional", "symmetric"] = "symmetric",
    common_domestic_pair: bool = False,
) -> pd.DataFrame:
    """Add fixed-effect identifiers: ``exp_time``, ``imp_time`` (or ``exp_fe``/``imp_fe``
    without `time`) and ``pair`` (i->j and j->i share a symmetric pair; with
    `common_domestic_pair`, all domestic flows share one pair effect, as in AGTPA ch. 2 app. 2)."""
    for col in (exporter, importer) + ((time,) if time else ()):
        if col not in data.columns:
            raise InputError(
                f"data: column {col!r} not found; columns are {', '.join(map(str, data.columns))}", field=col
            )
    df = data.copy()
    e, m = df[exporter].astype(str), df[importer].astype(str)
    if time:
        t = df[time].astype(str)
        df["exp_time"] = e + "_" + t
        df["imp_time"] = m + "_" + t
    df["exp_fe"], df["imp_fe"] = e, m
    if pair == "symmetric":
        lo, hi = np.minimum(e, m), np.maximum(e, m)
        df["pair"] = lo + "_" + hi
    else:
        df["pair"] = e + "_" + m
    if common_domestic_pair:
        df.loc[e == m, "pair"] = "__domestic__"
    return df


def ppml(
    data: pd.DataFrame,
    outcome: str,
    terms: Sequence[str] = (),
    *,
    fixed_effects: FixedEffects = ("exporter", "importer"),
    offset: str | None = None,
    vcov: str | dict = "hetero",
    separation_check: Sequence[Literal["fe", "ir"]] = ("fe",),
    fixef_rm: Literal["none", "singleton"] = "none",
    tol: float = 1e-10,
    maxiter: int = 100,
    fixef_tol: float = 1e-12,
    recover_fixed_effects: bool = False,
) -> GravityFit:
    """PPML of `outcome` on `terms` with the given fixed effects (column names), via pyfixest.

    `offset` is a column added to the linear predictor with coefficient 1 (e.g. log trade costs
    in a constrained GE estimation). `vcov` is pyfixest's: "hetero" (robust, as Stata's ppml),
    or {"CRV1": "pair"} for clustering. Rows with missing values in the variables used are
    dropped and counted; so are separated rows (see the module docstring).
    """
    pf = import_pyfixest()

    cluster = [c for v in vcov.values() for c in str(v).split("+")] if isinstance(vcov, dict) else []
    used = list(
        dict.fromkeys([outcome, *terms, *fixed_effects, *[c.strip() for c in cluster]] + ([offset] if offset else []))
    )
    missing_cols = [c for c in used if c not in data.columns]
    if missing_cols:
        raise InputError(
            f"data: column {missing_cols[0]!r} not found; columns are {', '.join(map(str, data.columns))}",
            field=missing_cols[0],
        )
    if (data[outcome] < 0).any():
        row = data.index[(data[outcome] < 0).to_numpy()][0]
        raise InputError(
            f"{outcome}: negative value {data.loc[row, outcome]:g} in row {row}; trade flows must be >= 0",
            field=outcome,
        )
    df = data[used].copy()
    n_input = len(df)
    complete = df.notna().all(axis=1)
    n_missing = int((~complete).sum())
    df = df[complete]
    rhs = " + ".join(terms) if terms else "1"
    fml = f"{outcome} ~ {rhs}"
    if fixed_effects:
        fml += " | " + " + ".join(fixed_effects)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = pf.fepois(
            fml,
            data=df,
            vcov=vcov,
            offset=offset,
            separation_check=list(separation_check),
            fixef_rm=fixef_rm,
            iwls_tol=tol,
            iwls_maxiter=maxiter,
            demeaner=pf.MapDemeaner(fixef_tol=fixef_tol, fixef_maxiter=100_000),
        )
    # pyfixest's own messages about the data (not library deprecations) are kept as notes
    notes = tuple(
        sorted(
            {
                str(w.message).strip().splitlines()[0]
                for w in caught
                if str(w.message).strip()
                and not issubclass(w.category, (DeprecationWarning, FutureWarning))
                and "deprecated" not in str(w.message)
            }
        )
    )
    n_separated = int(getattr(fit, "n_separation_na", 0) or 0)
    na_index = np.asarray(getattr(fit, "na_index", np.array([], dtype=int)), dtype=int)
    # pyfixest's na_index are positions in the frame it received (after our missing-value drop)
    used_positions = np.setdiff1d(np.arange(len(df)), na_index)
    used_labels = df.index[used_positions]
    dropped = data.index.difference(used_labels)
    fitted = pd.Series(np.nan, index=data.index)
    fitted.loc[used_labels] = np.asarray(fit.predict(type="response")).ravel()
    coef = fit.coef().copy()
    se = fit.se().copy()
    fe: dict[str, pd.Series] = {}
    if recover_fixed_effects and fixed_effects:
        raw = fit.fixef(atol=1e-14, btol=1e-14)
        for key, values in raw.items():
            name = key[key.find("(") + 1 : key.rfind(")")] if "(" in key else key
            fe[name] = pd.Series(values, dtype=float)
    if n_separated:
        notes = (*notes, f"{n_separated} observations dropped for separation (their fixed effect is -infinity)")
    n_dropped = len(dropped)
    if n_dropped:
        warnings.warn(
            f"ppml {fml}: {n_dropped} of {n_input} observations dropped ({n_separated} for separation, "
            f"{n_missing} for missing values); see GravityFit.dropped",
            UserWarning,
            stacklevel=2,
        )
    return GravityFit(
        formula=fml,
        coefficients=coef,
        se=se,
        n_obs=int(fit._N),
        n_input=n_input,
        n_dropped=n_dropped,
        n_separated=n_separated,
        n_missing=n_missing,
        dropped=dropped,
        fitted=fitted,
        fixed_effects=fe,
        vcov=str(vcov),
        notes=notes,
    )
