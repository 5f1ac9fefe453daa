"""The organizational-life API (组织生活): events, attendance sheets and QR check-in.

Reads go through `restrict()`; an event, person, organization or plan item outside the
caller's scope does not exist for them (404), also when named in a request body; a caller
with no grant for the action gets 403. Every change calls `orglife.actions` (plans and
monthly summaries: `api_more.py`, on the same router); refusals are 422 with the field at
fault. Attendance is one PUT of the whole sheet, one call of `actions.record_attendance`,
answered with the counts only, so a sheet of hundreds of lines stays one quick request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from ninja import Field as NinjaField
from ninja import Query, Router, Status
from ninja.errors import ValidationError

from dangjian.core.permissions import deny, get_scoped, require
from dangjian.core.scope import ADD, CHANGE, VIEW
from dangjian.members.models import Person
from dangjian.orglife import actions, checkin
from dangjian.orglife.choices import EventKind, EventStatus
from dangjian.orglife.models import Attendance, Event, PlanItem
from dangjian.orglife.schemas import (
    AttendanceIn,
    AttendanceOut,
    CancelIn,
    CheckinCodeOut,
    CheckinIn,
    CheckinOut,
    CountsOut,
    EventDetail,
    EventFields,
    EventIn,
    EventOutcome,
    EventPage,
    EventPatch,
)
from dangjian.orgs.api_kit import PageQuery, anchor, day_filter, may, page_of
from dangjian.orgs.api_kit import located as _located
from dangjian.orgs.models import Organization

router = Router(tags=["组织生活"])
R = TypeVar("R")

# The fields a PATCH starts from (the event's current values).
EVENT_FIELDS = ["kind", *(name for name in EventFields.model_fields if name != "justification")]
# Names the actions use for a field the API calls otherwise.
API_NAMES = {"late_reason": "justification", "attendance": "marks"}


def located(run: Callable[[], R]) -> R:
    """Run an action; its refusals are 422 located by the API's field names."""
    return _located(run, API_NAMES)


class EventQuery(PageQuery):
    within: int | None = NinjaField(None, description="只列出此党组织（id）及其下级的活动")
    kind: EventKind | None = NinjaField(None, description="类型")
    status: EventStatus | None = NinjaField(None, description="状态")
    held_from: str | None = NinjaField(None, description="日期不早于（YYYY-MM-DD）")
    held_to: str | None = NinjaField(None, description="日期不晚于（YYYY-MM-DD）")


# --- helpers shared with api_more --------------------------------------------------------------


# --- events ------------------------------------------------------------------------------------


def _detail(event: Event) -> Event:
    """The event with what the detail shows, in two queries."""
    return (
        Event.objects.select_related("organization", "party_group", "plan_item")
        .prefetch_related("files")
        .get(pk=event.pk)
    )


def _outcome(outcome: actions.Outcome) -> dict[str, Any]:
    return {"event": _detail(outcome.obj), "warnings": [str(w) for w in outcome.warnings]}


def _references(request: HttpRequest, values: dict[str, Any]) -> dict[str, Any]:
    """Party group and plan item named by id: 404 outside the caller's scope."""
    if values.get("party_group") is not None:
        values["party_group"] = get_scoped(request, Organization, VIEW, pk=values["party_group"])
    if values.get("plan_item") is not None:
        values["plan_item"] = get_scoped(request, PlanItem, VIEW, pk=values["plan_item"])
    return values


@router.get(
    "/events",
    response=EventPage,
    summary="组织生活列表",
    description="调用者范围内的三会一课、主题党日、党课、谈心谈话、志愿服务等活动（党员本人看到本支部"
    "和自己参加的），按开始时间倒序分页，含出勤统计。",
)
def list_events(request: HttpRequest, filters: Query[EventQuery]) -> dict[str, Any]:
    """A page of the events the caller may see."""
    require(request, Event, VIEW)
    queryset = Event.objects.restrict(request.user, VIEW).select_related(
        "organization", "party_group"
    )
    org = anchor(request, filters.within, "within")
    if org is not None:
        queryset = queryset.filter(organization__path__startswith=org.path)
    if filters.kind is not None:
        queryset = queryset.filter(kind=filters.kind)
    if filters.status is not None:
        queryset = queryset.filter(status=filters.status)
    first = day_filter(filters.held_from, "held_from")
    last = day_filter(filters.held_to, "held_to")
    if first is not None:
        queryset = queryset.filter(held_on__gte=first)
    if last is not None:
        queryset = queryset.filter(held_on__lte=last)
    return page_of(queryset, filters)


