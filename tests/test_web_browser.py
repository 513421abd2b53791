"""The dashboard end to end in headless Chromium (Debian's /usr/bin/chromium, driven by Playwright;
no browser is downloaded): a real `tradewar serve` on a loopback port, the page loaded on the
main job's last step (its landing state), its legends and good/bad colours, the API docs with
no request leaving the server, then the US tariff on China changed, run, and the numbers on the
page checked against the API's answer to the same request. Saves a screenshot of the landing
dashboard (to the test's temporary folder, or to the path in TRADEWAR_SCREENSHOT, e.g.
docs/dashboard.png when refreshing the committed one)."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOT_ENV = "TRADEWAR_SCREENSHOT"

if not os.path.exists(CHROMIUM):
    # CI installs it (.ci/run: apt-get install chromium); say so loudly anywhere else
    pytest.skip(f"{CHROMIUM} not installed (apt-get install -y chromium)", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")

from tradewar.report.numbers import format_number  # noqa: E402


@pytest.fixture(scope="module")
def url():
    from web_server import running_server

    with running_server() as u:
        yield u


@pytest.fixture(scope="module")
def page(url):
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        pg = context.new_page()
        errors: list[str] = []
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        # every request the page makes stays on the server (no CDN)
        requests: list[str] = []
        pg.on("request", lambda r: requests.append(r.url))
        pg.goto(url + "/")
        # the landing state: the main job's last step, solved at the server's start-up
        pg.wait_for_function("document.querySelector('#status').textContent.includes('converged')", timeout=180_000)
        pg.errors, pg.requests = errors, requests
        yield pg
        browser.close()


def wait_for_result(page):
    page.wait_for_function(
        "document.querySelector('#status').textContent.includes('converged') && "
        "!document.querySelector('#run').disabled",
        timeout=120_000,
    )


def shown_regions(page) -> dict[tuple[str, str], tuple[str, float]]:
    cells = page.eval_on_selector_all(
        "#regions-table td[data-col]",
        "cells => cells.map(c => [c.dataset.region, c.dataset.col, c.textContent, Number(c.dataset.value)])",
    )
    return {(r, c): (text, value) for r, c, text, value in cells}


def test_landing_shows_the_main_jobs_last_step(page, url, tmp_path):
    api = httpx.post(url + "/api/run", json={"name": "us-china-2025"}, timeout=180).json()
    n = len(api["steps"])
    assert n == 18
    assert page.input_value("#scenario") == "us-china-2025"
    assert page.text_content("#step-label").split()[:2] == [f"{n}/{n}", api["steps"][-1]["date"]]
    assert page.input_value("#step-range") == page.get_attribute("#step-range", "max") == str(n - 1)
    assert page.is_visible("#stepper")
    assert "(cached)" in page.text_content("#status")  # solved at start-up, not on the page's request
    last = api["steps"][-1]
    assert page.text_content("#us-avg") == f"{last['us_tariff_on_china_pct']:.1f}%"
    headline = last["headline"]
    assert page.text_content("#us-prices") == f"{format_number(headline['us_consumer_prices_pct'], 2)}%"
    assert (
        page.text_content("#us-household") == f"${format_number(headline['us_cost_per_household_usd'], -1, False)}/yr"
    )
    assert page.text_content("#us-revenue") == f"${format_number(headline['us_tariff_revenue_usd_bn'], 0, False)} bn/yr"
    assert page.locator("#welfare-bars rect.bar").count() == 18
    # every region of the last step in the table, with its real income as the API gives it
    shown = shown_regions(page)
    for row in last["regions"]:
        text, value = shown[(row["code"], "real_income_pct")]
        assert value == row["real_income_pct"] and text == format_number(row["real_income_pct"], 2)
    # the regions table fits its card at 1,400 px
    assert page.eval_on_selector("#regions-table", "t => t.scrollWidth <= t.parentElement.clientWidth")
    shot = Path(os.environ.get(SCREENSHOT_ENV) or tmp_path / "dashboard.png")
    shot.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    assert not page.errors, page.errors


def test_legends_and_good_bad_colours(page):
    # a legend on every colour scale: bars (gain / loss), map and matrix (ramps with their ends)
    assert page.locator("#bars-legend .swatch").count() == 2
    assert "gain" in page.text_content("#bars-legend") and "loss" in page.text_content("#bars-legend")
    for legend in ("#map-legend", "#matrix-legend"):
        assert page.locator(f"{legend} .ramp").count() == 1
        text = page.text_content(legend)
        assert "%" in text and ("gain" in text or "rises" in text)
    assert "ASEAN_OTH" in page.text_content("#pairs-matrix")  # the longest code is drawn, not clipped
    clipped = page.eval_on_selector_all(
        "#pairs-matrix text",
        """ts => { const box = document.querySelector('#pairs-matrix').getBoundingClientRect();
                  return ts.filter(t => { const r = t.getBoundingClientRect();
                    return r.left < box.left || r.top < box.top || r.right > box.right; })
                  .map(t => t.textContent); }""",
    )
    assert not clipped, clipped
    # colours say good or bad for the region: a loss of real income and a rise in consumer
    # prices are both bad (vermillion), whatever their sign
    cells = page.eval_on_selector_all(
        "#regions-table td[data-col]",
        "cs => cs.map(c => [c.dataset.col, Number(c.dataset.value), c.className])",
    )
    for col, value, cls in cells:
        if col in ("real_income_pct", "real_wage_pct") and round(value, 2) != 0:
            assert cls == ("good" if value > 0 else "bad"), (col, value, cls)
        if col == "consumer_prices_pct" and round(value, 2) != 0:
            assert cls == ("bad" if value > 0 else "good"), (col, value, cls)
        if col in ("exports_pct", "imports_pct"):
            assert cls == "", (col, value, cls)
    fills = page.eval_on_selector_all("#welfare-bars rect.bar", "rs => rs.map(r => r.getAttribute('fill'))")
    assert set(fills) <= {"#0072B2", "#D55E00"}


def test_api_docs_work_offline(page, url):
    docs = page.context.new_page()
    requests: list[str] = []
    docs.on("request", lambda r: requests.append(r.url))
    docs.goto(url + "/docs")
    docs.wait_for_selector(".swagger-ui .opblock", timeout=180_000)  # the endpoints, rendered
    assert "/api/run" in docs.text_content(".swagger-ui")
    outside = [r for r in requests if not r.startswith(url) and not r.startswith("data:")]
    assert not outside, outside
    docs.close()


def test_change_us_tariff_on_china_matches_api(page, url):
    assert page.input_value("#dataset") == "world2022"
    page.select_option("#us-chn-mode", "add_pp")
    page.fill("#us-chn-value", "25")
    page.click("#run")
    wait_for_result(page)

    same = {
        "dataset": "world2022",
        "model": "caliendo-parro",
        "deficits": "fixed",
        "policy": [{"importer": "USA", "exporter": "CHN", "add_pp": 25}],
        "detail": True,
    }
    api = httpx.post(url + "/api/solve", json=same, timeout=120).json()
    assert api["converged"] is True

    shown = shown_regions(page)
    assert {r for r, _ in shown} == {r["code"] for r in api["regions"]}
    for row in api["regions"]:
        for col in ("real_income_pct", "real_wage_pct", "exports_pct", "imports_pct"):
            text, value = shown[(row["code"], col)]
            assert value == row[col]  # the number behind the cell
            assert text == format_number(row[col], 2)  # the number a person reads
    # the headline average tariff and the bars agree with the API too
    assert page.text_content("#us-avg") == f"{api['steps'][0]['us_tariff_on_china_pct']:.1f}%"
    assert page.locator("#welfare-bars rect.bar").count() == 18
    # the map coloured every region of the dataset
    on_map = set(page.eval_on_selector_all("#map path[data-region]", "ps => ps.map(p => p.dataset.region)"))
    assert {r["code"] for r in api["regions"]} <= on_map
    # sector detail for the US: 16 sectors
    assert page.locator("#sectors-table tbody tr").count() == 16
    assert not page.errors, page.errors


def test_csv_download(page):
    with page.expect_download() as dl:
        page.click("#csv-regions")
    text = Path(dl.value.path()).read_text()
    lines = text.strip().splitlines()
    assert lines[0].startswith("step,date,label,code,welfare_pct")
    assert len(lines) == 1 + 18


def test_bad_input_shows_the_error(page):
    page.select_option("#us-chn-mode", "set_pct")
    page.fill("#us-chn-value", "-150")
    page.click("#run")
    page.wait_for_selector("#error:not([hidden])", timeout=60_000)
    assert "set_pct" in page.text_content("#error") and "-150" in page.text_content("#error")
    # Chromium logs the 422 itself as a console error; that one was asked for
    page.errors[:] = [e for e in page.errors if "422" not in e]
    page.click("#reset")


def test_game_panel_rejects_unknown_player(page):
    # the games panel submits a job; unknown codes are refused before anything is queued
    page.fill("#game-players", "USA,XYZ")
    page.click("#game-run")
    page.wait_for_selector("#error:not([hidden])", timeout=60_000)
    assert "players.1" in page.text_content("#error") and "XYZ" in page.text_content("#error")
    page.errors[:] = [e for e in page.errors if "422" not in e]
    page.fill("#game-players", "USA,CHN")


def test_scenario_steps(page):
    names = page.eval_on_selector_all("#scenario option", "os => os.map(o => o.value)")
    name = "us-china-2025" if "us-china-2025" in names else names[0]
    page.select_option("#scenario", name)
    page.click("#load-scenario")
    wait_for_result(page)
    steps = int(page.get_attribute("#step-range", "max")) + 1
    if steps > 1:
        first = page.text_content("#step-label")
        page.click("#step-prev")
        assert page.text_content("#step-label") != first
    page.wait_for_timeout(300)


def test_no_outside_requests(page, url):
    outside = [r for r in page.requests if not r.startswith(url) and not r.startswith("data:")]
    assert not outside, outside
    assert not page.errors, page.errors


def test_game_panel_options_follow_the_game(page):
    """Issue 13: the games panel has the instruments (tariffs, or with export controls), the
    horizon and the frontier game; controls and points belong to the frontier game, MFN to the others."""
    page.select_option("#game-kind", "nash")
    assert page.is_disabled("#game-instruments") and page.input_value("#game-instruments") == "tariffs"
    assert not page.is_visible("#game-points") and page.is_visible("#game-mfn")
    assert page.eval_on_selector_all("#game-horizon option", "os => os.map(o => o.value)") == ["long", "short"]
    page.select_option("#game-kind", "frontier")
    assert page.is_enabled("#game-instruments") and page.is_visible("#game-points")
    assert not page.is_visible("#game-mfn")
    # export controls are defined for the USA-CHN talks only: refused before anything is queued
    page.fill("#game-players", "USA,JPN")
    page.select_option("#game-instruments", "controls")
    page.click("#game-run")
    page.wait_for_selector("#error:not([hidden])", timeout=60_000)
    assert "controls" in page.text_content("#error") and "USA,JPN" in page.text_content("#error")
    page.errors[:] = [e for e in page.errors if "422" not in e]
    page.select_option("#game-instruments", "tariffs")


def test_frontier_plot_renders_the_jobs_points(page, url):
    """The frontier game at the short horizon: the plot draws every frontier point and the war,
    the deal and the baseline where the job's answer puts them, and the table shows the
    certificates (no Busan point for USA,JPN: it is a USA-CHN deal)."""
    page.select_option("#game-kind", "frontier")
    page.fill("#game-players", "USA,JPN")
    page.select_option("#game-instruments", "tariffs")
    page.select_option("#game-horizon", "short")
    page.fill("#game-points", "3")
    page.click("#game-run")
    page.wait_for_selector("#frontier-card:not([hidden])", timeout=900_000)
    jobs = httpx.get(url + "/api/jobs", timeout=30).json()["jobs"]
    job = [j for j in jobs if j["kind"] == "frontier" and j["status"] == "done"][-1]
    result = httpx.get(url + f"/api/jobs/{job['id']}", timeout=30).json()["result"]
    assert result["horizon"] == "short" and result["players"] == ["USA", "JPN"] and len(result["frontier"]) == 3
    assert "short run" in page.text_content("#frontier-title")
    drawn = page.eval_on_selector_all(
        "#frontier-plot circle.frontier-point", "cs => cs.map(c => [Number(c.dataset.a), Number(c.dataset.b)])"
    )
    assert drawn == [[f["USA"], f["JPN"]] for f in result["frontier"]]
    marks = page.eval_on_selector_all(
        "#frontier-plot g.marker",
        "gs => gs.map(g => [g.dataset.point, Number(g.dataset.a), Number(g.dataset.b), g.getAttribute('transform')])",
    )
    assert {m[0] for m in marks} == {"baseline", "war", "deal"}
    for key, a, b, transform in marks:
        assert [a, b] == [result[key]["payoffs"]["USA"], result[key]["payoffs"]["JPN"]]
        assert transform.startswith("translate(") and "NaN" not in transform
    assert page.locator("#frontier-plot .frontier-line").count() == 1
    assert "Nash war" in page.text_content("#frontier-legend")
    deal = page.text_content("#frontier-table tr[data-point='deal']")
    assert f"{result['deal']['certificate']['foc_residual']:.1e}".replace("e-0", "e-") in deal
    assert result["deal"]["certificate"]["max_deviation_gain_pct"] < 1e-6
    converged = page.eval_on_selector_all(
        "#frontier-table tbody tr", "rs => rs.map(r => [r.dataset.point, r.querySelector('td.converged').textContent])"
    )
    assert converged == [["baseline", "–"]] + [[k, "yes" if result[k]["converged"] else "NO"] for k in ("war", "deal")]
    assert not page.errors, page.errors
    page.fill("#game-players", "USA,CHN")
    page.select_option("#game-horizon", "long")
