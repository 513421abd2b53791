"""Property tests of the HTTP API (issue 11): Hypothesis generates request bodies, valid and
broken, and sends them to a real `tradewar serve` process over one keep-alive connection. The
invariant, for every request: a valid equilibrium (200, converged, every level finite and
non-negative) or a one-line error in the error shape (4xx); never a 5xx, never a traceback,
never a dropped connection.

The outcomes are counted (valid equilibrium, input error, not converged, invalid equilibrium
caught) and printed at the end of the module (``pytest -s``) and stored in pytest's cache
(``.pytest_cache/v/tradewar/fuzz_http``), so the figures of a run can be reported as measured.
The examples are derandomized: CI sends the same requests every run.
"""

from __future__ import annotations

import json
import math
from collections import Counter

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from web_server import running_server

SETTINGS = {"deadline": None, "derandomize": True, "suppress_health_check": list(HealthCheck)}

OUTCOMES = Counter()  # outcome -> requests
STATUSES = Counter()  # HTTP status -> requests


@pytest.fixture(scope="module")
def api(request):
    with running_server() as url, httpx.Client(base_url=url, timeout=600) as client:
        info = client.get("/api/datasets/world2022").json()
        regions = [r["code"] for r in info["regions"]]
        sectors = [s["code"] for s in info["sectors"]]
        yield client, regions, sectors
    figures = {
        "requests": sum(STATUSES.values()),
        "outcomes": dict(OUTCOMES),
        "statuses": {str(k): v for k, v in sorted(STATUSES.items())},
    }
    if getattr(request.config, "cache", None) is not None:  # none under -p no:cacheprovider
        request.config.cache.set("tradewar/fuzz_http", figures)
    print(f"\nHTTP fuzz figures: {json.dumps(figures)}")


# -- the invariant ------------------------------------------------------------------------
def check(r: httpx.Response) -> str:
    """Assert the invariant on one answer and return its outcome."""
    STATUSES[r.status_code] += 1
    assert r.status_code < 500, r.text[:2000]
    assert "Traceback" not in r.text
    if r.status_code == 200:
        body = r.json()
        assert body["converged"] is True, body.get("max_residual")
        assert math.isfinite(body["max_residual"]) and body["max_residual"] < 1e-6
        for step in body["steps"]:
            for row in step["regions"]:
                for key, value in row.items():
                    assert value is None or isinstance(value, str) or math.isfinite(value), (key, value)
            for table, levels in (
                ("bilateral", ("trade_old", "trade_new")),
                ("sectors", ("gross_output_old", "gross_output_new")),
            ):
                for row in step.get(table, []):
                    for key in levels:  # an equilibrium has no negative trade or output
                        assert row[key] is not None and row[key] >= 0, (table, row)
        outcome = "valid equilibrium"
    else:
        assert r.headers["content-type"].startswith("application/json"), r.headers
        body = r.json()
        assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "field"}, body
        err = body["error"]
        assert isinstance(err["message"], str) and err["message"].strip() and "\n" not in err["message"]
        assert err["field"] is None or isinstance(err["field"], str)
        if err["code"] == "not_converged":
            outcome = "not converged"
        elif err["code"] == "invalid_equilibrium":
            outcome = "invalid equilibrium caught"
        else:
            assert 400 <= r.status_code < 500
            outcome = "input error"
    OUTCOMES[outcome] += 1
    return outcome


def post_json(client: httpx.Client, path: str, body) -> httpx.Response:
    """POST `body` as JSON text as Python writes it: NaN and Infinity stay (the server must refuse them)."""
    return client.post(path, content=json.dumps(body).encode(), headers={"content-type": "application/json"})


# -- strategies ---------------------------------------------------------------------------
def codes(pool: list[str], everything: str = "all"):
    return st.one_of(
        st.just(everything), st.sampled_from(pool), st.lists(st.sampled_from(pool), min_size=1, max_size=3, unique=True)
    )


def rounded(low: float, high: float):
    return st.floats(low, high).map(lambda x: round(x, 2))


def valid_policy(regions, sectors):
    """A policy object that the input rules accept: ordinary tariffs and export taxes, and now
    and then an extreme one (tariffs of 300-1,000 %, export subsidies down to -99 %), where a
    model may have no valid equilibrium (issue 11, finding 2)."""
    return st.fixed_dictionaries(
        {"importer": codes(regions), "exporter": codes(regions), "sectors": codes(sectors)},
    ).flatmap(
        lambda base: st.one_of(
            st.builds(lambda v: {**base, "add_pp": v}, rounded(-10, 60)),
            st.builds(lambda v: {**base, "set_pct": v}, rounded(0, 150)),
            st.builds(lambda v: {**base, "instrument": "export_tax", "set_pct": v}, rounded(0, 40)),
            st.builds(lambda v: {**base, "set_pct": v}, st.sampled_from([300.0, 500.0, 1000.0])),
            st.builds(lambda v: {**base, "instrument": "export_tax", "set_pct": v}, rounded(-99, -50)),
        )
    )


