"""The HTML report (`tradewar.report.html`, `tradewar.report.figures`): calendar time, every step
drawn (the last one and a one-step scenario too), distinguishable colour-blind-safe styles,
--draws bands as shaded intervals, and the overview and headline first."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pytest

from tradewar.report.figures import OKABE_ITO, held_path, region_styles, step_axis, tail_days
from tradewar.report.html import draw_bands, write_html_report
from tradewar.scenario.draws import scenario_draws
from tradewar.scenario.run import StepResult, run_scenario
from tradewar.scenario.spec import parse_scenario

ONE_STEP = {
    "title": "US tariff on China +30 points",
    "dataset": {"source": "world2022"},
    "model": {"name": "caliendo-parro", "deficits": "fixed"},
    "step": [
        {
            "date": "2025-04-09",
            "label": "US +30 on China",
            "policy": [{"importer": "USA", "exporter": "CHN", "add_pp": 30}],
        }
    ],
}


@pytest.fixture(scope="module")
def one_step():
    spec = parse_scenario(ONE_STEP)
    return spec, run_scenario(spec)


def test_calendar_axis_gives_every_step_width():
    steps = [StepResult(d, "", None) for d in ("2025-02-04", "2025-02-06", "2025-04-09", "2025-11-10")]
    xs, start, end, is_dates = step_axis(steps)
    assert is_dates and xs[1] - xs[0] == dt.timedelta(days=2)  # two days look like two days
    assert xs[2] - xs[1] == dt.timedelta(days=62)
    assert end - xs[-1] == dt.timedelta(days=tail_days(xs)) >= dt.timedelta(days=30)  # the last step is drawn
    assert start < xs[0]  # the baseline before the first step
    x, y = held_path(xs, start, end, 0.0, [1.0, 2.0, 3.0, 4.0])
    assert x == [start, *xs, end] and y == [0.0, 1.0, 2.0, 3.0, 4.0, 4.0]
    # one step: still a span to draw
    xs, start, end, _ = step_axis(steps[:1])
    assert start < xs[0] < end
    # undated steps: numbered
    xs, start, end, is_dates = step_axis([StepResult(None, "", None)] * 3)
    assert not is_dates and xs == [1, 2, 3] and start < 1 and end > 3


def test_region_styles_are_distinct_and_colour_blind_safe():
    codes = ["USA", "CHN", "EU27", "JPN", "KOR", "TWN", "MEX", "CAN", "VNM", "IND", "GBR"]
    styles = region_styles(codes)
    looks = {(s["color"], s["marker"], str(s["linestyle"])) for s in styles.values()}
    assert len(looks) == len(codes)
    assert {s["color"] for s in styles.values()} <= set(OKABE_ITO)
    assert styles["USA"]["color"] != styles["CHN"]["color"]


def test_one_step_report(one_step, tmp_path):
    _, result = one_step
    path = write_html_report(result, tmp_path / "one.html")
    text = path.read_text()
    titles = re.findall(r"<figure><h2>([^<]+)</h2><img alt='[^']*' src='data:image/png;base64,", text)
    assert titles == ["Tariffs", "Welfare by region", "US headline figures", "Trade diversion"]
    # the overview and the headline come before the figures
    assert text.index("Last step, 2025-04-09") < text.index("<h2>Overview</h2>") < text.index("<figure>")
    assert "<td class='date'>2025-04-09</td>" in text
    assert "Shaded" not in text


def test_draws_reach_the_report_as_bands(one_step, tmp_path):
    spec, result = one_step
    bands = scenario_draws(spec, 4, seed=3)
    frame = draw_bands(bands, 1, ["USA", "CHN"], "real_income_pct")
    low, high = frame["USA"]
    p = bands[0][1].percentiles()
    assert low == [p.loc["USA", "real_income_pct_p5"]] and high == [p.loc["USA", "real_income_pct_p95"]]
    with_bands = write_html_report(result, tmp_path / "bands.html", bands=bands).read_text()
    without = write_html_report(result, tmp_path / "plain.html").read_text()
    assert "Shaded: 5th to 95th percentile over 4 draws of the trade elasticities" in with_bands
    assert with_bands != without
    # bands for only some steps are not drawn (a band must cover the path it shades)
    assert draw_bands(bands, 2, ["USA"], "real_income_pct") is None
    assert np.isfinite(low[0]) and low[0] <= high[0]
