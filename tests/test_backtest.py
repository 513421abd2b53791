"""Issue 16: horizons, the collected tariff basis, the observed data and the monthly backtest.

Reference values are recomputed here from the bundled observed CSV (read with the csv module,
not with tradewar's loader) and from equilibria solved directly with `tradewar.solve`."""

import csv
import datetime as dt
import json
import math
import shutil
from importlib import resources

import numpy as np
import pytest
from matplotlib.colors import to_hex
from matplotlib.dates import ConciseDateFormatter

from tradewar import solve
from tradewar.data.observed import FILE, load_observed, region_of
from tradewar.errors import InputError
from tradewar.models.horizon import parse_horizon, response_share
from tradewar.report.backtest import china_share_figure, partner_scatter_figure
from tradewar.report.figures import A4_WIDTH_IN, OKABE_ITO, region_styles
from tradewar.report.html import write_html_report
from tradewar.scenario.backtest import applies_to, import_hats, run_backtest
from tradewar.scenario.basis import average_tariff, month_policy, parse_basis, to_collected
from tradewar.scenario.run import run_scenario, scenario_inputs
from tradewar.scenario.spec import load_scenario, parse_scenario


@pytest.fixture(scope="module")
def scenario():
    return load_scenario("us-china-2025")


@pytest.fixture(scope="module")
def inputs(scenario):
    """The scenario's inputs with the model's own (long-run) elasticities and statutory tariffs."""
    return scenario_inputs(scenario, horizon="long", basis="statutory")


@pytest.fixture(scope="module")
def raw_rows():
    path = resources.files("tradewar").joinpath("datasets", "observed", FILE)
    with path.open() as fh:
        return list(csv.DictReader(fh))


def _step(inputs, date):
    return next((s, extra) for s, extra in inputs[3] if s.date == date)


# ------------------------------------------------------------------------------ horizon
def test_short_run_responses_are_smaller_than_long_run_ones(inputs):
    """The April peak (US 145 % on China) at 3 months, the short run (12) and the long run:
    US imports from China, the total, and the import-weighted mean absolute change over partners
    grow with the horizon. (Single third countries need not: at TWN the short-run diversion
    is slightly larger, since general-equilibrium income effects differ by horizon.)"""
    name, baseline, options, _ = inputs
    step, extra = _step(inputs, "2025-04-12")
    changes = {}
    for h in ("3", "short", "long"):
        theta = parse_horizon(h).theta(baseline.theta)
        hats, total = import_hats(solve(name, baseline, step.tariffs, **options, **extra, theta=theta))
        changes[h] = (np.abs(hats - 1), abs(total - 1))
    u = baseline.region_index("USA")
    weights = np.delete(baseline.trade[u].sum(axis=1), u)
    assert changes["3"][0]["CHN"] < changes["short"][0]["CHN"] < changes["long"][0]["CHN"]
    assert changes["3"][1] < changes["short"][1] < changes["long"][1]
    spread = {h: np.average(c[0].to_numpy(), weights=weights) for h, c in changes.items()}
    assert spread["3"] < spread["short"] < spread["long"]


def test_horizon_mapping_follows_its_anchors():
    """R(12) = 0.76 / 2.0 (BLP one year over the long-run midpoint); 96-99 % reached after 7-10 years."""
    assert parse_horizon("short").response_share == pytest.approx(0.76 / 2.0, abs=1e-12)
    assert parse_horizon("long").response_share == 1.0
    assert 0.95 < response_share(84) < response_share(120) < 1.0
    assert parse_horizon("6 months").months == 6 and parse_horizon(6).label == "6 months"


@pytest.mark.parametrize("bad, closest", [("shrt", "short"), ("longrun", "long"), ("-3", None)])
def test_bad_horizons_and_bases_name_the_fix(bad, closest):
    with pytest.raises(InputError) as e:
        parse_horizon(bad)
    assert bad in str(e.value) and "\n" not in str(e.value)
    if closest:
        assert repr(closest) in str(e.value)
    with pytest.raises(InputError, match="closest: 'collected'"):
        parse_basis("colected")


