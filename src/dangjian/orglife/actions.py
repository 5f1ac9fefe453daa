"""Every state change of organizational life: events, attendance, check-in and files.

Each is atomic and audited through `domain_action`; a refusal leaves nothing behind. Plans
and monthly summaries are in `actions_summary.py`. Attendance counts on the event are
recomputed from its rows after every change (`refresh_counts`), never typed by hand.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dangjian.core import rules
from dangjian.core.actions import domain_action, track
from dangjian.core.errors import DomainError, RuleViolation
from dangjian.core.moments import parse_moment
from dangjian.core.scope import ADD, CHANGE, VIEW, covers
from dangjian.core.uploads import check_scan, stored_name
from dangjian.members.models import Person
from dangjian.orglife import checkin
from dangjian.orglife.attendees import count_fields, expected_people, voting_present
from dangjian.orglife.choices import (
    HOURS_KINDS,
    OPEN_KINDS,
    AttendanceStatus,
    CheckinMethod,
    EventKind,
    EventStatus,
    LectureLevel,
)
from dangjian.orglife.models import Attendance, Event, EventFile, PlanItem
from dangjian.orglife.plans import PLAN_KIND_OF
from dangjian.orgs.choices import Level
from dangjian.orgs.models import Organization

TEXT_LIMITS = {"title": 200, "place": 200, "host_name": 50, "recorder_name": 50}
TEXT_LIMITS |= {"speaker_name": 50, "partners": 200}
LONG_TEXTS = ("agenda", "first_topic", "minutes", "resolutions", "criticism")
MAX_HOURS = Decimal(24)


@dataclass
class Outcome:
    """A changed object and the warnings of rules that only warn (shown to the user)."""

    obj: Any
    warnings: list[str] = field(default_factory=list)


def refuse_outside(user: Any, action: str, org: Organization) -> None:
    """Refuse a user whose grants for `action` on events do not cover `org`."""
    if user is not None and not covers(user, Event, action, org.path):
        raise DomainError(gettext("您无权办理该党组织的组织生活记录。"))


def _hours(value: Any, name: str = "hours") -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        hours = Decimal(str(value)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        raise DomainError({name: gettext("请输入数字。")}) from None
    if hours <= 0 or hours > MAX_HOURS:
        raise DomainError({name: gettext("时长应大于0且不超过24小时。")})
    return hours


def _texts(data: Mapping[str, Any]) -> dict[str, str]:
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    for name, limit in TEXT_LIMITS.items():
        value = data.get(name, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            errors[name] = gettext("请输入文本。")
            continue
        value = value.strip()
        if len(value) > limit:
            errors[name] = gettext("不能超过%(n)d个字。") % {"n": limit}
        values[name] = value
    for name in LONG_TEXTS:
        value = data.get(name, "") or ""
        if not isinstance(value, str):
            errors[name] = gettext("请输入文本。")
            continue
        values[name] = value.strip()
    if errors:
        raise DomainError(errors)
    return values


def _choice(value: Any, choices: Any, name: str, *, blank: bool = False) -> str:
    if blank and value in (None, ""):
        return ""
    if not isinstance(value, str) or value not in choices.values:
        labels = "、".join(str(label) for label in choices.labels)
        raise DomainError({name: gettext("取值不正确，可选：%(ctx)s。") % {"ctx": labels}})
    return value


def clean_event(organization: Organization, data: Mapping[str, Any], event: Event | None) -> dict:
    """The event's fields from `data`, checked: refusals name the field at fault."""
    values: dict[str, Any] = _texts(data)
    kind = _choice(data.get("kind", event.kind if event else None), EventKind, "kind")
    if event is not None and kind != event.kind:
        raise DomainError({"kind": gettext("活动类型登记后不能修改；如有错误请取消后重新登记。")})
    values["kind"] = kind
    values["status"] = _choice(data.get("status") or EventStatus.HELD, EventStatus, "status")
    starts = parse_moment(data.get("starts_at"), "starts_at")
    ends = parse_moment(data.get("ends_at"), "ends_at")
    if ends <= starts:
        raise DomainError({"ends_at": gettext("结束时间应晚于开始时间。")})
    if (ends - starts).days >= 7:
        raise DomainError({"ends_at": gettext("一次活动不能超过7天。")})
    values["starts_at"], values["ends_at"] = starts, ends
    if not values["title"]:
        raise DomainError({"title": gettext("请填写主题。")})
    if values["status"] == EventStatus.HELD and starts > timezone.now():
        raise DomainError(
            {"status": gettext("活动开始时间在将来，不能标记为“已召开”；请选择“计划召开”。")}
        )
    level = _choice(data.get("lecture_level"), LectureLevel, "lecture_level", blank=True)
    if kind == EventKind.LECTURE:
        if not values["speaker_name"]:
            raise DomainError({"speaker_name": gettext("党课请填写主讲人。")})
        if not level:
            raise DomainError({"lecture_level": gettext("党课请选择主讲人层级。")})
    values["lecture_level"] = level if kind == EventKind.LECTURE else ""
    values["is_micro"] = bool(data.get("is_micro")) and kind == EventKind.LECTURE
    hours = _hours(data.get("hours"))
    if kind in HOURS_KINDS and hours is None:
        raise DomainError({"hours": gettext("志愿服务和社会实践请填写每人时长（小时）。")})
    values["hours"] = hours
    values["is_joint"] = bool(data.get("is_joint"))
    values["party_group"] = _party_group(organization, kind, data.get("party_group"))
    values["plan_item"] = _plan_item(organization, kind, data.get("plan_item"), event)
    return values


