"""Organization-tree benchmark on PostgreSQL: scoped list, figures, tree children, list page.

    .venv/bin/python benchmarks/bench_orgs.py [--orgs 60000] [--runs 30] [--explain] [--fresh]

Builds (once) a demo dataset of at least `--orgs` organizations in the benchmark database,
then measures, for a committee-staff user on a grassroots committee and a university-staff
user on a university committee in the middle of the table:

  a. list   the list page's query: restrict(user) + ?within=<node> + first 50 (with the
            parent code annotation) + count
  b. figure `orgs.by_level` for the node's subtree (counts by level as of today)
  c. children the tree page's children of the node (tree_children's query)
  d. http   GET /orgs/?within=<node> through the Django test client (server time)
  e. floor  GET /accounts/profile/ (a page with no list: the per-request floor)

and a stress user whose university-staff grant has no organization (sees every row). Targets
for a–c: median ≤ 20 ms and ≤ 1.5× the raw SQL. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from datetime import date
from typing import Any

from harness import DEFAULT_URL, Bench, RawSQL, build_dataset, configure, ensure_database, explain
from harness import migrate as migrate_database

TARGET_MS = 20.0
TARGET_RATIO = 1.5

COLUMNS = "o.*"
PARENT_CODE = (
    "(SELECT p.code FROM orgs_organization p "
    "WHERE p.path = substr(o.path, 1, length(o.path) - 4) LIMIT 1) AS parent_code"
)


def where(conditions: list[str]) -> str:
    return " AND ".join(conditions) if conditions else "TRUE"


def list_sql(scope: list[str], within: str | None, parent_code: bool = True) -> list[RawSQL]:
    """Hand-written list page: first 50 (with parent codes, as the view has them), the count."""
    conditions = ["o.path LIKE %s"] * len(scope) + (["o.path LIKE %s"] if within else [])
    params = [f"{p}%" for p in scope] + ([f"{within}%"] if within else [])
    clause = where(conditions)
    return [
        RawSQL(
            f"SELECT {COLUMNS}{', ' + PARENT_CODE if parent_code else ''} "
            f"FROM orgs_organization o WHERE {clause} "
            "ORDER BY o.path LIMIT 50",
            params,
        ),
        RawSQL(f"SELECT count(*) FROM orgs_organization o WHERE {clause}", params),
    ]


def by_level_sql(path: str, day: date) -> list[RawSQL]:
    """Hand-written counts by level of a subtree as of a day."""
    return [
        RawSQL(
            "SELECT level, count(*) FROM orgs_organization WHERE path LIKE %s "
            "AND (founded_on IS NULL OR founded_on <= %s) "
            "AND (dissolved_on IS NULL OR dissolved_on > %s) GROUP BY level",
            [f"{path}%", day, day],
        )
    ]


def children_sql(scope: list[str], path: str, depth: int) -> list[RawSQL]:
    """Hand-written active children of a node inside the user's scope."""
    conditions = ["o.path BETWEEN %s AND %s", "o.depth = %s", "o.status = 'active'"]
    conditions += ["o.path LIKE %s"] * len(scope)
    params: list[Any] = [f"{path}0000", f"{path}ZZZZ", depth + 1] + [f"{p}%" for p in scope]
    return [
        RawSQL(
            f"SELECT {COLUMNS} FROM orgs_organization o WHERE {where(conditions)} ORDER BY o.path",
            params,
        )
    ]


def bench_user(username: str, role: str, organization: Any) -> Any:
    """A benchmark account holding exactly one grant."""
    from dangjian.accounts.models import RoleGrant, User

    user, _ = User.objects.get_or_create(username=username, defaults={"display_name": username})
    RoleGrant.objects.filter(user=user).exclude(role=role, organization=organization).delete()
    RoleGrant.objects.get_or_create(user=user, role=role, organization=organization)
    return User.objects.get(pk=user.pk)


def scope_paths(user: Any) -> list[str]:
    """The path prefixes restrict() filters on for this user (empty: everything)."""
    from dangjian.core.scope import covering_paths, user_grants

    return covering_paths(g.path for g in user_grants(user) if g.path)