# ------------------------------------------------------------------------------ basis
@pytest.mark.parametrize("month, region", [("2025-05", "CHN"), ("2025-08", "CAN"), ("2025-06", "EU27")])
def test_collected_basis_reproduces_the_observed_collected_rate(inputs, raw_rows, month, region):
    """The US average tariff on the region (baseline trade weights) equals duties / imports of
    its partners in the file for that month, to the file's rounding (4 decimals of a percent)."""
    _, baseline, _, steps = inputs
    arrays = [s for s, _ in steps]
    observed = load_observed()
    stat = lambda m: month_policy(arrays, baseline, m)["tariffs"]
    tariffs, rates = to_collected(baseline, stat(month), month, observed, stat)
    rows = [
        r
        for r in raw_rows
        if r["month"] == month and r["partner_iso3"] != "ALL" and region_of(r["partner_iso3"]) == region
    ]
    if len(rows) == 1:
        expected = float(rows[0]["collected_tariff_pct"])
    else:
        expected = 100 * sum(float(r["us_duties_usd"]) for r in rows) / sum(float(r["us_imports_usd"]) for r in rows)
    assert abs(average_tariff(baseline, tariffs, "USA", region) - expected) <= 1e-4
    assert next(r for r in rates if r.exporter == region).rule == "observed"
    u = baseline.region_index("USA")
    other = [k for k in range(baseline.n_regions) if k != u]
    statutory = month_policy(arrays, baseline, month)["tariffs"]
    assert np.array_equal(tariffs[other], statutory[other])  # only US tariffs change


def test_collected_basis_after_the_data_carries_the_last_share_collected(inputs):
    """November 2025 (no data): the US tariff on Canada keeps August's share of the statutory
    increase that was collected (its USMCA-exempt share)."""
    _, baseline, _, steps = inputs
    arrays = [s for s, _ in steps]
    observed = load_observed()
    stat = lambda m: month_policy(arrays, baseline, m)["tariffs"]
    a0 = average_tariff(baseline, baseline.tariffs, "USA", "CAN")
    k_aug = (observed.regions.loc[("2025-08", "CAN"), "collected_pct"] - a0) / (
        average_tariff(baseline, stat("2025-08"), "USA", "CAN") - a0
    )
    tariffs, rates = to_collected(baseline, stat("2025-11"), "2025-11", observed, stat)
    nov = average_tariff(baseline, tariffs, "USA", "CAN")
    assert nov == pytest.approx(a0 + k_aug * (average_tariff(baseline, stat("2025-11"), "USA", "CAN") - a0), rel=1e-12)
    assert next(r for r in rates if r.exporter == "CAN").rule == "share collected from CAN, 2025-08"
    assert 0 < k_aug < 0.5


# ------------------------------------------------------------------------------ backtest
def test_month_policy_is_the_day_weighted_average_of_the_steps_in_force(inputs):
    _, baseline, _, steps = inputs
    arrays = [s for s, _ in steps]
    june = month_policy(arrays, baseline, "2025-06")
    may14, jun4 = _step(inputs, "2025-05-14")[0], _step(inputs, "2025-06-04")[0]
    np.testing.assert_allclose(june["tariffs"], (3 * may14.tariffs + 27 * jun4.tariffs) / 30, rtol=0, atol=1e-15)
    assert [(d, n) for d, _, n in june["in_force"]] == [("2025-05-14", 3), ("2025-06-04", 27)]
    jan = month_policy(arrays, baseline, "2025-01")
    assert [(d, n) for d, _, n in jan["in_force"]] == [(None, 19), ("2025-01-20", 12)]


