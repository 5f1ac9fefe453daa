"""Every state change of a campaign: setup, phases, counting, decision and publication.

Each is a `domain_action` (atomic, audited, refused with a Chinese message leaving nothing
behind). Casting a ballot is the one exception, in `voting.py`: a vote is deliberately not
audited, since the audit row's time would date the voter's ballot; it is re-exported here so
callers have one place for state changes.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext

from dangjian.appraisals import counting, rules, sources
from dangjian.appraisals.choices import (
    DECISION_SCALE,
    CampaignKind,
    Phase,
    QuestionKind,
    Scale,
    option_label,
    options,
)
from dangjian.appraisals.models import Campaign, Question, Subject, VoteCode, Voter
from dangjian.appraisals.questionnaire import default_questions
from dangjian.appraisals.voting import (
    cast_ballot,
    cast_with_code,
    code_hash,
    reseal,
    verify_receipt,
)
from dangjian.core import crypto
from dangjian.core import rules as core_rules
from dangjian.core.actions import domain_action, track
from dangjian.core.errors import DomainError
from dangjian.core.moments import parse_moment
from dangjian.core.scope import ADD, CHANGE, covers
from dangjian.core.uploads import check_scan, stored_name
from dangjian.members.models import Person
from dangjian.orgs.models import Organization

__all__ = [
    "add_subjects",
    "add_voters",
    "cast_ballot",
    "cast_with_code",
    "close_voting",
    "create_campaign",
    "decide",
    "delete_campaign",
    "delete_question",
    "generate_codes",
    "open_self_report",
    "open_voting",
    "publish",
    "remove_subject",
    "remove_voter",
    "save_question",
    "submit_report",
    "update_campaign",
    "verify_receipt",
]

CODE_FIELD = "appraisals.code"
MAX_CODES = 2000
SETUP_PHASES = (Phase.DRAFT, Phase.SELF_REPORT)


def refuse_outside(user: Any, action: str, org: Organization) -> None:
    if user is not None and not covers(user, Campaign, action, org.path):
        raise DomainError(gettext("您无权办理该党组织的评议测评。"))


def _require_phase(campaign: Campaign, *phases: str, doing: str) -> None:
    if campaign.phase not in phases:
        raise DomainError(
            gettext("测评当前处于“%(phase)s”阶段，不能%(doing)s。")
            % {"phase": campaign.get_phase_display(), "doing": doing}
        )


def _minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def _clean(data: Mapping[str, Any], campaign: Campaign | None) -> dict[str, Any]:
    """Campaign fields from form or API data; every problem named by field."""
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    kind = data.get("kind", campaign.kind if campaign else "")
    if kind not in CampaignKind.values:
        errors["kind"] = gettext("请选择测评类型。")
    out["kind"] = kind
    title = str(data.get("title", campaign.title if campaign else "")).strip()
    if not title:
        errors["title"] = gettext("请填写测评名称。")
    elif len(title) > 200:
        errors["title"] = gettext("名称不能超过200字。")
    out["title"] = title
    try:
        year = int(data.get("year", campaign.year if campaign else 0))
        if not 2000 <= year <= 2100:
            raise ValueError
        out["year"] = year
    except (TypeError, ValueError):
        errors["year"] = gettext("评议年度应为2000至2100之间的年份。")
    for name in ("opens_at", "closes_at"):
        try:
            out[name] = parse_moment(data.get(name, getattr(campaign, name, None)), name)
        except DomainError as error:
            errors.update(error.errors)
    if not errors and out["closes_at"] <= out["opens_at"]:
        errors["closes_at"] = gettext("投票截止时间应晚于开始时间。")
    out["instructions"] = str(data.get("instructions", campaign.instructions if campaign else ""))
    if errors:
        raise DomainError(errors)
    return out


@domain_action("appraisals.campaign.create", "发起评议测评")
def create_campaign(
    organization: Organization, data: Mapping[str, Any], *, acting_user: Any
) -> Campaign:
    """A new campaign in draft, with the default questionnaire of its kind."""
    refuse_outside(acting_user, ADD, organization)
    fields = _clean(data, None)
    campaign = Campaign.objects.create(organization=organization, created_by=acting_user, **fields)
    for position, draft in enumerate(default_questions(campaign.kind), start=1):
        Question.objects.create(
            campaign=campaign,
            position=position,
            kind=draft.kind,
            text=str(draft.text),
            scale=draft.scale,
            per_subject=draft.per_subject,
            required=draft.required,
            min_score=draft.min_score,
            max_score=draft.max_score,
        )
    track(campaign, changes={k: (None, v) for k, v in fields.items()})
    return campaign


@domain_action("appraisals.campaign.update", "修改评议测评")
def update_campaign(campaign: Campaign, data: Mapping[str, Any], *, acting_user: Any) -> Campaign:
    """Change title, times or instructions; while voting only the closing time may move."""
    refuse_outside(acting_user, CHANGE, campaign.organization)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    _require_phase(campaign, Phase.DRAFT, Phase.SELF_REPORT, Phase.VOTING, doing=gettext("修改"))
    fields = _clean(data, campaign)
    if fields["kind"] != campaign.kind:
        raise DomainError({"kind": gettext("测评类型创建后不能更改，请另行发起。")})
    for name in ("opens_at", "closes_at"):  # forms send minutes: an unchanged minute is kept
        if _minute(fields[name]) == _minute(getattr(campaign, name)):
            fields[name] = getattr(campaign, name)
    if campaign.phase == Phase.VOTING:
        for name in ("opens_at", "year", "title"):
            if fields[name] != getattr(campaign, name):
                raise DomainError(gettext("投票已开始，只能延长截止时间或修改说明。"))
        if fields["closes_at"] < campaign.closes_at:
            raise DomainError({"closes_at": gettext("投票已开始，截止时间只能延后。")})
    changes = {k: (getattr(campaign, k), v) for k, v in fields.items() if getattr(campaign, k) != v}
    for name, value in fields.items():
        setattr(campaign, name, value)
    campaign.save()
    track(campaign, changes=changes)
    return campaign


@domain_action("appraisals.question.save", "编辑测评题目")
def save_question(
    campaign: Campaign,
    data: Mapping[str, Any],
    *,
    question: Question | None = None,
    acting_user: Any,
) -> Question:
    """Add or change a question before voting opens."""
    refuse_outside(acting_user, CHANGE, campaign.organization)
    _require_phase(campaign, *SETUP_PHASES, doing=gettext("修改题目"))
    errors: dict[str, str] = {}
    kind = data.get("kind", question.kind if question else "")
    if kind not in QuestionKind.values:
        errors["kind"] = gettext("请选择题型。")
    text = str(data.get("text", question.text if question else "")).strip()
    if not text or len(text) > 300:
        errors["text"] = gettext("请填写题目（不超过300字）。")
    scale = str(data.get("scale", question.scale if question else "") or "")
    if kind == QuestionKind.GRADE and scale not in Scale.values:
        errors["scale"] = gettext("等次评价题请选择评价等次。")
    low, high = data.get("min_score"), data.get("max_score")
    if kind == QuestionKind.SCORE:
        try:
            low, high = int(low if low not in (None, "") else 0), int(high or 100)
            if not 0 <= low < high <= 1000:
                raise ValueError
        except (TypeError, ValueError):
            errors["max_score"] = gettext("分数范围应为0至1000之间的整数，且最低分小于最高分。")
    max_top = data.get("max_top")
    try:
        max_top = int(max_top) if max_top not in (None, "") else None
        if max_top is not None and max_top < 1:
            raise ValueError
    except (TypeError, ValueError):
        errors["max_top"] = gettext("最多选择人数应为正整数。")
    if errors:
        raise DomainError(errors)
    values = {
        "kind": kind,
        "text": text,
        "scale": scale if kind == QuestionKind.GRADE else "",
        "per_subject": bool(data.get("per_subject", question.per_subject if question else True)),
        "required": bool(data.get("required", question.required if question else True)),
        "max_top": max_top if kind == QuestionKind.GRADE else None,
        "min_score": low if kind == QuestionKind.SCORE else None,
        "max_score": high if kind == QuestionKind.SCORE else None,
    }
    if question is None:
        last = campaign.questions.aggregate(last=Max("position"))["last"] or 0
        question = Question.objects.create(campaign=campaign, position=last + 1, **values)
        track(question, changes={k: (None, v) for k, v in values.items()})
        return question
    changes = {k: (getattr(question, k), v) for k, v in values.items()}
    Question.objects.filter(pk=question.pk).update(**values)
    question.refresh_from_db()
    track(question, changes=changes)
    return question


@domain_action("appraisals.question.delete", "删除测评题目")
def delete_question(question: Question, *, acting_user: Any) -> None:
    campaign = question.campaign
    refuse_outside(acting_user, CHANGE, campaign.organization)
    _require_phase(campaign, *SETUP_PHASES, doing=gettext("删除题目"))
    track(campaign, detail={"question": question.text})
    question.delete()


@domain_action("appraisals.subjects.add", "添加评议对象")
def add_subjects(
    campaign: Campaign,
    *,
    source: str = "",
    people: Iterable[Person] = (),
    organizations: Iterable[Organization] = (),
    acting_user: Any,
) -> int:
    """Add subjects from a source (sources.SUBJECT_SOURCES) or given people/organizations.

    Probationary members are added ungraded; people already listed are skipped. Returns the
    number added.
    """
    refuse_outside(acting_user, CHANGE, campaign.organization)
    _require_phase(campaign, *SETUP_PHASES, doing=gettext("调整评议对象"))
    drafts = sources.subject_drafts(campaign, source) if source else []
    drafts += [sources.person_subject(person) for person in people]
    drafts += [sources.organization_subject(org, campaign.kind) for org in organizations]
    listed: set[int | None] = set(
        campaign.subjects.exclude(person=None).values_list("person_id", flat=True)
    )
    listed_orgs: set[int | None] = set(
        campaign.subjects.filter(person=None).values_list("organization_id", flat=True)
    )
    start = campaign.subjects.aggregate(last=Max("position"))["last"] or 0
    new: list[Subject] = []
    for draft in drafts:
        if draft.person_id is not None:
            if draft.person_id in listed:
                continue
            listed.add(draft.person_id)
        elif draft.organization_id in listed_orgs:
            continue
        else:
            listed_orgs.add(draft.organization_id)
        draft.campaign = campaign
        draft.position = start + len(new) + 1
        new.append(draft)
    Subject.objects.bulk_create(new)
    track(campaign, detail={"subjects_added": len(new), "source": source})
    return len(new)


@domain_action("appraisals.subjects.remove", "移除评议对象")
def remove_subject(subject: Subject, *, acting_user: Any) -> None:
    campaign = subject.campaign
    refuse_outside(acting_user, CHANGE, campaign.organization)
    _require_phase(campaign, *SETUP_PHASES, doing=gettext("调整评议对象"))
    track(campaign, detail={"subject_removed": subject.name})
    subject.delete()


@domain_action("appraisals.voters.add", "添加投票人")
def add_voters(
    campaign: Campaign,
    *,
    source: str = "",
    people: Iterable[Person] = (),
    acting_user: Any,
) -> int:
    """Add voters from a source (sources.VOTER_SOURCES) or invited people; returns the count."""
    refuse_outside(acting_user, CHANGE, campaign.organization)
    _require_phase(campaign, *SETUP_PHASES, doing=gettext("调整投票人名单"))
    pairs = sources.voter_people(campaign, source) if source else []
    pairs += [(person.pk, sources.INVITED) for person in people]
    listed = set(campaign.voters.values_list("person_id", flat=True))
    new: list[Voter] = []
    for person_id, kind in pairs:
        if person_id in listed:
            continue
        listed.add(person_id)
        new.append(Voter(campaign=campaign, person_id=person_id, kind=kind))
    Voter.objects.bulk_create(new)
    track(campaign, detail={"voters_added": len(new), "source": source})
    return len(new)


@domain_action("appraisals.voters.remove", "移除投票人")
def remove_voter(voter: Voter, *, acting_user: Any) -> None:
    campaign = voter.campaign
    refuse_outside(acting_user, CHANGE, campaign.organization)
    _require_phase(campaign, *SETUP_PHASES, doing=gettext("调整投票人名单"))
    track(campaign, detail={"voter_removed": voter.person.name})
    voter.delete()


def new_code() -> str:
    """A 12-character code (60 bits) in groups of four, without look-alike characters."""
    alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
    raw = "".join(secrets.choice(alphabet) for _ in range(12))
    return "-".join(raw[i : i + 4] for i in range(0, 12, 4))


@domain_action("appraisals.codes.generate", "生成投票码")
def generate_codes(campaign: Campaign, count: int, *, acting_user: Any) -> int:
    """Add `count` single-use codes for voters without accounts (before voting closes)."""
    refuse_outside(acting_user, CHANGE, campaign.organization)
    _require_phase(campaign, *SETUP_PHASES, doing=gettext("生成投票码"))
    if not isinstance(count, int) or not 1 <= count <= MAX_CODES:
        raise DomainError(
            {"count": gettext("投票码数量应为1至%(max)s之间的整数。") % {"max": MAX_CODES}}
        )
    start = campaign.codes.aggregate(last=Max("serial"))["last"] or 0
    if start + count > MAX_CODES:
        raise DomainError(
            {
                "count": gettext("每次测评最多%(max)s个投票码，已有%(have)s个。")
                % {"max": MAX_CODES, "have": start}
            }
        )
    codes = []
    for serial in range(start + 1, start + count + 1):
        code = new_code()
        codes.append(
            VoteCode(
                campaign=campaign,
                serial=serial,
                code_cipher=crypto.encrypt(code, CODE_FIELD),
                code_hash=code_hash(code),
            )
        )
    VoteCode.objects.bulk_create(codes)
    track(campaign, detail={"codes_generated": count})
    return count


def reveal_code(code: VoteCode) -> str:
    """The printable code of a slip (for the slips page only)."""
    return crypto.decrypt(code.code_cipher, CODE_FIELD)


@domain_action("appraisals.campaign.self_report", "开始述职/自评")
def open_self_report(campaign: Campaign, *, acting_user: Any) -> Campaign:
    refuse_outside(acting_user, CHANGE, campaign.organization)
    _require_phase(campaign, Phase.DRAFT, doing=gettext("开始述职/自评"))
    if not campaign.subjects.exists():
        raise DomainError(gettext("请先添加评议对象。"))
    return _move(campaign, Phase.SELF_REPORT)


@domain_action("appraisals.subject.report", "提交述职/自评")
def submit_report(
    subject: Subject,
    data: Mapping[str, Any],
    *,
    upload: Any = None,
    acting_user: Any,
) -> Subject:
    """The subject (or staff for them) hands in the report and self-assessment."""
    campaign = subject.campaign
    own = (
        acting_user is not None
        and subject.person is not None
        and subject.person.user_id == acting_user.pk
    )
    if not own:
        refuse_outside(acting_user, CHANGE, campaign.organization)
    _require_phase(campaign, Phase.DRAFT, Phase.SELF_REPORT, doing=gettext("提交述职/自评"))
    report = str(data.get("report", "")).strip()
    if not report:
        raise DomainError({"report": gettext("请填写述职/自评内容。")})
    if len(report) > 10000:
        raise DomainError({"report": gettext("述职/自评内容不能超过10000字。")})
    grade = str(data.get("self_grade", "") or "")
    scale = DECISION_SCALE[campaign.kind]
    if grade and grade not in dict(options(scale)):
        raise DomainError({"self_grade": gettext("自评等次不在可选等次内。")})
    if grade and not subject.graded:
        raise DomainError({"self_grade": gettext("预备党员参加民主评议，但不评定等次。")})
    if upload is not None:
        try:
            extension = check_scan(upload)
        except ValueError as error:
            raise DomainError({"report_file": str(error)})
        subject.report_file.save(stored_name(extension), upload, save=False)
    changes = {"report": (subject.report, report), "self_grade": (subject.self_grade, grade)}
    subject.report, subject.self_grade = report, grade
    subject.reported_on = timezone.localdate()
    subject.save()
    track(subject, changes=changes)
    return subject


@domain_action("appraisals.campaign.open", "开始投票")
def open_voting(campaign: Campaign, *, acting_user: Any, backdated: bool = False) -> Campaign:
    """Freeze the questionnaire, subjects and voter list; the window then governs voting.

    `backdated` records a past campaign (the demo, last year's results brought in): its window
    may lie in the past, where no ballot can be cast through the web or API.
    """
    refuse_outside(acting_user, CHANGE, campaign.organization)
    _require_phase(campaign, *SETUP_PHASES, doing=gettext("开始投票"))
    questions = list(campaign.questions.all())
    if not any(q.kind != QuestionKind.COMMENT for q in questions):
        raise DomainError(gettext("问卷中至少要有一道等次评价或打分题。"))
    if any(q.per_subject for q in questions) and not campaign.subjects.exists():
        raise DomainError(gettext("请先添加评议对象。"))
    eligible = campaign.voters.count() + campaign.codes.count()
    if eligible == 0:
        raise DomainError(gettext("请先添加投票人或生成投票码。"))
    if campaign.closes_at <= timezone.now() and not backdated:
        raise DomainError({"closes_at": gettext("投票截止时间已过，请先修改截止时间。")})
    campaign.eligible_count = eligible
    return _move(campaign, Phase.VOTING)


@domain_action("appraisals.campaign.close", "结束投票并计票")
def close_voting(campaign: Campaign, *, acting_user: Any) -> list[str]:
    """End voting (at or before the closing time) and count; returns the rules' warnings."""
    refuse_outside(acting_user, CHANGE, campaign.organization)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    _require_phase(campaign, Phase.VOTING, doing=gettext("计票"))
    reseal(campaign)
    counting.count(campaign)
    counting.propose_grades(campaign)
    campaign.counted_at = timezone.now()
    _move(campaign, Phase.COUNTED)
    warnings = []
    needed = rules.quota(campaign.eligible_count, rules.MIN_TURNOUT.code)
    if campaign.ballot_count < needed:
        warning = core_rules.breach(
            rules.MIN_TURNOUT.code, voted=campaign.ballot_count, eligible=campaign.eligible_count
        )
        if warning:
            warnings.append(warning)
    track(campaign, detail={"ballots": campaign.ballot_count, "eligible": campaign.eligible_count})
    return warnings


@domain_action("appraisals.campaign.decide", "确定评议等次")
def decide(
    campaign: Campaign,
    grades: Mapping[int, str],
    *,
    note: str = "",
    acting_user: Any,
) -> Campaign:
    """Fix the final grade of every graded subject, within the quota rules.

    `grades` maps subject id → option code of the campaign's decision scale; a subject left
    out keeps its proposed grade.
    """
    refuse_outside(acting_user, CHANGE, campaign.organization)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    _require_phase(campaign, Phase.COUNTED, Phase.DECIDED, doing=gettext("确定等次"))
    scale = DECISION_SCALE[campaign.kind]
    codes = dict(options(scale))
    subjects = list(campaign.subjects.select_related("person"))
    by_id = {s.pk: s for s in subjects}
    try:
        given = {int(key): str(value or "") for key, value in grades.items()}
    except (TypeError, ValueError):
        given = {-1: ""}
    if any(key not in by_id for key in given):
        raise DomainError(gettext("等次中有不属于本次测评的评议对象。"))
    final: dict[int, str] = {}
    for subject in subjects:
        grade = given.get(subject.pk, subject.proposed_grade)
        if not subject.graded:
            if grade and core_rules.get(rules.PROBATIONARY_UNGRADED.code).enabled:
                core_rules.breach(rules.PROBATIONARY_UNGRADED.code, name=subject.name)
            final[subject.pk] = grade if grade in codes else ""
            continue
        if grade not in codes:
            raise DomainError(
                gettext("请为“%(name)s”选择等次（%(choices)s）。")
                % {"name": subject.name, "choices": "、".join(str(v) for v in codes.values())}
            )
        final[subject.pk] = grade
    if campaign.kind == CampaignKind.MEMBER_APPRAISAL:
        check_quota(subjects, final)
    changes = {}
    for subject in subjects:
        if subject.final_grade != final[subject.pk]:
            changes[subject.name] = (
                option_label(scale, subject.final_grade),
                option_label(scale, final[subject.pk]),
            )
            subject.final_grade = final[subject.pk]
    Subject.objects.bulk_update(subjects, ["final_grade"])
    campaign.decision_note = note.strip()
    campaign.decided_at = timezone.now()
    _move(campaign, Phase.DECIDED)
    track(campaign, changes=changes)
    return campaign


def check_quota(subjects: Iterable[Subject], final: Mapping[int, str]) -> None:
    """Refuse more 优秀 than the quota of graded (full) members allows."""
    graded = [s for s in subjects if s.graded and s.person_id is not None]
    if not graded:
        return
    top = options(Scale.APPRAISAL)[0][0]
    count = sum(1 for s in graded if final.get(s.pk) == top)
    allowed = rules.quota(len(graded))
    if count > allowed:
        core_rules.breach(
            rules.EXCELLENT_QUOTA.code, count=count, graded=len(graded), allowed=allowed
        )


@domain_action("appraisals.campaign.publish", "公示评议结果")
def publish(campaign: Campaign, *, acting_user: Any) -> Campaign:
    refuse_outside(acting_user, CHANGE, campaign.organization)
    _require_phase(campaign, Phase.DECIDED, doing=gettext("公示"))
    campaign.published_at = timezone.now()
    return _move(campaign, Phase.PUBLISHED)


@domain_action("appraisals.campaign.delete", "删除评议测评")
def delete_campaign(campaign: Campaign, *, acting_user: Any) -> None:
    """Only a campaign nobody has voted in may go (a draft or one in self-report)."""
    refuse_outside(acting_user, CHANGE, campaign.organization)
    _require_phase(campaign, *SETUP_PHASES, doing=gettext("删除"))
    track(campaign, detail={"title": campaign.title})
    campaign.delete()


def _move(campaign: Campaign, phase: str) -> Campaign:
    before = campaign.phase
    campaign.phase = phase
    campaign.save()
    track(campaign, changes={"phase": (before, phase)})
    return campaign
