"""Demo people of the demo universities: members, the recruitment pipeline, cadres, a year.

`load_demo(scale)` (called by `dangjian demo` once the tree and the logins exist) fills every
demo university (root code U001 …) with the people its planned branch sizes ask for
(`demo_people`): about 5,700 members per university as in the seed report (students ~55 %,
~20 % of them probationary), a few thousand applicants, activists and candidates, 150 cadres;
and here the last year's history: ~300 internal transfers, ~1,100 arrivals (new graduate
students and staff), ~900 graduates transferred out, a few floating, lost-contact and suspended
members, members who left the party and deaths, each with the timeline events the actions
write.

Rows are inserted directly (COPY on PostgreSQL), timeline and transfers beside them, because
an action per person (a transaction and an audit entry each) would take minutes. Deterministic
per university (dates relative to today). Idempotent: a university that already has people is
skipped whole, each university is one transaction. The demo logins `member` (李华) and
`secretary` (王明) get their own records in their branch.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone

from dangjian.members.choices import (
    MEMBER_CATEGORIES,
    Category,
    EventKind,
    Post,
    Status,
    TransferDirection,
    TransferStatus,
)
from dangjian.members.demo_people import PERSONAS, SEED, Draft, People, new_instance
from dangjian.members.models import Cadre, MemberEvent, Person, Transfer
from dangjian.members.rules import add_months
from dangjian.members.testing import make_id_number
from dangjian.orgs.choices import Kind
from dangjian.orgs.models import Organization

# fmt: off
HISTORY = {"internal": 250, "pending": 8, "floating": 40, "floating_ended": 10, "lost": 8,
           "suspended": 3, "left": 2, "died": 2, "outbound": 900, "new_staff": 120}
DESTINATIONS = ("广东省深圳市（实习）", "北京市海淀区（访学）", "上海市浦东新区（挂职）",
                "湖南省湘西州（支教）", "浙江省杭州市（实习）", "英国伦敦（访问学者）")
EMPLOYERS = ("中共湖南省某某集团有限公司委员会", "中共长沙市岳麓区某某街道工作委员会",
             "中共某某大学委员会", "中共深圳市某某科技有限公司委员会", "中共某某县委组织部")
# fmt: on


# A year of history ---------------------------------------------------------------------


def letter(p: People) -> str:
    p.serial += 1
    return f"{p.today.year}-{p.index:03d}-{p.serial:05d}"


def transfer(
    p: People,
    draft: Draft,
    direction: str,
    issued: date,
    received: date | None,
    source: Organization | None,
    target: Organization | None,
    other: str = "",
) -> None:
    """A transfer with the events issue_transfer / receive_transfer(_from_outside) write."""
    no = letter(p)
    status = TransferStatus.RECEIVED if received else TransferStatus.ISSUED
    item = new_instance(
        Transfer,
        direction=direction,
        status=status,
        from_organization=source,
        to_organization=target,
        other_institution=other,
        letter_no=no,
        issued_on=issued,
        received_on=received,
    )
    draft.transfers.append(item)
    if direction == TransferDirection.INBOUND:
        assert target is not None and received is not None
        draft.events = []  # receive_from_outside writes no registration of its own
        draft.event(
            EventKind.TRANSFER_RECEIVED,
            received,
            f"从{other}转入{target.name}（介绍信{no}）",
            target,
        )
        return
    assert source is not None
    draft.event(
        EventKind.TRANSFER_ISSUED,
        issued,
        f"开具介绍信（{no}），转往{target.name if target else other}",
        source,
    )
    if received:
        summary = f"组织关系转入{target.name}" if target else f"组织关系已转至{other}"
        draft.event(EventKind.TRANSFER_RECEIVED, received, summary, target or source)


def history(p: People) -> None:
    r, today = p.rng, p.today
    year_ago = today - timedelta(days=360)
    quota = HISTORY
    members = [
        d
        for d in p.drafts
        if d.person.category in MEMBER_CATEGORIES
        and d.cadre is None
        and not d.person.staff_no.startswith(f"T{p.index:03d}P")
    ]
    staff = [d for d in members if d.person.post in (Post.PROFESSIONAL, Post.MANAGEMENT)]
    undergraduate = [b for b in p.branches if b.kind == Kind.UNDERGRADUATE]
    # Arrivals: this year's graduate students who are members, and new staff.
    for draft in members:
        if draft.arrival is None:
            continue
        received = draft.arrival
        org = draft.person.organization
        if r.random() < 0.1 and undergraduate:  # went on from our own undergraduate school
            transfer(
                p,
                draft,
                TransferDirection.INTERNAL,
                received - timedelta(days=5),
                received,
                r.choice(undergraduate),
                org,
            )
            draft.events[0].organization = draft.transfers[0].from_organization
        else:
            transfer(
                p,
                draft,
                TransferDirection.INBOUND,
                received - timedelta(days=r.randint(20, 80)),
                received,
                None,
                org,
                "中共某某大学委员会",
            )
    settled = [d for d in members if not d.transfers]
    for draft in r.sample(staff, min(len(staff), quota["new_staff"])):
        if draft.person.category == Category.FULL and not draft.transfers:
            received = p.day(year_ago, today - timedelta(days=1))
            transfer(
                p,
                draft,
                TransferDirection.INBOUND,
                received - timedelta(days=r.randint(5, 40)),
                received,
                None,
                draft.person.organization,
                r.choice(EMPLOYERS),
            )
    settled = [d for d in settled if not d.transfers]
    moving = r.sample(settled, min(len(settled), quota["internal"] + quota["pending"]))
    for number, draft in enumerate(moving):
        person = draft.person
        others = [b for b in p.branches if b.kind == person.organization.kind]
        others = [b for b in others if b != person.organization]
        pending = number < quota["pending"]  # letters issued in the last month, not received
        received = today if pending else p.day(year_ago, today - timedelta(days=1))
        issued = received - timedelta(days=r.randint(1, 14) + 16 * pending)
        if not others or person.joined_on is None or person.joined_on >= issued:
            continue
        other = r.choice(others)
        if pending:
            transfer(p, draft, TransferDirection.INTERNAL, issued, None, person.organization, other)
            continue
        transfer(p, draft, TransferDirection.INTERNAL, issued, received, other, person.organization)
        draft.events[0].organization, person.party_group = other, None
    idle = [d for d in settled if not d.transfers and d.person.post != Post.UNDERGRADUATE]
    picked = iter(
        r.sample(idle, min(len(idle), quota["floating"] + quota["floating_ended"] + quota["lost"]))
    )
    for number in range(quota["floating"] + quota["floating_ended"]):
        draft = next(picked)
        start = p.day(year_ago, today - timedelta(days=100))
        person, place = draft.person, r.choice(DESTINATIONS)
        person.is_floating, person.floating_destination, person.floating_from = (
            True,
            place,
            start,
        )
        person.floating_until = start + timedelta(days=r.randint(180, 365))
        draft.event(EventKind.FLOATING_STARTED, start, f"外出流动至{place}", person.organization)
        if number >= quota["floating"]:
            person.is_floating, person.floating_until = (
                False,
                start + timedelta(days=r.randint(30, 90)),
            )
            draft.event(
                EventKind.FLOATING_ENDED,
                person.floating_until,
                f"结束流动，返回{person.organization.name}",
                person.organization,
            )
    for number in range(quota["lost"]):
        draft, person = (d := next(picked)), d.person
        since = p.day(today - timedelta(days=700), today - timedelta(days=30 if number else 200))
        if number < quota["suspended"]:
            since = p.day(today - timedelta(days=700), today - timedelta(days=220))
        person.lost_contact, person.lost_contact_since = True, since
        draft.event(EventKind.LOST_CONTACT, since, "失去联系", person.organization)
        if number < quota["suspended"]:
            person.status, person.suspended_on = (
                Status.SUSPENDED,
                add_months(since, 6) + timedelta(days=r.randint(0, 20)),
            )
            draft.event(
                EventKind.SUSPENDED,
                person.suspended_on,
                "停止党籍：失去联系超过六个月",
                person.organization,
            )
    departures(p, quota)


def departures(p: People, quota: dict[str, int]) -> None:
    """Graduates transferred out, members who left the party, deaths: off the books now."""
    r, today = p.rng, p.today
    graduation = today.year if today >= date(today.year, 7, 15) else today.year - 1
    graduate = [b for b in p.branches if b.kind == Kind.GRADUATE]
    senior = [
        b for b in p.branches if b.kind == Kind.UNDERGRADUATE and f"{p.latest - 3}级" in b.name
    ]
    for _ in range(quota["outbound"] if graduate and senior else 0):
        issued = min(date(graduation, 6, r.randint(5, 28)), today - timedelta(days=1))
        if r.random() < 0.7:
            branch, post = (
                r.choice(graduate),
                r.choice((Post.MASTER_STUDENT,) * 4 + (Post.DOCTORAL_STUDENT,)),
            )
            enrolled = graduation - (3 if post == Post.MASTER_STUDENT else 4)
        else:
            branch, post, enrolled = r.choice(senior), Post.UNDERGRADUATE, graduation - 4
        category = Category.FULL if r.random() < 0.75 else Category.PROBATIONARY
        draft = p.draft(
            branch, post, category, enrolled=enrolled, join_by=issued - timedelta(days=10)
        )
        if draft.person.category not in MEMBER_CATEGORIES:
            p.drafts.pop()
            continue
        received = min(issued + timedelta(days=r.randint(3, 45)), today)
        transfer(
            p,
            draft,
            TransferDirection.OUTBOUND,
            issued,
            received,
            branch,
            None,
            r.choice(EMPLOYERS),
        )
        draft.person.status, draft.person.off_books_on, draft.person.party_group = (
            Status.TRANSFERRED_OUT,
            received,
            None,
        )
    teachers = [b for b in p.branches if b.kind == Kind.TEACHER]
    retired = [b for b in p.branches if b.kind == Kind.RETIRED] or teachers
    for number in range(quota["left"] + quota["died"]):
        dying = number >= quota["left"]
        branch = r.choice(retired if dying else teachers)
        draft = p.draft(
            branch,
            Post.RETIRED if dying else Post.PROFESSIONAL,
            Category.FULL,
            age=(80, 92) if dying else (30, 45),
        )
        on, person = (
            p.day(today - timedelta(days=330), today - timedelta(days=5)),
            draft.person,
        )
        person.off_books_on = on
        if dying:
            person.status, person.died_on = Status.DECEASED, on
            draft.event(EventKind.DIED, on, "去世", branch)
        else:
            person.status, person.left_on, person.leave_reason = Status.LEFT, on, "lapsed"
            draft.event(EventKind.LEFT, on, "出党（自行脱党）", branch)


# Writing -----------------------------------------------------------------------------------


def seal(draft: Draft) -> None:
    """Encrypt the ID and phone numbers as `Person.set_id_number` / `set_phone` do."""
    draft.person.set_id_number(draft.id_number)
    draft.person.set_phone(draft.phone)


def _unique(drafts: list[Draft], seal: Callable[[Draft], None]) -> None:
    """ID numbers and staff numbers not yet used (here or already in the database)."""
    rng = random.Random(SEED)
    seen: set[str] = set()
    pending = drafts
    while pending:
        hashes = [d.person.id_hash for d in pending]
        taken = {
            h
            for i in range(0, len(hashes), 500)
            for h in Person.objects.filter(id_hash__in=hashes[i : i + 500]).values_list(
                "id_hash", flat=True
            )
        }
        clash = []
        for draft in pending:
            if draft.person.id_hash in taken or draft.person.id_hash in seen:
                old = draft.id_number
                draft.id_number = make_id_number(
                    draft.person.birth_date,
                    draft.person.gender,
                    region=old[:6],
                    serial=rng.randint(0, 499),
                )
                seal(draft)
                clash.append(draft)
            else:
                seen.add(draft.person.id_hash)
        pending = clash
    numbers = [d.person.staff_no for d in drafts]
    taken = {
        n
        for i in range(0, len(numbers), 500)
        for n in Person.objects.filter(staff_no__in=numbers[i : i + 500]).values_list(
            "staff_no", flat=True
        )
    }
    for draft in drafts:
        if draft.person.staff_no in taken:
            draft.person.staff_no = ""


def _insert(model: Any, objects: list[Any]) -> None:
    """Insert rows with primary keys numbered here: COPY on PostgreSQL, executemany elsewhere.

    bulk_create spends most of its time compiling ~40 values per row; the demo writes no other
    rows meanwhile (one command), so taking the next keys from max(pk) is safe.
    """
    if not objects:
        return
    ops, postgres = connection.ops, connection.vendor == "postgresql"
    first = (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
    for offset, obj in enumerate(objects):
        obj.pk = first + offset
    now = ops.adapt_datetimefield_value(timezone.now())
    fields = model._meta.concrete_fields
    convert: list[Callable[[Any], Any] | None] = []
    for item in fields:
        if isinstance(item, models.DateTimeField):
            convert.append(lambda value: now)  # created_at, updated_at, recorded_at
        elif isinstance(item, models.DateField) and not postgres:
            convert.append(lambda value: value.isoformat() if value else None)
        elif isinstance(item, models.JSONField):
            convert.append(json.dumps)
        elif isinstance(item, models.FileField):
            convert.append(lambda value: str(value or ""))
        else:
            convert.append(None)
    rows = [
        [
            f(v) if f else v
            for f, v in zip(convert, (getattr(obj, x.attname) for x in fields), strict=True)
        ]
        for obj in objects
    ]
    columns = ", ".join(ops.quote_name(item.column) for item in fields)
    table = ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        if postgres:
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            for sql in ops.sequence_reset_sql(no_style(), [model]):
                cursor.execute(sql)
        else:
            marks = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)


def write(drafts: list[Draft], seal: Callable[[Draft], None] = seal) -> dict[str, int]:
    """Insert the people with their transfers, cadre records and timelines (one transaction)."""
    for draft in drafts:
        seal(draft)
    _unique(drafts, seal)
    with transaction.atomic():
        _insert(Person, [d.person for d in drafts])
        transfers, cadres, events = [], [], []
        for draft in drafts:
            related: list[Any] = [*draft.events, *draft.transfers]
            for item in [*related, *([draft.cadre] if draft.cadre else [])]:
                item.person_id = draft.person.pk
            transfers += draft.transfers
            cadres += [draft.cadre] if draft.cadre else []
        _insert(Transfer, transfers)
        _insert(Cadre, cadres)
        for draft in drafts:  # transfer events name their transfer, as the actions' do
            for event in draft.events:
                if event.kind.startswith("transfer_") and draft.transfers:
                    event.detail = {"transfer": draft.transfers[-1].pk}
            events += draft.events
        _insert(MemberEvent, events)
    people = [d.person for d in drafts]
    return {
        "人员": len(people),
        "党员": sum(
            p.category in MEMBER_CATEGORIES and p.status in (Status.NORMAL, Status.SUSPENDED)
            for p in people
        ),
        "组织关系转接": len(transfers),
        "干部": len(cadres),
        "时间线": len(events),
    }


def plan_people(index: int, root: Organization, today: date | None = None) -> list[Draft]:
    """The index-th demo university's people, not yet written (the benchmark uses this too)."""
    planner = People(index, today or timezone.localdate())
    drafts = planner.university(root)
    history(planner)
    return drafts


