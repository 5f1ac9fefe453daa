"""Campaigns for the permission matrix (web and API): all of B1, the member persona linked
to a full member of B1 who votes and is appraised.

Personas: univ, committee (C1) and secretary (B1) run B1's campaigns; the member votes in
them and sees their own; the outsider (committee staff of C2) does not see them (404).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from dangjian.accounts.models import User
from dangjian.appraisals import actions
from dangjian.appraisals.models import Campaign
from dangjian.appraisals.testing import make_campaign, uniform_answers
from dangjian.core.testing.personas import Tree
from dangjian.members.models import Person
from dangjian.members.testing import make_person

B1_STAFF = {"univ", "committee", "secretary"}
WITH_MEMBER = B1_STAFF | {"member"}
OUTSIDE = {"outsider"}


def own_member(tree: Tree) -> Person:
    """A full member of B1 whose account is the member persona's (plus two more members)."""
    person = make_person(tree.b1, name="王党员", staff_no="APM1")
    Person.objects.filter(pk=person.pk).update(user=User.objects.get(username="member"))
    for n in range(2):
        make_person(
            tree.b1, name=f"李党员{n}", staff_no=f"APM{n + 2}", birth_date=date(1991, 2, n + 1)
        )
    return Person.objects.get(pk=person.pk)


def draft(tree: Tree) -> dict[str, Any]:
    own_member(tree)
    return {"pk": make_campaign(tree.b1, open_voting=False, codes=2).pk}


def voting(tree: Tree) -> dict[str, Any]:
    own_member(tree)
    return {"pk": make_campaign(tree.b1, codes=2).pk}


def counted(tree: Tree) -> dict[str, Any]:
    """Voting closed and counted: two members voted."""
    own_member(tree)
    campaign = make_campaign(tree.b1, codes=2)
    for person in Person.objects.filter(organization=tree.b1).exclude(user=None):
        actions.cast_ballot(
            campaign, uniform_answers(campaign, "qualified"), voter_user=person.user
        )
    actions.close_voting(campaign, acting_user=None)
    return {"pk": campaign.pk}


def decided(tree: Tree) -> dict[str, Any]:
    pk = counted(tree)["pk"]
    actions.decide(Campaign.objects.get(pk=pk), {}, acting_user=None)
    return {"pk": pk}


def published(tree: Tree) -> dict[str, Any]:
    pk = decided(tree)["pk"]
    actions.publish(Campaign.objects.get(pk=pk), acting_user=None)
    return {"pk": pk}
