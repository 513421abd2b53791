"""The HTTP server under the requests of issue 11, finding 6, on a real server and a real
keep-alive client: a 500 (should one remain) closes its connection properly; the requests that
gave 500 give none; the result cache is bounded in bytes; /api/health answers while solves wait;
OPTIONS answers with Allow; malformed JSON is reported as the body.

Most tests drive a `tradewar serve` process (tests/web_server.py). The 500 test
serves the real application with uvicorn in a thread, with one extra route that raises: no
request of the API should reach the 500 path, so it has to be provoked on purpose."""

from __future__ import annotations

import contextlib
import datetime
import http.client
import json
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import uvicorn
from web_server import free_port, running_server

from tradewar.web import create_app

US_CHINA = {"importer": "USA", "exporter": "CHN", "add_pp": 25}


def assert_error_shape(r: httpx.Response, status: int | None = None) -> dict:
    if status is not None:
        assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json"), r.headers
    body = r.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "field"}, body
    assert "\n" not in body["error"]["message"] and "Traceback" not in body["error"]["message"]
    return body["error"]


@pytest.fixture(scope="module")
def url():
    with running_server() as u:
        yield u


@pytest.fixture(scope="module")
def client(url):
    with httpx.Client(base_url=url, timeout=120) as c:
        yield c


