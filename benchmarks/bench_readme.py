"""Benchmark: the README's commands as a user runs them, each in a fresh process, wall time.

Prints one line per command: its wall time and how its output ends, and the machine's load
average (1 minute) before and after each command. The README states these times with the load
they were measured at; run this script to check them (the 2 cores are shared, so times vary with
the load). The long commands (a minute or more: the tariff games, the Ossa replication, 200 draws)
run with --all only; --only TEXT (repeatable) runs the commands whose line contains a TEXT.

    python benchmarks/bench_readme.py                      # the quick ones (about 2 minutes)
    python benchmarks/bench_readme.py --all                # and the long ones
    python benchmarks/bench_readme.py --all --only "draws 200"
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

QUICK = [
    ["run", "us-china-2025"],
    ["run", "us-china-2025", "--json"],
    ["run", "us-china-2025", "--step", "10", "--no-report"],
    ["run", "us-china-2025", "--detail", "--no-report"],
    ["replicate", "cp2015"],
    ["data", "list"],
    ["backtest", "us-china-2025"],
    ["replicate", "yotov-nafta", "--json"],
    ["replicate", "liberation-day", "--json"],
    ["replicate", "cp2015", "--deficits"],
    ["gravity", "estimate"],  # the README passes --data ../shared/data/gegravity, the default folder
    ["gravity", "simulate", "--shock", "pta=1:CAN-JPN,JPN-CAN"],
    [
        "gravity",
        "simulate",
        "--procedure",
        "gegravity",
        "--coef",
        "lndist=-0.39",
        "--coef",
        "pta=0.47",
        "--shock",
        "pta=1:CAN-JPN",
    ],
]
LONG = [
    ["run", "us-china-2025", "--draws", "200", "--seed", "1"],
    ["run", "us-china-2025", "--draws", "200", "--workers", "2", "--seed", "1", "--no-report"],
    ["optimal", "--player", "USA", "--dataset", "ossa2014"],
    ["talks", "--players", "USA,CHN"],
    ["talks", "--players", "USA,CHN", "--beside", "us-china-2025"],
    ["nash", "--players", "USA,CHN"],
    ["replicate", "ossa2014", "--table", "3"],
    ["talks", "--players", "USA,JPN", "--threat", "april-2025"],
    ["frontier", "--players", "USA,CHN", "--controls", "--out", "frontier.png"],
]


def timed(args: list[str], cwd: str) -> tuple[float, str]:
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "tradewar.cli", *args], capture_output=True, text=True, cwd=cwd)
    seconds = time.perf_counter() - t0
    tail = (proc.stdout.strip().splitlines() or [""])[-1][:70] if proc.returncode == 0 else proc.stderr.strip()[:70]
    return seconds, f"exit {proc.returncode}: {tail}"


def serve_until_landing(cwd: str) -> float:
    """`tradewar serve` from start until the main job is in its cache (the dashboard's landing state)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "tradewar.cli", "serve", "--port", str(port)],
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while time.perf_counter() - t0 < 600:
            with (
                contextlib.suppress(OSError),
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2) as r,
            ):
                if json.load(r)["cache"]["entries"] >= 1:
                    return time.perf_counter() - t0
            time.sleep(0.2)
        raise RuntimeError("the server did not solve the main job within 600 s")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true", help="also the long commands (minutes each)")
    parser.add_argument("--only", metavar="TEXT", action="append", help="only the commands whose line contains TEXT")
    options = parser.parse_args()
    commands = QUICK + (LONG if options.all else [])
    if options.only:
        commands = [args for args in commands if any(text in " ".join(args) for text in options.only)]
    with tempfile.TemporaryDirectory() as tmp:
        for args in commands:  # the replication data are found beside the repository (../shared/data)
            load = os.getloadavg()[0]
            seconds, how = timed(args, tmp)
            print(
                f"{seconds:6.1f} s  tradewar {' '.join(args)}  ({how}; load {load:.1f} -> {os.getloadavg()[0]:.1f})",
                flush=True,
            )
        if not options.only or "serve" in options.only:
            load = os.getloadavg()[0]
            seconds = serve_until_landing(tmp)
            print(
                f"{seconds:6.1f} s  tradewar serve, until the dashboard's landing state is cached "
                f"(load {load:.1f} -> {os.getloadavg()[0]:.1f})"
            )


if __name__ == "__main__":
    main()
