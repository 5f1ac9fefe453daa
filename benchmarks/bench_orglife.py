"""Organizational-life benchmark on PostgreSQL: an attendance sheet and the compliance heat-map.

    .venv/bin/python benchmarks/bench_orglife.py [--runs 20] [--warmup 3] [--fresh]

Builds (once) in its own database the demo university of `dangjian demo` (255 branches,
~5,700 members) and its year of organizational life (`orglife.demo`: ~13,500 events,
~185,000 attendance lines), then measures:

  a. attendance   a 300-person general assembly's sheet recorded in one request:
                  PUT /api/v1/orglife/events/{id}/attendance with 300 marks (server time,
                  test client), and `actions.record_attendance` alone; target 200 ms
  b. compliance   the heat-map of the university's branches × 12 months:
                  GET /orglife/compliance/?within=<university>&year=<year>, and
                  `compliance.year_of(root, year, today)` alone; target 300 ms

Every run changes the sheet (the marks rotate), so each one writes 300 rows. Prints median,
p95, query count and the ratio of the median to the target; never asserts. A page or API
that answers other than 200 is reported and its case skipped. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from typing import Any

from harness import Bench, configure, ensure_database
from harness import migrate as migrate_database

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/dangjian_bench_orglife"
ATTENDANCE_TARGET_MS = 200.0
COMPLIANCE_TARGET_MS = 300.0
SHEET = 300
STATES = ("present", "present", "present", "present", "present", "present", "leave", "absent")


def reachable(url: str) -> str:
    """'' when the PostgreSQL server answers, else why not."""
    from urllib.parse import urlparse

    import psycopg

    try:
        with psycopg.connect(urlparse(url)._replace(path="/postgres").geturl(), connect_timeout=3):
            return ""
    except psycopg.OperationalError as error:
        return str(error).strip().splitlines()[0]


def build(log: Callable[[str], None] = print) -> float:
    """The demo university with people and a year of organizational life (idempotent)."""
    from django.db import connection

    from dangjian.members import demo as member_demo
    from dangjian.orglife import demo as orglife_demo
    from dangjian.orgs import demo as org_demo

    started = time.monotonic()
    org_demo.build_demo_tree(1)
    people = member_demo.load_demo(1)
    year = orglife_demo.load_demo(1)
    if people["人员"] or year["活动"]:
        log(f"  built: {people['人员']} people, {year}")
        with connection.cursor() as cursor:
            for table in ("orglife_event", "orglife_attendance", "members_person"):
                cursor.execute(f"VACUUM ANALYZE {table}")
    return time.monotonic() - started


def assembly(root: Any, user: Any) -> Any:
    """A held general assembly of the university's largest branch whose sheet lists 300
    members (the branch's own and, to reach 300, members of other branches: the snapshot is
    the rows, as `save_event` writes them)."""
    from datetime import timedelta

    from django.db.models import Count
    from django.utils import timezone

    from dangjian.members.models import Person
    from dangjian.orglife.choices import EventKind
    from dangjian.orglife.models import Attendance, Event
    from dangjian.orglife.testing import held
    from dangjian.orgs.choices import Level
    from dangjian.orgs.models import Organization

    title = "基准测试：300人支部党员大会"
    event = Event.objects.filter(title=title).first()
    if event is not None:
        return event
    sizes = (
        Person.objects.members()
        .filter(organization__path__startswith=root.path, organization__level=Level.BRANCH)
        .values("organization")
        .annotate(n=Count("pk"))
        .order_by("-n")
    )
    branch = Organization.objects.get(pk=sizes[0]["organization"])
    day = timezone.localdate() - timedelta(days=2)
    event = held(branch, EventKind.GENERAL_ASSEMBLY, day, title=title)
    listed = set(Attendance.objects.filter(event=event).values_list("person_id", flat=True))
    others = (
        Person.objects.members()
        .filter(organization__path__startswith=root.path)
        .exclude(pk__in=listed)
        .order_by("pk")
        .values_list("pk", flat=True)[: max(0, SHEET - len(listed))]
    )
    Attendance.objects.bulk_create(
        Attendance(event=event, person_id=pk, expected=True) for pk in others
    )
    return event


def run(args: argparse.Namespace) -> int:
    url = os.environ.get("BENCH_ORGLIFE_DATABASE_URL", DEFAULT_URL)
    problem = reachable(url)
    if problem:
        print(f"skipped: PostgreSQL at {url} is not reachable ({problem})")
        return 0
    ensure_database(url, fresh=args.fresh)
    configure(url)
    migrate_database()
    seconds = build()

    from bench_orgs import bench_user
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from dangjian.core.roles import RoleKind
    from dangjian.orglife import actions, compliance
    from dangjian.orglife.models import Attendance, Event
    from dangjian.orgs.choices import Level
    from dangjian.orgs.models import Organization

    today = timezone.localdate()
    root = Organization.objects.get(code="U001")
    user = bench_user("bench_orglife_univ", RoleKind.UNIVERSITY_STAFF, root)
    event = assembly(root, user)
    people = list(
        Attendance.objects.filter(event=event, expected=True)
        .order_by("pk")
        .values_list("person_id", flat=True)
    )
    branches = Organization.objects.filter(path__startswith=root.path, level=Level.BRANCH)
    print(
        f"dataset: {branches.count()} branches, {Event.objects.count()} events, "
        f"{Attendance.objects.count()} attendance lines (built/checked in {seconds:.0f} s); "
        f"the sheet lists {len(people)} people"
    )
    bench = Bench(runs=args.runs, warmup=args.warmup)
    turn = [0]

    def marks() -> list[dict[str, Any]]:
        turn[0] += 1
        result = []
        for index, pk in enumerate(people):
            status = STATES[(index + turn[0]) % len(STATES)]
            result.append(
                {
                    "person_id": pk,
                    "status": status,
                    "leave_reason": "出差" if status == "leave" else "",
                    "is_guest": False,
                    "guest_name": "",
                    "guest_unit": "",
                    "hours": None,
                }
            )
        return result

    client = Client()
    client.force_login(user)
    put_path = f"/api/v1/orglife/events/{event.pk}/attendance"

    def put() -> None:
        body = json.dumps({"marks": marks()})
        response = client.put(put_path, body, content_type="application/json")
        if response.status_code != 200:
            raise RuntimeError(f"PUT {put_path} answered {response.status_code}")

    def action() -> None:
        sheet = [actions.Mark(**mark) for mark in marks()]
        actions.record_attendance(event, sheet, acting_user=user)

    year = today.year
    page = f"/orglife/compliance/?within={root.pk}&year={year}"

    def heat_map() -> None:
        response = client.get(page)
        if response.status_code != 200:
            raise RuntimeError(f"GET {page} answered {response.status_code}")

    cases: list[tuple[str, Callable[[], Any], float]] = [
        (f"a. PUT attendance ({len(people)} marks)", put, ATTENDANCE_TARGET_MS),
        ("a. actions.record_attendance", action, ATTENDANCE_TARGET_MS),
        ("b. GET compliance heat-map", heat_map, COMPLIANCE_TARGET_MS),
        ("b. compliance.year_of", lambda: compliance.year_of(root, year, today), 300.0),
    ]
    targets: dict[str, float] = {}
    for name, fn, target in cases:
        try:
            fn()
        except RuntimeError as error:  # the page or the API is not there (yet)
            print(f"skipped {name}: {error}")
            continue
        bench.case(name, fn)
        targets[name] = target

    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(
        f"machine: {os.cpu_count()} CPUs, load average {load} (1, 5, 15 min); "
        f"PostgreSQL {connection.pg_version // 10000}"  # type: ignore[attr-defined]
    )
    print()
    bench.print_table()
    print()
    for result in bench.results:
        target = targets[result.name]
        verdict = "met" if result.median_ms <= target else "missed"
        print(
            f"{result.name}: median {result.median_ms:.1f} ms, p95 {result.p95_ms:.1f} ms = "
            f"{result.median_ms / target:.2f}× the {target:.0f} ms target ({verdict})"
        )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="timed runs per case")
    parser.add_argument("--warmup", type=int, default=3, help="untimed runs before timing")
    parser.add_argument("--fresh", action="store_true", help="drop and rebuild the database")
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
