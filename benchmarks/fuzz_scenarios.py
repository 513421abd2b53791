"""Fuzz scenario documents and files for longer than the test does, and print the outcomes.

    python benchmarks/fuzz_scenarios.py [--documents 400] [--files 100] [--seed 0] [--json out.json]

Uses the generators and the invariant of tests/test_fuzz_scenarios.py (documents valid and
broken on the bundled world2022 data; scenario files as text, sometimes damaged, run through the
command line with a report). Every document's outcome is counted: valid equilibrium, input
error, not converged, invalid equilibrium caught; anything else (an exception other than the
one-line errors, an invalid equilibrium returned, a broken document accepted, a half-written
report) is counted as a violation, listed with its document, and makes the exit status 1.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, given, seed, settings

TESTS = Path(__file__).resolve().parents[1] / "tests"
sys.path.insert(0, str(TESTS))
_spec = importlib.util.spec_from_file_location("fuzz", TESTS / "test_fuzz_scenarios.py")
fuzz = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fuzz)


def campaign(strategy, check, examples: int, random_seed: int, counts: Counter, violations: list) -> None:
    """Run `check` on `examples` values of `strategy`; count outcomes, record violations."""

    @seed(random_seed)
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(value=strategy)
    def run(value):
        try:
            counts[check(value)] += 1
        except Exception as err:  # a violation of the invariant: counted, never hidden
            counts["VIOLATION"] += 1
            violations.append(
                {"value": repr(value)[:2000], "error": "".join(traceback.format_exception_only(err)).strip()}
            )

    run()


def document_outcome(value) -> str:
    doc, must_fail = value
    result = fuzz.outcome(doc)
    if must_fail and result != "input error":
        raise AssertionError(f"a broken document was accepted: {result}")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=400)
    parser.add_argument("--files", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, default=None, help="Also write the figures to this file.")
    args = parser.parse_args()

    figures = {}
    violations: list = []
    t0 = time.perf_counter()
    documents: Counter = Counter()
    campaign(fuzz.documents, document_outcome, args.documents, args.seed, documents, violations)
    figures["documents"] = {"generated": sum(documents.values()), **dict(sorted(documents.items()))}
    files: Counter = Counter()
    with tempfile.TemporaryDirectory() as folder:
        campaign(
            fuzz.scenario_files(),
            lambda content: fuzz.cli_outcome(content, Path(folder) / "run"),
            args.files,
            args.seed,
            files,
            violations,
        )
    figures["files"] = {"generated": sum(files.values()), **dict(sorted(files.items()))}
    figures["seconds"] = round(time.perf_counter() - t0, 1)
    figures["violations"] = violations
    for kind in ("documents", "files"):
        print(f"{kind}: " + ", ".join(f"{k} {v}" for k, v in figures[kind].items()))
    print(f"violations: {len(violations)}  ({figures['seconds']} s)")
    for v in violations[:20]:
        print(" -", v["error"], "::", v["value"][:300])
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1))
    return 1 if violations else 0


if __name__ == "__main__":
    raise SystemExit(main())
