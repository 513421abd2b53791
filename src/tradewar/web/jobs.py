"""Background jobs: long computations (multi-step scenarios, optimal tariffs, Nash, talks) run
on one worker thread, with status, progress, a bound on queued jobs and a time limit.

A job is a function ``fn(progress)``; it calls ``progress(fraction, message)`` as it goes
(fraction None: progress unknown, message only). The
time limit and cancellation are enforced at those calls: ``progress`` raises `JobStopped` once
the job has run longer than ``max_seconds`` or was cancelled, so a job stops at its next
checkpoint (a solve in progress is never torn down half-way).
"""

from __future__ import annotations

import itertools
import queue
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tradewar.errors import InputError, InvalidEquilibrium, NotConverged, TradewarError


class JobStopped(Exception):
    """Raised inside a job at a progress checkpoint when it timed out or was cancelled."""


class TooManyJobs(Exception):
    pass


@dataclass
class Job:
    id: str
    kind: str
    request: dict
    fn: Callable[[Callable[[float, str], None]], Any]
    max_seconds: float
    status: str = "queued"  # queued | running | done | failed | timed_out | cancelled
    progress: float = 0.0
    message: str = "queued"
    created: float = field(default_factory=time.time)
    started: float | None = None
    finished: float | None = None
    result: Any = None
    error: dict | None = None
    cancel_requested: bool = False
    seq: int = 0

    @property
    def finished_state(self) -> bool:
        return self.status in ("done", "failed", "timed_out", "cancelled")

    def to_dict(self, with_result: bool = True) -> dict:
        now = time.time()
        elapsed = None
        if self.started is not None:
            elapsed = (self.finished or now) - self.started
        out = {
            "id": self.id,
            "kind": self.kind,
            "status": self.status,
            "progress": self.progress,
            "message": self.message,
            "created": self.created,
            "elapsed_seconds": elapsed,
            "max_seconds": self.max_seconds,
            "request": self.request,
            "error": self.error,
            "result": self.result if with_result else None,
        }
        return out


class JobManager:
    """A FIFO of jobs run one at a time by a daemon worker thread.

    ``max_pending`` bounds the jobs queued or running (a further submit raises `TooManyJobs`);
    ``keep`` bounds the finished jobs remembered for status queries.
    """

    def __init__(self, max_pending: int = 4, max_seconds: float = 600.0, keep: int = 100):
        self.max_pending = max_pending
        self.max_seconds = max_seconds
        self.keep = keep
        self._jobs: dict[str, Job] = {}
        self._queue: queue.Queue[Job] = queue.Queue()
        self._lock = threading.Lock()
        self._seq = itertools.count()
        self._worker: threading.Thread | None = None

    def _ensure_worker(self) -> None:
        if self._worker is None or not self._worker.is_alive():
            self._worker = threading.Thread(target=self._work, name="tradewar-jobs", daemon=True)
            self._worker.start()

    def pending(self) -> int:
        with self._lock:
            return sum(1 for j in self._jobs.values() if not j.finished_state)

    def counts(self) -> dict:
        with self._lock:
            out: dict[str, int] = {}
            for j in self._jobs.values():
                out[j.status] = out.get(j.status, 0) + 1
            return out

    def submit(self, kind: str, request: dict, fn, max_seconds: float | None = None) -> Job:
        with self._lock:
            pending = sum(1 for j in self._jobs.values() if not j.finished_state)
            if pending >= self.max_pending:
                raise TooManyJobs(
                    f"{pending} jobs are queued or running (limit {self.max_pending}); wait for one to "
                    "finish or cancel one with DELETE /api/jobs/{id}"
                )
            job = Job(uuid.uuid4().hex, kind, request, fn, max_seconds or self.max_seconds, seq=next(self._seq))
            self._jobs[job.id] = job
            self._forget_old()
        self._ensure_worker()
        self._queue.put(job)
        return job

    def _forget_old(self) -> None:
        done = sorted((j for j in self._jobs.values() if j.finished_state), key=lambda j: j.seq)
        for j in done[: max(0, len(done) - self.keep)]:
            del self._jobs[j.id]

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def list(self) -> list[Job]:
        with self._lock:
            return sorted(self._jobs.values(), key=lambda j: j.seq)

    def cancel(self, job_id: str) -> Job | None:
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None:
                return None
            if job.status == "queued":
                job.status, job.message, job.finished = "cancelled", "cancelled before it started", time.time()
            elif job.status == "running":
                job.cancel_requested = True
                job.message = "cancelling at the next checkpoint"
            return job

    def _work(self) -> None:
        while True:
            job = self._queue.get()
            with self._lock:
                if job.status != "queued":
                    continue
                job.status, job.started, job.message = "running", time.time(), "started"
            self._run(job)

    def _run(self, job: Job) -> None:
        deadline = job.started + job.max_seconds

        def progress(fraction: float | None, message: str = "") -> None:
            with self._lock:
                if fraction is not None:
                    job.progress = max(0.0, min(1.0, float(fraction)))
                if message:
                    job.message = message
                if job.cancel_requested:
                    raise JobStopped("cancelled")
            if time.time() > deadline:
                raise JobStopped("timed_out")

        try:
            result = job.fn(progress)
            if time.time() > deadline:
                raise JobStopped("timed_out")
            status, error, message = "done", None, "done"
        except JobStopped as e:
            result = None
            if str(e) == "cancelled":
                status, error, message = "cancelled", None, "cancelled"
            else:
                status, message = "timed_out", f"stopped after the job time limit of {job.max_seconds:g} s"
                error = {"code": "job_timeout", "message": message, "field": None}
        except InputError as e:
            result, status, message = None, "failed", str(e)
            error = {"code": "invalid_input", "message": str(e), "field": e.field}
        except NotConverged as e:  # a root that is no economy is an InvalidEquilibrium
            result, status, message = None, "failed", str(e)
            code = "invalid_equilibrium" if isinstance(e, InvalidEquilibrium) else "not_converged"
            error = {"code": code, "message": str(e), "field": None}
        except TradewarError as e:
            result, status, message = None, "failed", str(e)
            error = {"code": "failed", "message": str(e), "field": None}
        except Exception as e:
            traceback.print_exc()
            result, status, message = None, "failed", f"internal error: {type(e).__name__}"
            error = {"code": "internal_error", "message": message, "field": None}
        with self._lock:
            job.result, job.status, job.error, job.message = result, status, error, message
            job.finished = time.time()
            if status == "done":
                job.progress = 1.0
