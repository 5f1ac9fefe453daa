"""Organization levels, kinds and committee positions (domain.md §2)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    UNIVERSITY_COMMITTEE = "university_committee", _("高校党委")
    COMMITTEE = "committee", _("基层党委")
    GENERAL_BRANCH = "general_branch", _("党总支")
    BRANCH = "branch", _("党支部")
    TEMPORARY_BRANCH = "temporary_branch", _("临时党支部")
    PARTY_GROUP = "party_group", _("党小组")


class Kind(models.TextChoices):
    TEACHER = "teacher", _("教职工")
    UNDERGRADUATE = "undergraduate", _("本科生")
    GRADUATE = "graduate", _("研究生")
    ADMIN = "admin", _("机关")
    RETIRED = "retired", _("离退休")
    MIXED = "mixed", _("师生混合")


class Status(models.TextChoices):
    ACTIVE = "active", _("正常")
    DISSOLVED = "dissolved", _("已撤销")
    MERGED = "merged", _("已合并")


class Position(models.TextChoices):
    SECRETARY = "secretary", _("书记")
    DEPUTY_SECRETARY = "deputy_secretary", _("副书记")
    ORGANIZATION = "organization", _("组织委员")
    PUBLICITY = "publicity", _("宣传委员")
    DISCIPLINE = "discipline", _("纪检委员")
    MEMBER = "member", _("委员")


# Which levels may stand directly under which (domain.md §2; None is the top of the tree).
ALLOWED_PARENTS: dict[str, frozenset[str | None]] = {
    Level.UNIVERSITY_COMMITTEE: frozenset({None}),
    Level.COMMITTEE: frozenset({Level.UNIVERSITY_COMMITTEE}),
    Level.GENERAL_BRANCH: frozenset({Level.UNIVERSITY_COMMITTEE, Level.COMMITTEE}),
    Level.BRANCH: frozenset({Level.UNIVERSITY_COMMITTEE, Level.COMMITTEE, Level.GENERAL_BRANCH}),
    Level.TEMPORARY_BRANCH: frozenset(
        {Level.UNIVERSITY_COMMITTEE, Level.COMMITTEE, Level.GENERAL_BRANCH}
    ),
    Level.PARTY_GROUP: frozenset({Level.BRANCH, Level.TEMPORARY_BRANCH}),
}

BRANCH_LEVELS = frozenset({Level.BRANCH, Level.TEMPORARY_BRANCH})
COMMITTEE_LEVELS = frozenset({Level.UNIVERSITY_COMMITTEE, Level.COMMITTEE, Level.GENERAL_BRANCH})