@router.post(
    "/events",
    response={201: EventOutcome},
    summary="登记组织生活",
    description="登记一次活动（已召开或计划召开）。已召开的会议按名册生成应到人员；超过登记时限"
    "补录须填写 justification。返回活动和只提醒的规则提示（法定人数、第一议题、逾期补录）。",
)
def create_event(request: HttpRequest, payload: EventIn) -> Status[dict[str, Any]]:
    """Record a new event."""
    require(request, Event, ADD)
    org = get_scoped(request, Organization, VIEW, pk=payload.organization)
    may(request, Event, ADD, org)
    values = _references(request, payload.model_dump(exclude_unset=True))
    values.pop("organization")
    justification = values.pop("justification", "")
    outcome = located(
        lambda: actions.save_event(
            org, values, justification=justification, acting_user=request.user
        )
    )
    return Status(201, _outcome(outcome))


@router.get(
    "/events/{event_id}",
    response=EventDetail,
    summary="组织生活详情",
    description="活动的全部内容、出勤统计、照片和附件、逾期补录标记和落实的年度计划事项。",
)
def get_event(request: HttpRequest, event_id: int) -> Event:
    """One event with its files."""
    return _detail(get_scoped(request, Event, VIEW, pk=event_id))


@router.patch(
    "/events/{event_id}",
    response=EventOutcome,
    summary="修改组织生活",
    description="只改请求中给出的字段；类型不能修改，已取消的活动不能修改。",
)
def update_event(request: HttpRequest, event_id: int, payload: EventPatch) -> dict[str, Any]:
    """Change some fields of an event."""
    event = get_scoped(request, Event, CHANGE, pk=event_id)
    current: dict[str, Any] = {name: getattr(event, name) for name in EVENT_FIELDS}
    changes = _references(request, payload.model_dump(exclude_unset=True))
    justification = changes.pop("justification", "")
    values = {**current, **changes}
    outcome = located(
        lambda: actions.save_event(
            event.organization,
            values,
            event=event,
            justification=justification,
            acting_user=request.user,
        )
    )
    return _outcome(outcome)


@router.post(
    "/events/{event_id}/cancel",
    response=EventDetail,
    summary="取消组织生活",
    description="取消计划召开的活动（保留记录，不计入统计）；已召开并登记出勤的活动不能取消。",
)
def cancel_event(request: HttpRequest, event_id: int, payload: CancelIn) -> Event:
    """Cancel an event with a reason."""
    event = get_scoped(request, Event, CHANGE, pk=event_id)
    located(lambda: actions.cancel_event(event, reason=payload.reason, acting_user=request.user))
    return _detail(event)


# --- attendance --------------------------------------------------------------------------------


@router.get(
    "/events/{event_id}/attendance",
    response=list[AttendanceOut],
    summary="出勤名单",
    description="活动的签到表：应到人员在前，含列席来宾、请假原因、登记方式和签到时间。",
)
def list_attendance(request: HttpRequest, event_id: int) -> list[Attendance]:
    """Every line of the event's attendance sheet."""
    event = get_scoped(request, Event, VIEW, pk=event_id)
    return list(Attendance.objects.filter(event=event).select_related("person"))


def _people_in_scope(request: HttpRequest, event: Event, ids: set[int]) -> None:
    """404 when a person named is unknown or outside the caller's scope (unless already on
    the sheet: an expected member who has since moved away stays on it)."""
    if not ids:
        return
    visible = set(
        Person.objects.restrict(request.user, VIEW).filter(pk__in=ids).values_list("pk", flat=True)
    )
    missing = ids - visible
    if missing:
        listed = set(
            Attendance.objects.filter(event=event, person_id__in=missing).values_list(
                "person_id", flat=True
            )
        )
        if missing - listed:
            deny(request, request.user, "访问范围外的对象", model="members.person")
            raise Http404(gettext("未找到该记录，或不在您的管理范围内。"))


