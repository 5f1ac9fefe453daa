"""Appraisal benchmark on PostgreSQL: secret ballots over HTTP, and counting 100,000 ballots.

    .venv/bin/python benchmarks/bench_appraisals.py [--servers sync:3,gthread:2x4]
        [--duration 15] [--connections 8] [--ballots 100000] [--skip-http] [--skip-count]
        [--profile] [--fresh]

Builds (once) in its own database the demo university (`orgs.demo`, `members.demo`), picks the
branch whose graded members are closest to 25 and sets up `--campaigns` member appraisals of it
(25 grade answers and a comment per ballot), each with `--codes` printed codes and the first
`--voters` members of the university as voters, every one with an account and a bearer token.

  a. HTTP       gunicorn serves `dangjian.wsgi` with production settings (bench_settings) and
                wrk (bench_appraisals.lua) sends, per server configuration: GET /bench/ok (the
                minimal view, same process), POST /api/v1/appraisals/code-ballot (codes) and
                POST /api/v1/appraisals/campaigns/{id}/ballot (members, Bearer token). Every
                request casts a different voter's ballot, apart from a few repeats (a voter
                voting again), which must be refused. Target ≥ 500 ballots/s.
  b. counting   `counting.count` and `counting.recount` over 100,000 stored ballots of one
                campaign (median of 3). Target ≤ 5 s.

After each ballot run the database is checked: ballots stored == 2xx answers == voters and
codes marked voted, and every repeat refused. Prints figures and ratios; never asserts.
See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from harness import configure, ensure_database, text_table
from harness import migrate as migrate_database

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/dangjian_bench_appraisals"
HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# The server and this process must share the keys (codes are found by their keyed hash).
SECRET = "bench-appraisals-secret-key-not-for-production-0123456789abcdef"
TITLE = "基准测试：民主评议党员（第%d组）"
COUNT_TITLE = "基准测试：计票10万张"
TARGET_RATE = 500.0
TARGET_COUNT_S = 5.0
GRADES = [("excellent", 25), ("qualified", 65), ("basic", 8), ("unqualified", 2)]
COMMENTS = [
    "希望支部多组织理论学习和志愿服务活动，发挥党员先锋模范作用。",
    "全体党员表现良好，建议加强对青年党员的培养。",
    "支部工作扎实，组织生活规范，建议进一步创新活动形式。",
    "无。",
]


def reachable(url: str) -> str:
    """'' when the PostgreSQL server answers, else why not."""
    from urllib.parse import urlparse

    import psycopg

    try:
        with psycopg.connect(urlparse(url)._replace(path="/postgres").geturl(), connect_timeout=3):
            return ""
    except psycopg.OperationalError as error:
        return str(error).strip().splitlines()[0]


def bench_token(user_id: int) -> str:
    """A bench voter's bearer token (deterministic, so later runs reuse the stored hashes)."""
    return hashlib.sha256(f"{SECRET}:token:{user_id}".encode()).hexdigest()[:43]


def branch_of_25(root: Any) -> Any:
    """The branch of `root` whose full (graded) members number closest to 25."""
    from django.db.models import Count

    from dangjian.members.choices import Category
    from dangjian.members.models import Person
    from dangjian.orgs.choices import Level
    from dangjian.orgs.models import Organization

    sizes = (
        Person.objects.members()
        .within(root)
        .filter(organization__level=Level.BRANCH, category=Category.FULL)
        .values("organization")
        .annotate(n=Count("pk"))
    )
    best = min(sizes, key=lambda row: (abs(row["n"] - 25), row["organization"]))
    return Organization.objects.get(pk=best["organization"])


