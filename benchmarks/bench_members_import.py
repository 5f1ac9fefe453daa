"""Member import benchmark on PostgreSQL: 100,000 people from one .xlsx, as the web upload does.

    .venv/bin/python benchmarks/bench_members_import.py [--rows 100000] [--errors 0] [--fresh]

Builds (once) one demo university (about 255 branches) in the benchmark database, writes an .xlsx
of `--rows` realistic member rows spread over its branches (in a child process, so its memory
is not counted), then times `run_import(MemberImport, …)`, the code path of the upload page
and of the background job (with a progress callback, as the job has): reading, checking every
row with `clean_person`, duplicate checks in the file and the database, and the bulk write of
people, timeline events and audit. It prints rows/s, the time of each phase, CPU time, peak
memory (max RSS of the process; `--tracemalloc` adds Python's own peak, slowly), and the ratio
to a raw PostgreSQL COPY of the same person rows into a scratch table with the same indexes.
With `--errors N`, N rows are broken and the failure path (checks and the marked error file)
is timed instead. Targets: ≤ 120 s and ≤ 1 GB for 100,000 rows. The database is
`BENCH_IMPORT_DATABASE_URL` (default postgres://postgres@127.0.0.1:5432/dangjian_bench_import):
a database of its own, since every run empties its member tables.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from harness import configure, ensure_database, migrate, text_table

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/dangjian_bench_import"
TARGET_SECONDS = 120.0
TARGET_MB = 1024.0
HEADER = [
    "姓名", "身份证号", "性别", "民族", "出生日期", "学历", "学位", "工号/学号", "所在单位", "岗位",
    "人员类别", "所在党支部", "递交入党申请书日期", "确定为积极分子日期", "确定为发展对象日期",
    "入党日期", "转正日期", "手机号码", "家庭住址", "籍贯", "入学年份", "职称/职务", "备注",
]  # fmt: skip
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国红梅玉兰志强文博思雨子涵浩然欣怡宇轩梓萱一诺晨曦佳琪雅婷俊杰天宇"
PROVINCES = ["110105", "310104", "430102", "430104", "420106", "440106", "510107", "610113"]
CHECK = "10X98765432"
CATEGORIES = ["入党申请人", "入党积极分子", "发展对象", "预备党员", "正式党员"]
TODAY = date.today()
USED: set[str] = set()
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(birth: date, serial: int, male: bool) -> str:
    """A valid, unique number: region, birth date, a serial with the right parity, check char."""
    region = PROVINCES[serial % len(PROVINCES)]
    sequence = (serial // len(PROVINCES)) % 500 * 2 + (1 if male else 0)
    first17 = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return first17 + CHECK[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def plus_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def member_row(i: int, branch: tuple[str, str, str, str], rng: random.Random) -> list[Any]:
    """One realistic row: a teacher, a student or a retiree of the branch's kind."""
    code, name, unit, kind = branch
    student = kind in {"undergraduate", "graduate"}
    retired = kind == "retired"
    if student:
        birth = date(1998, 1, 1) + timedelta(days=rng.randrange(365 * 5))
    elif retired:
        birth = date(1940, 1, 1) + timedelta(days=rng.randrange(365 * 20))
    else:
        birth = date(1960, 1, 1) + timedelta(days=rng.randrange(365 * 35))
    male = rng.random() < 0.55
    number, serial = id_number(birth, i, male), i
    while number in USED:  # same region, birth date and sequence: take the next sequence
        serial += len(PROVINCES)
        number = id_number(birth, serial, male)
    USED.add(number)
    category = rng.choices(CATEGORIES, [5, 10, 5, 10, 70] if student else [2, 2, 1, 3, 92])[0]
    applied = plus_years(birth, 18) + timedelta(days=rng.randrange(30, 700))
    activist = applied + timedelta(days=rng.randrange(60, 200))
    candidate = activist + timedelta(days=rng.randrange(370, 500))
    joined = candidate + timedelta(days=rng.randrange(40, 120))
    converted = plus_years(joined, 1) + timedelta(days=rng.randrange(0, 30))
    reached = CATEGORIES.index(category)
    steps = [applied, activist, candidate, joined, converted]
    dates: list[Any] = [d if k <= reached and d <= TODAY else None for k, d in enumerate(steps)]
    category = CATEGORIES[max(k for k, d in enumerate(dates) if d is not None)]
    name_text = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))
    return [
        name_text,
        number,
        "男" if male else "女",
        "汉族" if rng.random() < 0.92 else rng.choice(["回族", "土家族", "苗族", "壮族", "满族"]),
        birth if rng.random() < 0.7 else None,
        rng.choice(["博士研究生", "硕士研究生", "大学本科"]) if not student else "大学本科",
        rng.choice(["博士", "硕士", "学士"]),
        f"{'S' if student else 'T'}{i:07d}",
        unit,
        ("本科生" if kind == "undergraduate" else "硕士研究生")
        if student
        else ("离退休人员" if retired else rng.choice(["专业技术人员", "管理人员"])),
        category,
        code if rng.random() < 0.9 else name,
        *dates,
        f"1{rng.choice('3578')}{rng.randrange(10**9):09d}",
        f"湖南省长沙市岳麓区麓山南路{rng.randrange(1, 999)}号",
        rng.choice(["湖南长沙", "湖南湘潭", "湖北武汉", "江西南昌", "广东广州"]),
        birth.year + 18 if student else None,
        rng.choice(["教授", "副教授", "讲师", "研究员", "工程师", ""]) if not student else "",
        "",
    ]