def test_metrics_recomputed_by_hand_for_one_month(scenario, inputs, raw_rows):
    """June 2025, short horizon, statutory: shares from the raw CSV, the model's change from a
    direct solve of the month's policy, then MAE, correlation and weighted sign agreement."""
    result = run_backtest(
        scenario, horizons=("short",), bases=("statutory",), first_month="2025-06", last_month="2025-06"
    )
    name, baseline, options, steps = inputs
    p = month_policy([s for s, _ in steps], baseline, "2025-06")
    eq = solve(
        name,
        baseline,
        p["tariffs"],
        **options,
        export_limits=p["export_limits"],
        theta=parse_horizon("short").theta(baseline.theta),
    )
    u = baseline.region_index("USA")
    goods = [k for k, s in enumerate(baseline.sectors) if s not in ("UTIL", "SERV")]
    imports = {}
    for r in raw_rows:
        if r["partner_iso3"] != "ALL" and r["month"] in ("2024-06", "2025-06"):
            key = (r["month"], region_of(r["partner_iso3"]))
            imports[key] = imports.get(key, 0.0) + float(r["us_imports_usd"])
    regions = sorted({reg for _, reg in imports})
    before = {reg: imports[("2024-06", reg)] for reg in regions}
    now = {reg: imports[("2025-06", reg)] for reg in regions}
    x = {}
    for reg in regions:
        i = baseline.region_index(reg)
        x[reg] = sum(eq.outcomes["trade_new"][u, i, j] for j in goods) / sum(
            eq.outcomes["trade_old"][u, i, j] for j in goods
        )
    moved = {reg: before[reg] * x[reg] for reg in regions}
    obs_change = [100 * (now[r] / sum(now.values()) - before[r] / sum(before.values())) for r in regions]
    mod_change = [100 * (moved[r] / sum(moved.values()) - before[r] / sum(before.values())) for r in regions]
    mae = sum(abs(a - b) for a, b in zip(mod_change, obs_change)) / len(regions)
    mo, mm = sum(obs_change) / len(regions), sum(mod_change) / len(regions)
    cov = sum((a - mo) * (b - mm) for a, b in zip(obs_change, mod_change))
    corr = cov / math.sqrt(sum((a - mo) ** 2 for a in obs_change) * sum((b - mm) ** 2 for b in mod_change))
    # sign agreement over the regions with a predicted change (>= 0.01 points), by 2024 imports
    predicted = [(r, a, b) for r, a, b in zip(regions, obs_change, mod_change) if abs(b) >= 0.01]
    agree = sum(before[r] for r, a, b in predicted if (a > 0) == (b > 0))
    sign = agree / sum(before[r] for r, _, _ in predicted)
    assert len(predicted) >= len(regions) - 2  # June's policy moves (almost) every region
    (metrics,) = result.metrics
    month = metrics["by_month"][0]
    assert month["mae_pp"] == pytest.approx(mae, rel=1e-9)
    assert month["correlation"] == pytest.approx(corr, rel=1e-9)
    assert month["sign_agreement"] == pytest.approx(sign, rel=1e-12)
    assert month["sign_coverage"] == pytest.approx(sum(before[r] for r, _, _ in predicted) / sum(before.values()))
    assert metrics["china_share_error_pp"]["2025-06"] == pytest.approx(
        mod_change[regions.index("CHN")] - obs_change[regions.index("CHN")], rel=1e-9
    )
    assert metrics["mae_pp"] == month["mae_pp"]  # one month: pooled = monthly
    rows = result.to_dict()["months"][0]["partners"]
    assert {r["code"] for r in rows} == set(regions) and "USA" not in regions


def test_months_after_the_last_step_use_its_policy(scenario, inputs, tmp_path):
    """An observed file with December 2025 (a copy of August's rows, relabelled): December is
    solved at the last step's policy (2025-11-10), on both bases."""
    src = resources.files("tradewar").joinpath("datasets", "observed", FILE)
    with src.open() as fh:
        lines = fh.read().splitlines()
    extra = [ln.replace("2025-08,", "2025-12,", 1) for ln in lines[1:] if ln.startswith("2025-08,")]
    (tmp_path / FILE).write_text("\n".join(lines + extra) + "\n")
    observed = load_observed(tmp_path)
    result = run_backtest(scenario, observed=observed, horizons=("short",), first_month="2025-12")
    assert result.months == ["2025-12"]
    last = inputs[3][-1][0]
    assert result.policy["2025-12"] == [(last.date, last.label, 31)]
    name, baseline, options, _ = inputs
    eq = solve(
        name,
        baseline,
        last.tariffs,
        **options,
        export_limits=last.export_limits,
        theta=parse_horizon("short").theta(baseline.theta),
    )
    hats, _ = import_hats(eq)
    got = result.totals[("short/statutory", "2025-12")]["hats"]
    np.testing.assert_allclose(got.to_numpy(), hats.to_numpy(), rtol=1e-12)


def test_bad_observed_files_give_one_line_errors(tmp_path):
    src = resources.files("tradewar").joinpath("datasets", "observed", FILE)
    with src.open() as fh:
        text = fh.read()
    (tmp_path / FILE).write_text(text.replace("2025-03,CHN", "2025-13,CHN", 1))
    with pytest.raises(InputError, match=r"row \d+, column month: '2025-13' is not a month"):
        load_observed(tmp_path)
    (tmp_path / FILE).write_text(text.replace("2025-03,CHN,CHINA,", "2025-03,CHN,CHINA,-", 1))
    with pytest.raises(InputError, match=r"column us_imports_usd: .* must be above 0"):
        load_observed(tmp_path)
    shutil.rmtree(tmp_path)
    with pytest.raises(InputError, match="is not a folder"):
        load_observed(tmp_path)


