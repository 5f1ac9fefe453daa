"""The demo university: a synthetic organization tree at the seed report's scale.

The seed (a real university's annual record) counts 29 grassroots committees and general
branches, 255 branches and 5,703 members. `build_demo_tree(scale)` creates `scale` such
universities, each the root of its own tree, side by side as a province's universities would
be in one deployment: the table grows with the scale while every subtree a user sees keeps a
realistic size (a university ≈ 400 organizations, a committee ≈ 10-40).

Paths are computed here (steplen 4, alphabet 0-9A-Z, as treebeard would) and rows are written
with `bulk_create`, so tens of thousands of organizations take seconds instead of one
`add_child` round trip per node; `numchild` is exact by construction.

Deterministic: a university's content comes from a generator seeded with its index (dates
relative to today, so terms stay current). Idempotent: a university whose root code exists is
skipped whole, and each batch of universities is written in one transaction, so a partial
university never exists.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

from django.db import transaction
from django.utils import timezone

from dangjian.orgs import rules as org_rules
from dangjian.orgs.choices import Kind, Level, Position
from dangjian.orgs.models import CommitteeMember, CommitteeTerm, Organization, pinyin_of

SEED = 20240417  # the seed report's publication date
BATCH_SIZE = 1000
ORGS_PER_TRANSACTION = 6000

# The demo personas' organizations in the first university (accounts/demo.py grants on them).
UNIVERSITY_CODE = "U001"
COMMITTEE_CODE = "U001-C01"  # 文学院党委
BRANCH_CODE = "U001-C01-B01"  # 文学院教工第一党支部
OTHER_COMMITTEE_CODE = "U001-C03"  # 数学与统计学院党委

NUMERALS = "一二三四五六七八九十"


def numeral(n: int) -> str:
    """Chinese numeral for 1-99 (第十二党支部)."""
    if n <= 10:
        return NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    return (NUMERALS[tens - 1] if tens > 1 else "") + "十" + (NUMERALS[ones - 1] if ones else "")


@dataclass(frozen=True)
class College:
    """A teaching unit: teacher branches, undergraduate branches per grade, graduate branches."""

    name: str
    teacher: int
    undergraduate_per_grade: int
    graduate: int
    general_branch: bool = False
    freshman_branch: bool = False


COLLEGES: tuple[College, ...] = (
    College("文学院", 4, 1, 3),
    College("马克思主义学院", 3, 1, 3),
    College("数学与统计学院", 4, 2, 2),
    College("物理与电子科学学院", 4, 2, 2),
    College("化学化工学院", 4, 2, 2),
    College("信息科学与工程学院", 4, 2, 3, freshman_branch=True),
    College("外国语学院", 4, 1, 2, freshman_branch=True),
    College("法学院", 2, 1, 3),
    College("商学院", 4, 2, 2, freshman_branch=True),
    College("公共管理学院", 2, 1, 2),
    College("教育科学学院", 4, 1, 3),
    College("音乐学院", 2, 1, 1),
    College("美术学院", 2, 1, 1),
    College("体育学院", 2, 1, 1),
    College("医学院", 5, 2, 3, freshman_branch=True),
    College("历史文化学院", 2, 1, 1),
    College("新闻与传播学院", 2, 1, 1, general_branch=True),
    College("生命科学学院", 4, 1, 2),
    College("资源与环境科学学院", 2, 1, 2),
    College("土木工程学院", 4, 2, 2),
)


@dataclass(frozen=True)
class BranchSpec:
    """One branch of a non-teaching unit: name, kind, unit, member range, joint units."""

    name: str
    kind: str
    unit: str
    size: tuple[int, int]
    joint_units: int | None = None
    level: str = Level.BRANCH
    founded: tuple[int, int] = (1990, 2012)


@dataclass(frozen=True)
class Unit:
    """A non-teaching unit's committee or general branch and its branches."""

    name: str
    committee_name: str
    level: str
    branches: tuple[BranchSpec, ...]


def _words(text: str) -> tuple[str, ...]:
    """The whitespace-separated words of a data table written as text."""
    return tuple(text.split())


def _admin(office: str, size: tuple[int, int] = (4, 16)) -> BranchSpec:
    return BranchSpec(f"{office}党支部", Kind.ADMIN, office, size)