def voter_accounts(root: Any, limit: int) -> list[Any]:
    """The first `limit` members of the university, each with a member account and a token."""
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone

    from dangjian.accounts.models import ApiToken, RoleGrant, User, hash_token
    from dangjian.core.roles import RoleKind
    from dangjian.members.models import Person

    people = list(Person.objects.members().within(root).order_by("pk")[:limit])
    missing = [p for p in people if p.user_id is None]
    if missing:
        User.objects.bulk_create(
            User(username=f"bench_voter_{p.pk}", display_name=p.name, password="!bench")
            for p in missing
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE members_person p SET user_id = u.id FROM accounts_user u "
                "WHERE u.username = 'bench_voter_' || p.id AND p.id = ANY(%s)",
                [[p.pk for p in missing]],
            )
        people = list(Person.objects.filter(pk__in=[p.pk for p in people]).order_by("pk"))
        granted = set(RoleGrant.objects.values_list("user_id", flat=True))
        RoleGrant.objects.bulk_create(
            RoleGrant(user_id=p.user_id, role=RoleKind.MEMBER, organization_id=p.organization_id)
            for p in people
            if p.user_id not in granted
        )
    have = set(ApiToken.objects.values_list("user_id", flat=True))
    expires = timezone.now() + timedelta(days=365)
    ApiToken.objects.bulk_create(
        ApiToken(
            user_id=p.user_id,
            prefix=bench_token(p.user_id)[:8],
            key_hash=hash_token(bench_token(p.user_id)),
            expires_at=expires,
        )
        for p in people
        if p.user_id not in have
    )
    ApiToken.objects.filter(user__in=[p.user_id for p in people]).update(expires_at=expires)
    return people


def campaigns(branch: Any, voters: list[Any], number: int, codes: int) -> list[Any]:
    """`number` member appraisals of the branch, voting open, with voters and codes."""
    from datetime import timedelta

    from django.utils import timezone

    from dangjian.appraisals import actions
    from dangjian.appraisals.choices import Phase
    from dangjian.appraisals.models import Campaign
    from dangjian.appraisals.testing import make_campaign

    found = []
    for n in range(1, number + 1):
        campaign = Campaign.objects.filter(title=TITLE % n).first()
        if campaign is None:
            campaign = make_campaign(branch, voters="", open_voting=False, title=TITLE % n)
            actions.add_voters(campaign, people=voters, acting_user=None)
            actions.generate_codes(campaign, codes, acting_user=None)
            actions.open_voting(campaign, acting_user=None)
        found.append(campaign)
    now = timezone.now()  # later runs: keep the window open (bench data, not a user's action)
    Campaign.objects.filter(pk__in=[c.pk for c in found]).update(
        phase=Phase.VOTING, opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=2)
    )
    return list(Campaign.objects.filter(pk__in=[c.pk for c in found]).order_by("pk"))


def reset(box: list[Any]) -> None:
    """Empty the ballot boxes and un-mark voters and codes; tokens count as just used (the
    member opened the ballot page with the same token before submitting)."""
    from django.utils import timezone

    from dangjian.accounts.models import ApiToken
    from dangjian.appraisals.models import Ballot, VoteCode, Voter

    Ballot.objects.filter(campaign__in=box).delete()
    Voter.objects.filter(campaign__in=box, has_voted=True).update(has_voted=False)
    VoteCode.objects.filter(campaign__in=box, used=True).update(used=False)
    ApiToken.objects.filter(user__username__startswith="bench_voter_").update(
        last_used_at=timezone.now()
    )


def random_answers(campaign: Any, rng: random.Random) -> dict[str, Any]:
    """A realistic ballot: a grade for each graded subject and a general comment."""
    from dangjian.appraisals.questionnaire import answer_key, ballot_items

    questions = list(campaign.questions.all())
    subjects = list(campaign.subjects.all())
    answers: dict[str, Any] = {}
    codes, weights = zip(*GRADES, strict=True)
    for subject, question in ballot_items(questions, subjects):
        key = answer_key(subject.pk if subject else None, question.pk)
        if question.kind == "grade":
            answers[key] = rng.choices(codes, weights)[0]
        elif question.kind == "comment" and subject is None:
            answers[key] = rng.choice(COMMENTS)
    return answers


