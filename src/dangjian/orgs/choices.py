"""Organization levels, kinds and committee positions (domain.md §2)."""

from __future__ import annotations

from django.db import models


class Level(models.TextChoices):
    UNIVERSITY_COMMITTEE = "university_committee", "高校党委"
    COMMITTEE = "committee", "基层党委"
    GENERAL_BRANCH = "general_branch", "党总支"
    BRANCH = "branch", "党支部"
    TEMPORARY_BRANCH = "temporary_branch", "临时党支部"
    PARTY_GROUP = "party_group", "党小组"


class Kind(models.TextChoices):
    TEACHER = "teacher", "教职工"
    UNDERGRADUATE = "undergraduate", "本科生"
    GRADUATE = "graduate", "研究生"
    ADMIN = "admin", "机关"
    RETIRED = "retired", "离退休"
    MIXED = "mixed", "师生混合"


class Status(models.TextChoices):
    ACTIVE = "active", "正常"
    DISSOLVED = "dissolved", "已撤销"
    MERGED = "merged", "已合并"


class Position(models.TextChoices):
    SECRETARY = "secretary", "书记"
    DEPUTY_SECRETARY = "deputy_secretary", "副书记"
    ORGANIZATION = "organization", "组织委员"
    PUBLICITY = "publicity", "宣传委员"
    DISCIPLINE = "discipline", "纪检委员"
    MEMBER = "member", "委员"


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