def _party_group(org: Organization, kind: str, group: Any) -> Organization | None:
    if group in (None, ""):
        return None
    if kind != EventKind.GROUP_MEETING:
        return None
    if not isinstance(group, Organization):
        group = Organization.objects.filter(pk=group).first() if str(group).isdigit() else None
    if group is None or group.level != Level.PARTY_GROUP or not group.path.startswith(org.path):
        raise DomainError({"party_group": gettext("请选择本支部的党小组。")})
    return group


def _plan_item(org: Organization, kind: str, item: Any, event: Event | None) -> PlanItem | None:
    if item in (None, ""):
        return None
    if not isinstance(item, PlanItem):
        item = PlanItem.objects.filter(pk=item).first() if str(item).isdigit() else None
    if item is None or item.organization_id != org.pk:
        raise DomainError({"plan_item": gettext("请选择本党组织年度计划中的事项。")})
    if PLAN_KIND_OF.get(kind) != item.kind:
        raise DomainError({"plan_item": gettext("计划事项的类型与活动类型不一致。")})
    taken = item.events.exclude(status=EventStatus.CANCELLED)
    if event is not None:
        taken = taken.exclude(pk=event.pk)
    if taken.exists():
        raise DomainError({"plan_item": gettext("该计划事项已由其他活动落实。")})
    return item


def _holding(org: Organization) -> tuple[Organization, Organization | None]:
    """A party group's meetings are kept by its branch (with the group named)."""
    if org.level == Level.PARTY_GROUP:
        return Organization.objects.get(path=org.path[: -Organization.steplen]), org
    return org, None


def _window_check(
    values: dict[str, Any], event: Event | None, justification: str, warnings: list[str]
) -> None:
    """Flag (or refuse without a reason) an event first recorded as held after the window."""
    if values["status"] != EventStatus.HELD or (event is not None and event.recorded_on):
        return
    today = timezone.localdate()
    held_on = timezone.localdate(values["starts_at"])
    days = (today - held_on).days
    values["recorded_on"] = today
    state = rules.get("orglife.recording_window")
    if not state.enabled or days <= int(state.value):
        return
    text = state.message(days=days)
    if state.severity == rules.REFUSE and not (justification or "").strip():
        raise RuleViolation("orglife.recording_window", text, field="late_reason")
    values["is_late"] = True
    values["late_reason"] = (justification or "").strip()[:300]
    warnings.append(text)