ADMIN_OFFICES = _words(
    """
    党委办公室 校长办公室 党委组织部（党校） 党委宣传部 党委统战部 纪委办公室 党委巡察工作办公室 党委学生工作部
    党委教师工作部（人事处） 党委保卫部（保卫处） 发展规划处 教务处 研究生院 科学技术处 社会科学处 财务处
    审计处 国有资产管理处 招标与采购管理中心 国际合作与交流处 基建处 实验室与设备管理处 学科建设办公室 法律事务办公室
    招生就业处 团委 校友工作办公室
    """
)
SEED_BRANCH = "党委组织部（党校）党支部"  # the seed report's own branch: always a model branch

# fmt: off
UNITS: tuple[Unit, ...] = (
    Unit("机关", "机关党委", Level.COMMITTEE, (
        *(_admin(office) for office in ADMIN_OFFICES),
        BranchSpec("工会、妇委会联合党支部", Kind.ADMIN, "工会", (3, 6), joint_units=2,
                   founded=(2008, 2020)),
        BranchSpec("档案馆、校史馆、出版社联合党支部", Kind.ADMIN, "档案馆", (4, 8), joint_units=3,
                   founded=(2008, 2020)),
        BranchSpec("驻村帮扶工作队临时党支部", Kind.ADMIN, "驻村帮扶工作队", (3, 5),
                   level=Level.TEMPORARY_BRANCH),
    )),
    Unit("后勤保障处", "后勤保障处党委", Level.COMMITTEE, (
        *(BranchSpec(f"{name}党支部", Kind.TEACHER, name, (6, 25)) for name in _words(
            "后勤保障处机关 饮食服务中心 物业管理中心 能源与动力中心 学生公寓管理中心 校园环境管理中心"
        )),
        BranchSpec("幼儿园、接待中心联合党支部", Kind.TEACHER, "幼儿园", (3, 7), joint_units=2,
                   founded=(2008, 2020)),
    )),
    Unit("离退休工作处", "离退休工作处党委", Level.COMMITTEE, (
        BranchSpec("离休干部党支部", Kind.RETIRED, "离退休工作处", (3, 8), founded=(1990, 2000)),
        *(BranchSpec(f"退休教职工第{numeral(i)}党支部", Kind.RETIRED, "离退休工作处", (20, 60),
                     founded=(1995, 2015)) for i in range(1, 12)),
        BranchSpec("离退休工作处在职党支部", Kind.ADMIN, "离退休工作处", (4, 10)),
    )),
    Unit("图书馆", "图书馆党总支", Level.GENERAL_BRANCH, tuple(
        BranchSpec(f"图书馆教工第{numeral(i)}党支部", Kind.TEACHER, "图书馆", (6, 18))
        for i in range(1, 4)
    )),
    Unit("继续教育学院", "继续教育学院党总支", Level.GENERAL_BRANCH, (
        BranchSpec("继续教育学院教工党支部", Kind.TEACHER, "继续教育学院", (6, 15)),
        BranchSpec("继续教育学院师生党支部", Kind.MIXED, "继续教育学院", (6, 18),
                   founded=(2010, 2020)),
    )),
    Unit("国际教育学院", "国际教育学院党总支", Level.GENERAL_BRANCH, (
        BranchSpec("国际教育学院教工党支部", Kind.TEACHER, "国际教育学院", (6, 15)),
        BranchSpec("国际教育学院师生党支部", Kind.MIXED, "国际教育学院", (6, 18),
                   founded=(2010, 2020)),
    )),
    Unit("工程训练中心", "工程训练中心党总支", Level.GENERAL_BRANCH, (
        BranchSpec("工程训练中心教工第一党支部", Kind.TEACHER, "工程训练中心", (6, 18)),
        BranchSpec("工程训练中心教工第二党支部", Kind.TEACHER, "工程训练中心", (6, 18)),
        BranchSpec("工程训练中心师生党支部", Kind.MIXED, "工程训练中心", (6, 18),
                   founded=(2010, 2020)),
    )),
    Unit("现代教育技术中心", "现代教育技术中心党总支", Level.GENERAL_BRANCH, (
        BranchSpec("现代教育技术中心教工第一党支部", Kind.TEACHER, "现代教育技术中心", (5, 14)),
        BranchSpec("现代教育技术中心教工第二党支部", Kind.TEACHER, "现代教育技术中心", (5, 14)),
    )),
    Unit("校医院", "校医院党总支", Level.GENERAL_BRANCH, (
        BranchSpec("校医院医疗第一党支部", Kind.TEACHER, "校医院", (8, 20)),
        BranchSpec("校医院医疗第二党支部", Kind.TEACHER, "校医院", (8, 20)),
        BranchSpec("校医院行政后勤党支部", Kind.TEACHER, "校医院", (5, 12)),
    )),
)
# fmt: on

