"""The appraisal API in the permission matrix.

Each request gets a fresh tree. Campaigns are B1's (matrix_data); the member persona votes in
them and sees them read-only; the outsider (C2) does not see them (404). Organizer-only reads
(voters, turnout, results) are 403 for the member. For the ballot itself the staff personas
are put on the voter list too, so each of them casts one vote; so is the outsider, who reaches
the campaign only as an invited voter (its organization is outside their scope). The slip-code ballot and receipt
check need no account: anonymous visitors succeed there as everyone does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.appraisals import actions
from dangjian.appraisals.actions import reveal_code
from dangjian.appraisals.models import Campaign, Subject
from dangjian.appraisals.testing import make_campaign, uniform_answers
from dangjian.appraisals.tests import matrix_data
from dangjian.appraisals.tests.matrix_data import OUTSIDE, WITH_MEMBER
from dangjian.core.testing.matrix import BUSINESS, OK, STAFF, Endpoint
from dangjian.core.testing.personas import Tree
from dangjian.members.testing import make_person

BASE = "/api/v1/appraisals"
CAMPAIGN = f"{BASE}/campaigns/{{campaign_id}}"
EVERYONE = BUSINESS | {"anonymous"}


def on(make: Callable[[Tree], dict[str, Any]]) -> Callable[[Tree], dict[str, Any]]:
    """A matrix_data campaign maker as the path's arguments."""
    return lambda tree: {"campaign_id": make(tree)["pk"]}


@dataclass(frozen=True)
class PublicEndpoint(Endpoint):
    """An operation without authentication: every persona, anonymous too, succeeds."""

    def expected(self, persona: str) -> str:
        return OK


class WithCode(str):
    """The code-ballot path whose URL carries the slip's code in its query string (the matrix
    formats `url_name` with the args; the coverage check compares the bare path)."""

    def format(self, *args: Any, **kwargs: Any) -> str:
        return f"{self}?{urlencode({'code': kwargs['code']})}"


def all_vote(tree: Tree) -> dict[str, Any]:
    """Voting open; every persona with an account is linked to a person on the voter list."""
    matrix_data.own_member(tree)
    campaign = make_campaign(tree.b1, open_voting=False)
    people = []
    for n, username in enumerate(("univ", "committee", "secretary", "outsider")):
        person = make_person(tree.b1, name=f"特邀{n}", staff_no=f"APX{n}")
        person.user = User.objects.get(username=username)
        person.save(update_fields=["user"])
        people.append(person)
    actions.add_voters(campaign, people=people, acting_user=None)
    actions.open_voting(campaign, acting_user=None)
    return {"campaign_id": campaign.pk}


def ballot(tree: Tree) -> dict[str, Any]:
    campaign = Campaign.objects.get(organization=tree.b1)
    return {"answers": uniform_answers(campaign, "qualified")}


def code_ballot(tree: Tree) -> dict[str, Any]:
    campaign = Campaign.objects.get(organization=tree.b1)
    code = reveal_code(campaign.codes.get(serial=1))
    return {"code": code, "answers": uniform_answers(campaign, "qualified")}


def code_query(tree: Tree) -> dict[str, Any]:
    """A slip's code in the query string (args, since the URL carries it)."""
    matrix_data.own_member(tree)
    campaign = make_campaign(tree.b1, codes=1)
    return {"code": reveal_code(campaign.codes.get(serial=1))}


def decision(tree: Tree) -> dict[str, Any]:
    campaign = Campaign.objects.get(organization=tree.b1)
    return {"grades": {str(s.pk): "qualified" for s in Subject.objects.filter(campaign=campaign)}}


def new_campaign(tree: Tree) -> dict[str, Any]:
    now = timezone.now()
    return {
        "organization": tree.b1.pk,
        "kind": "member_appraisal",
        "title": "年度民主评议党员",
        "year": now.year - 1,
        "opens_at": now.isoformat(),
        "closes_at": (now + timezone.timedelta(days=3)).isoformat(),
        "subject_source": "members",
        "voter_source": "members",
        "codes": 2,
    }


