"""The demo universities' people as they are today: members, the pipeline, cadres.

`People(index, today).university(root)` draws one demo university's people from a generator
seeded with its index, sized by the organization plan (`orgs.demo.plan_university`): members
of each branch by its kind (students by grade, teachers, staff, the retired), with dates of
each step that respect the rules (applying at 18 or older, a year's probation), applicants,
activists and candidates, and 150 cadres. `members.demo` adds the year's history and writes.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, TypeVar

from django.db import models
from django.db.models.base import ModelState

from dangjian.members.choices import (
    CATEGORY_DATE_FIELDS,
    MEMBER_CATEGORIES,
    CadreRank,
    Category,
    EventKind,
    Post,
)
from dangjian.members.models import Cadre, MemberEvent, Person, Transfer
from dangjian.members.testing import make_id_number
from dangjian.orgs import demo as org_demo
from dangjian.orgs.choices import Kind, Level
from dangjian.orgs.models import Organization, pinyin_of

SEED = org_demo.SEED
ORDER = list(Category.values)
LABELS = {value: str(label) for value, label in Category.choices}
PERSONAS = (("secretary", "王明", "male"), ("member", "李华", "female"))
# fmt: off
# Members per planned branch size (the plan has 5,221 at scale 1; these give ~5,700, students
# ~57 %), and applicants, activists and candidates per member of a branch.
SIZE = {Kind.TEACHER: 1.1, Kind.ADMIN: 1.1, Kind.RETIRED: 1.1, Kind.UNDERGRADUATE: 0.9,
        Kind.GRADUATE: 1.35, Kind.MIXED: 1.0}
PIPELINE = {Kind.UNDERGRADUATE: (0.9, 0.4, 0.09), Kind.GRADUATE: (0.5, 0.25, 0.06),
            Kind.MIXED: (0.3, 0.15, 0.04), Kind.TEACHER: (0.04, 0.02, 0.01),
            Kind.ADMIN: (0.04, 0.02, 0.01), Kind.RETIRED: (0.0, 0.0, 0.0)}
MALE = org_demo._words("""伟 强 磊 军 洋 勇 杰 涛 明 超 刚 鹏 辉 斌 宁 凯 健 浩 建华 文博 志强 建国
    俊杰 浩然 宇轩 思远 一鸣 明轩 子轩 博文 晓东 立新 志刚 国庆 海涛 建军 永强 卫东 振华 德明 家豪
    天佑 向东 学军 子墨 宇航 皓轩 泽宇""")
FEMALE = org_demo._words("""芳 娜 敏 静 丽 艳 霞 琳 倩 蕾 颖 岚 晨 秀兰 桂英 晓燕 海燕 丽娟 红梅 玉兰
    秀英 子涵 欣怡 梓萱 雨桐 佳怡 晨曦 诗涵 梦琪 嘉怡 春梅 丽华 秀梅 红霞 金凤 晓丽 文静 雪梅 婷婷
    丹丹 慧敏 雅琴 美玲 湘君 思琪 语嫣 若曦 可馨""")
# Real county codes (GB/T 2260) and the native place they stand for; 70 % from Hunan.
HUNAN = dict(item.split(":") for item in org_demo._words("""4301:湖南长沙 4302:湖南株洲
    4303:湖南湘潭 4304:湖南衡阳 4305:湖南邵阳 4306:湖南岳阳 4307:湖南常德 4309:湖南益阳
    4310:湖南郴州 4311:湖南永州 4312:湖南怀化 4313:湖南娄底 4331:湖南湘西"""))
HUNAN_CODES = org_demo._words("""430102 430103 430104 430105 430111 430121 430181 430202 430211
    430302 430381 430405 430421 430502 430521 430602 430621 430702 430721 430902 430921 431002
    431021 431102 431121 431202 431221 431302 431321 433101 433122""")
OTHER = dict(item.split(":") for item in org_demo._words("""110102:北京 120101:天津
    130102:河北石家庄 140105:山西太原 210102:辽宁沈阳 320102:江苏南京 330102:浙江杭州
    340102:安徽合肥 350102:福建福州 360102:江西南昌 370102:山东济南 410102:河南郑州
    420102:湖北武汉 440103:广东广州 450102:广西南宁 500103:重庆 510104:四川成都
    520102:贵州贵阳 530102:云南昆明 610102:陕西西安 620102:甘肃兰州 650102:新疆乌鲁木齐
    150102:内蒙古呼和浩特"""))
# ~6 % minorities, most of them Hunan's: 土家族, 苗族, 侗族, 瑶族 …
MINORITIES = (("15", 30), ("06", 20), ("12", 10), ("13", 10), ("03", 8), ("08", 7), ("11", 5),
              ("02", 4), ("14", 3), ("07", 3))
EDUCATION: dict[str, tuple[tuple[str, int], ...]] = {
    Post.PROFESSIONAL: (("doctorate", 55), ("master", 35), ("bachelor", 10)),
    Post.MANAGEMENT: (("doctorate", 15), ("master", 50), ("bachelor", 35)),
    Post.SUPPORT: (("bachelor", 30), ("junior_college", 40), ("secondary", 20), ("high_school", 10)),
    Post.RETIRED: (("master", 5), ("bachelor", 35), ("junior_college", 25), ("secondary", 20),
                   ("high_school", 10), ("junior_high", 5)),
    Post.UNDERGRADUATE: (("high_school", 1),), Post.MASTER_STUDENT: (("bachelor", 1),),
    Post.DOCTORAL_STUDENT: (("master", 1),),
}
DEGREES = {"doctorate": "博士", "master": "硕士", "bachelor": "学士"}
LEADERS = (("党委书记", CadreRank.DEPARTMENT_CHIEF), ("校长", CadreRank.DEPARTMENT_CHIEF),
           *[("党委副书记", CadreRank.DEPUTY_DEPARTMENT)] * 3,
           *[("副校长", CadreRank.DEPUTY_DEPARTMENT)] * 6,
           ("纪委书记", CadreRank.DEPUTY_DEPARTMENT), ("总会计师", CadreRank.DEPUTY_DEPARTMENT),
           *[("党委常委", CadreRank.DIVISION_CHIEF)] * 2)
COLLEGE_CADRES = (("党委书记", CadreRank.DIVISION_CHIEF), ("院长", CadreRank.DIVISION_CHIEF),
                  ("党委副书记", CadreRank.DEPUTY_DIVISION), ("副院长", CadreRank.DEPUTY_DIVISION))
OFFICE_CADRES = (("处长", CadreRank.DIVISION_CHIEF), ("副处长", CadreRank.DEPUTY_DIVISION))
# fmt: on
_pinyin: dict[str, tuple[str, str]] = {}
_templates: dict[type, dict[str, Any]] = {}
M = TypeVar("M", bound=models.Model)


def _spell(text: str) -> tuple[str, str]:
    """pinyin_of a surname or given name, cached: names repeat across thousands of people."""
    if text not in _pinyin:
        _pinyin[text] = pinyin_of(text)
    return _pinyin[text]


def new_instance(model: type[M], **values: Any) -> M:
    """An unsaved instance from a copy of a default one: Model.__init__ takes most of the time
    of planning ten thousand people (no field here has a mutable default that is kept)."""
    template = _templates.get(model)
    if template is None:
        template = _templates[model] = {k: v for k, v in model().__dict__.items() if k != "_state"}
    obj = model.__new__(model)
    obj.__dict__.update(template)
    obj._state = ModelState()
    for name, value in values.items():
        setattr(obj, name, value)
    return obj


def _years(day: date, years: int) -> date:
    return org_demo.add_years(day, years)


@dataclass
class Draft:
    """A person to write, with the plain numbers to seal and what happened to them."""

    person: Person
    id_number: str
    phone: str
    events: list[MemberEvent] = field(default_factory=list)
    transfers: list[Transfer] = field(default_factory=list)
    cadre: Cadre | None = None
    arrival: date | None = None  # a new graduate student's arrival (set by the planner)

    def event(self, kind: str, on: date, summary: str, org: Organization, **detail: Any) -> None:
        self.events.append(
            new_instance(
                MemberEvent,
                kind=kind,
                occurred_on=on,
                summary=summary,
                organization=org,
                detail=detail,
            )
        )


class People:
    """Draws one university's people from its own generator."""

    def __init__(self, index: int, today: date) -> None:
        self.index, self.today = index, today
        self.rng = random.Random(f"{SEED}-members-{index}")
        self.latest = today.year if today.month >= 9 else today.year - 1  # this academic year
        self.serial = 0
        self.drafts: list[Draft] = []

    def day(self, first: date, last: date) -> date:
        return first + timedelta(days=self.rng.randint(0, max(0, (last - first).days)))

    def pick(self, weighted: tuple[tuple[str, int], ...]) -> str:
        values, weights = zip(*weighted, strict=True)
        return self.rng.choices(values, weights)[0]

    def birth(self, post: str, enrolled: int | None, age: tuple[int, int] | None = None) -> date:
        """Students by enrollment year (18-28); staff 25-60; the retired 61-90."""
        r = self.rng
        if age is not None:
            return self.today - timedelta(days=r.randint(age[0] * 365, age[1] * 365 + 300))
        if post in (Post.UNDERGRADUATE, Post.MASTER_STUDENT, Post.DOCTORAL_STUDENT):
            at_entry = {"undergraduate": 18, "master_student": 22}.get(post, 25)
            entry = date(enrolled or self.latest, 9, 1)
            born = _years(entry, -at_entry) - timedelta(
                days=r.randint(0, 364 + 200 * (r.random() < 0.2))
            )
            return max(born, _years(self.today, -29) + timedelta(days=1))
        if post == Post.RETIRED:
            return self.today - timedelta(days=int(r.triangular(61, 90, 70) * 365.25))
        return self.today - timedelta(days=int(r.triangular(25, 60, 40) * 365.25))

    def steps(
        self, category: str, birth: date, *, join_by: date | None = None
    ) -> dict[str, date] | None:
        """The dates of each step up to `category`, with applying at 18 or older; None when
        the person is too young for the category."""
        r, today = self.rng, self.today
        adult = _years(birth, 18) + timedelta(days=1)
        dates: dict[str, date] = {}
        if category in MEMBER_CATEGORIES:
            first = adult + timedelta(days=470)
            if category == Category.PROBATIONARY:
                first, last = max(first, today - timedelta(days=360)), today - timedelta(days=1)
            else:
                last = min(today - timedelta(days=380), _years(birth, 55))
                if r.random() < 0.85:  # most join young: at university or soon after
                    last = min(last, _years(birth, 30))
            last = min(last, join_by) if join_by else last
            if first > last:
                return None
            dates["joined_on"] = self.day(first, last)
            if category == Category.FULL:
                dates["converted_on"] = _years(dates["joined_on"], 1) + timedelta(
                    days=r.randint(0, 14)
                )
            top = dates["joined_on"]
            gaps: tuple[tuple[int, int], ...] = ((60, 180), (366, 540), (30, 240))
        elif category == Category.CANDIDATE:
            first = max(adult + timedelta(days=430), today - timedelta(days=300))
            if first > today - timedelta(days=1):
                return None
            top = dates["candidate_on"] = self.day(first, today - timedelta(days=1))
            gaps = ((366, 420), (30, 200))
        elif category == Category.ACTIVIST:
            first = max(adult + timedelta(days=40), today - timedelta(days=700))
            if first > today - timedelta(days=1):
                return None
            top = dates["activist_on"] = self.day(first, today - timedelta(days=1))
            gaps = ((30, 200),)
        else:
            first = max(adult, today - timedelta(days=720))
            if first > today - timedelta(days=1):
                return None
            dates["applied_on"] = self.day(first, today - timedelta(days=1))
            return dates
        names = ("candidate_on", "activist_on", "applied_on")[-len(gaps) :]
        slack = (top - adult).days - sum(low for low, _ in gaps)
        for name, (low, high) in zip(names, gaps, strict=True):
            top -= timedelta(days=low + r.randint(0, max(0, min(high - low, slack // len(gaps)))))
            dates[name] = max(top, adult)
        return dates

    def draft(
        self,
        org: Organization,
        post: str,
        category: str,
        *,
        enrolled: int | None = None,
        age: tuple[int, int] | None = None,
        gender: str | None = None,
        name: str | None = None,
        join_by: date | None = None,
        education: str | None = None,
    ) -> Draft:
        """A person of `org`; the category falls back along the pipeline when too young."""
        r = self.rng
        female = {"retired": 0.38, "professional": 0.42, "support": 0.4}.get(post, 0.5)
        gender = gender or ("female" if r.random() < female else "male")
        birth = self.birth(post, enrolled, age)
        for fallback in reversed(ORDER[: ORDER.index(category) + 1]):
            dates = self.steps(fallback, birth, join_by=join_by)
            if dates is not None:
                category = fallback
                break
        else:
            birth, category, dates = _years(self.today, -19), Category.APPLICANT, {}
            dates["applied_on"] = self.today - timedelta(days=r.randint(1, 300))
        self.serial += 1
        region = r.choice(HUNAN_CODES) if r.random() < 0.7 else r.choice(list(OTHER))
        number = make_id_number(birth, gender, region=region, serial=r.randint(0, 499))
        education = education or self.pick(EDUCATION.get(post, EDUCATION[Post.MANAGEMENT]))
        student = enrolled is not None
        name = name or r.choice(org_demo.SURNAMES) + r.choice(
            FEMALE if gender == "female" else MALE
        )
        spelled = [_spell(part) for part in (name[:1], name[1:])]
        person = new_instance(
            Person,
            name=name,
            name_pinyin=spelled[0][0] + spelled[1][0],
            name_initials=spelled[0][1] + spelled[1][1],
            gender=gender,
            ethnicity=self.pick(MINORITIES) if r.random() < 0.06 else "01",
            birth_date=birth,
            native_place=HUNAN.get(region[:4]) or OTHER.get(region, "湖南长沙"),
            education=education,
            degree=DEGREES.get(education, "") if not student else "",
            staff_no=f"{enrolled}{self.index:03d}{self.serial:05d}"
            if student
            else f"T{self.index:03d}{self.serial:05d}",
            unit=org.unit,
            post=post,
            enrollment_year=enrolled,
            organization=org,
            category=category,
            **dates,
        )
        phone = (
            ""
            if post == Post.RETIRED and r.random() < 0.2
            else (
                f"1{r.choice(('38', '39', '58', '59', '87', '88', '35', '36', '37', '50', '86', '77', '99'))}"
                f"{r.randint(0, 99999999):08d}"
            )
        )
        draft = Draft(person, number, phone)
        first_step = next(step for step, name in CATEGORY_DATE_FIELDS.items() if dates.get(name))
        draft.event(
            EventKind.REGISTERED,
            dates[CATEGORY_DATE_FIELDS[first_step]],
            f"登记于{org.name}，类别：{LABELS[first_step]}",
            org,
        )
        self.drafts.append(draft)
        return draft

    # The university ------------------------------------------------------------------------

    def university(self, root: Organization) -> list[Draft]:
        orgs = sorted(Organization.objects.within(root), key=lambda org: org.path)
        by_code = {org.code: org for org in orgs}
        plan = org_demo.plan_university(self.index, self.today)
        sizes = {node.code: node.size for node in plan.walk() if node.size}
        self.branches = [by_code[c] for c in sizes if c in by_code and by_code[c].is_active]
        self.groups: dict[str, list[Organization]] = {}
        for org in orgs:
            if org.level == Level.PARTY_GROUP:
                self.groups.setdefault(org.path[: -Organization.steplen], []).append(org)
        roles = self.cadre_roles(root, orgs)
        for branch in self.branches:
            special = roles.get(branch.code, [])
            if self.index == 1 and branch.code == org_demo.BRANCH_CODE:
                for number, (_user, name, gender) in enumerate(PERSONAS, start=1):
                    draft = self.draft(
                        branch,
                        Post.PROFESSIONAL,
                        Category.FULL,
                        age=(35, 50),
                        name=name,
                        gender=gender,
                    )
                    draft.person.staff_no = f"T{self.index:03d}P{number:04d}"
            for role in special:
                self.cadre(branch, *role)
            count = round(sizes[branch.code] * SIZE.get(branch.kind, 1.0)) - len(special)
            for _ in range(max(0, count)):
                self.member(branch)
            for category, share in zip(
                (Category.APPLICANT, Category.ACTIVIST, Category.CANDIDATE),
                PIPELINE.get(branch.kind, (0, 0, 0)),
                strict=True,
            ):
                for _ in range(round(sizes[branch.code] * share)):
                    self.member(branch, category)
        return self.drafts

    def student(self, branch: Organization) -> tuple[str, int]:
        """Post and enrollment year of a student of the branch (grade from its name)."""
        r, latest = self.rng, self.latest
        if branch.kind == Kind.UNDERGRADUATE:
            grade = re.search(r"(\d{4})级", branch.name)
            return Post.UNDERGRADUATE, int(grade.group(1)) if grade else latest - 2
        if r.random() < 0.75:
            return Post.MASTER_STUDENT, latest - r.choices((0, 1, 2), (65, 20, 15))[0]
        return Post.DOCTORAL_STUDENT, latest - r.choice((0, 0, 1, 2, 3))

    def member(self, branch: Organization, category: str | None = None) -> Draft:
        r, kind = self.rng, branch.kind
        if kind == Kind.MIXED:
            kind = Kind.GRADUATE if r.random() < 0.5 else Kind.TEACHER
        if kind in (Kind.UNDERGRADUATE, Kind.GRADUATE):
            post, enrolled = self.student(branch)
            category = category or (Category.FULL if r.random() < 0.86 else Category.PROBATIONARY)
            veteran = branch.level == Level.TEMPORARY_BRANCH  # freshmen who joined in the army
            arrival = (
                self.arrival() if enrolled == self.latest and post != Post.UNDERGRADUATE else None
            )
            draft = self.draft(
                branch,
                post,
                category,
                enrolled=enrolled,
                age=(21, 23) if veteran else None,
                join_by=arrival - timedelta(days=10) if arrival else None,
            )
            if arrival and draft.person.category in MEMBER_CATEGORIES:
                draft.arrival = arrival
        else:
            if kind == Kind.RETIRED:
                post = Post.RETIRED
            elif kind == Kind.ADMIN:
                post = self.pick(
                    ((Post.MANAGEMENT, 85), (Post.PROFESSIONAL, 10), (Post.SUPPORT, 5))
                )
            elif branch.unit in {college.name for college in org_demo.COLLEGES}:
                post = self.pick(
                    ((Post.PROFESSIONAL, 72), (Post.MANAGEMENT, 20), (Post.SUPPORT, 8))
                )
            else:
                post = self.pick(
                    ((Post.PROFESSIONAL, 30), (Post.MANAGEMENT, 40), (Post.SUPPORT, 30))
                )
            young = (25, 36) if category else None
            category = category or (Category.FULL if r.random() < 0.97 else Category.PROBATIONARY)
            draft = self.draft(branch, post, category, age=young)
            if post == Post.PROFESSIONAL:
                age = self.today.year - draft.person.birth_date.year
                draft.person.title = "教授" if age > 50 else "副教授" if age > 38 else "讲师"
        groups = self.groups.get(branch.path)
        if groups and draft.person.category in MEMBER_CATEGORIES:
            draft.person.party_group = r.choice(groups)
        return draft

    def arrival(self) -> date:
        """When this year's new graduate students arrived (September, not after today)."""
        return min(date(self.latest, 9, self.rng.randint(3, 25)), self.today)

    def cadre_roles(self, root: Organization, orgs: list[Organization]) -> dict[str, list[Any]]:
        """Cadre posts by branch: college leaders in the first teacher branch, office heads in
        the office's branch, the university's leadership team in the first four offices."""
        roles: dict[str, list[Any]] = {}
        colleges = {college.name for college in org_demo.COLLEGES}
        offices = [o for o in orgs if o.kind == Kind.ADMIN and o.unit in org_demo.ADMIN_OFFICES]
        for college in (o for o in orgs if o.depth == 2 and o.unit in colleges | {"后勤保障处"}):
            first = next(
                (o for o in orgs if o.kind == Kind.TEACHER and o.path.startswith(college.path)),
                None,
            )
            posts = (
                COLLEGE_CADRES
                if college.unit in colleges
                else (("处长", CadreRank.DIVISION_CHIEF),)
            )
            if first is not None:
                roles.setdefault(first.code, []).extend(
                    (college.unit + title, rank, college.unit, f"{college.unit}领导班子", False)
                    for title, rank in posts
                )
        for office in offices:
            head, deputy = (
                ("主任", "副主任") if office.unit.endswith("办公室") else ("处长", "副处长")
            )
            roles.setdefault(office.code, []).extend(
                (office.unit + title, rank, office.unit, f"{office.unit}领导班子", False)
                for title, (_, rank) in zip((head, deputy), OFFICE_CADRES, strict=True)
            )
        for number, (title, rank) in enumerate(LEADERS):
            office = offices[number % 4]
            roles[office.code].append((title, rank, root.unit, "校领导班子", True))
        return roles

    def cadre(
        self, branch: Organization, position: str, rank: str, unit: str, team: str, leader: bool
    ) -> None:
        academic = position.endswith("院长") or (leader and self.rng.random() < 0.5)
        post = Post.PROFESSIONAL if academic else Post.MANAGEMENT
        education = self.pick((("doctorate", 60), ("master", 35), ("bachelor", 5)))
        draft = self.draft(
            branch,
            post,
            Category.FULL,
            age=(50, 59) if leader else (38, 57),
            gender="female" if self.rng.random() < 0.2 else "male",
            education=education,
        )
        draft.person.title = position
        appointed = self.day(self.today - timedelta(days=6 * 365), self.today - timedelta(days=60))
        draft.cadre = new_instance(
            Cadre,
            rank=rank,
            position=position,
            unit=unit,
            team=team,
            is_university_leader=leader,
            appointed_on=appointed,
            rank_since=appointed - timedelta(days=self.rng.randint(0, 4 * 365)),
        )