def request_file(box: list[Any], kind: str, repeat_every: int, threads: int) -> tuple[Path, int]:
    """Lines for wrk: one ballot per code (kind 'code') or per voter and campaign ('member'),
    campaigns interleaved; every `repeat_every`-th line repeats a ballot the same wrk thread
    sent 50 requests earlier. Returns the file and the number of repeats written."""
    from dangjian.appraisals.actions import reveal_code
    from dangjian.appraisals.models import VoteCode, Voter

    rng = random.Random(6)
    per_campaign: list[list[str]] = []
    for campaign in box:
        bodies = [json.dumps(random_answers(campaign, rng), ensure_ascii=False) for _ in range(50)]
        lines = []
        if kind == "code":
            for n, slip in enumerate(VoteCode.objects.filter(campaign=campaign)):
                body = json.loads(bodies[n % 50])
                payload = json.dumps(
                    {"code": reveal_code(slip), "answers": body}, ensure_ascii=False
                )
                lines.append(f"POST\t/api/v1/appraisals/code-ballot\t\t{payload}")
        else:
            path = f"/api/v1/appraisals/campaigns/{campaign.pk}/ballot"
            users = Voter.objects.filter(campaign=campaign).values_list(
                "person__user_id", flat=True
            )
            for n, user_id in enumerate(users):
                payload = f'{{"answers": {bodies[n % 50]}}}'
                lines.append(f"POST\t{path}\t{bench_token(user_id)}\t{payload}")
        rng.shuffle(lines)
        per_campaign.append(lines)
    ordered = [line for group in zip(*per_campaign, strict=False) for line in group]
    out: list[str] = []
    repeats = 0
    for line in ordered:
        out.append(line + "\t")
        if repeat_every and len(out) % repeat_every == 0 and len(out) > 50 * threads:
            out.append(out[-50 * threads][:-1] + "\t1")  # same thread slice, 50 requests back
            repeats += 1
    with tempfile.NamedTemporaryFile("w", suffix=f"-{kind}.tsv", delete=False) as handle:
        handle.write("\n".join(out) + "\n")
    return Path(handle.name), repeats


class Server:
    """gunicorn with the dangjian WSGI app under production settings (bench_settings)."""

    def __init__(self, spec: str, url: str, port: int) -> None:
        kind, _colon, shape = spec.partition(":")
        workers, _x, threads = shape.partition("x")
        self.spec, self.port = spec, port
        command = [
            str(ROOT / ".venv/bin/gunicorn"),
            "dangjian.wsgi:application",
            f"--bind=127.0.0.1:{port}",
            f"--workers={workers or 2}",
            f"--worker-class={kind}",
            f"--pythonpath={HERE},{ROOT / 'src'}",
            "--backlog=2048",
            "--log-level=warning",
        ]
        if kind == "gthread":
            command.append(f"--threads={threads or 4}")
        env = dict(os.environ)
        env.update(
            DJANGO_SETTINGS_MODULE="bench_settings",
            DATABASE_URL=url,
            DANGJIAN_ENV="production",
            DANGJIAN_DEBUG="0",
            DANGJIAN_SSL_REDIRECT="0",
            DANGJIAN_SECRET_KEY=SECRET,
        )
        self.process = subprocess.Popen(command, env=env, cwd=HERE)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/ok", timeout=1).read()
                return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"gunicorn {spec} did not answer on port {port}")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def cpu_jiffies() -> tuple[int, int, int]:
    """(busy, steal, all) clock ticks of the whole machine so far (/proc/stat; zeros elsewhere).

    Busy counts every process: server, PostgreSQL, wrk. Steal is time the hypervisor gave the
    virtual CPUs to other guests, which lowers rates on a shared machine without costing us.
    """
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n")[0].split()[1:9]]
    except (OSError, ValueError):
        return 0, 0, 0
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    return user + nice + system + irq + softirq, steal, sum(fields)