# -- 500s close their connection --------------------------------------------------------
@contextlib.contextmanager
def threaded_server(app):
    """uvicorn serving `app` on a free loopback port in a thread; yields (host, port)."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="critical", timeout_keep_alive=30)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield "127.0.0.1", port
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def test_a_500_says_connection_close_and_the_next_request_succeeds(capfd):
    """After a 500 the server closed the keep-alive connection without saying so, and the
    client's next request on it was reset. Now the 500 carries `Connection: close`, in the one
    error shape, and a client that reuses its connection (http.client does) gets its answer."""
    app = create_app()

    @app.get("/api/test-bug", include_in_schema=False)
    def bug():
        raise RuntimeError("a bug on purpose")

    with threaded_server(app) as (host, port):
        conn = http.client.HTTPConnection(host, port, timeout=60)
        conn.request("GET", "/api/test-bug")
        r = conn.getresponse()
        body = json.loads(r.read())
        assert r.status == 500
        assert body["error"]["code"] == "internal_error" and "RuntimeError" in body["error"]["message"]
        assert r.getheader("connection", "").lower() == "close", r.getheaders()
        for _ in range(3):  # the same client object; it reopens since the server said close
            conn.request("GET", "/api/health")
            r = conn.getresponse()
            assert r.status == 200, r.read()
            r.read()
        conn.close()
    logged = capfd.readouterr().err
    assert logged.count("RuntimeError: a bug on purpose") == 1, "the server logs the bug once"


def test_requests_of_the_findings_give_no_500(client):
    """The requests that gave 500 in issue 11 (a model without export taxes asked for one, the
    gravity model with balanced trade) now give an answer or a one-line error, and the
    keep-alive connection keeps serving."""
    bodies = [
        {
            "model": "liberation-day",
            "policy": [{"importer": "USA", "exporter": "CHN", "instrument": "export_tax", "set_pct": 10}],
        },
        {
            "model": "liberation-day",
            "policy": [{"importer": "USA", "exporter": "CHN", "instrument": "export_limit", "cut_pct": 10}],
        },
        {"model": "gravity", "deficits": "zero", "policy": [US_CHINA]},
    ]
    for body in bodies:
        r = client.post("/api/solve", json=body)
        assert r.status_code < 500, (body, r.text)
        if r.status_code >= 400:
            assert_error_shape(r)
        assert client.get("/api/health").status_code == 200


def test_an_impossible_equilibrium_is_its_own_error(client):
    """Every importer on every exporter at 1000 % has no valid equilibrium on world2022 (issue 11,
    finding 2; tests/test_validity.py): over HTTP it is a 422 with code invalid_equilibrium whose
    one line names the negative quantity, not a 200 and not a generic not_converged."""
    r = client.post("/api/solve", json={"policy": [{"importer": "all", "exporter": "all", "set_pct": 1000}]})
    err = assert_error_shape(r, 422)
    assert err["code"] == "invalid_equilibrium", err
    assert "negative" in err["message"] or "not positive" in err["message"], err
    assert client.get("/api/health").status_code == 200


# -- malformed JSON -----------------------------------------------------------------------
@pytest.mark.parametrize(
    "raw", [b'{"policy": [', b'{"policy": [1,]}', b"{'policy': []}", b'{"policy": []} x', b"\xff\xfe{}", b"nul\x00l"]
)
def test_malformed_json_is_reported_as_the_body(client, raw):
    """The field of a malformed body is `body` (it was the character offset, e.g. "12")."""
    r = client.post("/api/solve", content=raw, headers={"content-type": "application/json"})
    err = assert_error_shape(r)
    assert 400 <= r.status_code < 500
    assert err["field"] == "body", err
    assert err["message"].startswith("body: "), err


# -- OPTIONS and Allow --------------------------------------------------------------------
ALLOW = {
    "/api/health": {"GET", "OPTIONS"},
    "/api/solve": {"POST", "OPTIONS"},
    "/api/jobs": {"GET", "OPTIONS"},
    "/api/jobs/0123abcd": {"GET", "DELETE", "OPTIONS"},
    "/api/results/0123abcd/regions.csv": {"GET", "OPTIONS"},
    "/": {"GET", "OPTIONS"},
}


@pytest.mark.parametrize("path", list(ALLOW))
def test_options_lists_the_allowed_methods(client, path):
    r = client.options(path)
    assert r.status_code in (200, 204), r.text
    assert {m.strip() for m in r.headers["allow"].split(",")} == ALLOW[path]


def test_405_lists_every_allowed_method(client):
    """/api/jobs/{id} answers GET and DELETE (two routes): a 405 there names both."""
    r = client.put("/api/jobs/0123abcd")
    assert_error_shape(r, 405)
    assert {m.strip() for m in r.headers["allow"].split(",")} == {"GET", "DELETE", "OPTIONS"}


def test_options_on_an_unknown_path_is_404(client):
    assert_error_shape(client.options("/api/no-such-thing"), 404)


# -- health while solves wait -------------------------------------------------------------
def _raw_post(host: str, port: int, path: str, body: dict) -> socket.socket:
    """Send one POST on a new connection and return the socket (the answer is read later)."""
    data = json.dumps(body).encode()
    s = socket.create_connection((host, port), timeout=300)
    s.sendall(
        f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(data)}\r\nConnection: close\r\n\r\n".encode()
        + data
    )
    return s


def _read_all(s: socket.socket) -> bytes:
    chunks = []
    while chunk := s.recv(65536):
        chunks.append(chunk)
    s.close()
    return b"".join(chunks)


def test_health_answers_while_solves_wait(url, client):
    """A long scenario job holds the solver; 60 solve requests queue behind it (more than the
    40 threads of the server's thread pool). /api/health must answer while they wait: it used
    to wait for a free worker thread, i.e. for the queued solves. Ordering, not timing: after
    health has answered, the job is still solving and no queued solve has been answered."""
    start = datetime.date(2030, 1, 1)
    steps = [
        {
            "date": (start + datetime.timedelta(days=k)).isoformat(),
            "label": f"step {k}",
            "policy": [{"importer": "USA", "exporter": "all", "add_pp": 30 if k % 2 == 0 else -30}],
        }
        for k in range(2000)
    ]  # every step a full solve from the baseline (+30 points, or none)
    job = client.post("/api/jobs/scenario", json={"scenario": {"dataset": {"source": "world2022"}, "step": steps}})
    assert job.status_code == 202, job.text
    job_id = job.json()["id"]
    try:
        deadline = time.monotonic() + 300
        while not client.get(f"/api/jobs/{job_id}").json()["message"].startswith("step "):  # it is solving
            assert time.monotonic() < deadline, client.get(f"/api/jobs/{job_id}").json()
            time.sleep(0.1)
        host, port = url.removeprefix("http://").split(":")
        solve = {"policy": [{"importer": "CHN", "exporter": "USA", "add_pp": 7.25}]}
        sockets = [_raw_post(host, int(port), "/api/solve", solve) for _ in range(60)]
        time.sleep(2.0)  # let the server read the 60 requests (they then wait for the solver)
        with httpx.Client(base_url=url, timeout=300) as fresh:
            health = fresh.get("/api/health")
        answered = []
        for s in sockets:  # a solve answered before health was would be readable now
            s.setblocking(False)
            try:
                answered.append(bool(s.recv(1, socket.MSG_PEEK)))
            except BlockingIOError:
                answered.append(False)
            s.setblocking(True)
        status = client.get(f"/api/jobs/{job_id}").json()
        assert health.status_code == 200
        solving = status["message"].split(":")[0].removeprefix("step ").split("/")  # "step k/N: label"
        assert status["status"] == "running" and int(solving[0]) < int(solving[1]), status
        assert not any(answered), f"{sum(answered)} solves were answered before /api/health"
    finally:
        client.delete(f"/api/jobs/{job_id}")
    with ThreadPoolExecutor(8) as pool:  # every queued solve is still answered (once, from the cache)
        answers = list(pool.map(_read_all, sockets))
    assert all(a.startswith(b"HTTP/1.1 200") for a in answers), {a[:40] for a in answers}


# -- the result cache is bounded in bytes -------------------------------------------------
def test_result_cache_is_bounded_in_bytes():
    """`tradewar serve --cache-mb 1`: detailed results (bilateral and sector tables, ~0.2 MB of
    JSON each) are evicted to keep the cache within 1 MB; health reports bytes and the bound.
    The count is no longer the bound (it was 256 entries, whatever their size)."""
    with running_server(extra_args=["--cache-mb", "1"]) as url, httpx.Client(base_url=url, timeout=300) as c:
        sizes = []
        for k in range(8):
            r = c.post(
                "/api/solve", json={"policy": [{"importer": "USA", "exporter": "CHN", "add_pp": 1 + k}], "detail": True}
            )
            assert r.status_code == 200, r.text
            sizes.append(len(r.content))
            cache = c.get("/api/health").json()["cache"]
            assert cache["max_bytes"] == 2**20
            assert cache["bytes"] <= cache["max_bytes"], cache
            assert cache["bytes"] >= sizes[-1] * 0.9, (cache, sizes[-1])  # the newest answer is counted
        assert sum(sizes) > 2**20, "the test must overflow the bound"
        assert cache["entries"] < 8, cache
        key = r.json()["key"]
        assert c.get(f"/api/results/{key}").status_code == 200, "the newest result is kept"
        first = c.post(
            "/api/solve", json={"policy": [{"importer": "USA", "exporter": "CHN", "add_pp": 1}], "detail": True}
        )
        assert first.json()["cached"] is False, "the oldest result was evicted"