# ------------------------------------------------------------------------------ scenario hooks
def _one_step(**model):
    return parse_scenario(
        {
            "title": "US +20 points on China",
            "model": {"name": "caliendo-parro", **model},
            "step": [
                {
                    "date": "2025-06-01",
                    "label": "US on China +20",
                    "policy": [{"importer": "USA", "exporter": "CHN", "add_pp": 20}],
                }
            ],
        }
    )


def test_dated_steps_are_solved_at_the_short_horizon_beside_the_long_run():
    result = run_scenario(_one_step())
    assert result.horizon == "short" and result.long_run is not None
    short, long = (import_hats(x.equilibrium)[0]["CHN"] for x in (result.steps[-1], result.long_run))
    assert 1 > short > long  # the same policy: a smaller fall at the short horizon
    out = result.to_dict()
    assert out["horizon"] == "short" and out["long_run"]["date"] == "2025-06-01"
    explicit = run_scenario(_one_step(horizon="long"))
    assert explicit.horizon == "long" and explicit.long_run is None
    assert import_hats(explicit.steps[-1].equilibrium)[0]["CHN"] == pytest.approx(long, rel=1e-10)


def test_collected_basis_in_a_scenario_takes_each_steps_month(scenario, raw_rows):
    """us-china-2025 with tariff_basis = "collected": the April 12 step's US tariff on China
    averages April's collected rate in the file, other importers keep theirs."""
    _, baseline, _, steps = scenario_inputs(scenario, basis="collected")
    step = next(s for s, _ in steps if s.date == "2025-04-12")
    (april,) = [
        float(r["collected_tariff_pct"]) for r in raw_rows if r["month"] == "2025-04" and r["partner_iso3"] == "CHN"
    ]
    assert average_tariff(baseline, step.tariffs, "USA", "CHN") == pytest.approx(april, abs=1e-4)
    statutory = next(s for s, _ in scenario_inputs(scenario, basis="statutory")[3] if s.date == "2025-04-12")
    assert average_tariff(baseline, step.tariffs, "CHN", "USA") == average_tariff(
        baseline, statutory.tariffs, "CHN", "USA"
    )


@pytest.mark.parametrize(
    "model, words",
    [
        ({"horizon": "shrt"}, ["model.horizon", "'shrt'", "closest: 'short'"]),
        ({"tariff_basis": "colected"}, ["model.tariff_basis", "closest: 'collected'"]),
        ({"name": "ossa", "horizon": "short"}, ["horizon", "caliendo-parro"]),
    ],
)
def test_scenario_horizon_and_basis_are_validated(model, words):
    with pytest.raises(InputError) as e:
        parse_scenario({"title": "x", "model": model, "policy": [{"importer": "USA", "add_pp": 1}]})
    assert all(w in str(e.value) for w in words) and "\n" not in str(e.value)


def test_cli_backtest_json_contract_and_errors(cli):
    run = cli("backtest", "us-china-2025", "--horizon", "short", "--basis", "collected", "--json")
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    assert out["best"] == {"horizon": "short", "basis": "collected"}
    assert [m["month"] for m in out["months"]] == [f"2025-0{k}" for k in range(1, 9)]
    partner = out["months"][0]["partners"][0]
    assert set(partner) == {
        "code",
        "observed_share_pct",
        "model_share_pct",
        "observed_change_pp",
        "model_change_pp",
    }
    (metrics,) = out["metrics"]
    assert metrics["setting"] == out["best"] and set(metrics["china_share_error_pp"]) == set(
        out["goal"]["china_errors_pp"]
    ) | {"2025-01", "2025-02", "2025-03", "2025-04"}
    for args, words in (
        (["--horizon", "shrt"], ["--horizon", "closest: 'short'"]),
        (["--basis", "colected"], ["--basis", "closest: 'collected'"]),
        (["--observed", "/no/such/folder"], ["--observed", "not a folder"]),
    ):
        run = cli("backtest", "us-china-2025", *args)
        assert run.returncode == 2 and run.stdout == ""
        lines = run.stderr.strip().splitlines()
        assert len(lines) == 1 and all(w in lines[0] for w in words), run.stderr