def process_jiffies() -> dict[str, int]:
    """CPU clock ticks used so far by the server (python) and PostgreSQL processes (wrk's own
    are not readable: it has exited when the run ends)."""
    used: dict[str, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        name = text[text.index("(") + 1 : text.rindex(")")]
        fields = text[text.rindex(")") + 2 :].split()
        kind = "python" if name.startswith(("python", "gunicorn")) else name.split(":")[0]
        if kind in ("python", "postgres"):
            used[kind] = used.get(kind, 0) + int(fields[11]) + int(fields[12])
    return used


def wrk(port: int, args: argparse.Namespace, seconds: float, requests: Path | None) -> dict:
    """One wrk run; the figures its Lua script prints as JSON, and the CPU it took."""
    command = ["wrk", f"-t{args.wrk_threads}", f"-c{args.connections}", f"-d{int(seconds)}s"]
    command += ["--timeout=10s", "-s", str(HERE / "bench_appraisals.lua")]
    command += [f"http://127.0.0.1:{port}", "--"]
    if requests is None:
        ok = Path(tempfile.gettempdir()) / "bench_appraisals_ok.tsv"
        ok.write_text("GET\t/bench/ok\t\t\t\n" * 1)
        command += [str(ok), str(args.wrk_threads)]
    else:
        command += [str(requests), str(args.wrk_threads)]
    before, parts_before = cpu_jiffies(), process_jiffies()
    done = subprocess.run(command, capture_output=True, text=True)
    after, parts_after = cpu_jiffies(), process_jiffies()
    if done.returncode:
        raise RuntimeError(f"wrk failed: {done.stderr or done.stdout}")
    output = done.stdout
    line = next(line for line in output.splitlines() if line.startswith("BENCHJSON "))
    figures = json.loads(line.removeprefix("BENCHJSON "))
    if requests is None:  # the minimal view: every request is the fallback GET /bench/ok
        figures["exhausted"] = 0
    figures["rate"] = figures["requests"] / figures["seconds"]
    busy, steal, every = (b - a for a, b in zip(before, after, strict=True))
    tick_ms = 1000 / os.sysconf("SC_CLK_TCK")
    figures["cpu_ms"] = busy * tick_ms / max(1, figures["requests"])
    figures["steal"] = steal / every if every else 0.0
    figures["cpu_parts"] = {
        name: (parts_after.get(name, 0) - parts_before.get(name, 0))
        * tick_ms
        / max(1, figures["requests"])
        for name in ("python", "postgres")
    }
    return figures


def check(box: list[Any], run: dict, in_flight: int) -> str:
    """Ballots stored == voters and codes marked; 2xx answers == stored, but for the requests
    wrk left in flight when it stopped (at most one per connection); every repeat refused."""
    from dangjian.appraisals.models import Ballot, VoteCode, Voter

    time.sleep(2)  # let the server finish what wrk left in flight
    stored = Ballot.objects.filter(campaign__in=box).count()
    marked = Voter.objects.filter(campaign__in=box, has_voted=True).count()
    marked += VoteCode.objects.filter(campaign__in=box, used=True).count()
    statuses = {int(k): v for k, v in run["statuses"].items()}
    ok = sum(v for k, v in statuses.items() if 200 <= k < 300)
    refused = statuses.get(422, 0)
    fine = stored == marked and ok <= stored <= ok + in_flight and not run["exhausted"]
    fine = fine and refused <= run["repeats"] <= refused + in_flight
    verdict = "consistent" if fine else "INCONSISTENT"
    return (
        f"{verdict}: {stored} ballots stored = {marked} voters/codes marked voted; {ok} answered "
        f"2xx ({stored - ok} cast while wrk stopped); {run['repeats']} repeat votes sent, "
        f"{refused} refused (422); statuses {statuses}; "
        f"{run['exhausted']} requests past the prepared ballots"
    )


def http(args: argparse.Namespace, url: str, box: list[Any]) -> None:
    """Every server configuration: minimal view, code ballots, member ballots."""
    files = {}
    for kind in ("code", "member"):
        files[kind] = request_file(box, kind, args.repeat_every, args.wrk_threads)
        print(f"  prepared {kind} ballots: {files[kind][0]} ({files[kind][1]} repeats)")
    rows: list[list[str]] = []
    notes: list[str] = []
    for number, spec in enumerate(args.servers.split(",")):
        server = Server(spec.strip(), url, args.port + number)
        try:
            wrk(server.port, args, 3, None)  # warm up workers, connections and caches
            reset(box)
            runs = {"minimal view GET /bench/ok": wrk(server.port, args, args.duration, None)}
            for kind, label in (("code", "code ballot"), ("member", "member ballot (token)")):
                reset(box)
                run = wrk(server.port, args, args.duration, files[kind][0])
                runs[label] = run
                notes.append(f"{spec} {label}: {check(box, run, args.connections)}")
        finally:
            server.stop()
        floor = runs["minimal view GET /bench/ok"]["rate"]
        for label, run in runs.items():
            statuses = {int(k): v for k, v in run["statuses"].items()}
            good = sum(v for k, v in statuses.items() if 200 <= k < 300)
            rate = good / run["seconds"] if "ballot" in label else run["rate"]
            errors = run["requests"] - good - statuses.get(422, 0) + run["socket_errors"]
            rows.append(
                [
                    spec,
                    label,
                    f"{rate:,.0f}",
                    f"{run['p50_ms']:.1f}",
                    f"{run['p95_ms']:.1f}",
                    str(errors),
                    f"{floor / rate:.2f}×" if "ballot" in label else "1.00×",
                    f"{rate / TARGET_RATE:.2f}×" if "ballot" in label else "—",
                    f"{run['cpu_ms']:.2f}",
                    " / ".join(f"{run['cpu_parts'][n]:.2f}" for n in ("python", "postgres")),
                    f"{run['steal']:.0%}",
                ]
            )
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"\nmachine: {os.cpu_count()} CPUs, load average {load} (1, 5, 15 min)")
    print(f"wrk: {args.wrk_threads} threads, {args.connections} connections, {args.duration} s\n")
    header = ["server", "case", "per s", "p50 ms", "p95 ms", "errors", "cost vs minimal"]
    print(
        text_table(
            [*header, "vs 500/s target", "CPU ms/request", "of it server / PG", "steal"],
            rows,
        )
    )
    print(
        "\nCPU ms/request: all processes (server, PostgreSQL, wrk) per request answered, and"
        " of it the server's and PostgreSQL's;"
        " steal: share of the virtual CPUs' time the hypervisor gave to other guests."
    )
    print()
    for note in notes:
        print(note)
    for path, _repeats in files.values():
        path.unlink()


