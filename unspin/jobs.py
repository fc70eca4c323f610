"""Long work as jobs: a bounded worker pool, progress, results and cancellation that really stops.

A job runs one function in one of `workers` threads; at most `queue` more wait, and a caller
past that is told to come back later (Busy), so memory stays bounded however many clients
ask. Cancellation is cooperative: the library's long loops call `checkpoint()` (a no-op
outside a job), and a job's progress callback calls it too, so a cancelled job raises
Cancelled at its next checkpoint and its thread moves on to the next job.
"""
from __future__ import annotations

import itertools
import logging
import secrets
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable

from .errors import TooLarge, UnspinError

log = logging.getLogger("unspin.jobs")
_local = threading.local()

STATES = ("queued", "running", "done", "failed", "cancelled")


class Cancelled(Exception):
    """Raised inside a job's thread at the first checkpoint after it was cancelled."""


class Busy(Exception):
    """The pool and its queue are full: try again later."""

    def __init__(self, retry_after: int, message: str):
        super().__init__(message)
        self.retry_after = retry_after


def checkpoint() -> None:
    """Raise Cancelled if the job running in this thread was cancelled; free elsewhere."""
    job = getattr(_local, "job", None)
    if job is not None and job.cancel_event.is_set():
        raise Cancelled()


@dataclass(eq=False)
class Job:
    id: str
    kind: str
    state: str = "queued"
    done: int = 0
    total: int | None = None
    unit: str = ""
    result: Any = None
    error: str | None = None
    status: int = 200          # the HTTP status an error stands for (422 bad input, 413, 500)
    created: float = field(default_factory=time.time)
    started: float | None = None
    finished: float | None = None
    cancel_event: threading.Event = field(default_factory=threading.Event, repr=False)
    future: Future | None = field(default=None, repr=False)

    def progress(self, done: int, total: int | None = None, unit: str | None = None) -> None:
        """The callback handed to the library: records progress, stops a cancelled job."""
        self.done, self.total = done, total
        if unit is not None:
            self.unit = unit
        checkpoint()

    @property
    def finished_state(self) -> bool:
        return self.state in ("done", "failed", "cancelled")

    def to_json(self, with_result: bool = True) -> dict:
        now = self.finished or time.time()
        out = {"id": self.id, "kind": self.kind, "state": self.state,
               "cancel_requested": self.cancel_event.is_set() and not self.finished_state,
               "progress": {"done": self.done, "total": self.total, "unit": self.unit,
                            "fraction": round(self.done / self.total, 4) if self.total else None},
               "elapsed_s": round(now - (self.started or now), 3),
               "queued_s": round((self.started or now) - self.created, 3)}
        if self.error is not None:
            out["error"] = self.error
        if with_result and self.state == "done":
            out["result"] = self.result
        return out


class Jobs:
    """The pool. submit() -> Job; get(id); cancel(id). Finished jobs are kept `keep_s` seconds
    (and at most `keep` of them) for their results to be fetched."""

    def __init__(self, workers: int = 1, queue: int = 8, keep: int = 100, keep_s: float = 3600.0,
                 keep_bytes: int = 200_000_000):
        self.workers, self.queue, self.keep, self.keep_s = workers, queue, keep, keep_s
        self.keep_bytes = keep_bytes
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="unspin-job")
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._seq = itertools.count(1)

    def counts(self) -> dict[str, int]:
        with self._lock:
            out = {s: 0 for s in STATES}
            for j in self._jobs.values():
                out[j.state] += 1
            return out

    def submit(self, kind: str, fn: Callable[[Job], Any]) -> Job:
        """Queue fn(job); Busy when `workers` jobs run and `queue` more already wait."""
        with self._lock:
            self._prune()
            active = sum(1 for j in self._jobs.values() if not j.finished_state)
            if active >= self.workers + self.queue:
                raise Busy(5 * (1 + active - self.workers),
                           f"the server is busy ({active} jobs running or queued, limit "
                           f"{self.workers + self.queue}); try again shortly")
            job = Job(f"{next(self._seq)}-{secrets.token_hex(6)}", kind)
            self._jobs[job.id] = job
            job.future = self._pool.submit(self._run, job, fn)
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def cancel(self, job_id: str) -> Job | None:
        """Ask the job to stop: a queued one never starts, a running one stops at its next
        checkpoint (its state stays 'running', with cancel_requested, until it has)."""
        job = self.get(job_id)
        if job is None or job.finished_state:
            return job
        job.cancel_event.set()
        if job.future is not None and job.future.cancel():
            self._finish(job, "cancelled", error="cancelled before it started")
        return job

    def shutdown(self) -> None:
        for j in list(self._jobs.values()):
            j.cancel_event.set()
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _run(self, job: Job, fn: Callable[[Job], Any]) -> Any:
        if job.cancel_event.is_set():
            self._finish(job, "cancelled", error="cancelled before it started")
            return None
        job.state, job.started = "running", time.time()
        _local.job = job
        try:
            result = fn(job)
        except Cancelled:
            self._finish(job, "cancelled", error="cancelled")
            return None
        except TooLarge as e:
            self._finish(job, "failed", error=str(e), status=413)
        except UnspinError as e:
            self._finish(job, "failed", error=str(e), status=422)
        except MemoryError:
            self._finish(job, "failed", error="out of memory on this input", status=503)
        except Exception as e:  # noqa: BLE001 - a job never takes the server down
            log.exception("job %s (%s) failed", job.id, job.kind)
            self._finish(job, "failed", error=f"internal error ({type(e).__name__})", status=500)
        else:
            job.result = result
            self._finish(job, "done")
            return result
        finally:
            _local.job = None
        return None

    def _finish(self, job: Job, state: str, error: str | None = None, status: int = 200) -> None:
        job.state, job.error, job.status, job.finished = state, error, status, time.time()
        if job.started is None:
            job.started = job.finished

    def _prune(self) -> None:
        """Forget finished jobs past their keeping time, then the oldest beyond `keep` jobs or
        `keep_bytes` of results (results are counted by len(): keep them as bytes)."""
        now = time.time()
        done = sorted((j for j in self._jobs.values() if j.finished_state), key=lambda j: j.finished or 0.0)  # finished jobs all have it
        size = sum(_size(j.result) for j in done)
        for k, j in enumerate(done):
            if now - (j.finished or 0.0) > self.keep_s or len(done) - k > self.keep or size > self.keep_bytes:
                size -= _size(j.result)
                del self._jobs[j.id]


def _size(result) -> int:
    return len(result) if isinstance(result, (bytes, str)) else 0