UNIVERSITY_PREFIXES = _words(
    """
    湘麓 潇湘 洞庭 衡岳 沅陵 资江 澧阳 武陵 梅山 雪峰 南岭 麓山 橘洲 岳屏 芙蓉 韶峰 紫鹊 舜皇 九嶷 云阳
    """
)
UNIVERSITY_SUFFIXES = _words(
    """
    大学 师范大学 理工大学 医科大学 财经大学 工业大学 农业大学 科技大学 交通大学 外国语大学 艺术学院 体育学院 工程学院 职业技术学院
    """
)

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏"
    "魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵"
)
GIVEN_NAMES = _words(
    """
    伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 涛 明 超 霞 平 刚 鹏 辉 斌 宁 凯
    健 浩 琳 倩 蕾 颖 岚 晨 秀兰 桂英 建华 文博 志强 晓燕 海燕 丽娟 建国 红梅 玉兰 秀英 俊杰 子涵 欣怡 梓萱
    浩然 宇轩 思远 雨桐 佳怡 一鸣 晨曦 明轩 诗涵 梦琪 嘉怡 子轩 博文 晓东 立新 志刚 国庆 春梅 海涛 建军 永强 丽华 秀梅 红霞
    金凤 晓明 卫东 振华 德明 少华 文静 雪梅 晓丽 志明 婷婷 丹丹 慧敏 家豪 天佑 雅琴 美玲 向东 学军 湘君
    """
)


def university_name(index: int) -> str:
    """The n-th fictional university (1-based): 湘麓大学, then prefix × suffix combinations."""
    combinations = len(UNIVERSITY_PREFIXES) * len(UNIVERSITY_SUFFIXES)
    rounds, rest = divmod(index - 1, combinations)
    suffix, prefix = divmod(rest, len(UNIVERSITY_PREFIXES))
    name = UNIVERSITY_PREFIXES[prefix] + UNIVERSITY_SUFFIXES[suffix]
    return name if rounds == 0 else f"{name}（第{rounds + 1}校区）"


@dataclass
class MemberPlan:
    """A committee member to create."""

    name: str
    position: str
    started_on: date
    ended_on: date | None = None


@dataclass
class TermPlan:
    """A committee term to create."""

    number: int
    elected_on: date
    term_years: int
    ends_on: date
    closed_on: date | None
    members: list[MemberPlan]
    note: str = ""


@dataclass(eq=False)
class NodePlan:
    """An organization to create, with its terms and children; `size` decides their shape."""

    code: str
    name: str
    level: str
    kind: str = ""
    unit: str = ""
    short_name: str = ""
    founded_on: date | None = None
    phone: str = ""
    size: int = 0
    is_joint: bool = False
    joint_units: int | None = None
    is_model_branch: bool = False
    is_benchmark_department: bool = False
    is_dual_leader_studio: bool = False
    note: str = ""
    children: list[NodePlan] = field(default_factory=list)
    terms: list[TermPlan] = field(default_factory=list)

    def walk(self) -> Iterator[NodePlan]:
        """This node and its subtree, depth first."""
        yield self
        for child in self.children:
            yield from child.walk()