def counting_bench(branch: Any, number: int) -> None:
    """counting.count and recount over `number` stored ballots of one campaign."""
    import secrets

    from django.db import connection

    from dangjian.appraisals import counting
    from dangjian.appraisals.models import Ballot, Campaign, Tally
    from dangjian.appraisals.testing import make_campaign

    campaign = Campaign.objects.filter(title=COUNT_TITLE).first()
    if campaign is None:
        campaign = make_campaign(branch, title=COUNT_TITLE)
    if Ballot.objects.filter(campaign=campaign).count() != number:
        started = time.monotonic()
        Ballot.objects.filter(campaign=campaign).delete()
        rng = random.Random(100_000)
        variants = [random_answers(campaign, rng) for _ in range(500)]
        for start in range(0, number, 5000):
            Ballot.objects.bulk_create(
                Ballot(
                    campaign=campaign,
                    answers=variants[rng.randrange(500)],
                    receipt_hash=hashlib.sha256(secrets.token_bytes(16)).hexdigest(),
                )
                for _ in range(min(5000, number - start))
            )
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE appraisals_ballot")
        print(f"  stored {number:,} ballots in {time.monotonic() - started:.1f} s")
    answers = len(Ballot.objects.filter(campaign=campaign).first().answers)  # type: ignore[union-attr]
    timings: dict[str, list[float]] = {"count": [], "recount": []}
    for _ in range(3):
        started = time.perf_counter()
        counted = counting.count(campaign)
        timings["count"].append(time.perf_counter() - started)
        started = time.perf_counter()
        same = counting.recount(campaign)
        timings["recount"].append(time.perf_counter() - started)
    tallies = Tally.objects.filter(campaign=campaign).count()
    print(
        f"\ncounting: {counted:,} ballots of {answers} answers each → {tallies} tallies; "
        f"recount reproduces the count: {same}"
    )
    rows = []
    for name, samples in timings.items():
        median = statistics.median(samples)
        rows.append(
            [
                f"counting.{name}",
                f"{median:.2f}",
                f"{min(samples):.2f}",
                f"{max(samples):.2f}",
                f"{counted / median:,.0f}",
                f"{median / TARGET_COUNT_S:.2f}×",
            ]
        )
    header = ["case", "median s", "min s", "max s", "ballots/s", "vs 5 s target"]
    print(text_table(header, rows))