@domain_action("orglife.event.save", _("登记组织生活"))
def save_event(
    organization: Organization,
    data: Mapping[str, Any],
    *,
    event: Event | None = None,
    justification: str = "",
    acting_user: Any,
) -> Outcome:
    """Record a new event of `organization` (or change `event`); a held event gets its
    expected attendees and is checked against the recording window."""
    org, group = _holding(organization if event is None else event.organization)
    refuse_outside(acting_user, ADD if event is None else CHANGE, org)
    if event is not None and event.status == EventStatus.CANCELLED:
        raise DomainError(gettext("该活动已取消，不能修改。"))
    values = clean_event(org, data, event)
    if group is not None and values["kind"] == EventKind.GROUP_MEETING:
        values["party_group"] = values["party_group"] or group
    warnings: list[str] = []
    _window_check(values, event, justification, warnings)
    if (
        values["kind"] == EventKind.COMMITTEE_MEETING
        and values["status"] == EventStatus.HELD
        and not values["first_topic"]
    ):
        warning = rules.breach("orglife.first_topic", field="first_topic")
        if warning:
            warnings.append(warning)
    values["held_on"] = timezone.localdate(values["starts_at"])
    if event is None:
        event = Event(organization=org, created_by=acting_user, **values)
        event.save()
        expected = expected_people(event)
        Attendance.objects.bulk_create(
            Attendance(event=event, person_id=pk, expected=True) for pk in expected
        )
        refresh_counts(event)
        track(event, detail={"kind": event.kind, "expected": len(expected)})
    else:
        changes = {
            name: (_shown(getattr(event, name)), _shown(value))
            for name, value in values.items()
            if getattr(event, name) != value
        }
        for name, value in values.items():
            setattr(event, name, value)
        event.save()
        track(event, changes=changes)
    if event.status == EventStatus.HELD:
        warnings += _quorum_warnings(event)
    return Outcome(event, warnings)


def _shown(value: Any) -> Any:
    """A value as the audit log keeps it (organizations and plan items by name)."""
    return value if value is None or isinstance(value, (str, bool, int)) else str(value)


@domain_action("orglife.event.cancel", _("取消组织生活"))
def cancel_event(event: Event, *, reason: str, acting_user: Any) -> Event:
    """Cancel an event (kept on record, counted nowhere)."""
    refuse_outside(acting_user, CHANGE, event.organization)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError({"reason": gettext("请填写取消原因。")})
    if event.status == EventStatus.CANCELLED:
        raise DomainError(gettext("该活动已取消。"))
    if event.status == EventStatus.HELD and event.person_times:
        raise DomainError(gettext("已召开并登记出勤的活动不能取消。"))
    event.status = EventStatus.CANCELLED
    event.save(update_fields=["status", "updated_at"])
    track(event, detail={"reason": reason[:300]})
    return event


def refresh_counts(event: Event) -> list[str]:
    """Recompute the event's attendance counts and quorum; returns the quorum warnings."""
    values = count_fields(event)
    quorum: bool | None = None
    if event.kind in (EventKind.GENERAL_ASSEMBLY, EventKind.COMMITTEE_MEETING):
        present, expected = voting_present(event)
        if expected:
            quorum = present * 2 > expected
    values["quorum_met"] = quorum
    for name, value in values.items():
        setattr(event, name, value)
    Event.objects.filter(pk=event.pk).update(**values)
    return _quorum_warnings(event) if event.status == EventStatus.HELD else []


def _quorum_warnings(event: Event) -> list[str]:
    if event.quorum_met is not False:
        return []
    code = (
        "orglife.assembly_quorum"
        if event.kind == EventKind.GENERAL_ASSEMBLY
        else "orglife.committee_quorum"
    )
    present, expected = voting_present(event)
    warning = rules.breach(code, field="attendance", present=present, expected=expected)
    return [warning] if warning else []


# Attendance ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mark:
    """One line of an attendance sheet: a person (or a guest by name) and their attendance."""

    status: str
    person_id: int | None = None
    is_guest: bool = False
    guest_name: str = ""
    guest_unit: str = ""
    leave_reason: str = ""
    hours: Any = None


def _label(mark: Mark, names: Mapping[int, str], index: int) -> str:
    name = names.get(mark.person_id or 0) or mark.guest_name or gettext("（未知人员）")
    return gettext("第%(n)d行（%(name)s）") % {"n": index + 1, "name": name}


