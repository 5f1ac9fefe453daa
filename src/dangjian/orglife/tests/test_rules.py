"""The rules of organizational life at their boundaries: frequencies (compliance), the
recording window, a future event marked held, attendance lines, quorum, and the check-in
token's rotation, window and signature."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from dangjian.core import rules
from dangjian.core.errors import DomainError, RuleViolation
from dangjian.core.models import RuleSetting
from dangjian.orglife import actions, checkin, compliance
from dangjian.orglife.actions import Mark
from dangjian.orglife.choices import EventKind, EventStatus, LectureLevel, PeriodState, Requirement
from dangjian.orglife.models import Attendance, Event
from dangjian.orglife.testing import at, event_data, held, members
from dangjian.orgs.choices import Level
from dangjian.orgs.models import Organization

pytestmark = pytest.mark.django_db
YEAR = 2025
TODAY = date(2026, 3, 1)


def _set(code: str, **values: object) -> None:
    RuleSetting.objects.update_or_create(code=code, applies_to="", defaults=values)
    rules.invalidate()


def _recent() -> date:
    """Yesterday: an event at 14:00 today may still lie ahead."""
    return timezone.localdate() - timedelta(days=1)


def _slots(tree, requirement: str, today: date = TODAY) -> list[compliance.Slot]:
    rows = {row.branch.pk: row for row in compliance.year_of(tree.university, YEAR, today)}
    return rows[tree.b1.pk].slots.get(requirement, [])


# Frequencies -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("requirement", "kind", "months", "periods"),
    [
        (Requirement.THEME_DAY, EventKind.THEME_DAY, 1, 12),
        (Requirement.GENERAL_ASSEMBLY, EventKind.GENERAL_ASSEMBLY, 3, 4),
        (Requirement.LECTURE, EventKind.LECTURE, 3, 4),
        (Requirement.REVIEW_MEETING, EventKind.REVIEW_MEETING, 12, 1),
        (Requirement.HEART_TALK, EventKind.HEART_TALK, 12, 1),
        (Requirement.SECRETARY_LECTURE, EventKind.LECTURE, 12, 1),
    ],
)
def test_each_frequency_at_its_period_boundaries(tree, requirement, kind, months, periods):
    first_end = compliance.periods(YEAR, months)[0][1]
    # Held on the last day of the first period: that period is held, the next one is not.
    held(tree.b1, kind, first_end)
    slots = _slots(tree, requirement)
    assert len(slots) == periods
    assert slots[0].state == PeriodState.HELD and slots[0].end == first_end
    if periods > 1:
        assert slots[1].state == PeriodState.MISSED
        # The day after the first period's end belongs to the second.
        held(tree.b1, kind, first_end + timedelta(days=1))
        assert _slots(tree, requirement)[1].state == PeriodState.HELD


def test_a_period_still_running_is_due_not_missed(tree):
    slots = _slots(tree, Requirement.THEME_DAY, today=date(YEAR, 6, 30))
    assert slots[5].state == PeriodState.DUE  # June, its last day
    assert slots[4].state == PeriodState.MISSED  # May is over
    assert _slots(tree, Requirement.THEME_DAY, today=date(YEAR, 7, 1))[5].state == "missed"


def test_a_member_lecture_is_not_a_secretary_lecture(tree):
    held(tree.b1, EventKind.LECTURE, date(YEAR, 5, 1), lecture_level=LectureLevel.MEMBER)
    assert _slots(tree, Requirement.LECTURE)[1].state == PeriodState.HELD
    assert _slots(tree, Requirement.SECRETARY_LECTURE)[0].state == PeriodState.MISSED


def test_cancelled_and_planned_events_do_not_count(tree):
    event = held(tree.b1, EventKind.THEME_DAY, date(YEAR, 1, 10))
    actions.cancel_event(event, reason="改期", acting_user=None)
    assert _slots(tree, Requirement.THEME_DAY)[0].state == PeriodState.MISSED


def test_a_rule_switched_off_or_changed_changes_compliance(tree):
    _set("orglife.period.theme_day", enabled=False)
    assert _slots(tree, Requirement.THEME_DAY) == []
    _set("orglife.period.theme_day", enabled=True, value=2)
    assert len(_slots(tree, Requirement.THEME_DAY)) == 6


def test_group_meetings_need_every_party_group(tree):
    g2 = Organization.objects.add_child(
        Organization.objects.get(pk=tree.b1.pk),
        dict(name="第二党小组", code="C1-B1-G2", level=Level.PARTY_GROUP),
    )
    held(tree.g1, EventKind.GROUP_MEETING, date(YEAR, 1, 5))
    assert _slots(tree, Requirement.GROUP_MEETING)[0].state == PeriodState.MISSED
    held(tree.b1, EventKind.GROUP_MEETING, date(YEAR, 1, 6), party_group=g2.pk)
    assert _slots(tree, Requirement.GROUP_MEETING)[0].state == PeriodState.HELD
    rows = {r.branch.pk: r for r in compliance.year_of(tree.university, YEAR, TODAY)}
    assert Requirement.GROUP_MEETING not in rows[tree.b2.pk].slots  # B2 has no groups


def test_committee_meetings_are_required_of_branches_with_a_committee(tree):
    from dangjian.orgs.models import CommitteeMember, CommitteeTerm

    assert _slots(tree, Requirement.COMMITTEE_MEETING) == []
    term = CommitteeTerm.objects.create(
        organization=tree.b1,
        number=1,
        elected_on=date(2024, 1, 1),
        term_years=3,
        ends_on=date(2027, 1, 1),
    )
    for position in ("secretary", "organization", "publicity"):
        CommitteeMember.objects.create(term=term, name=position, position=position)
    assert len(_slots(tree, Requirement.COMMITTEE_MEETING)) == 12


def test_branches_founded_during_the_year_owe_only_later_periods(tree):
    Organization.objects.filter(pk=tree.b1.pk).update(founded_on=date(YEAR, 7, 15))
    slots = _slots(tree, Requirement.THEME_DAY)
    assert [s.start.month for s in slots] == list(range(7, 13))


def test_rate_counts_only_periods_over_and_within(tree):
    _set("orglife.period.group_meeting", enabled=False)  # B1's party group aside
    held(tree.b1, EventKind.THEME_DAY, date(YEAR, 1, 10))
    held(tree.b2, EventKind.THEME_DAY, date(YEAR, 1, 12))
    held_count, missed = compliance.rate(tree.c1, date(YEAR, 1, 1), date(YEAR, 1, 31), TODAY)
    assert (held_count, missed) == (2, 0)
    held_count, missed = compliance.rate(tree.c1, date(YEAR, 1, 1), date(YEAR, 2, 28), TODAY)
    assert (held_count, missed) == (2, 2)


# Recording -------------------------------------------------------------------------------------


def test_a_future_event_cannot_be_marked_held(tree):
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(DomainError) as error:
        actions.save_event(tree.b1, event_data(EventKind.THEME_DAY, tomorrow), acting_user=None)
    assert "将来" in error.value.errors["status"]
    assert not Event.objects.exists()
    planned = event_data(EventKind.THEME_DAY, tomorrow, status=EventStatus.PLANNED)
    assert actions.save_event(tree.b1, planned, acting_user=None).obj.status == "planned"


@pytest.mark.parametrize(("days", "late"), [(30, False), (31, True)])
def test_recording_window_boundary(tree, days, late):
    day = timezone.localdate() - timedelta(days=days)
    data = event_data(EventKind.THEME_DAY, day)
    if late:
        with pytest.raises(RuleViolation) as error:
            actions.save_event(tree.b1, data, acting_user=None)
        assert "补录理由" in error.value.errors["late_reason"]
        assert not Event.objects.exists()
    outcome = actions.save_event(tree.b1, data, justification="外出调研", acting_user=None)
    assert outcome.obj.is_late is late
    assert outcome.obj.late_reason == ("外出调研" if late else "")
    assert bool(outcome.warnings) is late


def test_a_warn_window_flags_without_a_reason(tree):
    _set("orglife.recording_window", severity="warn")
    day = timezone.localdate() - timedelta(days=40)
    outcome = actions.save_event(tree.b1, event_data(EventKind.THEME_DAY, day), acting_user=None)
    assert outcome.obj.is_late and outcome.warnings


def test_lectures_need_a_speaker_and_activities_hours(tree):
    day = _recent()
    with pytest.raises(DomainError) as error:
        actions.save_event(
            tree.b1, event_data(EventKind.LECTURE, day, speaker_name=""), acting_user=None
        )
    assert "主讲人" in error.value.errors["speaker_name"]
    with pytest.raises(DomainError) as error:
        actions.save_event(
            tree.b1, event_data(EventKind.VOLUNTEER, day, hours=""), acting_user=None
        )
    assert "时长" in error.value.errors["hours"]
    with pytest.raises(DomainError):
        actions.save_event(
            tree.b1, event_data(EventKind.VOLUNTEER, day, hours="25"), acting_user=None
        )


def test_ends_before_start_and_unknown_kind_are_refused(tree):
    day = _recent()
    with pytest.raises(DomainError) as error:
        actions.save_event(
            tree.b1, event_data(EventKind.THEME_DAY, day, ends_at=at(day, 9)), acting_user=None
        )
    assert "结束时间" in error.value.errors["ends_at"]
    with pytest.raises(DomainError) as error:
        actions.save_event(
            tree.b1, {**event_data(EventKind.THEME_DAY, day), "kind": "party"}, acting_user=None
        )
    assert "kind" in error.value.errors


def test_committee_meeting_without_first_topic_warns(tree):
    day = _recent()
    data = event_data(EventKind.COMMITTEE_MEETING, day, first_topic="")
    outcome = actions.save_event(tree.b1, data, acting_user=None)
    assert any("第一议题" in w for w in outcome.warnings)


def test_a_secretary_records_only_in_scope(tree, personas):
    day = _recent()
    with pytest.raises(DomainError):
        actions.save_event(
            tree.b2, event_data(EventKind.THEME_DAY, day), acting_user=personas["secretary"]
        )
    outcome = actions.save_event(
        tree.b1, event_data(EventKind.THEME_DAY, day), acting_user=personas["secretary"]
    )
    assert outcome.obj.created_by == personas["secretary"]


# Attendance ------------------------------------------------------------------------------------


def test_expected_attendees_are_the_branch_members_and_counts_follow_the_sheet(tree):
    people = members(tree.b1, 5)
    outsider = members(tree.b2, 1, serial=7000)[0]
    event = held(tree.b1, EventKind.GENERAL_ASSEMBLY, _recent())
    assert event.expected_count == 5 and event.person_times == 0
    marks = [Mark("present", p.pk) for p in people[:3]]
    marks += [Mark("leave", people[3].pk, leave_reason="出差"), Mark("absent", people[4].pk)]
    marks += [Mark("present", outsider.pk, is_guest=True), Mark("present", None, True, "赵来宾")]
    outcome = actions.record_attendance(event, marks, acting_user=None)
    event = outcome.obj
    assert (event.present_count, event.leave_count, event.absent_count) == (3, 1, 1)
    assert (event.guest_count, event.person_times) == (2, 5)
    assert event.quorum_met is True and outcome.warnings == []


def test_quorum_needs_more_than_half_of_full_members(tree):
    people = members(tree.b1, 4)
    event = held(tree.b1, EventKind.GENERAL_ASSEMBLY, _recent())
    marks = [Mark("present", p.pk) for p in people[:2]] + [Mark("absent", p.pk) for p in people[2:]]
    outcome = actions.record_attendance(event, marks, acting_user=None)
    assert outcome.obj.quorum_met is False
    assert any("半数" in w for w in outcome.warnings)
    outcome = actions.record_attendance(event, [Mark("present", people[2].pk)], acting_user=None)
    assert outcome.obj.quorum_met is True


def test_bad_attendance_lines_are_refused_and_nothing_is_written(tree):
    people = members(tree.b1, 2)
    outsider = members(tree.b2, 1, serial=7000)[0]
    event = held(tree.b1, EventKind.THEME_DAY, _recent())
    bad = [
        Mark("present", people[0].pk),
        Mark("leave", people[1].pk),  # no reason
        Mark("present", outsider.pk),  # not expected, not marked as a guest
        Mark("present", None, guest_name=""),  # a guest without a name
        Mark("late", people[0].pk),
    ]
    with pytest.raises(DomainError) as error:
        actions.record_attendance(event, bad, acting_user=None)
    text = error.value.errors["attendance"]
    assert "请假须填写原因" in text and "列席" in text and "出勤状态" in text
    event.refresh_from_db()
    assert event.present_count == 0
    assert not Attendance.objects.filter(event=event, status="present").exists()


def test_a_future_event_takes_only_leave(tree):
    people = members(tree.b1, 2)
    day = timezone.localdate() + timedelta(days=3)
    event = actions.save_event(
        tree.b1, event_data(EventKind.THEME_DAY, day, status="planned"), acting_user=None
    ).obj
    with pytest.raises(DomainError):
        actions.record_attendance(event, [Mark("present", people[0].pk)], acting_user=None)
    outcome = actions.record_attendance(
        event, [Mark("leave", people[0].pk, leave_reason="外出")], acting_user=None
    )
    assert outcome.obj.leave_count == 1


def test_volunteer_hours_sum_over_those_present(tree):
    people = members(tree.b1, 3)
    event = held(tree.b1, EventKind.VOLUNTEER, _recent(), hours="2.5")
    marks = [Mark("present", people[0].pk), Mark("present", people[1].pk, hours="4")]
    event = actions.record_attendance(event, marks, acting_user=None).obj
    assert event.person_times == 2 and str(event.person_hours) == "6.5"


# Check-in --------------------------------------------------------------------------------------


@pytest.fixture
def checkin_event(tree, personas):
    """A meeting now, with the member persona linked to an expected member."""
    person = members(tree.b1, 1)[0]
    person.user = personas["member"]
    person.save()
    now = timezone.now()
    data = event_data(
        EventKind.THEME_DAY, timezone.localdate(), starts_at=now, ends_at=now + timedelta(hours=2)
    )
    return actions.save_event(tree.b1, data, acting_user=None).obj


def test_check_in_once(checkin_event, personas):
    now = timezone.now()
    token = checkin.token_for(checkin_event, now)
    row = actions.check_in(token, acting_user=personas["member"], now=now)
    assert row.status == "present" and row.method == "qr"
    checkin_event.refresh_from_db()
    assert checkin_event.present_count == 1
    with pytest.raises(DomainError) as error:
        actions.check_in(token, acting_user=personas["member"], now=now)
    assert "无需重复签到" in str(error.value)


def test_token_rotation_boundaries(checkin_event, personas):
    period = checkin.rotation()
    now = timezone.now()
    token = checkin.token_for(checkin_event, now)
    start_of_step = now - timedelta(seconds=checkin.rotation() - checkin.seconds_left(now))
    # Accepted through the next step, refused from the one after.
    assert checkin.verify(token, start_of_step + timedelta(seconds=2 * period - 1)) == checkin_event
    with pytest.raises(DomainError) as error:
        checkin.verify(token, start_of_step + timedelta(seconds=2 * period))
    assert error.value.code == "orglife.checkin_expired"


def test_forged_and_garbled_tokens_are_refused(checkin_event, personas):
    now = timezone.now()
    token = checkin.token_for(checkin_event, now)
    event_id, step, signature = token.split(".")
    for forged in (
        f"{event_id}.{step}.{'0' * len(signature)}",
        f"{event_id}.{int(step) + 1}.{signature}",
        f"{int(event_id) + 1}.{step}.{signature}",
        "not-a-token",
        "",
    ):
        with pytest.raises(DomainError) as error:
            actions.check_in(forged, acting_user=personas["member"], now=now)
        assert "签到码无效" in str(error.value)
    assert not Attendance.objects.filter(status="present").exists()


def test_check_in_window_boundaries(checkin_event):
    opens = checkin_event.starts_at - timedelta(minutes=60)
    closes = checkin_event.ends_at + timedelta(minutes=30)
    for moment, ok in (
        (opens - timedelta(seconds=1), False),
        (opens, True),
        (closes, True),
        (closes + timedelta(seconds=1), False),
    ):
        token = checkin.token_for(checkin_event, moment)
        if ok:
            assert checkin.verify(token, moment) == checkin_event
        else:
            with pytest.raises(DomainError):
                checkin.verify(token, moment)


def test_a_member_not_expected_cannot_check_in_unless_joint(tree, personas, checkin_event):
    stranger = members(tree.b2, 1, serial=7100)[0]
    stranger.user = personas["norole"]
    stranger.save()
    now = timezone.now()
    token = checkin.token_for(checkin_event, now)
    with pytest.raises(DomainError) as error:
        actions.check_in(token, acting_user=personas["norole"], now=now)
    assert "应到人员" in str(error.value)
    Event.objects.filter(pk=checkin_event.pk).update(is_joint=True)
    row = actions.check_in(token, acting_user=personas["norole"], now=now)
    assert row.is_guest


def test_an_account_without_a_person_cannot_check_in(checkin_event, personas):
    token = checkin.token_for(checkin_event, timezone.now())
    with pytest.raises(DomainError) as error:
        actions.check_in(token, acting_user=personas["secretary"])
    assert "未关联党员档案" in str(error.value)


def test_an_edit_is_audited_with_before_and_after(tree):
    from dangjian.core.models import AuditEvent

    event = held(tree.b1, EventKind.THEME_DAY, _recent())
    data = event_data(EventKind.THEME_DAY, _recent(), title="新的主题", hours=None)
    actions.save_event(tree.b1, data, event=event, acting_user=None)
    row = AuditEvent.objects.filter(action="orglife.event.save").latest("pk")
    assert row.changes["title"][1] == "新的主题"
    assert Event.objects.get(pk=event.pk).title == "新的主题"
