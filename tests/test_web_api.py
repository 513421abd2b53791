"""The HTTP API (tradewar.web): a real `tradewar serve` process on a loopback port, driven over
HTTP. Results must equal the Python API's for the same scenario; every failure must come back in
the one error shape, name the field, and leave the server serving."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import numpy as np
import pytest
from web_server import running_server

from tradewar.scenario.run import run_scenario
from tradewar.scenario.spec import bundled_scenarios, parse_scenario
from tradewar.web.jobs import JobManager, TooManyJobs

US_CHINA = {"importer": "USA", "exporter": "CHN", "add_pp": 25}


@pytest.fixture(scope="module")
def url():
    with running_server() as u:
        yield u


@pytest.fixture(scope="module")
def client(url):
    with httpx.Client(base_url=url, timeout=120) as c:
        yield c


def assert_error(r: httpx.Response, status: int, field_part: str | None = None) -> dict:
    """The one error shape: {"error": {"code", "message", "field"}}, and nothing else."""
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert set(body) == {"error"}
    err = body["error"]
    assert set(err) == {"code", "message", "field"}
    assert isinstance(err["code"], str) and err["code"]
    assert isinstance(err["message"], str) and err["message"] and "\n" not in err["message"]
    if field_part is not None:
        assert err["field"] is not None and field_part in err["field"], err
        assert field_part.split(".")[-1].split("[")[0] in err["message"], err
    return err


def test_health(client):
    h = client.get("/api/health").json()
    assert h["status"] == "ok"
    assert h["default_dataset"] == "world2022"
    assert "caliendo-parro" in h["models"]


def test_dataset_info(client):
    d = client.get("/api/datasets/world2022").json()
    codes = [r["code"] for r in d["regions"]]
    assert codes == [
        "USA",
        "CHN",
        "JPN",
        "KOR",
        "TWN",
        "IND",
        "CAN",
        "MEX",
        "BRA",
        "GBR",
        "EU27",
        "VNM",
        "MYS",
        "THA",
        "IDN",
        "ASEAN_OTH",
        "AUS",
        "ROW",
    ]
    assert len(d["sectors"]) == 16
    assert 0 < d["average_tariffs_pct"]["USA"]["CHN"] < 100


def test_solve_equals_python_api(client):
    """POST /api/solve answers what tradewar.run_scenario answers for the same scenario."""
    r = client.post("/api/solve", json={"policy": [US_CHINA], "detail": True})
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["converged"] is True and got["max_residual"] < 1e-8
    direct = run_scenario(parse_scenario({"dataset": {"source": "world2022"}, "policy": [US_CHINA]}))
    want = direct.steps[0].equilibrium.regions()
    for row in got["regions"]:
        for col in ("welfare_pct", "real_wage_pct", "exports_pct", "imports_pct"):
            assert row[col] == pytest.approx(want.loc[row["code"], col], rel=1e-9, abs=1e-12)
    # the US tariff on China went up by 25 points on average, and US imports from China fell
    step = got["steps"][0]
    assert step["us_tariff_on_china_pct"] == pytest.approx(
        client.get("/api/datasets/world2022").json()["average_tariffs_pct"]["USA"]["CHN"] + 25, abs=1e-9
    )
    pair = {(p["importer"], p["exporter"]): p for p in step["bilateral"]}
    assert pair[("USA", "CHN")]["trade_change_pct"] < -10
    assert len(step["sectors"]) == 18 * 16


def test_cache_by_scenario_hash(client):
    body = {"policy": [{"importer": "CHN", "exporter": "USA", "add_pp": 12.5}]}
    first = client.post("/api/solve", json=body).json()
    second = client.post("/api/solve", json=body).json()
    assert second["cached"] is True and second["key"] == first["key"]
    assert second["regions"] == first["regions"]
    # an inline scenario that validates to the same thing has the same key
    inline = {"title": "ad-hoc tariff change", "dataset": {"source": "world2022"}, "policy": body["policy"]}
    third = client.post("/api/run", json={"scenario": inline}).json()
    assert third["key"] == first["key"] and third["cached"] is True
    assert client.get(f"/api/results/{first['key']}").json()["regions"] == first["regions"]


def test_csv_download(client):
    key = client.post("/api/solve", json={"policy": [US_CHINA]}).json()["key"]
    r = client.get(f"/api/results/{key}/regions.csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    lines = r.text.strip().splitlines()
    assert lines[0].startswith("step,date,label,code,welfare_pct")
    assert len(lines) == 1 + 18
    bil = client.get(f"/api/results/{key}/bilateral.csv").text.strip().splitlines()
    assert len(bil) == 1 + 18 * 18 * 16
    assert_error(client.get(f"/api/results/{key}/nope.csv"), 422, "table")
    assert_error(client.get(f"/api/results/{'0' * 64}/regions.csv"), 404, "key")


def test_bundled_scenarios_listed_and_run(client):
    listed = {s["name"]: s for s in client.get("/api/scenarios").json()["scenarios"]}
    assert set(listed) == set(bundled_scenarios())
    name = "us-china-2025" if "us-china-2025" in listed else min(listed)
    r = client.post("/api/run", json={"name": name})
    assert r.status_code == 200, r.text
    res = r.json()
    assert [s["label"] for s in res["steps"]] == [s["label"] for s in listed[name]["steps"]]
    assert [s["date"] for s in res["steps"]] == [s["date"] for s in listed[name]["steps"]]
    assert all(s["converged"] for s in res["steps"])


# -- bad input: the one error shape, naming the field; the server keeps serving ---------------
@pytest.mark.parametrize(
    "policy, field",
    [
        ({"importer": "USA", "exporter": "CHN", "set_pct": "abc"}, "policy.0.set_pct"),
        ({"importer": "USA", "exporter": "CHN", "set_pct": -150}, "policy.0.set_pct"),
        ({"importer": "USA", "exporter": "CHN", "add_pp": -150}, "policy[0]"),
        ({"importer": "XYZ", "exporter": "CHN", "set_pct": 10}, "policy[0].importer"),
        ({"importer": "USA", "exporter": "CHN", "sectors": ["NOPE"], "set_pct": 10}, "policy[0].sectors"),
        ({"importer": "USA", "exporter": "CHN", "set_pct": 10, "add_pp": 3}, "policy.0"),
        ({"importer": "USA", "exporter": "CHN", "tarif": 10}, "policy.0.tarif"),
    ],
)
def test_bad_policy(client, policy, field):
    err = assert_error(client.post("/api/solve", json={"policy": [policy]}), 422)
    assert err["code"] == "invalid_input"
    assert err["field"] == field
    key = field.split(".")[-1].split("[")[0]
    assert key in err["message"]


def test_bad_values_are_named(client):
    err = assert_error(
        client.post("/api/solve", json={"policy": [{"importer": "USA", "exporter": "CHN", "set_pct": "abc"}]}), 422
    )
    assert "'abc'" in err["message"]
    err = assert_error(
        client.post("/api/solve", json={"policy": [{"importer": "USA", "exporter": "CHN", "set_pct": -150}]}), 422
    )
    assert "-150" in err["message"] and "-100" in err["message"]
    err = assert_error(client.post("/api/solve", json={"policy": [{"importer": "XYZ", "set_pct": 1}]}), 422)
    assert "'XYZ'" in err["message"] and "USA" in err["message"]  # the fix: the known codes


def test_other_bad_requests(client):
    assert_error(client.post("/api/solve", json={"dataset": "nope", "policy": [US_CHINA]}), 422, "dataset")
    assert_error(client.post("/api/solve", json={"model": "nope", "policy": [US_CHINA]}), 422, "model")
    assert_error(client.post("/api/solve", json={"policy": []}), 422, "policy")
    assert_error(client.post("/api/solve", content=b"{not json", headers={"content-type": "application/json"}), 422)
    assert_error(client.post("/api/run", json={"name": "nope"}), 422, "scenario")
    assert_error(client.post("/api/run", json={}), 422)
    # no file-system paths from clients
    path = {"scenario": {"dataset": {"source": "world2022", "path": "/etc"}, "policy": [US_CHINA]}}
    err = assert_error(client.post("/api/run", json=path), 422, "dataset")
    assert "path" in err["message"]
    # an inline scenario is validated with the scenario-file rules (tradewar.scenario.parse_scenario)
    both = {"scenario": {"dataset": {"source": "world2022"}, "policy": [US_CHINA], "step": [{"label": "x"}]}}
    assert_error(client.post("/api/run", json=both), 422)
    many = {"scenario": {"dataset": {"source": "world2022"}, "step": [{"label": f"s{k}"} for k in range(25)]}}
    assert_error(client.post("/api/run", json=many), 422, "step")
    assert_error(client.get("/api/nope"), 404, "path")
    assert_error(client.delete("/api/health"), 405, "method")
    assert_error(client.get("/api/datasets/nope"), 404, "name")
    assert_error(client.get("/api/scenarios/nope"), 404, "name")
    assert_error(client.get("/api/jobs/nope"), 404, "job_id")


def test_huge_body_is_413_and_server_keeps_serving(client):
    big = b'{"policy": [' + b" " * (10 * 1024 * 1024) + b"]}"
    err = assert_error(
        client.post("/api/solve", content=big, headers={"content-type": "application/json"}), 413, "body"
    )
    assert err["code"] == "payload_too_large"

    def chunks():  # no Content-Length: the limit counts the bytes as they arrive
        yield b'{"policy": ['
        for _ in range(40):
            yield b" " * 262144
        yield b"]}"

    r = client.post("/api/solve", content=chunks(), headers={"content-type": "application/json"})
    assert_error(r, 413, "body")
    assert client.get("/api/health").json()["status"] == "ok"
    assert client.post("/api/solve", json={"policy": [US_CHINA]}).status_code == 200


def test_concurrent_requests(url, client):
    """Eight clients at once, four different questions: every answer equals the one asked alone."""
    bodies = [{"policy": [{"importer": "USA", "exporter": "CHN", "add_pp": float(p)}]} for p in (31, 32, 33, 34)]

    def ask(body):
        with httpx.Client(base_url=url, timeout=120) as c:
            return c.post("/api/solve", json=body)

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(ask, bodies + bodies))
    assert all(a.status_code == 200 for a in answers), [a.text for a in answers if a.status_code != 200]
    for k, body in enumerate(bodies):
        alone = client.post("/api/solve", json=body).json()
        for a in (answers[k], answers[k + 4]):
            assert a.json()["key"] == alone["key"]
            np.testing.assert_array_equal(
                [r["welfare_pct"] for r in a.json()["regions"]], [r["welfare_pct"] for r in alone["regions"]]
            )


def test_scenario_job(client):
    body = {
        "scenario": {
            "dataset": {"source": "world2022"},
            "step": [
                {"label": "US +10", "policy": [{"importer": "USA", "exporter": "CHN", "add_pp": 10}]},
                {
                    "label": "China +10",
                    "policy": [
                        {"importer": "USA", "exporter": "CHN", "add_pp": 10},
                        {"importer": "CHN", "exporter": "USA", "add_pp": 10},
                    ],
                },
            ],
        }
    }
    r = client.post("/api/jobs/scenario", json=body)
    assert r.status_code == 202, r.text
    job = r.json()
    assert job["status"] in ("queued", "running", "done")
    for _ in range(600):
        job = client.get(f"/api/jobs/{job['id']}").json()
        if job["status"] not in ("queued", "running"):
            break
        time.sleep(0.2)
    assert job["status"] == "done", job
    assert job["progress"] == 1.0
    assert [s["label"] for s in job["result"]["steps"]] == ["US +10", "China +10"]
    assert job["id"] in [j["id"] for j in client.get("/api/jobs").json()["jobs"]]
    # a job that fails validation fails before it is queued
    assert_error(client.post("/api/jobs/scenario", json={"name": "nope"}), 422, "scenario")


# -- the job manager's limits (no server needed) ---------------------------------------------
def test_job_queue_limit_and_cancel():
    jobs = JobManager(max_pending=2, max_seconds=60)
    release = threading.Event()

    def blocked(progress):
        while not release.wait(0.02):
            progress(0.5, "waiting")
        return {"ok": True}

    a = jobs.submit("test", {}, blocked)
    b = jobs.submit("test", {}, blocked)
    with pytest.raises(TooManyJobs):
        jobs.submit("test", {}, blocked)
    jobs.cancel(b.id)  # queued: cancelled at once
    assert jobs.get(b.id).status == "cancelled"
    c = jobs.submit("test", {}, blocked)  # room again
    jobs.cancel(c.id)
    release.set()
    for _ in range(200):
        if jobs.get(a.id).finished_state:
            break
        time.sleep(0.02)
    assert jobs.get(a.id).status == "done" and jobs.get(a.id).result == {"ok": True}
    assert jobs.get(c.id).status == "cancelled"


def test_job_time_limit_and_running_cancel():
    jobs = JobManager(max_pending=2, max_seconds=0.3)

    def forever(progress):
        while True:
            progress(0.1, "spinning")
            time.sleep(0.02)

    t = jobs.submit("test", {}, forever)
    for _ in range(300):
        if jobs.get(t.id).finished_state:
            break
        time.sleep(0.02)
    job = jobs.get(t.id)
    assert job.status == "timed_out" and job.error["code"] == "job_timeout"

    jobs2 = JobManager(max_pending=2, max_seconds=60)
    r = jobs2.submit("test", {}, forever)
    while jobs2.get(r.id).status == "queued":
        time.sleep(0.01)
    jobs2.cancel(r.id)
    for _ in range(300):
        if jobs2.get(r.id).finished_state:
            break
        time.sleep(0.02)
    assert jobs2.get(r.id).status == "cancelled"


def test_job_failure_is_reported_in_the_error_shape():
    from tradewar.errors import InputError

    jobs = JobManager()

    def bad(progress):
        raise InputError("policy[0].importer: unknown region code 'XYZ'", field="policy[0].importer")

    j = jobs.submit("test", {}, bad)
    for _ in range(200):
        if jobs.get(j.id).finished_state:
            break
        time.sleep(0.02)
    assert jobs.get(j.id).status == "failed"
    assert jobs.get(j.id).error == {
        "code": "invalid_input",
        "message": "policy[0].importer: unknown region code 'XYZ'",
        "field": "policy[0].importer",
    }


# -- games as jobs (tradewar.games) ------------------------------------------------------------
def wait_job(client, job_id, seconds=600):
    messages = set()
    t_end = time.monotonic() + seconds
    while time.monotonic() < t_end:
        job = client.get(f"/api/jobs/{job_id}").json()
        messages.add(job["message"])
        if job["status"] not in ("queued", "running"):
            return job, messages
        time.sleep(0.25)
    raise AssertionError(f"job {job_id} still running after {seconds} s")


def test_nash_job(client):
    pytest.importorskip("tradewar.games")
    r = client.post("/api/jobs/nash", json={"players": ["USA", "CHN"], "mfn": True})
    assert r.status_code == 202, r.text
    job, messages = wait_job(client, r.json()["id"])
    assert job["status"] == "done", job
    res = job["result"]
    assert res["kind"] == "nash" and res["players"] == ["USA", "CHN"] and res["converged"] is True
    cert = res["certificate"]
    # a Nash equilibrium: neither player gains by re-solving its best response (tradewar.games' certificate)
    assert cert["max_deviation_gain_pct"] < 1e-6 and cert["equilibrium_residual"] < 1e-8
    assert any(m.startswith("round") for m in messages) or job["progress"] == 1.0


def test_game_jobs_validate_before_queueing(client):
    pytest.importorskip("tradewar.games")
    assert_error(client.post("/api/jobs/nash", json={"players": ["USA", "XYZ"]}), 422, "players.1")
    assert_error(client.post("/api/jobs/nash", json={"players": ["USA"]}), 422, "players")
    assert_error(client.post("/api/jobs/optimal", json={"player": "USA", "upper_pct": -5}), 422, "upper_pct")
    assert_error(client.post("/api/jobs/optimal", json={"player": "USA", "dataset": "nope"}), 422, "dataset")
    assert_error(client.post("/api/jobs/talks", json={"players": ["USA", "CHN"], "solution": "deal"}), 422, "solution")