def generate(
    path: str,
    rows: int,
    errors: int,
    branches: list[tuple[str, str, str, str]],
    inline: bool = False,
) -> None:
    """Write the workbook (write-only mode: rows streamed to disk), then, unless `inline`,
    move its strings into a shared-strings table as Excel and WPS save them."""
    from openpyxl import Workbook

    rng = random.Random(20260701)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("人员")
    sheet.append(HEADER)
    broken = set(rng.sample(range(rows), errors)) if errors else set()
    for i in range(rows):
        row = member_row(i, branches[i % len(branches)], rng)
        if i in broken:
            row[1] = row[1][:17] + ("0" if row[1][17] != "0" else "1")  # a wrong check char
        sheet.append(row)
    book.save(path)
    if not inline:
        share_strings(path)


INLINE = re.compile(r'<c r="([A-Z]+\d+)"( s="\d+")? t="inlineStr"><is><t>(.*?)</t></is></c>', re.S)
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SST_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
SST_CONTENT = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


def share_strings(path: str) -> None:
    """Rewrite openpyxl's inline strings as a shared-strings table (what Excel writes)."""
    import zipfile

    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    index: dict[str, int] = {}

    def shared(match: re.Match[str]) -> str:
        number = index.setdefault(match.group(3), len(index))
        return f'<c r="{match.group(1)}"{match.group(2) or ""} t="s"><v>{number}</v></c>'

    parts[sheet] = INLINE.sub(shared, parts[sheet].decode()).encode()
    items = "".join(f"<si><t>{text}</t></si>" for text in index)
    parts["xl/sharedStrings.xml"] = (
        f'<sst xmlns="{MAIN}" count="{len(index)}" uniqueCount="{len(index)}">{items}</sst>'
    ).encode()
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    relation = f'<Relationship Id="rIdSst" Type="{SST_TYPE}" Target="sharedStrings.xml"/>'
    parts["xl/_rels/workbook.xml.rels"] = rels.replace(
        "</Relationships>", relation + "</Relationships>"
    ).encode()
    types = parts["[Content_Types].xml"].decode()
    override = f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SST_CONTENT}"/>'
    parts["[Content_Types].xml"] = types.replace("</Types>", override + "</Types>").encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def reset_people() -> None:
    """Remove people of an earlier run (the benchmark database only)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE members_memberevent, members_correctionrequest, members_transfer, "
            "members_cadre, members_person RESTART IDENTITY CASCADE"
        )


def bench_user() -> Any:
    from dangjian.accounts.models import RoleGrant, User
    from dangjian.core.roles import RoleKind
    from dangjian.orgs.models import Organization

    root = Organization.objects.filter(depth=1).order_by("path").first()
    user, _ = User.objects.get_or_create(
        username="bench_importer", defaults={"display_name": "导入"}
    )
    if not RoleGrant.objects.filter(user=user, organization=root).exists():
        RoleGrant.objects.create(user=user, role=RoleKind.UNIVERSITY_STAFF, organization=root)
    return user, root


def raw_copy_seconds(table: str, columns: list[str]) -> tuple[float, int]:
    """COPY the rows the import wrote into a scratch copy of `table` (same indexes)."""
    from django.db import connection

    raw = connection.connection
    names = ", ".join(columns)
    with raw.cursor() as cursor:
        cursor.execute(f"SELECT {names} FROM {table} ORDER BY id")
        rows = cursor.fetchall()
        cursor.execute("DROP TABLE IF EXISTS bench_scratch")
        cursor.execute(f"CREATE TABLE bench_scratch (LIKE {table} INCLUDING ALL)")
    raw.commit()
    started = time.perf_counter()
    with raw.cursor() as cursor, cursor.copy(f"COPY bench_scratch ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
    raw.commit()
    seconds = time.perf_counter() - started
    with raw.cursor() as cursor:
        cursor.execute("DROP TABLE bench_scratch")
    raw.commit()
    return seconds, len(rows)


def run(args: argparse.Namespace) -> int:
    url = os.environ.get("BENCH_IMPORT_DATABASE_URL", DEFAULT_URL)
    ensure_database(url, fresh=args.fresh)
    configure(url)
    migrate()
    from django.db import connection

    from dangjian.core.io.importer import MARKING, WRITING, run_import
    from dangjian.core.models import AuditEvent
    from dangjian.members.importers import MemberImport
    from dangjian.members.models import MemberEvent, Person
    from dangjian.orgs.demo import build_demo_tree
    from dangjian.orgs.models import Organization

    if not Organization.objects.filter(depth=1).exists():
        build_demo_tree(1)
    user, root = bench_user()
    branches = list(
        Organization.objects.filter(path__startswith=root.path, level="branch", status="active")
        .order_by("path")
        .values_list("code", "name", "unit", "kind")
    )
    reset_people()
    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "党员名册.xlsx")
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, __file__, "--generate", path, "--rows", str(args.rows),
             "--errors", str(args.errors), "--branches", repr(branches),
             *(["--inline-strings"] if args.inline_strings else [])],
            check=True,
        )  # fmt: skip
        size = os.path.getsize(path)
        strings = "inline strings" if args.inline_strings else "shared strings"
        print(
            f"dataset: {args.rows:,} rows over {len(branches)} branches of {root.name}; "
            f"{size / 1048576:.1f} MB .xlsx ({strings}) written in "
            f"{time.perf_counter() - started:.1f} s"
        )
        if args.tracemalloc:
            import tracemalloc

            tracemalloc.start()
        phases: dict[str, tuple[float, float]] = {}

        def progress(phase: str, done: int, total: int | None) -> None:
            phases.setdefault(phase, (time.perf_counter(), cpu_seconds()))

        audit_before = (
            AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
        )
        rss_before = max_rss_mb()
        cpu_before = cpu_seconds()
        started = time.perf_counter()
        with open(path, "rb") as handle:
            result = run_import(
                MemberImport, handle, user, "create", file_name="党员名册.xlsx", progress=progress
            )
        seconds = time.perf_counter() - started
        cpu = cpu_seconds() - cpu_before
        peak = max_rss_mb()
        traced = tracemalloc.get_traced_memory()[1] / 1048576 if args.tracemalloc else None
    written = Person.objects.count()
    events = MemberEvent.objects.filter(kind="registered").count()
    audit = AuditEvent.objects.filter(seq__gt=audit_before)
    end = (started + seconds, cpu_before + cpu)
    switch, switch_cpu = phases.get(WRITING) or phases.get(MARKING) or end
    checked, checked_cpu = switch - started, switch_cpu - cpu_before
    print(
        f"result: ok={result.ok} created={result.created:,} errors={len(result.errors):,} "
        f"people={written:,} events={events:,}; audit entries written: {audit.count()} "
        f"({', '.join(sorted(set(audit.values_list('action', flat=True))))})"
    )
    second = "  write s" if result.ok else "  error file s"
    table = [
        ["rows", f"{args.rows:,}"],
        ["import (run_import) s", f"{seconds:.1f} (CPU {cpu:.1f})"],
        ["  read + check s", f"{checked:.1f} (CPU {checked_cpu:.1f})"],
        [second, f"{seconds - checked:.1f} (CPU {cpu - checked_cpu:.1f})"],
        ["rows/s", f"{args.rows / seconds:,.0f}"],
        ["peak RSS MB (before import)", f"{peak:.0f} ({rss_before:.0f})"],
    ]
    if traced is not None:
        table.append(["tracemalloc peak MB", f"{traced:.0f}"])
    if result.error_file is not None:
        table.append(["error file MB", f"{len(result.error_file) / 1048576:.1f}"])
    if result.ok:
        columns = [field.column for field in Person._meta.concrete_fields if field.column != "id"]
        copy_seconds, copied = raw_copy_seconds("members_person", columns)
        event_columns = [f.column for f in MemberEvent._meta.concrete_fields if f.column != "id"]
        event_seconds, _ = raw_copy_seconds("members_memberevent", event_columns)
        table += [
            ["raw COPY people s", f"{copy_seconds:.1f} ({copied:,} rows)"],
            ["raw COPY people + events s", f"{copy_seconds + event_seconds:.1f}"],
            ["ratio import / COPY people", f"{seconds / copy_seconds:.1f}×"],
            [
                "ratio import / COPY people + events",
                f"{seconds / (copy_seconds + event_seconds):.1f}×",
            ],
        ]
    print(text_table(["figure", "value"], table))
    load = os.getloadavg()
    print(
        f"targets: ≤ {TARGET_SECONDS:.0f} s {'met' if seconds <= TARGET_SECONDS else 'MISSED'}, "
        f"≤ {TARGET_MB:.0f} MB {'met' if peak <= TARGET_MB else 'MISSED'}; "
        f"machine: {os.cpu_count()} CPUs, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}; "
        f"PostgreSQL {connection.pg_version // 10000}"
    )
    if not args.keep:
        reset_people()
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--errors", type=int, default=0, help="rows with a wrong ID check char")
    parser.add_argument("--fresh", action="store_true", help="drop and rebuild the database")
    parser.add_argument("--keep", action="store_true", help="keep the imported people")
    parser.add_argument("--tracemalloc", action="store_true", help="also trace Python's heap")
    parser.add_argument(
        "--inline-strings",
        action="store_true",
        help="keep openpyxl's inline strings (default: a shared-strings table, as Excel saves)",
    )
    parser.add_argument("--generate", help=argparse.SUPPRESS)
    parser.add_argument("--branches", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate:
        import ast

        generate(
            args.generate,
            args.rows,
            args.errors,
            ast.literal_eval(args.branches),
            inline=args.inline_strings,
        )
        return 0
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