@router.put(
    "/events/{event_id}/attendance",
    response=CountsOut,
    summary="登记出勤",
    description="一次提交整张签到表（出席、请假、缺席；名册外来宾按姓名登记）。每一行先检查，"
    "任一行有误则全部不保存（422，说明第几行）。只返回活动的出勤统计和规则提示。",
)
def record_attendance(request: HttpRequest, event_id: int, payload: AttendanceIn) -> dict[str, Any]:
    """Record the whole sheet in one call of the action."""
    event = get_scoped(request, Event, CHANGE, pk=event_id)
    marks = [actions.Mark(**mark.model_dump()) for mark in payload.marks]
    _people_in_scope(request, event, {m.person_id for m in marks if m.person_id is not None})
    outcome = located(lambda: actions.record_attendance(event, marks, acting_user=request.user))
    saved: Event = outcome.obj
    return {
        "event_id": saved.pk,
        **{name: getattr(saved, name) for name in _COUNTS},
        "person_hours": float(saved.person_hours or 0),
        "lines": len(marks),
        "warnings": [str(w) for w in outcome.warnings],
    }


_COUNTS = [name for name in CountsOut.model_fields if name.endswith("_count")]
_COUNTS += ["person_times", "quorum_met"]


# --- check-in ----------------------------------------------------------------------------------


def _scan_url(request: HttpRequest, token: str) -> str:
    return f"{request.build_absolute_uri(reverse('orglife:checkin'))}?t={token}"


@router.get(
    "/events/{event_id}/checkin-code",
    response=CheckinCodeOut,
    summary="当前签到码",
    description="主持人屏幕显示的签到码和二维码网址，每隔数十秒更换（expires_in 秒后）。"
    "签到开放时间之外或活动已取消时返回 422 并说明原因。",
)
def checkin_code(request: HttpRequest, event_id: int) -> dict[str, Any]:
    """The token the host shows now."""
    event = get_scoped(request, Event, CHANGE, pk=event_id)
    now = timezone.now()
    span = checkin.window(event)
    if event.status == EventStatus.CANCELLED:
        reason = gettext("该活动已取消，无需签到。")
    elif now < span.opens:
        reason = gettext("签到尚未开始，将于%(time)s开放。") % {
            "time": timezone.localtime(span.opens).strftime("%Y-%m-%d %H:%M")
        }
    elif now > span.closes:
        reason = gettext("签到已于%(time)s结束。") % {
            "time": timezone.localtime(span.closes).strftime("%Y-%m-%d %H:%M")
        }
    else:
        token = checkin.token_for(event, now)
        return {
            "token": token,
            "url": _scan_url(request, token),
            "expires_in": checkin.seconds_left(now),
            "opens_at": span.opens,
            "closes_at": span.closes,
        }
    raise ValidationError([{"loc": ["path", "event_id"], "msg": reason, "type": "checkin"}])


@router.post(
    "/checkin",
    response=CheckinOut,
    summary="扫码签到",
    description="已关联党员档案的用户以扫描得到的签到码为自己签到；每次活动只签到一次。"
    "签到码无效、过期、不在签到时间或重复签到时返回 422 并说明原因；账号未关联党员档案为 403。",
)
def check_in(request: HttpRequest, payload: CheckinIn) -> dict[str, Any]:
    """Check the caller in."""
    user: Any = request.user
    if not Person.objects.filter(user=user).exists():
        deny(request, request.user, "未关联党员档案", model="orglife.attendance")
        raise PermissionDenied(gettext("您的账号未关联党员档案，无法签到；请联系主持人手工登记。"))
    row = located(lambda: actions.check_in(payload.token, acting_user=request.user))
    event = Event.objects.only("pk", "title").get(pk=row.event_id)
    return {"event_id": event.pk, "title": event.title, "checked_in_at": row.checked_in_at}


def _register_more() -> None:
    from dangjian.orglife import api_more  # noqa: F401  (its operations join `router`)


_register_more()