#: Values that are never a valid number, code or setting.
JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.text(max_size=12),
    st.integers(-(10**30), 10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


def broken(body: dict, data) -> dict:
    """One mistake in a valid body: a key replaced by junk, removed, or an unknown key added
    (at the top or inside a policy object)."""
    policy = body["policy"]
    where = data.draw(st.sampled_from(["top", "policy"]), label="where")
    target = body if where == "top" or not policy else policy[data.draw(st.integers(0, len(policy) - 1))]
    how = data.draw(st.sampled_from(["junk", "drop", "unknown"]), label="how")
    keys = sorted(target)
    if how == "unknown" or not keys:
        target[data.draw(st.text(min_size=1, max_size=8), label="unknown key")] = data.draw(JUNK, label="value")
    else:
        key = data.draw(st.sampled_from(keys), label="key")
        if how == "drop":
            del target[key]
        else:
            target[key] = data.draw(JUNK, label="junk")
    return body


def solve_body(regions, sectors, data) -> dict:
    model = data.draw(
        st.sampled_from(["caliendo-parro", "caliendo-parro", "caliendo-parro", "ossa", "gravity", "liberation-day"]),
        label="model",
    )
    body = {
        "model": model,
        "deficits": data.draw(st.sampled_from(["fixed", "fixed", "share", "zero"]), label="deficits"),
        "policy": data.draw(st.lists(valid_policy(regions, sectors), min_size=1, max_size=3), label="policy"),
        "detail": data.draw(st.booleans(), label="detail"),
    }
    if data.draw(st.booleans(), label="with theta"):
        body["theta"] = {data.draw(st.sampled_from(sectors)): data.draw(st.floats(1, 12).map(lambda x: round(x, 2)))}
    return body


# -- the tests ----------------------------------------------------------------------------
@settings(max_examples=150, **SETTINGS)
@given(data=st.data())
def test_solve_bodies(api, data):
    """POST /api/solve with a valid body, or a valid body with one mistake in it."""
    client, regions, sectors = api
    body = solve_body(regions, sectors, data)
    if data.draw(st.booleans(), label="break it"):
        body = broken(body, data)
    check(post_json(client, "/api/solve", body))


@settings(max_examples=60, **SETTINGS)
@given(data=st.data())
def test_inline_scenarios(api, data):
    """POST /api/run with an inline scenario of dated steps, valid or with one mistake."""
    client, regions, sectors = api
    n = data.draw(st.integers(1, 3), label="steps")
    steps = [
        {
            "date": f"2025-{k + 1:02d}-01",
            "label": f"step {k}",
            "policy": data.draw(st.lists(valid_policy(regions, sectors), min_size=1, max_size=2)),
        }
        for k in range(n)
    ]
    scenario = {
        "title": data.draw(st.text(max_size=20)),
        "dataset": {"source": "world2022"},
        "model": {"name": data.draw(st.sampled_from(["caliendo-parro", "ossa"]))},
        "step": steps,
    }
    body = {"scenario": scenario, "detail": data.draw(st.booleans())}
    if data.draw(st.booleans(), label="break it"):
        target = data.draw(st.sampled_from([scenario, scenario["model"], steps[0]]), label="where")
        key = data.draw(st.sampled_from(sorted(target)), label="key")
        target[key] = data.draw(JUNK, label="junk")
    check(post_json(client, "/api/run", body))


@settings(max_examples=120, **SETTINGS)
@given(
    raw=st.one_of(
        st.binary(max_size=200),
        st.text(max_size=200).map(str.encode),
        st.builds(
            lambda b, cut: json.dumps(b).encode()[:cut],  # a valid body cut short
            st.fixed_dictionaries({"policy": st.just([{"importer": "USA", "exporter": "CHN", "add_pp": 10}])}),
            st.integers(0, 60),
        ),
        st.integers(1, 5000).map(lambda depth: b'{"policy": ' + b"[" * depth + b"]" * depth + b"}"),
        st.sampled_from(
            [
                b"NaN",
                b"[]",
                b"null",
                b'"x"',
                b"1e999",
                b'{"policy": [{"importer": "USA", "add_pp": NaN}]}',
                b'{"policy": [{"importer": "USA", "add_pp": Infinity}]}',
                b"\xff\xfe\x00{",
                b"{}",
            ]
        ),
    ),
    path=st.sampled_from(["/api/solve", "/api/run", "/api/jobs/optimal"]),
    content_type=st.sampled_from(["application/json", "text/plain", "application/x-www-form-urlencoded"]),
)
def test_raw_bodies(api, raw, path, content_type):
    """Bytes that are rarely JSON: malformed, cut short, deeply nested, not UTF-8, NaN."""
    client, _, _ = api
    check(client.post(path, content=raw, headers={"content-type": content_type}))
