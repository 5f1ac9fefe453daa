"""Building cases in tests, the demo and benchmarks: valid data for every step and a walk
through the pipeline with dates that keep every rule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from dangjian.members.choices import Category
from dangjian.members.models import Person
from dangjian.members.rules import add_months
from dangjian.members.testing import make_person
from dangjian.orgs.models import Organization
from dangjian.recruitment import actions
from dangjian.recruitment.models import Case


@dataclass
class Helpers:
    """Full members of the branch who talk, mentor and introduce."""

    talker: Person
    mentors: list[Person]
    introducers: list[Person]


def helpers_for(branch: Organization, serial: int = 900) -> Helpers:
    """Four full members in `branch` (so a vote has voting members)."""
    people = [
        make_person(branch, name=name, birth_date=date(1980, 1, 1 + n), staff_no=f"H{serial + n}")
        for n, name in enumerate(["谈话人", "联系人甲", "介绍人甲", "介绍人乙"])
    ]
    return Helpers(people[0], [people[1]], people[2:])


def applicant(branch: Organization, name: str = "李申请", **extra: Any) -> Person:
    """A young person registered as an applicant (born 2002)."""
    data: dict[str, Any] = {
        "name": name,
        "birth_date": date(2002, 5, 4),
        "category": Category.APPLICANT,
        "applied_on": date(2023, 3, 1),
        "activist_on": None,
        "candidate_on": None,
        "joined_on": None,
        "converted_on": None,
        "post": "undergraduate",
        "staff_no": extra.pop("staff_no", f"S{abs(hash(name)) % 10**8}"),
    }
    data.update(extra)
    return make_person(branch, **data)


def schedule(start: date) -> dict[int, date]:
    """A date for every step from an application on `start` that keeps every default rule."""
    activist = add_months(start, 2)
    candidate = add_months(activist, 12) + timedelta(days=15)
    vote = candidate + timedelta(days=50)
    ends = add_months(vote, 12)
    days = {
        1: start,
        2: start + timedelta(days=20),
        3: activist,
        4: activist + timedelta(days=5),
        5: activist + timedelta(days=10),
        6: add_months(activist, 6),
        7: candidate,
        8: candidate + timedelta(days=5),
        9: candidate + timedelta(days=10),
        10: candidate + timedelta(days=20),
        11: candidate + timedelta(days=30),
        12: candidate + timedelta(days=35),
        13: candidate + timedelta(days=45),
        14: candidate + timedelta(days=46),
        15: vote,
        16: vote + timedelta(days=5),
        17: vote + timedelta(days=20),
        18: vote + timedelta(days=25),
        19: vote + timedelta(days=26),
        20: vote + timedelta(days=30),
        21: add_months(vote, 6),
        22: add_months(vote, 11),
        23: ends,
        24: ends + timedelta(days=20),
        25: ends + timedelta(days=30),
    }
    return days


def step_data(number: int, days: dict[int, date], helpers: Helpers, voters: int) -> dict[str, Any]:
    """Valid fields of step `number` (votes: everyone present and in favour)."""
    candidate = days[7]
    votes = {
        "should_attend": voters,
        "present": voters,
        "votes_for": voters,
        "votes_against": 0,
        "votes_abstain": 0,
    }
    table: dict[int, dict[str, Any]] = {
        1: {"received_by": "文学院教工第一党支部"},
        2: {"talker": helpers.talker.pk, "summary": "了解入党动机"},
        3: {"source": "league", "decided_by": "branch_committee"},
        5: {"mentors": [p.pk for p in helpers.mentors]},
        6: {"conclusion": "表现良好", "thought_reports": 2},
        7: {
            "opinions": "听取党员和群众意见",
            "decided_by": "branch_committee",
            "notice_from": (candidate - timedelta(days=8)).isoformat(),
            "notice_to": (candidate - timedelta(days=1)).isoformat(),
        },
        9: {"introducers": [p.pk for p in helpers.introducers]},
        10: {"conclusion": "passed"},
        11: {"course": "发展对象培训班", "days": 3, "hours": 24},
        12: {"opinion": "同意"},
        13: {
            "notice_from": (candidate + timedelta(days=36)).isoformat(),
            "notice_to": (candidate + timedelta(days=42)).isoformat(),
        },
        14: {"form_no": "2024001"},
        15: votes,
        16: {"talker": helpers.talker.pk},
        17: {"approved_by": "文学院党委"},
        21: {"conclusion": "表现良好"},
        23: {"outcome": "on_time", **votes},
        24: {"approved_by": "文学院党委"},
    }
    return table.get(number, {})


def walk(
    person: Person,
    *,
    through: int = 25,
    start: date = date(2023, 3, 1),
    helpers: Helpers | None = None,
    acting_user: Any = None,
) -> Case:
    """Open a case for `person` and record every step up to `through` (as the system unless
    `acting_user` is given; review steps then wait for the reviewer)."""
    helpers = helpers or helpers_for(person.organization)
    days = schedule(start)
    from dangjian.recruitment.checks import voting_members

    outcome = actions.open_case(
        person, applied_on=days[1], data=step_data(1, days, helpers, 0), acting_user=acting_user
    )
    case = outcome.record.case
    voters = voting_members(case)
    for number in range(2, through + 1):
        actions.record_step(
            case,
            number,
            occurred_on=days[number],
            data=step_data(number, days, helpers, voters),
            acting_user=acting_user,
        )
    case.refresh_from_db()
    return case
