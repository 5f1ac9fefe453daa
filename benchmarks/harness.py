"""Benchmark harness: a separate PostgreSQL database, a demo dataset, timed cases.

    from harness import Bench, RawSQL
    bench = Bench.from_args(orgs=60000)      # creates, migrates and fills dangjian_bench
    bench.case("list", orm=lambda: ..., raw=[RawSQL("SELECT ...", [...])])
    bench.print_table()

Each case runs `warmup` times untimed, then `runs` times timed, each ORM run followed by a
run of the raw SQL so both see the same machine load; one more run under Django's
CaptureQueriesContext counts its queries (kept out of the timed runs, which use the ordinary
cursor). The raw SQL is what a hand-written implementation would execute, run with a psycopg
cursor on the same connection in the same process, so the ratio is the framework's overhead.
The database is `BENCH_DATABASE_URL` (default postgres://postgres@127.0.0.1:5432/dangjian_bench);
it is created when missing and reused afterwards, since the demo build is idempotent.
"""

from __future__ import annotations

import math
import os
import statistics
import sys
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/dangjian_bench"
SRC = Path(__file__).resolve().parent.parent / "src"


def configure(database_url: str) -> None:
    """Point Django at the benchmark database (DEBUG off, so timed runs keep no query log)."""
    if str(SRC) not in sys.path:
        sys.path.insert(0, str(SRC))
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "dangjian.settings"
    os.environ.setdefault("DANGJIAN_DEBUG", "0")
    import django

    django.setup()


def ensure_database(database_url: str, *, fresh: bool = False) -> None:
    """Create the benchmark database if it does not exist (drop it first with `fresh`)."""
    import psycopg
    from psycopg import sql

    parsed = urlparse(database_url)
    name = unquote(parsed.path.lstrip("/"))
    if parsed.scheme not in {"postgres", "postgresql"} or not name:
        raise SystemExit(
            f"BENCH_DATABASE_URL must be a postgres:// URL with a database: {database_url}"
        )
    admin_url = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and fresh:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            exists = None
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def migrate() -> None:
    """Apply every migration to the benchmark database."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


@dataclass(frozen=True)
class BuildReport:
    """The dataset: organizations in the table, universities, time spent building now."""

    organizations: int
    universities: int
    created: int
    seconds: float


def build_dataset(min_orgs: int, log: Callable[[str], None] = print) -> BuildReport:
    """Add demo universities until the table holds at least `min_orgs` organizations."""
    from django.db import connection

    from dangjian.orgs.demo import build_demo_tree, plan_university
    from dangjian.orgs.models import Organization

    started = time.monotonic()
    created = 0
    per_university = sum(1 for _ in plan_university(1).walk())
    scale = Organization.objects.filter(depth=1).count()
    while (count := Organization.objects.count()) < min_orgs:
        scale += math.ceil((min_orgs - count) / per_university)

        def progress(result: Any, total: int) -> None:
            done = result.universities_created + result.universities_skipped
            log(f"  built {done}/{total} universities, {result.organizations} organizations")

        result = build_demo_tree(scale, progress=progress)
        created += result.organizations
    if created:
        with connection.cursor() as cursor:
            for table in ("orgs_organization", "orgs_committeeterm", "orgs_committeemember"):
                cursor.execute(f"VACUUM ANALYZE {table}")
    return BuildReport(
        Organization.objects.count(),
        Organization.objects.filter(depth=1).count(),
        created,
        time.monotonic() - started,
    )


@dataclass(frozen=True)
class RawSQL:
    """One statement of a case's hand-written equivalent."""

    sql: str
    params: Sequence[Any] = ()


@dataclass
class Result:
    """A measured case."""

    name: str
    median_ms: float
    p95_ms: float
    queries: int
    raw_median_ms: float | None
    runs: int
    sql: list[str] = field(default_factory=list)

    @property
    def ratio(self) -> float | None:
        if not self.raw_median_ms:
            return None
        return self.median_ms / self.raw_median_ms


def _timed(fn: Callable[[], Any], runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter_ns()
        fn()
        samples.append((time.perf_counter_ns() - start) / 1e6)
    return samples


def percentile(samples: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def run_raw(statements: Sequence[RawSQL]) -> None:
    """Execute statements with a plain psycopg cursor on Django's connection and fetch all."""
    from django.db import connection

    connection.ensure_connection()
    with connection.connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement.sql, list(statement.params))
            cursor.fetchall()


class Bench:
    """Measures cases and prints them as one table."""

    def __init__(self, runs: int = 30, warmup: int = 5, budget_seconds: float = 20.0) -> None:
        self.runs = runs
        self.warmup = warmup
        self.budget_seconds = budget_seconds
        self.results: list[Result] = []

    def case(
        self,
        name: str,
        orm: Callable[[], Any],
        raw: Sequence[RawSQL] | None = None,
    ) -> Result:
        """Measure `orm` (and the raw statements) and keep the result for the table."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        probe = min(_timed(orm, 2))  # the first call may pay for cold caches
        runs = self.runs
        if probe * (self.warmup + self.runs) > self.budget_seconds * 1000:
            runs = max(3, int(self.budget_seconds * 1000 / max(probe, 1.0)))
        statements = list(raw or [])
        _timed(orm, min(self.warmup, runs))
        if statements:
            _timed(lambda: run_raw(statements), self.warmup)
        samples: list[float] = []
        raw_samples: list[float] = []
        for _ in range(runs):  # interleaved, so both see the same load on a shared machine
            samples += _timed(orm, 1)
            if statements:
                raw_samples += _timed(lambda: run_raw(statements), 1)
        with CaptureQueriesContext(connection) as captured:
            orm()
        raw_median = statistics.median(raw_samples) if raw_samples else None
        result = Result(
            name,
            statistics.median(samples),
            percentile(samples, 0.95),
            len(captured),
            raw_median,
            runs,
            [query["sql"] for query in captured.captured_queries],
        )
        self.results.append(result)
        return result

    def print_table(self, out: Callable[[str], None] = print) -> None:
        """case | median ms | p95 ms | queries | raw-SQL median ms | ratio."""
        header = ["case", "median ms", "p95 ms", "queries", "raw-SQL median ms", "ratio", "runs"]
        rows = [
            [
                r.name,
                f"{r.median_ms:.2f}",
                f"{r.p95_ms:.2f}",
                str(r.queries),
                f"{r.raw_median_ms:.2f}" if r.raw_median_ms is not None else "—",
                f"{r.ratio:.2f}×" if r.ratio is not None else "—",
                str(r.runs),
            ]
            for r in self.results
        ]
        out(text_table(header, rows))


def width(text: str) -> int:
    """Terminal columns of a string (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def text_table(header: list[str], rows: list[list[str]]) -> str:
    """A Markdown-compatible table, padded for a terminal."""
    widths = [max(width(line[i]) for line in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        padded = [cell + " " * (w - width(cell)) for cell, w in zip(cells, widths, strict=True)]
        return "| " + " | ".join(padded) + " |"

    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, rows)])


def explain(sql: str) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of one captured statement."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())