def link_committees(root: Organization) -> int:
    """Name the current branch committees (支委) after full members of their branch, so a
    committee meeting expects real people: the tree is built before the people exist."""
    from dangjian.orgs.choices import BRANCH_LEVELS
    from dangjian.orgs.models import CommitteeMember

    posts = list(
        CommitteeMember.objects.filter(
            term__organization__path__startswith=root.path,
            term__organization__level__in=list(BRANCH_LEVELS),
            term__closed_on__isnull=True,
            ended_on__isnull=True,
            person__isnull=True,
            user__isnull=True,  # the demo logins' posts are linked to their own records
        ).select_related("term")
    )
    branches = {post.term.organization_id for post in posts}
    people: dict[int, list[tuple[int, str]]] = {}
    rows = (
        Person.objects.filter(
            organization_id__in=branches, category=Category.FULL, status=Status.NORMAL
        )
        .order_by("organization_id", "joined_on", "pk")
        .values_list("organization_id", "pk", "name")
    )
    for org_id, pk, name in rows:
        people.setdefault(org_id, []).append((pk, name))
    linked = []
    for post in posts:
        pool = people.get(post.term.organization_id)
        if not pool:
            continue
        post.person_id, post.name = pool.pop(0)
        linked.append(post)
    CommitteeMember.objects.bulk_update(linked, ["person", "name"], batch_size=500)
    return len(linked)


