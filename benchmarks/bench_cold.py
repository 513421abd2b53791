"""Whole-process timings of the commands a user runs, beside the peers that run here (issue 15).

    python benchmarks/bench_cold.py [--runs 5] [--fresh-runs 3] [--only help,import,...] [--no-peer]

Every command runs as its own process, exactly as a user types it (the `tradewar` script next
to this Python). Each is run once to warm up (so the persistent JAX compilation cache holds its
solvers), then `--runs` times; the figures are the median wall time and the median peak resident
memory (ru_maxrss of the process, from os.wait4). "fresh" runs `tradewar run us-china-2025
--json` with an empty compilation cache each time (a first run on a new machine). The load
average (1 min) before each command's runs is printed beside it: on a shared machine it moves
the figures.

Peers: gegravity 0.3 (PyPI, the `bench` extra: pip install -e ".[bench]") runs its documented
example (examples/examples_OneSectorGE.py: the Stata PPML coefficients, sigma 5, reference
importer DEU, CAN and JPN sign a PTA), without the example's diagnostics and printouts, in its
own process in this same run; tradewar runs the same counterfactual from the same coefficients.
When gegravity cannot be imported its figure from issue 15 is quoted instead. The R package
cp2015 is not run here: 8-13 s on this kind of machine (issue 2, quoted in issue 15).

Targets (issue 15, whole processes on 2 cores, warm cache, medians): --help < 0.3 s; the
CAN-JPN example from given coefficients < 1/3 of gegravity's time with the same numbers (GDP
CAN +0.4183 %, JPN +0.0538 %); replicate cp2015 --json < 2 s; run us-china-2025 --json < 4 s;
a fresh run of us-china-2025 < 20 s. Prints figures; asserts nothing.

Where the time went before issue 15 (jax_log_compiles, -X importtime; 2 cores): `import
tradewar` loaded JAX, pandas and lineax (about 1 s idle) for every command, --help included;
each solver shape was traced (0.9-1.8 s) and lowered (0.2-0.6 s) in every process before the
XLA cache hit (0.3-0.5 s); us-china-2025 had two shapes (steps with and without export limits),
so a new machine compiled twice (9 + 13 s at load 7). Tried and kept: commands imported when
they run, jax.export of the solve (tradewar.solver.compiled), one shape per scenario (padded
export-limit slots). Tried and not kept: the scenario's steps as one vmapped solve (2.1 s vs
1.1 s for 11 steps, and results moved by 4e-16), XLA optimisation level 0 (compiles in half
the time, runs twice as slow), serialized executables (jax.experimental.serialize_executable:
loading one in a new process crashed on jaxlib 0.10.2). Calling an exported function
initialises JAX's LAPACK bindings, which imports scipy.linalg (about 0.2 s idle).

gegravity's example from given coefficients (1.61 s, 0.47 of gegravity's time, before): its two
resistance solves are a fixed point under a plain jax.jit (tradewar.replicate.gegravity: no
export, so no LAPACK and no scipy), its CSV is read with the csv module (no pandas, 0.2 s), and
the CLI freezes the garbage collector's objects at exit (gc.freeze): interpreter shutdown after
a JAX command spent 0.2-0.4 s (load 4) in collector passes over JAX's objects. What remains is
mostly imports: JAX and jaxlib (about half the time; JAX reads the metadata of every installed
distribution), numpy, typer and the pydantic it loads to convert options; then tracing and
lowering the fixed point and loading its executable from JAX's cache (0.1-0.2 s).
"""

from __future__ import annotations

import argparse
import json
import os
import pty
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
GEGRAVITY_DATA = REPO.parent / "shared" / "data" / "gegravity"

#: The PPML coefficients of gegravity's documented example (estimated in Stata by its author;
#: examples/examples_OneSectorGE.py). The constant cancels from every change: tradewar leaves it
#: out; gegravity's example includes it (its solver's scaling depends on it).
CONSTANT = 16.32434
COEFFICIENTS = {
    "lndist": -0.3898623,
    "contiguity": 0.891577,
    "common_language": 0.0326249,
    "pta": 0.4711383,
    "international": -3.412584,
}
SHOCK = "pta=1:CAN-JPN,JPN-CAN"
#: gegravity's published GDP changes for that example (% ; shared/data/gegravity/README.md).
REFERENCE_GDP = {"CAN": 0.4183, "JPN": 0.0538}

