"""Member-registry benchmark on PostgreSQL: a million members in ~60,000 organizations.

    .venv/bin/python benchmarks/bench_members.py [--members 1000000] [--orgs 60000] [--runs 30]
                                                 [--explain] [--fresh]

Builds (once) the organization tree of bench_orgs (demo universities side by side) in its own
database, then fills universities with the demo people (`members.demo.plan_people`: ~5,750
members and ~3,500 applicants, activists and candidates each, cadres, a year of transfers and
the timeline) until the registry holds `--members` members. Rows go in with COPY; encrypting a
million ID and phone numbers would dominate the build, so ciphertexts come from a pool of real
ones while every row keeps its own keyed hash (unique, searchable) and masked copy.

Measured, for committee staff on the largest grassroots committee (by members) of a university
in the middle of the table, and for university staff on that university:

  a. http filter  GET /members/?within=<node>&category=members&gender=female (list page)
  b. http search  GET /members/?q=<a common name's pinyin prefix> (list page)
  c. list query   the page's data: PersonFilter over restrict(user), first 50 + count
  d. statistics   members.by_category + members.by_gender + members.by_education, as of today
  e. each of the three figures alone
  f. d with parallel query off (max_parallel_workers_per_gather = 0)

Targets: list pages (a, b) median ≤ 100 ms; statistics (d) median ≤ 200 ms. Each case prints its
query count and the ratio to the hand-written SQL. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from datetime import date
from typing import Any

from harness import Bench, RawSQL, build_dataset, configure, ensure_database, explain
from harness import migrate as migrate_database

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/dangjian_bench_members"
LIST_TARGET_MS = 100.0
STATS_TARGET_MS = 200.0
POOL = 1000
SEARCH = "zhangw"  # 张伟, 张文博 …: a common name's pinyin prefix


class PooledSeal:
    """Protected values for bulk loading: ciphertexts from a pool of real ones (a reveal shows
    a pool member's number), the lookup hash and the masks computed for each row."""

    def __init__(self) -> None:
        from dangjian.core import crypto
        from dangjian.members.models.person import ID_FIELD, PHONE_FIELD
        from dangjian.members.testing import make_id_number

        self.crypto, self.id_field = crypto, ID_FIELD
        self.ids = [
            crypto.encrypt(make_id_number(date(1990, 1, 1 + n % 28), serial=n), ID_FIELD)
            for n in range(POOL)
        ]
        self.phones = [crypto.encrypt(f"138{n:08d}", PHONE_FIELD) for n in range(POOL)]

    def __call__(self, draft: Any) -> None:
        from dangjian.core import idnumber
        from dangjian.members.models.person import mask_phone

        person, slot = draft.person, int(draft.id_number[10:17]) % POOL
        person.id_cipher = self.ids[slot]
        person.id_hash = self.crypto.lookup_hash(draft.id_number, self.id_field)
        person.id_masked = idnumber.mask(draft.id_number)
        person.phone_cipher = self.phones[slot] if draft.phone else ""
        person.phone_masked = mask_phone(draft.phone) if draft.phone else ""


def load_people(
    min_members: int, log: Callable[[str], None] = print
) -> tuple[int, int, int, float]:
    """Add demo people university by university (and universities if needed) until the
    registry holds `min_members` members; returns (members, people, universities loaded now,
    seconds spent loading them)."""
    from django.db import connection
    from django.utils import timezone

    from dangjian.members import demo
    from dangjian.members.models import Person
    from dangjian.orgs.demo import build_demo_tree
    from dangjian.orgs.models import Organization

    started, today = time.monotonic(), timezone.localdate()
    members = Person.objects.members().count()
    seal: PooledSeal | None = None
    loaded = 0
    while members < min_members:
        roots = list(Organization.objects.filter(depth=1, code__startswith="U").order_by("code"))
        for root in roots:
            if members >= min_members:
                break
            if Person.objects.filter(organization__path__startswith=root.path).exists():
                continue
            seal = seal or PooledSeal()
            counts = demo.write(demo.plan_people(int(root.code[1:]), root, today), seal=seal)
            members += counts["党员"]
            loaded += 1
            if loaded % 10 == 0:
                log(f"  loaded {loaded} universities now, {members} members")
        if members < min_members:  # more universities than the tree has
            missing = (min_members - members) // 5500 + 1
            build_demo_tree(len(roots) + missing)
    if loaded:
        with connection.cursor() as cursor:
            for table in ("members_person", "members_memberevent", "members_transfer"):
                cursor.execute(f"VACUUM ANALYZE {table}")
        members = Person.objects.members().count()
    return members, Person.objects.count(), loaded, time.monotonic() - started


# Hand-written SQL ---------------------------------------------------------------------------

ON_BOOKS = "p.status IN ('normal', 'suspended')"
MEMBERS_ON = (
    "(p.off_books_on IS NULL OR p.off_books_on > %s) AND (p.applied_on <= %s OR p.joined_on <= %s)"
)


def list_sql(scope: list[str], where: str, params: list[Any]) -> list[RawSQL]:
    """The list page's rows (with organization, party group, cadre) and count."""
    conditions = ["o.path LIKE %s"] * len(scope) + [where]
    clause = " AND ".join(conditions)
    args = [f"{p}%" for p in scope] + params
    joins = (
        "FROM members_person p JOIN orgs_organization o ON o.id = p.organization_id "
        "LEFT JOIN orgs_organization g ON g.id = p.party_group_id "
        "LEFT JOIN members_cadre c ON c.person_id = p.id"
    )
    return [
        RawSQL(f"SELECT p.*, o.*, g.*, c.* {joins} WHERE {clause} ORDER BY p.name_pinyin, p.id LIMIT 50", args),
        RawSQL(f"SELECT count(*) FROM members_person p JOIN orgs_organization o ON o.id = p.organization_id WHERE {clause}", args),
    ]  # fmt: skip


def filter_sql(scope: list[str], path: str) -> list[RawSQL]:
    where = (
        f"o.path LIKE %s AND p.category IN ('probationary', 'full') AND p.gender = 'female' "
        f"AND {ON_BOOKS}"
    )
    return list_sql(scope, where, [f"{path}%"])


def search_sql(scope: list[str], text: str) -> list[RawSQL]:
    where = (
        "(p.name LIKE %s OR p.staff_no = %s OR p.name_initials LIKE %s OR p.name_pinyin LIKE %s) "
        f"AND {ON_BOOKS}"
    )
    return list_sql(scope, where, [f"{text}%", text, f"{text}%", f"{text}%"])


def statistics_sql(path: str, day: date) -> list[RawSQL]:
    """By category (as of the day, from the step dates), gender and education of a subtree."""
    base = (
        "FROM members_person p JOIN orgs_organization o ON o.id = p.organization_id "
        f"WHERE o.path LIKE %s AND {MEMBERS_ON}"
    )
    params = [f"{path}%", day, day, day]
    category = (
        "CASE WHEN p.converted_on <= %s THEN 'full' "
        "WHEN p.joined_on <= %s AND NOT (p.left_on <= %s AND p.left_on IS NOT NULL) THEN 'probationary' "
        "WHEN p.candidate_on <= %s THEN 'candidate' WHEN p.activist_on <= %s THEN 'activist' "
        "WHEN p.applied_on <= %s THEN 'applicant' END"
    )
    return [
        RawSQL(f"SELECT {category} AS k, count(*) {base} GROUP BY 1", [day] * 6 + params),
        RawSQL(f"SELECT p.gender, count(*) {base} AND p.joined_on <= %s GROUP BY 1", [*params, day]),
        RawSQL(f"SELECT p.education, count(*) {base} AND p.joined_on <= %s GROUP BY 1", [*params, day]),
    ]  # fmt: skip


# The run ------------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> int:
    url = os.environ.get("BENCH_MEMBERS_DATABASE_URL", DEFAULT_URL)
    ensure_database(url, fresh=args.fresh)
    configure(url)
    migrate_database()
    build_dataset(args.orgs)
    members, people, loaded_now, seconds = load_people(args.members)

    from bench_orgs import bench_user, scope_paths
    from django.db import connection
    from django.db.models import Count
    from django.test import Client, RequestFactory
    from django.utils import timezone

    from dangjian.core import figures
    from dangjian.core.figures import FigureContext, Period
    from dangjian.core.roles import RoleKind
    from dangjian.members.filters import PersonFilter
    from dangjian.members.models import Person
    from dangjian.orgs.models import Organization

    today = timezone.localdate()
    loaded = [
        root
        for root in Organization.objects.filter(depth=1).order_by("path")
        if Person.objects.filter(organization__path__startswith=root.path).exists()
    ]
    root = loaded[len(loaded) // 2]
    committees = {org.path: org for org in Organization.objects.get_children(root)}
    sizes = (
        Person.objects.members()
        .filter(organization__path__startswith=root.path)
        .order_by()
        .values_list("organization__path")
        .annotate(n=Count("pk"))
    )
    by_committee: dict[str, int] = {}
    for path, n in sizes:
        prefix = path[: len(root.path) + Organization.steplen]
        by_committee[prefix] = by_committee.get(prefix, 0) + n
    committee = committees[max(by_committee, key=lambda p: by_committee[p])]
    print(
        f"dataset: {Organization.objects.count()} organizations in {len(loaded)} universities; "
        f"{members} members, {people} people"
        + (
            f" ({loaded_now} universities' people loaded now in {seconds:.0f} s)"
            if loaded_now
            else ""
        )
    )
    print(
        f"university node: {root.name} ({Person.objects.members().filter(organization__path__startswith=root.path).count()} members); "
        f"committee node: {committee.name} ({by_committee[committee.path]} members)"
    )  # fmt: skip

    subjects = [
        ("committee", bench_user("bench_committee", RoleKind.COMMITTEE_STAFF, committee), committee),
        ("university", bench_user("bench_univ", RoleKind.UNIVERSITY_STAFF, root), root),
    ]  # fmt: skip
    bench = Bench(runs=args.runs, warmup=args.warmup)

    def http(user: Any, target: str) -> Callable[[], None]:
        client = Client()
        client.force_login(user)

        def request() -> None:
            response = client.get(target)
            if response.status_code != 200:
                raise RuntimeError(f"GET {target} answered {response.status_code}")

        return request

    def list_query(user: Any, data: dict[str, str]) -> Callable[[], None]:
        request = RequestFactory().get("/members/", data)
        request.user = user

        def query() -> None:
            base = Person.objects.restrict(user).select_related(
                "organization", "party_group", "cadre"
            )
            queryset = PersonFilter(data, queryset=base, request=request).qs
            list(queryset[:50])
            queryset.count()

        return query

    def statistics(context: FigureContext, names: list[str]) -> Callable[[], None]:
        return lambda: [figures.compute(name, context) for name in names]

    stats = ["members.by_category", "members.by_gender", "members.by_education"]
    for label, user, node in subjects:
        scope = scope_paths(user)
        filters = {"within": str(node.pk), "category": "members", "gender": "female"}
        query = "&".join(f"{k}={v}" for k, v in filters.items())
        bench.case(
            f"{label}: a. http filter",
            http(user, f"/members/?{query}"),
            filter_sql(scope, node.path),
        )
        bench.case(
            f"{label}: b. http search",
            http(user, f"/members/?q={SEARCH}"),
            search_sql(scope, SEARCH),
        )
        bench.case(
            f"{label}: c. list query (filter)",
            list_query(user, filters),
            filter_sql(scope, node.path),
        )
        bench.case(
            f"{label}: c. list query (search)",
            list_query(user, {"q": SEARCH}),
            search_sql(scope, SEARCH),
        )
        context = FigureContext(node, Period.on(today))
        raw = statistics_sql(node.path, today)
        bench.case(f"{label}: d. statistics (3 figures)", statistics(context, stats), raw)
        for name, statement in zip(stats, raw, strict=True):
            bench.case(f"{label}: e. {name}", statistics(context, [name]), [statement])
        # f. the same without parallel query: PostgreSQL plans the subtree's organizations as
        # a parallel sequential scan (62,050 rows) once the estimated cost is high enough.
        with connection.cursor() as cursor:
            cursor.execute("SET max_parallel_workers_per_gather = 0")
        bench.case(f"{label}: f. statistics, no parallel query", statistics(context, stats), raw)
        with connection.cursor() as cursor:
            cursor.execute("RESET max_parallel_workers_per_gather")

    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"machine: {os.cpu_count()} CPUs, load average {load} (1, 5, 15 min)")
    print()
    bench.print_table()
    missed = [
        r
        for r in bench.results
        if ((" a. " in r.name or " b. " in r.name) and r.median_ms > LIST_TARGET_MS)
        or (
            (" d. " in r.name or " e. " in r.name or " f. " in r.name)
            and r.median_ms > STATS_TARGET_MS
        )
    ]
    print()
    if missed:
        print(
            "targets missed (lists ≤ 100 ms, statistics ≤ 200 ms): "
            + ", ".join(r.name for r in missed)
        )
    else:
        print("targets met: list pages ≤ 100 ms, statistics ≤ 200 ms (medians)")
    for result in bench.results if args.explain else missed:
        for statement in result.sql:
            if "members_person" in statement and statement.lstrip().upper().startswith("SELECT"):
                print(f"\n-- {result.name}\n{statement}\n{explain(statement)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=1_000_000, help="minimum members")
    parser.add_argument("--orgs", type=int, default=60000, help="minimum organizations")
    parser.add_argument("--runs", type=int, default=30, help="timed runs per case (≥ 20)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed runs before timing")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE every query")
    parser.add_argument("--fresh", action="store_true", help="drop and rebuild the database")
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