def _check_marks(
    event: Event, marks: Sequence[Mark], existing: Mapping[int, Attendance], user: Any
) -> dict[int, str]:
    """Check every line before anything is written; returns the names of the people cited."""
    ids = {m.person_id for m in marks if m.person_id is not None}
    people = Person.objects.filter(pk__in=ids)
    names = dict(people.values_list("pk", "name"))
    visible = set(
        (people if user is None else people.restrict(user, VIEW)).values_list("pk", flat=True)
    )
    not_started = event.starts_at > timezone.now()
    errors: list[str] = []
    seen: set[int] = set()
    for index, mark in enumerate(marks):
        label = _label(mark, names, index)
        if mark.status not in AttendanceStatus.values:
            errors.append(label + gettext("：出勤状态应为出席、请假或缺席。"))
            continue
        if not_started and mark.status != AttendanceStatus.LEAVE:
            errors.append(label + gettext("：活动尚未开始，只能登记请假。"))
        if mark.status == AttendanceStatus.LEAVE and not mark.leave_reason.strip():
            errors.append(label + gettext("：请假须填写原因。"))
        if mark.person_id is None:
            if not mark.is_guest or not mark.guest_name.strip():
                errors.append(label + gettext("：不在名册中的人员须标为列席并填写姓名。"))
            continue
        if mark.person_id in seen:
            errors.append(label + gettext("：同一人员重复登记。"))
        seen.add(mark.person_id)
        if mark.person_id not in names or (
            mark.person_id not in visible and mark.person_id not in existing
        ):
            errors.append(label + gettext("：人员不存在或不在您的管理范围内。"))
            continue
        row = existing.get(mark.person_id)
        expected = row is not None and row.expected
        if not expected and not mark.is_guest and event.kind not in OPEN_KINDS:
            errors.append(label + gettext("：不是本次活动的应到人员，请标为列席（来宾）后登记。"))
        try:
            _hours(mark.hours)
        except DomainError as error:
            errors.append(label + "：" + error.message)
    if errors:
        raise DomainError({"attendance": "；".join(errors[:20])}, code="orglife.attendance")
    return names


@domain_action("orglife.attendance.record", _("登记出勤"))
def record_attendance(event: Event, marks: Sequence[Mark], *, acting_user: Any) -> Outcome:
    """Record an attendance sheet in one go: every line is checked first, then written."""
    refuse_outside(acting_user, CHANGE, event.organization)
    event = Event.objects.select_for_update().select_related("organization").get(pk=event.pk)
    if event.status == EventStatus.CANCELLED:
        raise DomainError(gettext("该活动已取消，不能登记出勤。"))
    rows = Attendance.objects.filter(event=event, person__isnull=False)
    existing = {row.person_id: row for row in rows if row.person_id is not None}
    _check_marks(event, marks, existing, acting_user)
    guests = {
        (row.guest_name, row.guest_unit): row
        for row in Attendance.objects.filter(event=event, person__isnull=True)
    }
    changed: list[Attendance] = []
    created: list[Attendance] = []
    for mark in marks:
        if mark.person_id is not None:
            row = existing.get(mark.person_id)
        else:
            row = guests.get((mark.guest_name.strip(), mark.guest_unit.strip()))
        if row is None:
            row = Attendance(
                event=event,
                person_id=mark.person_id,
                is_guest=True if mark.person_id is None else mark.is_guest,
                guest_name=mark.guest_name.strip()[:50],
                guest_unit=mark.guest_unit.strip()[:100],
            )
            created.append(row)
        else:
            changed.append(row)
        _apply(row, mark)
    _update_rows(changed)
    Attendance.objects.bulk_create(created, batch_size=500)
    warnings = refresh_counts(event)
    track(
        event,
        detail={
            "lines": len(marks),
            "present": event.present_count,
            "leave": event.leave_count,
            "absent": event.absent_count,
            "guests": event.guest_count,
        },
    )
    return Outcome(event, warnings)