#: gegravity's example as a user runs it (its script, minus diagnostics and printouts).
GEGRAVITY_EXAMPLE = """
import json, sys
import pandas as pd
import gegravity as ge
data = pd.read_csv(sys.argv[1])
data["constant"] = 1
baseline = ge.BaselineData(data, imp_var_name="importer", exp_var_name="exporter", year_var_name="year",
                           trade_var_name="trade", expend_var_name="E", output_var_name="Y")
coefficients = {**json.loads(sys.argv[2]), "constant": float(sys.argv[3])}
ests = pd.DataFrame({"var": list(coefficients), "beta": list(coefficients.values())})
cost = ge.CostCoeffs(estimates=ests, identifier_col="var", coeff_col="beta")
model = ge.OneSectorGE(baseline=baseline, cost_coeff_values=cost, cost_variables=list(coefficients),
                       year="2006", reference_importer="DEU", sigma=5, quiet=True)
model.build_baseline(omr_rescale=1)
experiment = model.baseline_data.copy()
for e, m in (("CAN", "JPN"), ("JPN", "CAN")):
    experiment.loc[(experiment["importer"] == m) & (experiment["exporter"] == e), "pta"] = 1
model.define_experiment(experiment)
model.simulate()
gdp = model.country_results[model.labels.gdp_change]
print(json.dumps({code: float(gdp[code]) for code in ("CAN", "JPN")}))
"""

#: Quoted when gegravity cannot run here: issue 15's table (2 cores, same kind of machine).
GEGRAVITY_QUOTED = (7.2, 202.0)


@dataclass
class Figure:
    name: str
    runs: list[float] = field(default_factory=list)
    peaks_mb: list[float] = field(default_factory=list)
    loads: list[float] = field(default_factory=list)
    error: str | None = None
    gdp: dict | None = None
    stderr: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    @property
    def peak(self) -> float:
        return statistics.median(self.peaks_mb)

    @property
    def load(self) -> float:
        return statistics.median(self.loads) if self.loads else os.getloadavg()[0]