def add_years(day: date, years: int) -> date:
    """The same day `years` later (28 February for 29 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


@lru_cache(maxsize=4096)
def _pinyin(name: str) -> tuple[str, str]:
    """pinyin_of with a cache: the same unit names recur in every university."""
    return pinyin_of(name)


class _Planner:
    """Draws one university's organizations, terms and members from its own generator."""

    def __init__(self, index: int, today: date, committee_years: int, branch_years: int) -> None:
        self.index = index
        self.today = today
        self.rng = random.Random(f"{SEED}-{index}")
        self.committee_years = committee_years
        self.branch_years = branch_years
        latest = today.year if today.month >= 9 else today.year - 1
        self.freshman_grade = latest
        self.grades = (latest - 3, latest - 2, latest - 1)

    def day_in(self, first_year: int, last_year: int) -> date:
        day = date(
            self.rng.randint(first_year, last_year),
            self.rng.randint(1, 12),
            self.rng.randint(1, 28),
        )
        return min(day, self.today)

    def phone(self) -> str:
        return f"0731-88{self.rng.randint(0, 999999):06d}"

    def person(self) -> str:
        return self.rng.choice(SURNAMES) + self.rng.choice(GIVEN_NAMES)

    def university(self) -> NodePlan:
        name = university_name(self.index)
        code = f"U{self.index:03d}"
        root = NodePlan(
            code,
            f"中共{name}委员会",
            Level.UNIVERSITY_COMMITTEE,
            unit=name,
            short_name=f"{name}党委",
            founded_on=self.day_in(1950, 1958),
            phone=self.phone(),
        )
        units: list[NodePlan] = [self.college(college) for college in COLLEGES]
        units += [self.unit(unit) for unit in UNITS]
        for number, node in enumerate(units, start=1):
            node.code = f"{code}-C{number:02d}"
            for position, branch in enumerate(node.children, start=1):
                branch.code = f"{node.code}-B{position:02d}"
                self.add_party_groups(branch)
        root.children = units
        self.flag(root)
        self.plan_terms(root)
        return root

    def committee(self, unit: str, name: str, level: str) -> NodePlan:
        return NodePlan(
            "",
            name,
            level,
            unit=unit,
            short_name=unit,
            phone=self.phone(),
            founded_on=self.day_in(1978, 2005 if level == Level.COMMITTEE else 2012),
        )

    def branch(
        self,
        name: str,
        kind: str,
        unit: str,
        size: int,
        founded_on: date,
        level: str = Level.BRANCH,
    ) -> NodePlan:
        return NodePlan(
            "",
            name,
            level,
            kind=kind,
            unit=unit,
            founded_on=founded_on,
            phone=self.phone(),
            size=size,
        )

    def college(self, college: College) -> NodePlan:
        level = Level.GENERAL_BRANCH if college.general_branch else Level.COMMITTEE
        suffix = "党总支" if college.general_branch else "党委"
        node = self.committee(college.name, f"{college.name}{suffix}", level)
        branches = node.children
        name = college.name
        for i in range(1, college.teacher + 1):
            label = f"教工第{numeral(i)}党支部" if college.teacher > 1 else "教工党支部"
            branches.append(
                self.branch(
                    f"{name}{label}",
                    Kind.TEACHER,
                    name,
                    self.rng.randint(8, 32),
                    self.day_in(1985, 2015),
                )
            )
        for age, grade in enumerate(reversed(self.grades)):
            low, high = ((5, 18), (10, 30), (18, 45))[age]
            count = college.undergraduate_per_grade
            for i in range(1, count + 1):
                label = (
                    f"{grade}级本科生第{numeral(i)}党支部"
                    if count > 1
                    else f"{grade}级本科生党支部"
                )
                branches.append(
                    self.branch(
                        f"{name}{label}",
                        Kind.UNDERGRADUATE,
                        name,
                        self.rng.randint(low, high),
                        min(date(grade + 1, 4, self.rng.randint(1, 28)), self.today),
                    )
                )
        for i in range(1, college.graduate + 1):
            label = f"研究生第{numeral(i)}党支部" if college.graduate > 1 else "研究生党支部"
            branches.append(
                self.branch(
                    f"{name}{label}",
                    Kind.GRADUATE,
                    name,
                    self.rng.randint(12, 55),
                    self.day_in(2002, 2018),
                )
            )
        if college.freshman_branch:
            branches.append(
                self.branch(
                    f"{name}{self.freshman_grade}级新生临时党支部",
                    Kind.UNDERGRADUATE,
                    name,
                    self.rng.randint(3, 9),
                    min(date(self.freshman_grade, 9, 20), self.today),
                    level=Level.TEMPORARY_BRANCH,
                )
            )
        return node

    def unit(self, unit: Unit) -> NodePlan:
        node = self.committee(unit.name, unit.committee_name, unit.level)
        for spec in unit.branches:
            if spec.level == Level.TEMPORARY_BRANCH:
                founded = self.today - timedelta(days=self.rng.randint(120, 330))
            else:
                founded = self.day_in(*spec.founded)
            branch = self.branch(
                spec.name, spec.kind, spec.unit, self.rng.randint(*spec.size), founded, spec.level
            )
            if spec.joint_units:
                branch.is_joint, branch.joint_units = True, spec.joint_units
            node.children.append(branch)
        return node

    def add_party_groups(self, branch: NodePlan) -> None:
        """Large branches (35 members and more) split into party groups of about 15."""
        if branch.level != Level.BRANCH or branch.size < 35:
            return
        for i in range(1, min(4, branch.size // 15) + 1):
            branch.children.append(
                NodePlan(
                    f"{branch.code}-G{i}",
                    f"{branch.name}第{numeral(i)}党小组",
                    Level.PARTY_GROUP,
                    kind=branch.kind,
                    unit=branch.unit,
                    founded_on=branch.founded_on,
                )
            )

    def flag(self, root: NodePlan) -> None:
        """About 20 creation projects, as in the seed: 4 benchmark departments, 10 model
        branches (the seed's own branch among them), 6 dual-leader secretary studios."""
        colleges = [
            node
            for node in root.children
            if node.level == Level.COMMITTEE
            and any(c.kind == Kind.UNDERGRADUATE for c in node.children)
        ]
        for node in self.rng.sample(colleges, 4):
            node.is_benchmark_department = True
            node.note = "第二批党建工作标杆院系培育创建单位"
        branches = [node for node in root.walk() if node.level == Level.BRANCH]
        seed_branch = next(node for node in branches if node.name == SEED_BRANCH)
        teachers = [node for node in branches if node.kind == Kind.TEACHER]
        studios = set(self.rng.sample(teachers, 6))
        for node in studios:
            node.is_dual_leader_studio = True
            node.note = "“双带头人”教师党支部书记工作室培育创建单位"
        others = [node for node in branches if node is not seed_branch and node not in studios]
        for node in [seed_branch, *self.rng.sample(others, 9)]:
            node.is_model_branch = True
            node.note = "第二批样板支部培育创建单位"
        seed_branch.note = "全国高校党建工作样板支部培育创建单位"

    def plan_terms(self, root: NodePlan) -> None:
        """A current term for every organization but party groups; previous terms for the
        committees. About 8% of terms are overdue for re-election, four by more than a year."""
        elected = [node for node in root.walk() if node.level != Level.PARTY_GROUP]
        regular = [
            node for node in elected if node.level != Level.TEMPORARY_BRANCH and node is not root
        ]
        severe = set(self.rng.sample(regular, 4))
        mild = set(self.rng.sample(regular, len(regular) * 8 // 100)) - severe
        for node in elected:
            overdue = "severe" if node in severe else "mild" if node in mild else ""
            node.terms = self.terms_for(node, overdue)

    def terms_for(self, node: NodePlan, overdue: str) -> list[TermPlan]:
        committee_level = node.level in {Level.UNIVERSITY_COMMITTEE, Level.COMMITTEE}
        years = self.committee_years if committee_level else self.branch_years
        span = years * 365
        if node.level == Level.TEMPORARY_BRANCH:
            elected_on = min(node.founded_on or self.today, self.today)
            return [
                TermPlan(
                    1,
                    elected_on,
                    years,
                    add_years(elected_on, years),
                    None,
                    [MemberPlan(self.person(), Position.SECRETARY, elected_on)],
                    note="上级党组织指定书记",
                )
            ]
        if overdue == "severe":
            days = self.rng.randint(span + 380, span + 700)
        elif overdue == "mild":
            days = self.rng.randint(span + 10, span + 300)
        else:
            days = self.rng.randint(30, span - 30)
        elected_on = self.today - timedelta(days=days)
        founded = node.founded_on or elected_on
        if elected_on < founded:
            elected_on = min(founded + timedelta(days=self.rng.randint(0, 60)), self.today)
        number = (elected_on - founded).days // span + 1
        if node.level == Level.UNIVERSITY_COMMITTEE:
            number += 8  # party congresses before the founding date recorded here
        current = TermPlan(
            number,
            elected_on,
            years,
            add_years(elected_on, years),
            None,
            self.committee_members(node, elected_on, None),
        )
        previous_elected = add_years(elected_on, -years) - timedelta(days=self.rng.randint(0, 40))
        if (
            node.level not in {Level.UNIVERSITY_COMMITTEE, Level.COMMITTEE, Level.GENERAL_BRANCH}
            or previous_elected < founded
            or number < 2
        ):
            return [current]
        previous = TermPlan(
            number - 1,
            previous_elected,
            years,
            add_years(previous_elected, years),
            elected_on,
            self.committee_members(node, previous_elected, elected_on),
        )
        return [current, previous]

    def positions(self, node: NodePlan) -> list[Position]:
        """Committee posts by level and size (domain.md §2)."""
        chance = self.rng.random
        if node.level == Level.UNIVERSITY_COMMITTEE:
            return [Position.SECRETARY, *[Position.DEPUTY_SECRETARY] * 3, *[Position.MEMBER] * 9]
        posts: list[Position]
        if node.level == Level.COMMITTEE:
            posts = [Position.SECRETARY, Position.DEPUTY_SECRETARY]
            if chance() < 0.5:
                posts.append(Position.DEPUTY_SECRETARY)
            posts += [Position.ORGANIZATION, Position.PUBLICITY, Position.DISCIPLINE]
            return posts + ([Position.MEMBER] if chance() < 0.4 else [])
        if node.level == Level.GENERAL_BRANCH:
            posts = [
                Position.SECRETARY,
                Position.ORGANIZATION,
                Position.PUBLICITY,
                Position.DISCIPLINE,
            ]
            return posts + ([Position.DEPUTY_SECRETARY] if chance() < 0.5 else [])
        if node.size < 7:
            return [Position.SECRETARY] + ([Position.DEPUTY_SECRETARY] if chance() < 0.25 else [])
        posts = [Position.SECRETARY, Position.ORGANIZATION, Position.PUBLICITY]
        if chance() < 0.6:
            posts.append(Position.DISCIPLINE)
        if chance() < 0.4:
            posts.append(Position.DEPUTY_SECRETARY)
        return posts

    def committee_members(
        self, node: NodePlan, started: date, ended: date | None
    ) -> list[MemberPlan]:
        names: list[str] = []
        members = []
        for position in self.positions(node):
            name = self.person()
            while name in names:
                name = self.person()
            names.append(name)
            members.append(MemberPlan(name, position, started, ended))
        return members


@dataclass
class DemoTreeResult:
    """What a build did: universities created and skipped, rows written, time taken."""

    universities_created: int = 0
    universities_skipped: int = 0
    organizations: int = 0
    terms: int = 0
    members: int = 0
    seconds: float = 0.0


def plan_university(index: int, today: date | None = None) -> NodePlan:
    """The planned tree of the index-th university (1-based), not yet written."""
    return _Planner(
        index,
        today or timezone.localdate(),
        org_rules.term_years_for(Level.COMMITTEE),
        org_rules.term_years_for(Level.BRANCH),
    ).university()


def _step(position: int) -> str:
    """One path step: position 1 is '0001', 36 is '0010' (base 36, as treebeard writes it)."""
    key = Organization._int2str(position)
    if len(key) > Organization.steplen:
        raise ValueError(f"too many siblings for a path step: {position}")
    return key.rjust(Organization.steplen, Organization.alphabet[0])


def _organizations(root: NodePlan, path: str) -> list[tuple[NodePlan, Organization]]:
    """Unsaved Organization rows for a planned tree whose root takes `path`."""
    rows: list[tuple[NodePlan, Organization]] = []
    stack = [(root, path)]
    while stack:
        node, node_path = stack.pop()
        full, initials = _pinyin(node.name)
        rows.append(
            (
                node,
                Organization(
                    path=node_path,
                    depth=len(node_path) // Organization.steplen,
                    numchild=len(node.children),
                    name=node.name,
                    short_name=node.short_name,
                    code=node.code,
                    level=node.level,
                    kind=node.kind,
                    unit=node.unit,
                    founded_on=node.founded_on,
                    is_joint=node.is_joint,
                    joint_units=node.joint_units,
                    is_model_branch=node.is_model_branch,
                    is_benchmark_department=node.is_benchmark_department,
                    is_dual_leader_studio=node.is_dual_leader_studio,
                    phone=node.phone,
                    note=node.note,
                    name_pinyin=full,
                    name_initials=initials,
                ),
            )
        )
        for position in range(len(node.children), 0, -1):
            stack.append((node.children[position - 1], node_path + _step(position)))
    return rows


def _next_root_position() -> int:
    last = (
        Organization.objects.filter(depth=1)
        .order_by("-path")
        .values_list("path", flat=True)
        .first()
    )
    return Organization._str2int(last) + 1 if last else 1


def _write(universities: list[tuple[NodePlan, str]], result: DemoTreeResult) -> None:
    """Insert planned universities (root, root path) with their terms, in one transaction."""
    pairs = [pair for root, path in universities for pair in _organizations(root, path)]
    with transaction.atomic():
        Organization.objects.bulk_create([org for _, org in pairs], batch_size=BATCH_SIZE)
        terms: list[tuple[CommitteeTerm, TermPlan]] = [
            (
                CommitteeTerm(
                    organization=org,
                    number=plan.number,
                    elected_on=plan.elected_on,
                    term_years=plan.term_years,
                    ends_on=plan.ends_on,
                    closed_on=plan.closed_on,
                    note=plan.note,
                ),
                plan,
            )
            for node, org in pairs
            for plan in node.terms
        ]
        CommitteeTerm.objects.bulk_create([term for term, _ in terms], batch_size=BATCH_SIZE)
        members = [
            CommitteeMember(
                term=term,
                name=member.name,
                position=member.position,
                started_on=member.started_on,
                ended_on=member.ended_on,
            )
            for term, plan in terms
            for member in plan.members
        ]
        CommitteeMember.objects.bulk_create(members, batch_size=BATCH_SIZE)
    result.universities_created += len(universities)
    result.organizations += len(pairs)
    result.terms += len(terms)
    result.members += len(members)


def build_demo_tree(
    scale: int = 1,
    *,
    today: date | None = None,
    progress: Callable[[DemoTreeResult, int], None] | None = None,
) -> DemoTreeResult:
    """Create universities 1..scale that do not exist yet (by root code); return the counts.

    `progress(result, scale)` is called after each transaction of a large build.
    """
    if scale < 1:
        raise ValueError("scale must be at least 1")
    started = time.monotonic()
    today = today or timezone.localdate()
    result = DemoTreeResult()
    codes = {f"U{index:03d}": index for index in range(1, scale + 1)}
    existing = set(Organization.objects.filter(code__in=list(codes)).values_list("code", flat=True))
    result.universities_skipped = len(existing)
    position = _next_root_position()
    pending: list[tuple[NodePlan, str]] = []
    pending_size = 0
    for code, index in codes.items():
        if code in existing:
            continue
        root = plan_university(index, today)
        _refuse_clashes(root)
        pending.append((root, _step(position)))
        position += 1
        pending_size += sum(1 for _ in root.walk())
        if pending_size >= ORGS_PER_TRANSACTION:
            _write(pending, result)
            pending, pending_size = [], 0
            if progress:
                progress(result, scale)
    if pending:
        _write(pending, result)
        if progress:
            progress(result, scale)
    result.seconds = time.monotonic() - started
    return result


class DemoConflict(Exception):
    """Planned organization codes are already used by organizations outside the demo."""


def _refuse_clashes(root: NodePlan) -> None:
    codes = [node.code for node in root.walk()]
    taken = list(Organization.objects.filter(code__in=codes).values_list("code", flat=True)[:5])
    if taken:
        raise DemoConflict(
            f"组织编码 {'、'.join(taken)} 已被其他党组织使用，无法生成演示数据“{root.name}”。"
        )