def profile(box: list[Any], runs: int = 600) -> None:
    """In process (test client, no network): queries of one vote, and where its time goes."""
    import cProfile
    import io
    import pstats

    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    settings.ROOT_URLCONF = os.environ.get("BENCH_URLCONF", "bench_urls")
    client = Client()
    started, cpu = time.perf_counter(), time.process_time()
    for _ in range(runs):
        client.get("/bench/ok")
    print(
        f"minimal view in process: {(time.perf_counter() - started) / runs * 1000:.2f} ms,"
        f" {(time.process_time() - cpu) / runs * 1000:.2f} ms CPU"
    )
    for kind in ("code", "member"):
        reset(box)
        path, _repeats = request_file(box, kind, 0, 1)
        lines = path.read_text().splitlines()[: runs + 1]
        path.unlink()

        def send(line: str) -> int:
            _method, url, token, body, _again = line.split("\t")
            extra = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
            return client.post(url, body, content_type="application/json", **extra).status_code

        with CaptureQueriesContext(connection) as captured:
            status = send(lines[0])
        print(f"\n{kind} ballot: HTTP {status}, {len(captured)} queries:")
        for query in captured.captured_queries:
            print(f"  {query['sql'][:150]}")
        half = len(lines) // 2
        started, cpu = time.perf_counter(), time.process_time()
        for line in lines[1:half]:
            send(line)
        plain = (time.perf_counter() - started) / max(1, half - 1) * 1000
        cpu_ms = (time.process_time() - cpu) / max(1, half - 1) * 1000
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        for line in lines[half:]:
            send(line)
        profiler.disable()
        elapsed = (time.perf_counter() - started) / max(1, len(lines) - half) * 1000
        print(
            f"{kind} ballot in process: {plain:.2f} ms per vote, {cpu_ms:.2f} ms of it this"
            f" process's CPU ({elapsed:.2f} ms under the profiler); top functions (cumulative):"
        )
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(30)
        stats.sort_stats("tottime").print_stats(20)
        print(out.getvalue())
    reset(box)


def run(args: argparse.Namespace) -> int:
    url = os.environ.get("BENCH_APPRAISALS_DATABASE_URL", DEFAULT_URL)
    problem = reachable(url)
    if problem:
        print(f"skipped: PostgreSQL at {url} is not reachable ({problem})")
        return 0
    os.environ["DANGJIAN_SECRET_KEY"] = SECRET
    ensure_database(url, fresh=args.fresh)
    configure(url)
    migrate_database()

    from dangjian.members import demo as member_demo
    from dangjian.orgs import demo as org_demo
    from dangjian.orgs.models import Organization

    started = time.monotonic()
    org_demo.build_demo_tree(1)
    member_demo.load_demo(1)
    root = Organization.objects.get(code="U001")
    branch = branch_of_25(root)
    voters = voter_accounts(root, args.voters)
    box = campaigns(branch, voters, args.campaigns, args.codes)
    graded = box[0].subjects.filter(graded=True).count()
    print(
        f"dataset (built/checked in {time.monotonic() - started:.0f} s): branch {branch.name} "
        f"with {graded} graded subjects; {len(box)} campaigns × {len(voters)} member voters "
        f"and {args.codes} codes"
    )
    if args.profile:
        profile(box)
    if not args.skip_http:
        http(args, url, box)
    if not args.skip_count:
        counting_bench(branch, args.ballots)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--servers",
        default="sync:3,gthread:2x4",
        help="gunicorn configurations, comma-separated: sync:<workers>, gthread:<workers>x<threads>",
    )
    parser.add_argument("--duration", type=int, default=15, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections")
    parser.add_argument("--wrk-threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--port", type=int, default=8765, help="first server port")
    parser.add_argument("--campaigns", type=int, default=8, help="campaigns receiving ballots")
    parser.add_argument("--voters", type=int, default=3000, help="member voters per campaign")
    parser.add_argument("--codes", type=int, default=2000, help="codes per campaign")
    parser.add_argument("--repeat-every", type=int, default=100, help="a repeat vote every N")
    parser.add_argument("--ballots", type=int, default=100_000, help="ballots to count")
    parser.add_argument("--skip-http", action="store_true", help="leave out the HTTP runs")
    parser.add_argument("--skip-count", action="store_true", help="leave out counting")
    parser.add_argument("--profile", action="store_true", help="queries and profile of a vote")
    parser.add_argument("--fresh", action="store_true", help="drop and rebuild the database")
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