def test_cli_data_list_shows_elasticities_by_horizon(cli):
    run = cli("data", "list", "--json")
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    rows = {h["horizon"]: h for h in out["elasticities_by_horizon"]["horizons"]}
    assert rows["short"]["theta_scale"] == pytest.approx(0.38) and "Boehm" in rows["short"]["source"]
    assert rows["long"]["theta_scale"] == 1.0 and "Caliendo" in rows["long"]["source"]
    assert out["observed"]["months"][-1] == "2025-08" and "MIT" in out["observed"]["source"]


@pytest.mark.parametrize(
    "name, expected",
    [("us-china-2025", True), ("rare-earth-controls", False), ("busan-deal", False), ("liberation-day-194", False)],
)
def test_the_report_backtests_dated_world2022_scenarios_that_reach_the_data(name, expected):
    """Undated steps, steps after the last observed month, other models: no backtest section."""
    assert applies_to(load_scenario(name)) is expected


def test_html_report_carries_the_backtest_and_the_long_run(scenario, tmp_path):
    """The report of a dated scenario states its horizon and the last step's long-run end, and
    with a backtest adds China's share by setting and the scatter (two more images)."""
    result = run_scenario(_one_step())
    plain = write_html_report(result, tmp_path / "plain.html").read_text()
    assert "short horizon" in plain and "in the long run" in plain
    backtest = run_backtest(scenario, horizons=("short",), bases=("collected",), last_month="2025-02")
    page = write_html_report(result, tmp_path / "with.html", backtest=backtest).read_text()
    assert "Backtest against observed US imports (2025-01 to 2025-02)" in page
    assert page.count("data:image/png;base64,") == plain.count("data:image/png;base64,") + 2
    assert "gold: bullion shipped" in page  # ROW's January miss (Switzerland) is named


def test_backtest_figures_are_drawn_in_the_reports_style(scenario):
    """The backtest's figures use the report's style (`tradewar.report.figures`): months on a
    calendar axis (the x data are dates), each setting in its Okabe-Ito style from
    `region_styles`, observed in black, A4 width, units in the axis labels; and the lines carry
    the backtest's numbers."""
    result = run_backtest(scenario, horizons=("short", "long"), bases=("collected",), last_month="2025-03")
    fig = china_share_figure(result)
    (ax,) = fig.axes
    assert fig.get_size_inches()[0] == A4_WIDTH_IN
    assert isinstance(ax.xaxis.get_major_formatter(), ConciseDateFormatter)
    assert "%" in ax.get_ylabel()
    lines = {line.get_label(): line for line in ax.get_lines()}
    months = [dt.date(2025, 1, 1), dt.date(2025, 2, 1), dt.date(2025, 3, 1)]
    observed = [result.rows[("short/collected", m)].loc["CHN", "observed_share_pct"] for m in result.months]
    assert list(lines["observed"].get_xdata()) == months and to_hex(lines["observed"].get_color()) == "#000000"
    np.testing.assert_array_equal(lines["observed"].get_ydata(), observed)
    styles = region_styles([s.label for s in result.settings])
    for s in result.settings:
        line = lines[f"model, {s.label}"]
        assert list(line.get_xdata()) == months
        assert to_hex(line.get_color()) == styles[s.label]["color"].lower()
        model = [result.rows[(s.label, m)].loc["CHN", "model_share_pct"] for m in result.months]
        np.testing.assert_array_equal(line.get_ydata(), model)
    assert {to_hex(styles[s.label]["color"]) for s in result.settings} <= {c.lower() for c in OKABE_ITO}
    assert all(t.get_fontsize() >= 8 for t in ax.get_legend().get_texts())

    fig = partner_scatter_figure(result)
    ax = fig.axes[0]
    assert fig.get_size_inches()[0] == A4_WIDTH_IN and "percentage points" in ax.get_xlabel()
    points = ax.collections
    assert [p.get_label() for p in points] == ["Jan 2025", "Feb 2025", "Mar 2025"]
    assert [to_hex(p.get_facecolor()[0]) for p in points] == [c.lower() for c in OKABE_ITO[:3]]


def test_a_month_at_baseline_policy_predicts_no_sign(scenario):
    """January 2025 on the statutory basis is the baseline's policy: the model's changes are the
    solver's noise, so no sign is claimed (coverage 0, agreement and correlation NaN)."""
    result = run_backtest(scenario, horizons=("short",), bases=("statutory",), last_month="2025-01")
    (month,) = result.metrics[0]["by_month"]
    assert result.rows[("short/statutory", "2025-01")].model_change_pp.abs().max() < 1e-6
    assert month["sign_coverage"] == 0 and math.isnan(month["sign_agreement"]) and math.isnan(month["correlation"])