def _update_rows(rows: Sequence[Attendance]) -> None:
    """Write changed rows as one UPDATE per distinct set of values (a sheet has a handful:
    present, absent, each leave reason): Django's bulk_update builds a CASE per row and
    took a second for 300 rows."""
    groups: dict[tuple[Any, ...], list[int]] = defaultdict(list)
    for row in rows:
        groups[(row.status, row.leave_reason, row.method, row.hours)].append(row.pk)
    for (status, reason, method, hours), ids in groups.items():
        values: dict[str, Any] = {
            "status": status,
            "leave_reason": reason,
            "method": method,
            "hours": hours,
        }
        if status != AttendanceStatus.PRESENT:  # a check-in time stays only with presence
            values["checked_in_at"] = None
        Attendance.objects.filter(pk__in=ids).update(**values)


def _apply(row: Attendance, mark: Mark) -> None:
    row.status = mark.status
    row.leave_reason = mark.leave_reason.strip()[:200] if mark.status == "leave" else ""
    row.hours = _hours(mark.hours)
    if mark.status != AttendanceStatus.PRESENT:
        row.checked_in_at = None
        row.method = ""
    elif row.method != CheckinMethod.QR:
        row.method = CheckinMethod.MANUAL


@domain_action("orglife.checkin", _("扫码签到"))
def check_in(token: str, *, acting_user: Any, now: datetime | None = None) -> Attendance:
    """Check the logged-in member in with a scanned token: once, in the window."""
    now = now or timezone.now()
    event = checkin.verify(token, now)
    person = Person.objects.filter(user=acting_user).first() if acting_user else None
    if person is None:
        raise DomainError(gettext("您的账号未关联党员档案，无法签到；请联系主持人手工登记。"))
    event = Event.objects.select_for_update().get(pk=event.pk)
    row = Attendance.objects.select_for_update().filter(event=event, person=person).first()
    if row is not None and row.checked_in_at is not None:
        raise DomainError(
            gettext("您已于%(time)s签到，无需重复签到。")
            % {"time": timezone.localtime(row.checked_in_at).strftime("%H:%M")},
            code="orglife.checkin_twice",
        )
    if row is None:
        if not (event.is_joint or event.kind in OPEN_KINDS):
            raise DomainError(
                gettext("您不在本次活动的应到人员名单中，请联系主持人登记。"),
                code="orglife.checkin_not_expected",
            )
        row = Attendance(event=event, person=person, is_guest=event.kind not in OPEN_KINDS)
    row.status = AttendanceStatus.PRESENT
    row.leave_reason = ""
    row.method = CheckinMethod.QR
    row.checked_in_at = now
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        raise DomainError(
            gettext("您已签到，无需重复签到。"), code="orglife.checkin_twice"
        ) from None
    refresh_counts(event)
    track(row, detail={"event": event.pk})
    return row


# Files ---------------------------------------------------------------------------------------


@domain_action("orglife.file.add", _("上传活动材料"))
def add_file(event: Event, kind: str, title: str, file: Any, *, acting_user: Any) -> EventFile:
    """Attach a photo (JPEG/PNG) or an attachment (PDF/JPEG/PNG), at most 10 MB."""
    refuse_outside(acting_user, CHANGE, event.organization)
    if kind not in (EventFile.PHOTO, EventFile.ATTACHMENT):
        raise DomainError({"kind": gettext("类别应为照片或附件。")})
    title = (title or "").strip()
    if not title:
        raise DomainError({"title": gettext("请填写材料名称。")})
    if len(title) > 100:
        raise DomainError({"title": gettext("不能超过%(n)d个字。") % {"n": 100}})
    if file is None:
        raise DomainError({"file": gettext("请选择要上传的文件。")})
    try:
        extension = check_scan(file, images_only=kind == EventFile.PHOTO)
    except ValueError as error:
        raise DomainError({"file": str(error)}) from None
    row = EventFile(
        event=event, kind=kind, title=title, size=file.size or 0, uploaded_by=acting_user
    )
    row.file.save(stored_name(extension), file, save=False)
    row.save()
    track(row, detail={"event": event.pk, "kind": kind, "size": row.size})
    return row
