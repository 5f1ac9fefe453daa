"""Where subjects and voters come from: the registry and the committees, within the campaign's
organization subtree.

Member appraisal takes the branch's members (probationary members listed but not graded);
the reviews take the current secretaries of branches or committees; team assessment takes the
committees as teams; cadre assessment the cadres in office. Voters are the members of the
subtree, the organization's own committee, or people invited by name.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dangjian.appraisals.choices import SubjectKind, VoterKind
from dangjian.appraisals.models import Campaign, Subject
from dangjian.core.errors import DomainError
from dangjian.core.text import Text
from dangjian.members.choices import MEMBER_CATEGORIES, CadreStatus, Category, Status
from dangjian.members.models import Cadre, Person
from dangjian.orgs.choices import BRANCH_LEVELS, Level, Position
from dangjian.orgs.models import CommitteeMember, Organization

INVITED = VoterKind.INVITED
COMMITTEE_LEVELS_BELOW = (Level.COMMITTEE, Level.GENERAL_BRANCH)

SUBJECT_SOURCES: dict[str, Text] = {
    "members": _("本组织全体党员"),
    "branch_secretaries": _("所属党支部书记"),
    "committee_secretaries": _("所属基层党委（党总支）书记"),
    "teams": _("所属基层党委（党总支）领导班子"),
    "cadres": _("本组织在任干部"),
}
VOTER_SOURCES: dict[str, Text] = {
    "members": _("本组织全体党员"),
    "committee": _("本组织委员会委员"),
    "subtree_secretaries": _("所属各级党组织书记"),
}


def _members(org: Organization):  # type: ignore[no-untyped-def]
    return Person.objects.filter(
        organization__path__startswith=org.path,
        category__in=MEMBER_CATEGORIES,
        status=Status.NORMAL,
    ).order_by("organization__path", "name_pinyin", "pk")


def _secretaries(org: Organization, levels: Iterable[str]) -> list[CommitteeMember]:
    return list(
        CommitteeMember.objects.filter(
            term__organization__path__startswith=org.path,
            term__organization__level__in=levels,
            term__closed_on__isnull=True,
            ended_on__isnull=True,
            position=Position.SECRETARY,
        )
        .select_related("term__organization", "person")
        .order_by("term__organization__path", "pk")
    )


def person_subject(person: Person, post: str = "", graded: bool | None = None) -> Subject:
    """A person as subject; probationary members are not graded."""
    if graded is None:
        graded = person.category != Category.PROBATIONARY
    return Subject(
        kind=SubjectKind.PERSON,
        person=person,
        organization_id=person.organization_id,
        name=person.name,
        post=post or str(Category(person.category).label),
        graded=graded,
    )


def organization_subject(org: Organization, kind: str = "") -> Subject:
    """An organization (or its leading team) as subject."""
    return Subject(
        kind=SubjectKind.TEAM if org.level in COMMITTEE_LEVELS_BELOW else SubjectKind.ORGANIZATION,
        organization=org,
        name=org.name,
        post=str(Level(org.level).label),
    )


def subject_drafts(campaign: Campaign, source: str) -> list[Subject]:
    """Unsaved subjects of `campaign` from a named source."""
    org = campaign.organization
    if source == "members":
        return [person_subject(person) for person in _members(org)]
    if source in ("branch_secretaries", "committee_secretaries"):
        levels = BRANCH_LEVELS if source == "branch_secretaries" else COMMITTEE_LEVELS_BELOW
        drafts = []
        for post in _secretaries(org, levels):
            unit = post.term.organization
            subject = Subject(
                kind=SubjectKind.PERSON,
                person=post.person,
                organization=unit,
                name=post.person.name if post.person else post.name,
                post=gettext("%(org)s书记") % {"org": unit.name},
            )
            drafts.append(subject)
        return drafts
    if source == "teams":
        units = Organization.objects.filter(
            path__startswith=org.path, level__in=COMMITTEE_LEVELS_BELOW
        ).exclude(pk=org.pk)
        return [organization_subject(unit) for unit in units.order_by("path")]
    if source == "cadres":
        cadres = Cadre.objects.filter(
            person__organization__path__startswith=org.path, status=CadreStatus.IN_OFFICE
        ).select_related("person")
        return [person_subject(c.person, post=c.position, graded=True) for c in cadres]
    raise DomainError(gettext("未知的评议对象来源。"))


def voter_people(campaign: Campaign, source: str) -> list[tuple[int, str]]:
    """(person id, voter kind) pairs of a named voter source."""
    org = campaign.organization
    if source == "members":
        return [(pk, VoterKind.MEMBER) for pk in _members(org).values_list("pk", flat=True)]
    if source == "committee":
        posts = CommitteeMember.objects.filter(
            term__organization=org,
            term__closed_on__isnull=True,
            ended_on__isnull=True,
            person__isnull=False,
        ).order_by("position", "pk")
        return [(pk, VoterKind.COMMITTEE) for pk in posts.values_list("person_id", flat=True)]
    if source == "subtree_secretaries":
        levels = (*COMMITTEE_LEVELS_BELOW, *BRANCH_LEVELS)
        return [
            (post.person_id, VoterKind.COMMITTEE)
            for post in _secretaries(org, levels)
            if post.person_id is not None
        ]
    raise DomainError(gettext("未知的投票人来源。"))