def run_once(argv: list[str], env: dict | None = None, *, tty_stderr: bool = False):
    """(wall seconds, peak RSS MB, exit status, stdout, stderr) of one whole process; with
    `tty_stderr` its stderr is a terminal (a pseudo-terminal read here), as a user's is."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        chunks: list[bytes] = []
        if tty_stderr:
            master, slave = pty.openpty()
            reader = threading.Thread(target=_drain, args=(master, chunks))
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            argv, stdout=out, stderr=slave if tty_stderr else err, stdin=subprocess.DEVNULL, cwd=REPO, env=env
        )
        if tty_stderr:
            os.close(slave)
            reader.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        if tty_stderr:
            reader.join()
        out.seek(0)
        err.seek(0)
        stderr = b"".join(chunks).decode(errors="replace") if tty_stderr else err.read().decode()
        return wall, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status), out.read().decode(), stderr


def _drain(fd: int, chunks: list[bytes]) -> None:
    """Read a pseudo-terminal until the process closes it."""
    while True:
        try:
            data = os.read(fd, 4096)
        except OSError:  # EIO once the child has exited
            break
        if not data:
            break
        chunks.append(data)
    os.close(fd)


def measure(commands: dict[str, list[str]], runs: int, parse: dict, *, fresh_env=None) -> dict[str, Figure]:
    """Median wall time and peak memory of `runs` processes of each command, interleaved (run k
    of every command before run k + 1, so that all see the same load), after one warm-up run
    each; with `fresh_env` (a function giving each run its environment) without the warm-up
    and with stderr on a terminal."""
    figures = {name: Figure(name) for name in commands}

    def once(name: str, env=None) -> bool:
        fig = figures[name]
        load = os.getloadavg()[0]
        wall, peak, code, out, err = run_once(commands[name], env, tty_stderr=fresh_env is not None)
        if code != 0:
            fig.error = f"exit {code}: {(err.strip().splitlines() or [''])[-1][:160]}"
            return False
        fig.runs.append(wall)
        fig.peaks_mb.append(peak)
        fig.loads.append(load)
        fig.stderr = fig.stderr or err.strip()
        if name in parse:
            fig.gdp = parse[name](out)
        return True

    if fresh_env is None:  # warm-up: fills the caches; not counted
        for name in commands:
            once(name)
        figures = {name: Figure(name, error=f.error) for name, f in figures.items()}
    for _ in range(runs):
        for name in commands:
            if figures[name].error is None:
                once(name, fresh_env() if fresh_env else None)
    return figures


def gravity_gdp(stdout: str) -> dict:
    """GDP changes of CAN and JPN from `tradewar gravity simulate --json`."""
    regions = {r["code"]: r for r in json.loads(stdout)["regions"]}
    return {code: regions[code]["real_gdp_pct"] for code in REFERENCE_GDP}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="measured runs per command (after one warm-up)")
    parser.add_argument("--fresh-runs", type=int, default=3, help="runs with an empty compilation cache")
    parser.add_argument("--only", default="", help="comma-separated subset of the command names")
    parser.add_argument("--no-peer", action="store_true", help="do not run gegravity")
    parser.add_argument("--json-out", type=Path, help="also write the figures to this JSON file")
    parser.add_argument(
        "--baseline-bin",
        type=Path,
        help="the bin/ folder of another installation (an earlier commit): its commands run interleaved "
        "with these, marked [baseline]",
    )
    args = parser.parse_args()

    bindir = Path(sys.executable).parent
    tw = str(bindir / "tradewar") if (bindir / "tradewar").exists() else shutil.which("tradewar")
    py = sys.executable
    data = str(GEGRAVITY_DATA)
    coef = [x for k, v in COEFFICIENTS.items() for x in ("--coef", f"{k}={v}")]
    commands = {
        "help": [tw, "--help"],
        "import": [py, "-c", "import tradewar"],
        "gravity-estimate": [tw, "gravity", "simulate", "--data", data, "--shock", SHOCK, "--json"],
        "gravity-given": [
            tw,
            "gravity",
            "simulate",
            "--data",
            data,
            *coef,
            "--shock",
            SHOCK,
            "--procedure",
            "gegravity",
            "--json",
        ],
        "gravity-given-book": [tw, "gravity", "simulate", "--data", data, *coef, "--shock", SHOCK, "--json"],
        "cp2015": [tw, "replicate", "cp2015", "--json"],
        "us-china": [tw, "run", "us-china-2025", "--json"],
    }
    shown = {
        "help": "tradewar --help",
        "import": 'python -c "import tradewar"',
        "gravity-estimate": f"tradewar gravity simulate --shock {SHOCK} (PPML estimated)",
        "gravity-given": f"tradewar gravity simulate --coef ... --shock {SHOCK} --procedure gegravity",
        "gravity-given-book": f"tradewar gravity simulate --coef ... --shock {SHOCK} (book procedure)",
        "cp2015": "tradewar replicate cp2015 --json",
        "us-china": "tradewar run us-china-2025 --json",
        "fresh": "tradewar run us-china-2025 --json, empty compile cache",
        "gegravity": "gegravity 0.3, its CAN-JPN example (given coefficients)",
    }
    targets = {"help": 0.3, "cp2015": 2.0, "us-china": 4.0, "fresh": 20.0}
    only = set(filter(None, args.only.split(",")))
    want = lambda name: not only or name.removesuffix(" [baseline]") in only

    if not args.no_peer:
        commands["gegravity"] = [
            py,
            "-c",
            GEGRAVITY_EXAMPLE,
            str(GEGRAVITY_DATA / "sample_data_set.csv"),
            json.dumps(COEFFICIENTS),
            str(CONSTANT),
        ]
    if args.baseline_bin:
        swap = {tw: str(args.baseline_bin / "tradewar"), py: str(args.baseline_bin / "python")}
        for name in [n for n in commands if n != "gegravity"]:
            commands[f"{name} [baseline]"] = [swap.get(a, a) for a in commands[name]]
            shown[f"{name} [baseline]"] = f"{shown[name]} [baseline]"
    parse = {name: gravity_gdp for name in commands if name.startswith("gravity")}
    parse["gegravity"] = json.loads
    figures = measure({n: a for n, a in commands.items() if want(n)}, args.runs, parse)
    if want("fresh"):
        caches: list[str] = []

        def empty_cache_env():
            caches.append(tempfile.mkdtemp(prefix="tradewar-fresh-cache-"))
            return {**os.environ, "TRADEWAR_CACHE_DIR": caches[-1]}

        try:
            fresh = {"fresh": commands["us-china"]}
            if "us-china [baseline]" in commands:
                fresh["fresh [baseline]"] = commands["us-china [baseline]"]
                shown["fresh [baseline]"] = f"{shown['fresh']} [baseline]"
            figures.update(measure(fresh, args.fresh_runs, {}, fresh_env=empty_cache_env))
        finally:
            for c in caches:
                shutil.rmtree(c, ignore_errors=True)
    peer = figures.get("gegravity")

    print(
        f"bench_cold: {args.runs} runs per command after a warm-up (fresh: {args.fresh_runs}); "
        f"medians; load = median 1-min load average before its runs; {os.cpu_count()} cores"
    )
    print(f"{'command':<82} {'median s':>9} {'peak MB':>8} {'load':>5}  target / peer")
    for name, fig in figures.items():
        label, goal = shown[name], name.removesuffix(" [baseline]")
        if fig.error:
            print(f"{label:<82} {'-':>9} {'-':>8} {fig.load:5.2f}  not run: {fig.error}")
            continue
        note = (
            f"target < {targets[goal]:g} s: {'met' if fig.median < targets[goal] else 'NOT met'}"
            if goal in targets
            else ""
        )
        if fig.gdp:
            note += "GDP " + ", ".join(f"{k} {v:+.4f} %" for k, v in fig.gdp.items())
        print(f"{label:<82} {fig.median:9.3f} {fig.peak:8.0f} {fig.load:5.2f}  {note}")
        if goal == "fresh":
            print(f"    its stderr (a terminal): {fig.stderr or '(nothing)'}")
    if peer is None or peer.error:
        why = "not run (--no-peer)" if peer is None else f"cannot run here ({peer.error})"
        print(f"gegravity {why}; quoted from issue 15: {GEGRAVITY_QUOTED[0]} s, {GEGRAVITY_QUOTED[1]:.0f} MB")
        peer_time, peer_source = GEGRAVITY_QUOTED[0], "quoted"
    else:
        peer_time, peer_source = peer.median, "same run"
    for name in ("gravity-given", "gravity-given-book", "gravity-estimate"):
        fig = figures.get(name)
        if fig and not fig.error:
            ratio = fig.median / peer_time
            goal = f" (target < 1/3: {'met' if ratio < 1 / 3 else 'NOT met'})" if name == "gravity-given" else ""
            print(f"{name} / gegravity ({peer_source}) = {ratio:.2f}{goal}")
    for name, fig in figures.items():
        base = figures.get(f"{name} [baseline]")
        if base and base.runs and fig.runs:
            print(f"{name}: baseline / now = {base.median / fig.median:.2f}x")
    print("R package cp2015 (not run here): 8-13 s on this kind of machine (issue 2, quoted in issue 15)")
    if "cp2015" in figures and not figures["cp2015"].error:
        print(f"cp2015 / R cp2015 = {figures['cp2015'].median / 13:.2f}-{figures['cp2015'].median / 8:.2f}")
    if args.json_out:
        dump = {
            n: {
                "median_s": f.median if f.runs else None,
                "peak_mb": f.peak if f.peaks_mb else None,
                "runs_s": f.runs,
                "load": f.load,
                "error": f.error,
                "gdp": f.gdp,
            }
            for n, f in figures.items()
        }
        args.json_out.write_text(json.dumps(dump, indent=1))


if __name__ == "__main__":
    main()
