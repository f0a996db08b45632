"""Page benchmarks: a page of the real app beside the minimal page on the same server configuration.

The two are measured one after the other, never at once, because they share the machine's CPUs,
and in turns (real, minimal, real, minimal, ...): whatever else the machine does during the run
then falls on both alike, instead of on whichever happened to run at that moment.
"""

from tests.bench.load import DEFAULT_THREADS, LoadResult, run_load
from tests.bench.table import Row

BASELINE = "minimal page, same gunicorn"
ROUNDS = 3


def page_beside_minimal(servers, name, path, threads=DEFAULT_THREADS, headers=None):
    """Load `path` on the live app (with `headers`) and the minimal page in ROUNDS turns each; one
    row of both."""
    turns = {"real": [], "baseline": []}
    for _ in range(ROUNDS):
        turns["real"].append(run_load(servers.live().url + path, threads=threads, headers=headers))
        turns["baseline"].append(run_load(servers.minimal().url + "/", threads=threads))
    real, baseline = LoadResult.combined(turns["real"]), LoadResult.combined(turns["baseline"])
    return Row(
        benchmark=name,
        per_second=real.per_second,
        p50_ms=real.percentile_ms(0.50),
        p95_ms=real.percentile_ms(0.95),
        errors=real.errors,
        baseline=BASELINE,
        baseline_per_second=baseline.per_second,
        baseline_p95_ms=baseline.percentile_ms(0.95),
        baseline_errors=baseline.errors,
    )


def home_page(servers):
    """The home page `/` as a visitor who is not signed in gets it."""
    return page_beside_minimal(servers, "home page GET /", "/")
