"""One row per benchmark and the table they make: each figure beside its baseline from the same run.

The table is Markdown, so it can be pasted into the docs as it is.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Row:
    """One benchmark's figures and its baseline's. Fields a benchmark cannot measure stay None.

    `per_second` counts whatever the benchmark counts: successful HTTP requests for the pages,
    transactions for a billing-beside-pgbench row.
    """

    benchmark: str
    per_second: float | None = None
    p50_ms: float | None = None
    p95_ms: float | None = None
    errors: int | None = None
    baseline: str = ""
    baseline_per_second: float | None = None
    baseline_p95_ms: float | None = None
    baseline_errors: int | None = None
    # False when `per_second` is a pace the benchmark set (messages sent at 50 a second), not a
    # throughput: its ratio to the baseline's would mean nothing, so none is shown.
    throughput: bool = True

    @property
    def ratio(self):
        """The figure as a fraction of its baseline's (1.0 would be as fast as the baseline)."""
        if not self.throughput or self.per_second is None or not self.baseline_per_second:
            return None
        return self.per_second / self.baseline_per_second


@dataclass(frozen=True)
class Column:
    header: str
    show: Callable[[Row], str]
    numeric: bool = True  # numbers align right


COLUMNS = [
    Column("benchmark", lambda row: row.benchmark, numeric=False),
    Column("ops/s", lambda row: _number(row.per_second, "{:.0f}")),
    Column("p50 ms", lambda row: _number(row.p50_ms, "{:.1f}")),
    Column("p95 ms", lambda row: _number(row.p95_ms, "{:.1f}")),
    Column("errors", lambda row: _number(row.errors, "{}")),
    Column("baseline", lambda row: row.baseline or "-", numeric=False),
    Column("baseline ops/s", lambda row: _number(row.baseline_per_second, "{:.0f}")),
    Column("baseline p95 ms", lambda row: _number(row.baseline_p95_ms, "{:.1f}")),
    Column("baseline errors", lambda row: _number(row.baseline_errors, "{}")),
    Column("ratio", lambda row: _number(row.ratio, "{:.2f}x")),
]


def _number(value, pattern):
    return "-" if value is None else pattern.format(value)


def render(rows):
    """A Markdown table with aligned columns, numbers on the right."""
    body = [[column.show(row) for column in COLUMNS] for row in rows]
    headers = [column.header for column in COLUMNS]
    widths = [max(len(cell) for cell in cells) for cells in zip(headers, *body, strict=True)]

    def line(cells):
        padded = (
            cell.rjust(width) if column.numeric else cell.ljust(width)
            for cell, width, column in zip(cells, widths, COLUMNS, strict=True)
        )
        return "| " + " | ".join(padded) + " |"

    rules = (
        "-" * (width + 1) + ":" if column.numeric else "-" * (width + 2)
        for width, column in zip(widths, COLUMNS, strict=True)
    )
    return "\n".join([line(headers), "|" + "|".join(rules) + "|"] + [line(cells) for cells in body])
