"""Scale-out on Dask: a client for the batch solver (`tradewar.solver.batch`) and the games'
draws (`tradewar.games.draws`).

    with cluster(workers=2) as client:                      # or cluster(scheduler="tcp://host:8786")
        res = solve_draws(model, baseline, tariffs, thetas, client=client)

Same seed, same answer: every draw is made up front in the client from the seed, the batch is
cut into the same chunks as the single-process run and each chunk runs the same compiled
function on a worker (see `tradewar.solver.batch`).
"""

from __future__ import annotations

import contextlib
import logging

from tradewar.errors import InputError


@contextlib.contextmanager
def cluster(scheduler: str | None = None, workers: int | None = None):
    """A Dask client: connected to `scheduler` (an address such as tcp://10.0.0.5:8786), or to a
    new LocalCluster of `workers` single-threaded worker processes; None when neither is given."""
    if scheduler and workers:
        raise InputError("--scheduler and --workers: give one of them, not both", field="workers")
    if scheduler is None and workers is None:
        yield None
        return
    from dask.distributed import Client, LocalCluster  # dask: heavy and optional, loaded only when asked for

    if scheduler:
        try:
            client = Client(scheduler, timeout="20s")
        except (OSError, TimeoutError) as e:
            raise InputError(
                f"--scheduler: cannot reach Dask scheduler {scheduler!r} ({e})", field="scheduler"
            ) from None
        try:
            yield client
        finally:
            client.close()
        return
    if not isinstance(workers, int) or workers < 1:
        raise InputError(f"--workers: {workers!r} must be a positive number of worker processes", field="workers")
    local = LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=logging.ERROR,
    )
    client = Client(local)
    try:
        yield client
    finally:
        client.close()
        local.close()
