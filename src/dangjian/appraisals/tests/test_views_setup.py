"""The setup pages: subjects, voters, questionnaire, codes and the printable slips."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dangjian.appraisals import actions
from dangjian.appraisals.actions import reveal_code
from dangjian.appraisals.models import Question, Subject, VoteCode, Voter
from dangjian.appraisals.testing import make_campaign, uniform_answers
from dangjian.core.models import AuditEvent
from dangjian.members.testing import make_person

pytestmark = pytest.mark.django_db


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def draft(tree, branch_members):
    return make_campaign(tree.b1, open_voting=False, codes=2)


def test_subjects_show_who_is_graded_and_refuse_changes_once_voting(campaign, login):
    client = login("secretary")
    page = client.get(reverse("appraisals:subjects", args=[campaign.pk]))
    body = page.content.decode()
    assert "不评定等次" in body and "评议党员6" in body
    assert not page.context["in_setup"]
    subject = campaign.subjects.first()
    url = reverse("appraisals:subject_remove", args=[campaign.pk, subject.pk])
    response = client.post(url, follow=True)
    assert "不能调整评议对象" in _messages(response)[0]
    assert Subject.objects.filter(pk=subject.pk).exists()


def test_subjects_added_from_a_source_and_by_name_within_scope(tree, draft, login):
    client = login("secretary")
    Subject.objects.filter(campaign=draft).delete()
    url = reverse("appraisals:subjects", args=[draft.pk])
    response = client.post(url, {"op": "source", "source": "members"}, follow=True)
    assert "已添加7名评议对象" in _messages(response)[0]
    outsider = make_person(tree.b3, name="评议党员外", staff_no="OUT1")
    found = client.get(url + "?q=评议党员").context["found"]
    assert outsider not in found and found == []  # all of B1's are listed already
    guest = make_person(tree.b1, name="新党员", staff_no="NEW1")
    assert client.get(url + "?q=NEW1").context["found"] == [guest]
    mixed = {"op": "people", "people": [str(guest.pk), str(outsider.pk)]}
    response = client.post(url, mixed, follow=True)
    assert "不在您的管理范围内" in _messages(response)[0]
    assert not draft.subjects.filter(person__in=[guest, outsider]).exists()
    client.post(url, {"op": "people", "people": [str(guest.pk)]})
    assert draft.subjects.filter(person=guest).exists()
    response = client.post(url, {"op": "people"}, follow=True)
    assert "请至少选择一人" in " ".join(_messages(response))
    response = client.post(url, {"op": "source", "source": "nobody"}, follow=True)
    assert "请选择来源" in _messages(response)[0]
    subject = draft.subjects.get(person=guest)
    client.post(reverse("appraisals:subject_remove", args=[draft.pk, subject.pk]))
    assert not Subject.objects.filter(pk=subject.pk).exists()


def test_voters_show_only_whether_they_voted(campaign, branch_members, login):
    actions.cast_ballot(
        campaign, uniform_answers(campaign, "qualified"), voter_user=branch_members[0].user
    )
    page = login("committee").get(reverse("appraisals:voters", args=[campaign.pk]))
    body = page.content.decode()
    assert body.count("已投票") >= 1 and "未投票" in body
    assert page.context["counts"] == {"total": 7, "voted": 1}
    table = body[body.index('data-testid="voter-table"') :]
    assert ":" not in table.split("</table>")[0].replace("https:", "")  # no time of day


def test_voters_invited_and_removed(tree, draft, login):
    client = login("committee")
    guest = make_person(tree.c1, name="特邀代表", staff_no="INV1")
    url = reverse("appraisals:voters", args=[draft.pk])
    client.post(url, {"op": "people", "people": [str(guest.pk)]})
    voter = Voter.objects.get(campaign=draft, person=guest)
    assert voter.kind == "invited"
    client.post(reverse("appraisals:voter_remove", args=[draft.pk, voter.pk]))
    assert not Voter.objects.filter(pk=voter.pk).exists()


def test_questions_added_edited_deleted_with_clear_refusals(draft, login):
    client = login("secretary")
    url = reverse("appraisals:questions", args=[draft.pk])
    response = client.post(url, {"kind": "grade", "text": "理想信念"})
    assert "请选择评价等次" in str(response.context["form"].errors)
    response = client.post(
        url, {"kind": "score", "text": "综合得分", "min_score": 90, "max_score": 10}
    )
    assert "最低分小于最高分" in str(response.context["form"].errors)
    count = draft.questions.count()
    client.post(url, {"kind": "grade", "text": "理想信念", "scale": "review", "per_subject": "on"})
    question = draft.questions.get(text="理想信念")
    assert draft.questions.count() == count + 1 and question.per_subject
    edit = reverse("appraisals:question_edit", args=[draft.pk, question.pk])
    assert client.get(edit).context["form"]["scale"].value() == "review"
    client.post(edit, {"kind": "grade", "text": "理想信念坚定", "scale": "appraisal"})
    question.refresh_from_db()
    assert question.text == "理想信念坚定" and not question.per_subject
    client.post(reverse("appraisals:question_delete", args=[draft.pk, question.pk]))
    assert not Question.objects.filter(pk=question.pk).exists()


def test_codes_generated_and_refused(draft, login):
    client = login("secretary")
    url = reverse("appraisals:codes", args=[draft.pk])
    response = client.post(url, {"count": "5"}, follow=True)
    assert "已生成5个投票码" in _messages(response)[0]
    assert response.context["counts"] == {"total": 7, "used": 0, "unused": 7}
    response = client.post(url, {"count": "0"}, follow=True)
    assert "至少为1个" in _messages(response)[0]
    response = client.post(url, {"count": "abc"}, follow=True)
    assert "应为整数" in _messages(response)[0]
    assert VoteCode.objects.filter(campaign=draft).count() == 7


def test_slips_show_codes_with_qr_and_are_audited_without_them(draft, login):
    client = login("secretary")
    response = client.get(reverse("appraisals:slips", args=[draft.pk]))
    body = response.content.decode()
    codes = [reveal_code(code) for code in draft.codes.all()]
    assert all(code in body for code in codes)
    assert body.count("<svg") == 2 and "@media print" in body
    event = AuditEvent.objects.get(action="security.reveal")
    assert event.object_id == str(draft.pk) and event.actor_name == "secretary"
    recorded = f"{event.detail} {event.message} {event.object_repr}"
    assert not any(code in recorded for code in codes)


def test_slips_are_not_printed_after_voting(tree, branch_members, login):
    campaign = make_campaign(tree.b1, codes=1)
    actions.close_voting(campaign, acting_user=None)
    response = login("univ").get(reverse("appraisals:slips", args=[campaign.pk]), follow=True)
    assert "不再打印" in _messages(response)[0]
    assert not AuditEvent.objects.filter(action="security.reveal").exists()