def run(args: argparse.Namespace) -> int:
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    ensure_database(url, fresh=args.fresh)
    configure(url)
    migrate_database()
    built = build_dataset(args.orgs)

    from django.test import Client, RequestFactory
    from django.utils import timezone

    from dangjian.core import figures
    from dangjian.core.figures import FigureContext, Period
    from dangjian.core.roles import RoleKind
    from dangjian.orgs.choices import Status
    from dangjian.orgs.models import Organization
    from dangjian.orgs.views import OrganizationListView

    roots = list(Organization.objects.filter(depth=1).order_by("path"))
    root = roots[len(roots) // 2]
    tree = Organization.objects
    committee = max(tree.get_children(root), key=tree.get_descendant_count)
    today = timezone.localdate()
    print(
        f"dataset: {built.organizations} organizations in {built.universities} universities"
        + (f" (built {built.created} now in {built.seconds:.1f} s)" if built.created else "")
    )
    print(
        f"university node: {root.name} ({tree.get_descendant_count(root) + 1} organizations); "
        f"committee node: {committee.name} ({tree.get_descendant_count(committee) + 1})"
    )

    subjects = [
        (
            "committee",
            bench_user("bench_committee", RoleKind.COMMITTEE_STAFF, committee),
            committee,
        ),
        ("university", bench_user("bench_univ", RoleKind.UNIVERSITY_STAFF, root), root),
    ]
    everyone = bench_user("bench_all", RoleKind.UNIVERSITY_STAFF, None)
    bench = Bench(runs=args.runs, warmup=args.warmup)

    def list_view(user: Any) -> OrganizationListView:
        view = OrganizationListView()
        view.request = RequestFactory().get("/orgs/")
        view.request.user = user
        return view

    def list_page(user: Any, node: Any | None) -> Callable[[], None]:
        """The list view's own base queryset (so the case follows the view), within a node."""
        view = list_view(user)

        def query() -> None:
            queryset = view.base_queryset()
            if node is not None:
                queryset = queryset.filter(path__startswith=node.path)
            list(queryset.order_by("path")[:50])
            queryset.count()

        return query

    def annotates_parent(user: Any) -> bool:
        return "parent_code" in list_view(user).base_queryset().query.annotations

    def children(user: Any, node: Any) -> Callable[[], None]:
        def query() -> None:
            visible = Organization.objects.restrict(user).values("pk")
            list(
                Organization.objects.get_children(node)
                .filter(pk__in=visible, status=Status.ACTIVE)
                .order_by("path")
            )

        return query

    def http(user: Any, node: Any | None) -> Callable[[], None]:
        client = Client()
        client.force_login(user)
        target = f"/orgs/?within={node.pk}" if node is not None else "/orgs/"

        def request() -> None:
            response = client.get(target)
            if response.status_code != 200:
                raise RuntimeError(f"GET {target} answered {response.status_code}")

        return request

    def floor(user: Any) -> Callable[[], None]:
        client = Client()
        client.force_login(user)

        def request() -> None:
            client.get("/accounts/profile/")

        return request

    for label, user, node in subjects:
        scope = scope_paths(user)
        context = FigureContext(node, Period.on(today))
        parent = annotates_parent(user)
        bench.case(f"{label}: a. list", list_page(user, node), list_sql(scope, node.path, parent))
        bench.case(
            f"{label}: b. by_level",
            lambda c=context: figures.compute("orgs.by_level", c),
            by_level_sql(node.path, today),
        )
        bench.case(
            f"{label}: c. children",
            children(user, node),
            children_sql(scope, node.path, node.depth),
        )
        bench.case(f"{label}: d. http list", http(user, node), list_sql(scope, node.path, parent))
    bench.case("committee: e. http floor (profile page)", floor(subjects[0][1]))
    if not args.skip_stress:
        parent = annotates_parent(everyone)
        bench.case("all rows: a. list", list_page(everyone, None), list_sql([], None, parent))
        bench.case(
            "all rows: c. children",
            children(everyone, root),
            children_sql([], root.path, root.depth),
        )
        bench.case("all rows: d. http list", http(everyone, None), list_sql([], None, parent))

    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"machine: {os.cpu_count()} CPUs, load average {load} (1, 5, 15 min)")
    print()
    bench.print_table()
    missed = [
        r
        for r in bench.results
        if "http" not in r.name
        and not r.name.startswith("all rows")
        and (r.median_ms > TARGET_MS or (r.ratio or 0) > TARGET_RATIO)
    ]
    print()
    if missed:
        print(
            "targets missed (median ≤ 20 ms, ≤ 1.5× raw SQL): " + ", ".join(r.name for r in missed)
        )
    else:
        print("targets met for a–c: median ≤ 20 ms and ≤ 1.5× raw SQL")
    if args.explain:
        for result in bench.results:
            if "http" in result.name:
                continue
            for statement in result.sql:
                print(f"\n-- {result.name}\n{statement}\n{explain(statement)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--orgs", type=int, default=60000, help="minimum organizations in the table"
    )
    parser.add_argument("--runs", type=int, default=30, help="timed runs per case")
    parser.add_argument("--warmup", type=int, default=5, help="untimed runs before timing")
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of a–c")
    parser.add_argument("--fresh", action="store_true", help="drop and rebuild the database")
    parser.add_argument("--skip-stress", action="store_true", help="leave out the all-rows user")
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
