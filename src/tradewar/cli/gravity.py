"""`tradewar gravity estimate|simulate` and `tradewar replicate yotov-nafta|yotov-borders`.

Structural gravity: PPML estimation with fixed effects (`tradewar.data.estimation`) and the
one-sector general-equilibrium model (`tradewar.models.gravity`). With ``--json`` each command
prints one JSON object; the simulate and replicate commands' object has ``regions``, a list of
objects with ``code`` (ISO3), ``exports_pct``, ``real_gdp_pct``, ``imr_pct``, ``omr_pct`` and
``factory_gate_price_pct``; estimate's has the coefficients, the dropped and separated counts and
``regions`` with each region's baseline ``imr`` and ``omr`` (the book's normalisation).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import typer

from tradewar.cli.output import PLAIN_HELP, console, emit_json, table, working
from tradewar.data.long_table import read_columns, square
from tradewar.data.registry import default_data_path
from tradewar.errors import InputError
from tradewar.replicate.gravity_book import baseline_resistances, simulate_long

gravity_app = typer.Typer(
    no_args_is_help=True,
    help="Structural gravity: PPML estimation and general-equilibrium counterfactuals.",
    **PLAIN_HELP,
)

DataOption = typer.Option(
    None, "--data", metavar="DIR", help="A CSV file in long format or a folder of ../shared/data (gegravity, yotov)."
)
JsonOption = typer.Option(False, "--json", help="Print one JSON object on stdout instead of tables.")
ProcedureOption = typer.Option(
    "book",
    "--procedure",
    metavar="book|converged",
    help="book: the book's iterative Stata procedure (not converged); converged: Newton equilibrium.",
)

#: Default specifications of the known data folders: (file, cost variables, sigma, reference).
KNOWN = {
    "sample_data_set.csv": (["lndist", "contiguity", "common_language", "pta", "international"], 5.0, "DEU"),
    "ch2_app1_trade_without_borders_2006.csv": (["ln_dist", "cntg", "intl_brdr"], 7.0, "DEU"),
}
COLUMNS = ["code", "exports_pct", "real_gdp_pct", "imr_pct", "omr_pct", "factory_gate_price_pct"]


def _locate(data: Path | None) -> tuple[Path, list[str], float | None, str | None]:
    """(CSV file, default cost variables, sigma, reference) of --data: a file or a known folder."""
    if data is None:
        data = default_data_path("gegravity")
    path = Path(data)
    if path.is_dir():
        for name in KNOWN:
            if (path / name).is_file():
                path = path / name
                break
        else:
            raise InputError(
                f"--data: {data} holds none of {', '.join(KNOWN)}; pass a CSV file in long format (exporter, "
                "importer, trade, ...)",
                field="data",
            )
    if not path.is_file():
        raise InputError(f"--data: file not found: {path}; pass a CSV file or a data folder", field="data")
    terms, sigma, ref = KNOWN.get(path.name, ([], None, None))
    return path, terms, sigma, ref


def _unreadable(path: Path, why: str) -> InputError:
    return InputError(f"--data: cannot read {path} as CSV ({why}); pass a comma-separated file", field="data")


def _read_frame(path: Path):
    """The file as a pandas frame, for the PPML estimation (which takes one)."""
    import pandas as pd  # only when estimating: the solve reads the file with `_read_columns`

    try:
        return pd.read_csv(path)
    except Exception as e:  # pandas' parse errors
        raise _unreadable(path, e.__class__.__name__) from None


def _read_columns(path: Path) -> dict[str, np.ndarray]:
    """The file's columns as numpy arrays (`tradewar.data.long_table.read_columns`: no pandas)."""
    try:
        return read_columns(path)
    except ValueError as e:
        raise _unreadable(path, str(e)) from None


def _split(text: str | None) -> list[str]:
    return [t.strip() for t in (text or "").split(",") if t.strip()]


def _pairs(spec: str, option: str) -> list[tuple[str, str]]:
    out = []
    for item in _split(spec):
        if "-" not in item:
            raise InputError(f"{option}: {item!r}; write pairs as EXPORTER-IMPORTER, e.g. CAN-JPN", field=option)
        e, m = item.split("-", 1)
        out.append((e.strip(), m.strip()))
    return out


#: The form of each option that takes numbers, shown when one is not a number.
NUMBER_FORMS = {"--coef": "--coef pta=0.47", "--shock": "--shock pta=1:CAN-JPN", "--tariff": "--tariff USA:CHN=0.25"}


