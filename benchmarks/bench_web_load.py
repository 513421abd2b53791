"""Benchmark: the HTTP API under load, on loopback only (a `tradewar serve` process it starts).

Three bounded phases against POST /api/solve (single-step tariff changes on the bundled
world2022 data, Caliendo-Parro), each printing requests, errors, throughput and latency
percentiles (p50, p95, p99, max):

1. latency: one client, `--single` distinct uncached solves one after another (issue 6's target:
   a single-step solve answers in under 1 s); also the server's own solve time per request;
2. load: `--clients` concurrent clients for `--seconds` seconds, each request one of
   `--distinct` different US-China tariff changes (the first asks of each are solved, the rest
   come from the result cache, as on a dashboard that many people use);
3. uncached load: `--clients` concurrent clients for `--uncached-seconds` seconds, every request
   a tariff change never asked before (worst case: every request is a full solve; solves run one
   at a time, so latency is queueing).

The load is bounded in time and count and goes only to 127.0.0.1. Exit status 1 if any request
failed.

    python benchmarks/bench_web_load.py [--clients 50] [--seconds 60] [--uncached-seconds 30]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import statistics
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from web_server import running_server


def policy(us_pp: float, cn_pp: float = 0.0) -> dict:
    pol = [{"importer": "USA", "exporter": "CHN", "add_pp": us_pp}]
    if cn_pp:
        pol.append({"importer": "CHN", "exporter": "USA", "add_pp": cn_pp})
    return {"dataset": "world2022", "model": "caliendo-parro", "policy": pol}


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    if not s:
        return float("nan")
    k = min(len(s) - 1, max(0, round(q / 100 * (len(s) - 1))))
    return s[k]


def report(name: str, latencies: list[float], errors: list[str], seconds: float) -> None:
    n = len(latencies) + len(errors)
    print(f"{name}: {n} requests in {seconds:.1f} s ({n / seconds:.1f}/s), errors {len(errors)}")
    if latencies:
        print(
            f"  latency ms: p50 {1000 * pct(latencies, 50):.0f}  p95 {1000 * pct(latencies, 95):.0f}  "
            f"p99 {1000 * pct(latencies, 99):.0f}  max {1000 * max(latencies):.0f}  mean "
            f"{1000 * statistics.mean(latencies):.0f}"
        )
    for e in errors[:5]:
        print(f"  error: {e}")


async def load(url: str, clients: int, seconds: float, bodies) -> tuple[list[float], list[str], float]:
    latencies: list[float] = []
    errors: list[str] = []
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, timeout=300, limits=limits) as client:
        t_end = time.perf_counter() + seconds

        async def worker():
            while time.perf_counter() < t_end:
                body = next(bodies)
                t0 = time.perf_counter()
                try:
                    r = await client.post("/api/solve", json=body)
                    dt = time.perf_counter() - t0
                    if r.status_code != 200 or not r.json().get("converged"):
                        errors.append(f"{r.status_code} {r.text[:200]}")
                    else:
                        latencies.append(dt)
                except httpx.HTTPError as e:
                    errors.append(f"{type(e).__name__}: {e}")

        t0 = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        return latencies, errors, time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--distinct", type=int, default=40)
    ap.add_argument("--single", type=int, default=20)
    ap.add_argument("--uncached-seconds", type=float, default=30.0)
    args = ap.parse_args()

    failed = 0
    with running_server() as url:
        with httpx.Client(base_url=url, timeout=300) as c:
            t0 = time.perf_counter()
            r = c.post("/api/solve", json=policy(1.0))  # compiles the solver (not timed below)
            print(
                f"server {url}; first solve (jit compilation) {time.perf_counter() - t0:.1f} s, status {r.status_code}"
            )

            lat, errs, server = [], [], []
            t_start = time.perf_counter()
            for k in range(args.single):
                t0 = time.perf_counter()
                r = c.post("/api/solve", json=policy(2.0 + 0.5 * k))
                dt = time.perf_counter() - t0
                if r.status_code == 200 and r.json()["converged"] and not r.json()["cached"]:
                    lat.append(dt)
                    server.append(r.json()["solve_seconds"])
                else:
                    errs.append(f"{r.status_code} {r.text[:200]}")
            report("1. single client, uncached single-step solves", lat, errs, time.perf_counter() - t_start)
            if server:
                print(f"  server solve s: p50 {pct(server, 50):.3f}  max {max(server):.3f}")
            failed += len(errs)

        grid = [policy(5.0 * (k % 20) + 5, 10.0 * (k // 20)) for k in range(args.distinct)]
        lat, errs, secs = asyncio.run(load(url, args.clients, args.seconds, itertools.cycle(grid)))
        report(
            f"2. {args.clients} clients x {args.seconds:g} s, {args.distinct} distinct tariff changes", lat, errs, secs
        )
        failed += len(errs)

        if args.uncached_seconds > 0:
            fresh = (policy(50.0 + 0.001 * k) for k in itertools.count())
            lat, errs, secs = asyncio.run(load(url, args.clients, args.uncached_seconds, fresh))
            report(
                f"3. {args.clients} clients x {args.uncached_seconds:g} s, every request a new solve", lat, errs, secs
            )
            failed += len(errs)

        with httpx.Client(base_url=url, timeout=30) as c:
            h = c.get("/api/health").json()
            print(f"server cache: {h['cache']}; still serving: {h['status']}")
    print(f"total errors: {failed}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
