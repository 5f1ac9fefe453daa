"""The organizer's campaign pages: list, start form, phase buttons, live turnout."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.appraisals import actions
from dangjian.appraisals.choices import Phase
from dangjian.appraisals.models import Ballot, Campaign, Subject, VoteCode, Voter
from dangjian.appraisals.testing import make_campaign, uniform_answers
from dangjian.core.errors import DomainError

pytestmark = pytest.mark.django_db
FORMAT = "%Y-%m-%dT%H:%M"


def _form(tree, **overrides):
    now = timezone.localtime()
    data = {
        "organization": str(tree.b1.pk),
        "kind": "member_appraisal",
        "title": "2024年度民主评议党员",
        "year": "2024",
        "opens_at": (now - timedelta(minutes=5)).strftime(FORMAT),
        "closes_at": (now + timedelta(days=2)).strftime(FORMAT),
        "instructions": "请实事求是地评价。",
        "subject_source": "members",
        "voter_source": "members",
        "code_count": "3",
    }
    data.update(overrides)
    return data


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_a_member_appraisal_of_b1_end_to_end(tree, branch_members, login):
    client = login("secretary")
    page = client.get(reverse("appraisals:campaign_add") + "?kind=member_appraisal")
    assert page.status_code == 200
    assert page.context["form"]["subject_source"].value() == "members"
    response = client.post(reverse("appraisals:campaign_add"), _form(tree), follow=True)
    campaign = Campaign.objects.get()
    assert response.redirect_chain[-1][0] == reverse("appraisals:campaign", args=[campaign.pk])
    assert "评议对象7个" in _messages(response)[0]
    assert campaign.subjects.count() == 7 and campaign.subjects.filter(graded=False).count() == 1
    assert campaign.voters.count() == 7 and campaign.codes.count() == 3
    assert [b["op"] for b in response.context["buttons"]] == ["self_report", "open"]

    url = reverse("appraisals:campaign_phase", args=[campaign.pk])
    response = client.post(url, {"op": "open"}, follow=True)
    assert "已开始投票" in _messages(response)[0]
    campaign.refresh_from_db()
    assert campaign.phase == Phase.VOTING and campaign.eligible_count == 10
    assert b'hx-get="' + reverse("appraisals:turnout", args=[campaign.pk]).encode() in (
        response.content
    )
    for person in branch_members[:5]:
        actions.cast_ballot(
            campaign, uniform_answers(campaign, "qualified"), voter_user=person.user
        )
    fragment = client.get(reverse("appraisals:turnout", args=[campaign.pk]))
    assert fragment.context["t"]["voted"] == 5 and fragment.context["t"]["eligible"] == 10
    assert "50.0%" in fragment.content.decode()
    assert "合格" not in fragment.content.decode()

    response = client.post(url, {"op": "close"}, follow=True)
    campaign.refresh_from_db()
    assert campaign.phase == Phase.COUNTED and campaign.ballot_count == 5
    texts = _messages(response)
    assert "已结束投票并完成计票" in texts[0]
    assert any("不足应投票人数" in text for text in texts)  # 5 of 10 is under 2/3


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": "  "}, "title", "请填写测评名称"),
        ({"kind": "election"}, "kind", "请选择测评类型"),
        ({"year": "1999"}, "year", "2000至2100"),
        ({"opens_at": "明天"}, "opens_at", "时间格式不正确"),
        ({"code_count": "-1"}, "code_count", "不能为负数"),
        ({"voter_source": "everyone"}, "voter_source", "请选择投票人来源"),
    ],
)
def test_bad_input_is_refused_inline_and_nothing_is_saved(
    tree, branch_members, login, overrides, field, message
):
    response = login("committee").post(reverse("appraisals:campaign_add"), _form(tree, **overrides))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors.get(field, []))
    assert not Campaign.objects.exists()


def test_times_reversed_are_refused(tree, login):
    now = timezone.localtime()
    data = _form(tree, opens_at=now.strftime(FORMAT), closes_at=now.strftime(FORMAT))
    response = login("univ").post(reverse("appraisals:campaign_add"), data)
    assert "投票截止时间应晚于开始时间" in response.context["form"].errors["closes_at"][0]
    assert not Campaign.objects.exists()


def test_an_organization_outside_scope_is_not_offered(tree, login):
    response = login("outsider").post(reverse("appraisals:campaign_add"), _form(tree))
    assert "管理范围内" in response.context["form"].errors["organization"][0]
    assert not Campaign.objects.exists()


def test_a_refusal_midway_leaves_nothing(tree, branch_members, login, monkeypatch):
    def refuse(*args, **kwargs):
        raise DomainError({"count": "投票码生成失败。"})

    monkeypatch.setattr(actions, "generate_codes", refuse)
    response = login("secretary").post(reverse("appraisals:campaign_add"), _form(tree))
    assert response.status_code == 200
    assert "投票码生成失败" in str(response.context["form"].errors)
    assert not Campaign.objects.exists() and not Subject.objects.exists()
    assert not Voter.objects.exists() and not VoteCode.objects.exists()


def test_phase_refusals_show_the_actions_message(tree, login):
    campaign = make_campaign(tree.b1, subjects="", voters="", open_voting=False)
    client = login("secretary")
    url = reverse("appraisals:campaign_phase", args=[campaign.pk])
    response = client.post(url, {"op": "open"}, follow=True)
    assert "请先添加评议对象" in _messages(response)[0]
    response = client.post(url, {"op": "publish"}, follow=True)
    assert "不能公示" in _messages(response)[0]
    response = client.post(url, {"op": "teleport"}, follow=True)
    assert "未知的操作" in _messages(response)[0]
    assert Campaign.objects.get().phase == Phase.DRAFT


def test_edit_while_voting_may_only_extend(campaign, login):
    client = login("secretary")
    url = reverse("appraisals:campaign_edit", args=[campaign.pk])
    page = client.get(url)
    shown = page.context["form"]["opens_at"].value()
    assert timezone.make_aware(shown) - campaign.opens_at < timedelta(minutes=1)
    later = timezone.localtime(campaign.closes_at + timedelta(days=1)).strftime(FORMAT)
    # The picker shows minutes only: sent back as is, the opening time is not "moved".
    opens = timezone.localtime(campaign.opens_at).strftime(FORMAT)
    data = {"title": campaign.title, "year": campaign.year, "opens_at": opens, "closes_at": later}
    response = client.post(url, data)
    assert response.status_code == 302
    earlier = timezone.localtime(campaign.closes_at - timedelta(hours=2)).strftime(FORMAT)
    response = client.post(url, data | {"closes_at": earlier})
    assert "只能延后" in str(response.context["form"].errors)


def test_delete_only_before_voting(tree, campaign, login):
    client = login("secretary")
    response = client.post(reverse("appraisals:campaign_delete", args=[campaign.pk]), follow=True)
    assert "不能删除" in _messages(response)[0]
    draft = make_campaign(tree.b1, open_voting=False)
    response = client.post(reverse("appraisals:campaign_delete", args=[draft.pk]), follow=True)
    assert "已删除" in _messages(response)[0]
    assert not Campaign.objects.filter(pk=draft.pk).exists()


def test_the_member_is_refused_and_the_turnout_never_shows_results(campaign, login):
    assert login("member").get(reverse("appraisals:campaigns")).status_code == 403
    assert login("member").get(reverse("appraisals:turnout", args=[campaign.pk])).status_code == 403
    body = login("univ").get(reverse("appraisals:turnout", args=[campaign.pk])).content.decode()
    assert "0" in body and not Ballot.objects.exists()
    assert "优秀" not in body and "合格" not in body


def test_the_list_filters_and_counts_turnout(tree, branch_members, login):
    voting = make_campaign(tree.b1, codes=1)
    actions.cast_ballot(
        voting, uniform_answers(voting, "qualified"), voter_user=branch_members[0].user
    )
    make_campaign(tree.b2, "satisfaction", subjects="", voters="", codes=2, open_voting=False)
    client = login("univ")
    page = client.get(reverse("appraisals:campaigns"))
    rows = {c.pk: c for c in page.context["object_list"]}
    assert rows[voting.pk].voted_n == 1 and rows[voting.pk].eligible_n == 8
    assert rows[voting.pk].turnout_percent == "12.5%"
    assert len(rows) == 2
    found = client.get(reverse("appraisals:campaigns") + f"?within={tree.b1.pk}&phase=voting")
    assert [c.pk for c in found.context["object_list"]] == [voting.pk]
    both = client.get(reverse("appraisals:campaigns") + "?kind=satisfaction&kind=member_appraisal")
    assert len(both.context["object_list"]) == 2
    today = timezone.localdate()
    closes = client.get(
        reverse("appraisals:campaigns")
        + f"?closes_from={today + timedelta(days=2)}&closes_to={today + timedelta(days=9)}"
    )
    assert list(closes.context["object_list"]) == []
    assert login("secretary").get(reverse("appraisals:campaigns")).context["paginator"].count == 1


def test_the_list_exports(tree, branch_members, login):
    make_campaign(tree.b1)
    response = login("committee").get(reverse("appraisals:campaigns") + "?export=csv")
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "投票率" in body and "0/7" not in body and "0.0%" in body


def test_the_list_costs_a_fixed_number_of_queries(tree, login, django_assert_max_num_queries):
    for n in range(20):
        make_campaign(tree.b1, subjects="", voters="", codes=2, open_voting=False, title=f"测评{n}")
    client = login("univ")
    client.get(reverse("appraisals:campaigns"))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("appraisals:campaigns") + "?kind=member_appraisal")
    assert len(response.context["object_list"]) == 20
