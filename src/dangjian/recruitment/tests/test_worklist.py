"""The worklist (发展工作台): each section for committee staff, a branch secretary, another
committee and the university, and the page itself."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.core.testing.personas import Tree
from dangjian.recruitment import actions
from dangjian.recruitment import worklist as queries
from dangjian.recruitment.models import Case, StepRecord
from dangjian.recruitment.testing import applicant, helpers_for, schedule, walk

pytestmark = pytest.mark.django_db

PAGE = "/recruitment/worklist/"


def start_for_probation_ending(ends: date) -> date:
    """An application day whose schedule ends the probation on `ends`."""
    day = ends - timedelta(days=900)
    while schedule(day)[23] < ends:
        day += timedelta(days=1)
    assert schedule(day)[23] == ends
    return day


@pytest.fixture
def cases(tree: Tree, personas: dict[str, User]) -> dict[str, Case]:
    """In b1 (c1): `waiting` filed step 4 by the secretary (waits for c1), `overdue` has step 5
    due 2023-11-01, `returned` had step 8 sent back by c1; in b3 (c2): `coming` has step 22
    (conversion application) due in 15 days."""
    helpers = helpers_for(tree.b1)
    days = schedule(date(2023, 3, 1))
    waiting = walk(applicant(tree.b1, "甲"), through=3, helpers=helpers)
    actions.record_step(waiting, 4, occurred_on=days[4], acting_user=personas["secretary"])
    overdue = walk(applicant(tree.b1, "乙"), through=4, helpers=helpers)
    returned = walk(applicant(tree.b1, "丙"), through=7, helpers=helpers)
    outcome = actions.record_step(
        returned, 8, occurred_on=days[8], acting_user=personas["secretary"]
    )
    actions.review_step(
        outcome.record,
        decision="returned",
        decided_on=days[8],
        reason="备案材料不全",
        acting_user=personas["committee"],
    )
    today = timezone.localdate()
    coming = walk(
        applicant(tree.b3, "丁"),
        through=20,
        start=start_for_probation_ending(today + timedelta(days=45)),
        helpers=helpers_for(tree.b3, 910),
    )
    found = {"waiting": waiting, "overdue": overdue, "returned": returned, "coming": coming}
    for case in found.values():
        case.refresh_from_db()
    return found


def names(cases: Any) -> list[str]:
    return [case.person.name for case in cases]


def sections(user: User) -> dict[str, list[str]]:
    today = timezone.localdate()
    return {
        "waiting": names(queries.waiting_for_me(user)),
        "overdue": names(queries.overdue(user, today)),
        "coming": names(queries.coming(user, today)),
        "returned": names(queries.returned(user)),
    }


def test_the_cases_are_as_described(cases: dict[str, Case], tree: Tree) -> None:
    today = timezone.localdate()
    assert cases["waiting"].waiting_organization == tree.c1
    assert cases["overdue"].due_on == date(2023, 11, 1)
    assert cases["returned"].returned_reason == "备案材料不全"
    assert cases["coming"].next_step == 22
    assert cases["coming"].due_on == today + timedelta(days=15)


def test_committee_staff_review_and_follow_their_branches(
    cases: dict[str, Case], personas: dict[str, User]
) -> None:
    assert sections(personas["committee"]) == {
        "waiting": ["甲"],
        "overdue": ["乙"],
        "coming": [],
        "returned": ["丙"],
    }
    assert queries.stage_counts(personas["committee"]) == {1: 0, 2: 2, 3: 1, 4: 0, 5: 0}


def test_a_secretary_sees_the_branch_but_reviews_nothing(
    cases: dict[str, Case], personas: dict[str, User]
) -> None:
    assert sections(personas["secretary"]) == {
        "waiting": [],
        "overdue": ["乙"],
        "coming": [],
        "returned": ["丙"],
    }


def test_another_committee_and_the_university(
    cases: dict[str, Case], personas: dict[str, User]
) -> None:
    assert sections(personas["outsider"]) == {
        "waiting": [],
        "overdue": [],
        "coming": ["丁"],
        "returned": [],
    }
    assert queries.stage_counts(personas["outsider"])[5] == 1
    assert sections(personas["univ"]) == {
        "waiting": ["甲"],  # the university decides for every organization (actions._reviews)
        "overdue": ["乙"],
        "coming": ["丁"],
        "returned": ["丙"],
    }
    assert sections(personas["member"]) == {
        "waiting": [],
        "overdue": [],
        "coming": [],
        "returned": [],
    }


def test_sections_follow_the_day_and_the_state(
    cases: dict[str, Case], personas: dict[str, User]
) -> None:
    committee = personas["committee"]
    assert names(queries.coming(committee, date(2023, 10, 2))) == ["乙"]  # due in 30 days
    assert names(queries.coming(committee, date(2023, 10, 1))) == []
    assert names(queries.overdue(committee, date(2023, 11, 1))) == []  # due today
    record = StepRecord.objects.get(case=cases["returned"], step=8)
    actions.record_step(cases["returned"], 8, occurred_on=record.occurred_on, acting_user=None)
    assert names(queries.returned(committee)) == []


def test_the_page(cases: dict[str, Case], login: Any, tree: Tree) -> None:
    assert reverse("recruitment:worklist") == PAGE
    response = login("committee").get(PAGE)
    assert response.status_code == 200
    page = response.content.decode()
    assert "发展工作台" in page
    assert "待我审核" in page and "甲" in page and "第4步 报上级党委备案" in page
    days = (timezone.localdate() - date(2023, 11, 1)).days
    assert (
        f'<span class="text-danger fw-semibold" data-testid="days-overdue">逾期 {days} 天' in page
    )
    assert "备案材料不全" in page
    assert f"/recruitment/?within={tree.c1.pk}&amp;stage=2&amp;status=open" in page
    assert f"/recruitment/?within={tree.c1.pk}&amp;overdue=1" in page
    assert f"/recruitment/{cases['waiting'].pk}/" in page


def test_who_may_open_the_page(cases: dict[str, Case], login: Any) -> None:
    secretary = login("secretary").get(PAGE).content.decode()
    assert "没有等待您审核的步骤。" in secretary and "丙" in secretary
    assert "丁" not in secretary
    assert login("member").get(PAGE).status_code == 200
    assert login("norole").get(PAGE).status_code == 403
    assert login("sysadmin").get(PAGE).status_code == 403
    assert login("anonymous").get(PAGE).status_code == 302


def test_queries_do_not_grow_with_cases(
    cases: dict[str, Case], personas: dict[str, User], django_assert_max_num_queries: Any
) -> None:
    committee, today = personas["committee"], timezone.localdate()
    with django_assert_max_num_queries(6):  # the grants once, then one query per section
        rows = queries.with_days(queries.waiting_for_me(committee), today)
        rows += queries.with_days(queries.overdue(committee, today), today)
        rows += queries.with_days(queries.returned(committee), today)
        queries.stage_counts(committee)
    assert rows[0].days_waiting == 0 and rows[1].days_overdue > 1000
    assert rows[2].step_label == "报上级党委备案"