def link_personas() -> int:
    """The demo logins `secretary` and `member` see their own record (self-service page); the
    secretary's post in the branch committee names the record too."""
    from dangjian.accounts.models import User
    from dangjian.orgs.models import CommitteeMember

    linked = 0
    for number, (username, _name, _gender) in enumerate(PERSONAS, start=1):
        person = Person.objects.filter(staff_no=f"T001P{number:04d}").first()
        user = User.objects.filter(username=username).first()
        if person is None or user is None or person.user_id is not None:
            continue
        if Person.objects.filter(user=user).exists():
            continue
        Person.objects.filter(pk=person.pk).update(user=user)
        CommitteeMember.objects.filter(user=user, person__isnull=True).update(person=person)
        linked += 1
    return linked


def load_demo(scale: int = 1) -> dict[str, int]:
    """`dangjian demo` hook: people for demo universities 1..scale that have none yet."""
    started, today = time.monotonic(), timezone.localdate()
    counts = {"人员": 0, "党员": 0, "组织关系转接": 0, "干部": 0, "时间线": 0}
    codes = [f"U{index:03d}" for index in range(1, scale + 1)]
    for root in Organization.objects.filter(depth=1, code__in=codes).order_by("code"):
        if Person.objects.filter(organization__path__startswith=root.path).exists():
            continue
        for name, n in write(plan_people(int(root.code[1:]), root, today)).items():
            counts[name] += n
        counts["支委关联"] = counts.get("支委关联", 0) + link_committees(root)
    counts["账号关联"] = link_personas()
    counts["秒"] = round(time.monotonic() - started) if counts["人员"] else 0
    return counts