def _number(text: str, option: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise InputError(
            f"{option}: {text!r} is not a number; write it as in {NUMBER_FORMS[option]}", field=option
        ) from None


def _print_regions(result: dict, title: str) -> None:
    """One row per region (computed), followed by the book's published row and, for the
    converged procedure, our book-procedure row, in the same columns."""
    keys = COLUMNS[1:]
    rows = []
    for r in result["regions"]:
        rows.append([r["code"]] + [float(r[k]) for k in keys])
        for label, other in (("book loop", r.get("book")), ("published", r.get("published"))):
            if other is not None:
                rows.append([f"  {label}"] + [float(other[k]) for k in keys])
    cols = ["region", "exports %", "real GDP %", "IMR %", "OMR %", "price %"]
    console.print(table(title, cols, rows))
    if result.get("converged") is False and result.get("max_residual") is None:
        console.print(
            f"book procedure: stopped after {result.get('iterations')} steps by the book's rule (not a converged "
            "equilibrium)"
        )
    else:
        console.print(
            f"converged={result.get('converged')}  max residual={result.get('max_residual'):.2e}  "
            f"iterations={result.get('iterations')}"
        )


@gravity_app.command("estimate")
def estimate(
    data: Path | None = DataOption,
    outcome: str = typer.Option("trade", "--outcome", metavar="COLUMN", help="The trade-flow column."),
    terms: str | None = typer.Option(
        None, "--terms", metavar="COLUMNS", help="Comma-separated regressors (default: the folder's specification)."
    ),
    fixed_effects: str = typer.Option("exporter,importer", "--fe", help="Comma-separated fixed-effect columns."),
    reference: str | None = typer.Option(
        None, "--reference", metavar="CODE", help="Reference importer of the resistances (default DEU)."
    ),
    procedure: str = typer.Option(
        "book",
        "--procedure",
        metavar="book|converged",
        help="Baseline multilateral resistances: book = from the PPML fixed effects (AGTPA Step I.b); converged = "
        "solved from the structural system to a residual below 1e-12.",
    ),
    as_json: bool = JsonOption,
):
    """PPML with fixed effects (pyfixest), and the baseline multilateral resistances it implies.

    Dropped and separated observations are always reported. With exporter and importer effects,
    ``regions`` lists each region's IMR (P^(1-sigma), reference = 1) and OMR (Y Pi^(1-sigma)),
    from the fixed effects (--procedure book) or solved from the structural system (converged).
    """
    from tradewar.data.estimation import ppml  # scipy.stats and pyfixest: only when estimating

    path, default_terms, _, default_ref = _locate(data)
    df = _read_frame(path)
    chosen = _split(terms) or default_terms
    if not chosen:
        raise InputError(
            "--terms: none given and the file is not a known folder's; list regressors, e.g. --terms lndist,pta",
            field="terms",
        )
    fes = tuple(_split(fixed_effects))
    with working("PPML estimation"):
        fit = ppml(df, outcome, chosen, fixed_effects=fes)
    result = fit.to_dict()
    if set(fes) == {"exporter", "importer"} and fit.n_dropped == 0:
        b = fit.coefficients
        frame = df.assign(_cost=np.exp(sum(float(b[t]) * df[t].astype(float) for t in chosen)))
        countries, flows = square(frame, outcome)
        cost = square(frame, "_cost", countries)[1]
        ref = reference or default_ref or "DEU"
        if ref not in countries:
            raise InputError(
                f"--reference: unknown region {ref!r}; use one of {', '.join(countries)}", field="reference"
            )
        mr = baseline_resistances(cost, flows.sum(axis=0), flows.sum(axis=1), countries.index(ref), procedure=procedure)
        result.update(
            procedure=procedure,
            reference_importer=ref,
            converged=mr["converged"],
            max_residual=mr["max_residual"],
            regions=[
                {"code": c, "imr": float(mr["imr"][k]), "omr": float(mr["omr"][k])} for k, c in enumerate(countries)
            ],
        )
    if as_json:
        emit_json(result)
        return
    t = fit.table()
    rows = [[term, float(r.coefficient), float(r.se), float(r.z), float(r.p)] for term, r in t.iterrows()]
    console.print(table(f"PPML {fit.formula}", ["term", "coefficient", "se", "z", "p"], rows, digits=6))
    console.print(
        f"observations used {fit.n_obs} of {fit.n_input}; dropped {fit.n_dropped} "
        f"({fit.n_separated} for separation, {fit.n_missing} for missing values)"
    )
    for note in fit.notes:
        console.print(f"note: {note}", markup=False, highlight=False)


@gravity_app.command("simulate")
def simulate(
    data: Path | None = DataOption,
    costs: str | None = typer.Option(
        None, "--costs", metavar="COLUMNS", help="Comma-separated cost variables (default: the folder's specification)."
    ),
    coef: list[str] = typer.Option(
        [], "--coef", metavar="NAME=VALUE", help="NAME=VALUE for a cost coefficient (default: estimated by PPML)."
    ),
    shock: list[str] = typer.Option(
        [],
        "--shock",
        metavar="VAR=VALUE:PAIRS",
        help="VAR=VALUE:EXP-IMP,... sets a cost variable on pairs (* = all), e.g. pta=1:CAN-JPN,JPN-CAN or "
        "intl_brdr=0:*-*.",
    ),
    tariff: list[str] = typer.Option(
        [],
        "--tariff",
        metavar="IMP:EXP=RATE",
        help="IMPORTER:EXPORTER=RATE (decimal), e.g. USA:CHN=0.25 (converged only).",
    ),
    sigma: float | None = typer.Option(
        None,
        "--sigma",
        metavar="NUMBER",
        help="Elasticity of substitution (default: 5 for gegravity's data, 7 for the book's).",
    ),
    reference: str | None = typer.Option(
        None, "--reference", metavar="CODE", help="Reference importer whose inward resistance stays 1 (default DEU)."
    ),
    procedure: str = typer.Option(
        "book",
        "--procedure",
        metavar="book|converged|gegravity",
        help="book: the book's iterative Stata procedure (not converged); converged: Newton equilibrium; "
        "gegravity: gegravity 0.3's definitions, with output and expenditure from the data's Y and E columns.",
    ),
    as_json: bool = JsonOption,
):
    """A counterfactual in full-endowment general equilibrium from long data: cost shocks and tariffs.

    With every cost coefficient given (--coef), nothing is estimated (and the estimation's
    libraries are not loaded)."""
    path, default_costs, default_sigma, default_ref = _locate(data)
    columns = _read_columns(path)
    cost_vars = _split(costs) or default_costs
    if not cost_vars:
        raise InputError(
            "--costs: none given and the file is not a known folder's; list cost variables, e.g. --costs lndist,pta",
            field="costs",
        )
    if not shock and not tariff:
        raise InputError(
            "--shock/--tariff: no counterfactual given; e.g. --shock pta=1:CAN-JPN,JPN-CAN or --tariff USA:CHN=0.25",
            field="shock",
        )
    given = {}
    for item in coef:
        if "=" not in item:
            raise InputError(f"--coef: {item!r}; write NAME=VALUE", field="coef")
        k, v = item.split("=", 1)
        given[k.strip()] = _number(v, "--coef")
    if any(v not in given for v in cost_vars):
        from tradewar.data.estimation import ppml  # scipy.stats and pyfixest: only when estimating

        fit = ppml(_read_frame(path), "trade", cost_vars, fixed_effects=("exporter", "importer"))
        given = {**{str(k): float(v) for k, v in fit.coefficients.items()}, **given}
    shocks: dict[str, list] = {}
    for item in shock:
        if "=" not in item or ":" not in item:
            raise InputError(f"--shock: {item!r}; write VAR=VALUE:EXP-IMP,EXP-IMP", field="shock")
        lhs, pairs = item.split(":", 1)
        var, value = lhs.split("=", 1)
        shocks.setdefault(var.strip(), []).extend(
            (e, m, _number(value, "--shock")) for e, m in _pairs(pairs, "--shock")
        )
    rates = []
    for item in tariff:
        if "=" not in item or ":" not in item.split("=", 1)[0]:
            raise InputError(f"--tariff: {item!r}; write IMPORTER:EXPORTER=RATE, e.g. USA:CHN=0.25", field="tariff")
        lhs, rate = item.split("=", 1)
        m, x = lhs.split(":", 1)
        rates.append((m.strip(), x.strip(), _number(rate, "--tariff")))
    sig = sigma if sigma is not None else default_sigma
    if sig is None:
        raise InputError("--sigma: required for this file (the elasticity of substitution, e.g. 5)", field="sigma")
    with working("solving the counterfactual"):
        result = simulate_long(
            columns,
            cost_vars,
            given,
            shocks=shocks,
            tariffs=rates,
            sigma=sig,
            reference=reference or default_ref or "DEU",
            procedure=procedure,
        )
    result["coefficients"] = {k: given[k] for k in cost_vars}
    if as_json:
        emit_json(result)
        return
    _print_regions(result, f"gravity counterfactual ({procedure}), sigma = {sig:g}")


def _replicate(name: str, data: Path | None, procedure: str, as_json: bool) -> None:
    from tradewar.replicate.yotov import replicate  # PPML (scipy.stats, pyfixest): only for these tables

    with working("estimating and solving"):
        result = replicate(name, data, procedure=procedure)
    if as_json:
        emit_json(result)
        return
    _print_regions(
        {**result, "regions": result["regions"][: 4 if name == "borders" else 3]}, f"{result['title']} [{procedure}]"
    )
    console.print(f"changes in %, {result['sign_convention']}; all {len(result['regions'])} countries with --json")
    for note in result["notes"]:
        console.print(f"- {note}", markup=False, highlight=False)


def register(app: typer.Typer, replicate_app: typer.Typer) -> None:
    """Add the commands to the CLI (called once from `tradewar.cli`)."""
    app.add_typer(gravity_app, name="gravity")

    @replicate_app.command("yotov-nafta", short_help="The effects of NAFTA: Yotov et al. (2016), ch. 2 app. 2.")
    def replicate_yotov_nafta(
        data: Path | None = DataOption, procedure: str = ProcedureOption, as_json: bool = JsonOption
    ):
        """Yotov et al. (2016) ch. 2 app. 2: the effects of NAFTA (1994, sigma = 7), beside the book's table."""
        _replicate("nafta", data, procedure, as_json)

    @replicate_app.command("yotov-borders", short_help="Trade without borders: Yotov et al. (2016), ch. 2 app. 1.")
    def replicate_yotov_borders(
        data: Path | None = DataOption, procedure: str = ProcedureOption, as_json: bool = JsonOption
    ):
        """Yotov et al. (2016) ch. 2 app. 1: trade without borders (2006, sigma = 7), beside the book's table."""
        _replicate("borders", data, procedure, as_json)