def invited(tree: Tree) -> dict[str, Any]:
    person = make_person(tree.b1, name="特邀代表", staff_no="APINV")
    return {"people": [person.pk]}


ENDPOINTS: list[Endpoint] = [
    Endpoint(f"{BASE}/campaigns", api=True, ok=BUSINESS),
    Endpoint(
        f"{BASE}/campaigns",
        api=True,
        method="POST",
        ok=STAFF,
        not_found=OUTSIDE,
        data=new_campaign,
        note="B1 does not exist for the outsider",
    ),
    Endpoint(CAMPAIGN, api=True, ok=WITH_MEMBER, not_found=OUTSIDE, args=on(matrix_data.voting)),
    Endpoint(
        CAMPAIGN,
        api=True,
        method="PATCH",
        ok=STAFF,
        not_found=OUTSIDE,
        args=on(matrix_data.draft),
        data=lambda t: {"instructions": "请认真填写。"},
    ),
    Endpoint(
        CAMPAIGN, api=True, method="DELETE", ok=STAFF, not_found=OUTSIDE, args=on(matrix_data.draft)
    ),
    Endpoint(
        f"{CAMPAIGN}/phase",
        api=True,
        method="POST",
        ok=STAFF,
        not_found=OUTSIDE,
        args=on(matrix_data.voting),
        data=lambda t: {"op": "close"},
    ),
    Endpoint(
        f"{CAMPAIGN}/subjects",
        api=True,
        ok=WITH_MEMBER,
        not_found=OUTSIDE,
        args=on(matrix_data.voting),
    ),
    Endpoint(
        f"{CAMPAIGN}/subjects",
        api=True,
        method="POST",
        ok=STAFF,
        not_found=OUTSIDE,
        args=on(matrix_data.draft),
        data=invited,
    ),
    Endpoint(
        f"{CAMPAIGN}/voters", api=True, ok=STAFF, not_found=OUTSIDE, args=on(matrix_data.voting)
    ),
    Endpoint(
        f"{CAMPAIGN}/voters",
        api=True,
        method="POST",
        ok=STAFF,
        not_found=OUTSIDE,
        args=on(matrix_data.draft),
        data=invited,
    ),
    Endpoint(
        f"{CAMPAIGN}/codes",
        api=True,
        method="POST",
        ok=STAFF,
        not_found=OUTSIDE,
        args=on(matrix_data.draft),
        data=lambda t: {"count": 3},
    ),
    Endpoint(f"{CAMPAIGN}/ballot", api=True, ok=WITH_MEMBER | OUTSIDE, args=all_vote),
    Endpoint(
        f"{CAMPAIGN}/ballot",
        api=True,
        method="POST",
        ok=WITH_MEMBER | OUTSIDE,
        args=all_vote,
        data=ballot,
        note="the outsider is an invited voter: the voter list lets them in, nothing more",
    ),
    PublicEndpoint(WithCode(f"{BASE}/code-ballot"), api=True, ok=EVERYONE, args=code_query),
    PublicEndpoint(
        f"{BASE}/code-ballot",
        api=True,
        method="POST",
        ok=EVERYONE,
        args=on(matrix_data.voting),
        data=code_ballot,
    ),
    PublicEndpoint(
        f"{BASE}/receipts/verify",
        api=True,
        method="POST",
        ok=EVERYONE,
        data=lambda t: {"receipt": "AAAA-BBBB-CCCC"},
    ),
    Endpoint(
        f"{CAMPAIGN}/turnout", api=True, ok=STAFF, not_found=OUTSIDE, args=on(matrix_data.voting)
    ),
    Endpoint(
        f"{CAMPAIGN}/results", api=True, ok=STAFF, not_found=OUTSIDE, args=on(matrix_data.counted)
    ),
    Endpoint(
        f"{CAMPAIGN}/decide",
        api=True,
        method="POST",
        ok=STAFF,
        not_found=OUTSIDE,
        args=on(matrix_data.counted),
        data=decision,
    ),
]
