"""The appraisal API: a member appraisal end to end, refusals as Chinese 422s with nothing
stored, slip codes without an account (and without CSRF), receipts, and secrecy of the
answers (permissions of every operation: api_endpoints.py)."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from dangjian.appraisals.actions import reveal_code
from dangjian.appraisals.models import Ballot, Campaign, Subject, VoteCode, Voter
from dangjian.appraisals.testing import make_campaign, uniform_answers
from dangjian.core.models import AuditEvent
from dangjian.core.testing.personas import Tree
from dangjian.members.models import Person

pytestmark = pytest.mark.django_db
BASE = "/api/v1/appraisals"


def send(client: Client, method: str, path: str, data: Any) -> Any:
    return getattr(client, method)(path, data=json.dumps(data), content_type="application/json")


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, (response.status_code, response.content)
    return response.json()


def refused(response: Any) -> str:
    """The messages of a 422, joined."""
    assert response.status_code == 422, (response.status_code, response.content)
    return " ".join(item["msg"] for item in response.json()["detail"])


def as_person(person: Person) -> Client:
    client = Client()
    client.force_login(person.user)
    return client


def stored(campaign: Campaign) -> tuple[int, int, int]:
    """Ballots, voters marked voted and codes used: what a refusal must leave unchanged."""
    return (
        Ballot.objects.filter(campaign=campaign).count(),
        Voter.objects.filter(campaign=campaign, has_voted=True).count(),
        VoteCode.objects.filter(campaign=campaign, used=True).count(),
    )


def new_campaign(tree: Tree, **overrides: Any) -> dict[str, Any]:
    now = timezone.now()
    return {
        "organization": tree.b1.pk,
        "kind": "member_appraisal",
        "title": "2025年度民主评议党员",
        "year": 2025,
        "opens_at": now.isoformat(),
        "closes_at": (now + timedelta(days=2)).isoformat(),
        **overrides,
    }


# --- campaigns ---------------------------------------------------------------------------------


def test_a_campaign_is_created_with_subjects_voters_and_codes(login, tree, branch_members):
    secretary = login("secretary")
    body = new_campaign(tree, subject_source="members", voter_source="members", codes=3)
    created = ok(send(secretary, "post", f"{BASE}/campaigns", body), 201)
    assert (created["kind_display"], created["phase"]) == ("民主评议党员", "draft")
    assert (created["subject_count"], created["voter_count"], created["code_count"]) == (7, 7, 3)
    assert [q["text"] for q in created["questions"]] == ["评议等次", "意见和建议"]
    assert created["questions"][0]["options"][0]["label"] == "优秀"
    probationary = ok(secretary.get(f"{BASE}/campaigns/{created['id']}/subjects"))[-1]
    assert probationary["graded"] is False
    page = ok(secretary.get(f"{BASE}/campaigns", {"phase": "draft", "year": 2025}))
    assert page["count"] == 1 and page["items"][0]["subject_count"] == 7
    assert ok(secretary.get(f"{BASE}/campaigns", {"kind": "satisfaction"}))["count"] == 0
    outside = secretary.get(f"{BASE}/campaigns", {"within": tree.c2.pk})
    assert "不在您的管理范围内" in refused(outside)


def test_a_bad_campaign_is_refused_in_chinese_and_nothing_saved(login, tree, branch_members):
    secretary = login("secretary")
    backwards = new_campaign(tree, voter_source="members", codes=2)
    backwards["closes_at"] = backwards["opens_at"]
    assert "截止时间应晚于开始时间" in refused(
        send(secretary, "post", f"{BASE}/campaigns", backwards)
    )
    unknown = new_campaign(tree, subject_source="everyone")
    assert "取值不正确" in refused(send(secretary, "post", f"{BASE}/campaigns", unknown))
    too_many = new_campaign(tree, codes=5000)
    assert "不能大于2000" in refused(send(secretary, "post", f"{BASE}/campaigns", too_many))
    assert not Campaign.objects.exists() and not Voter.objects.exists()


def test_while_voting_only_the_closing_time_moves_later(login, campaign):
    secretary = login("secretary")
    path = f"{BASE}/campaigns/{campaign.pk}"
    assert "投票已开始" in refused(send(secretary, "patch", path, {"title": "改名"}))
    later = (campaign.closes_at + timedelta(days=1)).isoformat()
    assert ok(send(secretary, "patch", path, {"closes_at": later}))["title"] == campaign.title
    assert "不能删除" in refused(secretary.delete(path))


def test_setup_adds_invited_voters_and_codes_before_voting_only(login, tree, branch_members):
    secretary = login("secretary")
    draft = make_campaign(tree.b1, voters="", open_voting=False)
    path = f"{BASE}/campaigns/{draft.pk}"
    added = ok(send(secretary, "post", f"{path}/voters", {"people": [branch_members[0].pk]}), 201)
    assert added == {"added": 1, "total": 1}
    again = send(secretary, "post", f"{path}/voters", {"source": "members"})
    assert ok(again, 201) == {"added": 6, "total": 7}
    assert ok(send(secretary, "post", f"{path}/codes", {"count": 4}), 201) == {
        "generated": 4,
        "total": 4,
    }
    opened = ok(send(secretary, "post", f"{path}/phase", {"op": "open"}))
    assert opened["campaign"]["phase"] == "voting" and opened["campaign"]["eligible_count"] == 11
    late = send(secretary, "post", f"{path}/codes", {"count": 1})
    assert "不能生成投票码" in refused(late)
    assert VoteCode.objects.filter(campaign=draft).count() == 4


def test_a_person_outside_the_scope_is_404_in_a_body(login, tree, branch_members):
    from dangjian.members.testing import make_person

    stranger = make_person(tree.b3, name="外院党员", staff_no="APOUT")
    draft = make_campaign(tree.b1, open_voting=False)
    response = send(
        login("secretary"), "post", f"{BASE}/campaigns/{draft.pk}/voters", {"people": [stranger.pk]}
    )
    assert response.status_code == 404
    assert not Voter.objects.filter(person=stranger).exists()


# --- voting, end to end -----------------------------------------------------------------------


def test_a_member_appraisal_end_to_end(login, campaign, branch_members):
    secretary = login("secretary")
    path = f"{BASE}/campaigns/{campaign.pk}"
    voter = as_person(branch_members[0])
    form = ok(voter.get(f"{path}/ballot"))
    assert (form["is_open"], form["on_list"], form["has_voted"]) == (True, True, False)
    assert len(form["items"]) == 6 + 1  # six graded members, one comment for the ballot
    answers = {item["key"]: "excellent" for item in form["items"][:-1]}
    cast = voter.post(f"{path}/ballot", json.dumps({"answers": answers}), "application/json")
    receipt = ok(cast, 201)["receipt"]
    assert cast["Cache-Control"] == "no-store"
    assert ok(voter.get(f"{path}/ballot"))["has_voted"] is True
    for person in branch_members[1:4]:
        body = {"answers": uniform_answers(campaign, "qualified")}
        ok(send(as_person(person), "post", f"{path}/ballot", body), 201)
    assert ok(secretary.get(f"{path}/turnout")) == {
        "phase": "voting",
        "voted": 4,
        "eligible": 9,
        "percent": "44.44",
    }
    early = secretary.get(f"{path}/results")
    assert early.status_code == 409 and "计票后才能查看结果" in early.json()["detail"]
    closed = ok(send(secretary, "post", f"{path}/phase", {"op": "close"}))
    assert closed["campaign"]["ballot_count"] == 4
    assert any("仅供参考" in w for w in closed["warnings"])
    results = ok(secretary.get(f"{path}/results"))
    first = results["subjects"][0]
    shares = {o["code"]: o["share"] for o in first["items"][0]["options"]}
    assert shares["excellent"] == "25.00" and shares["qualified"] == "75.00"
    assert first["proposed_grade_display"] == "合格"
    assert results["quota"] == {"rule": "1/3", "graded": 6, "allowed": 2, "proposed": 0, "final": 0}
    assert {o["code"]: o["share"] for o in results["overall"]}["excellent"] == "25.00"
    assert results["subjects"][-1]["graded"] is False
    assert results["subjects"][-1]["items"] == []  # probationary: no grade asked
    checked = ok(send(Client(), "post", f"{BASE}/receipts/verify", {"receipt": receipt}))
    assert (checked["counted"], checked["campaign"]) == (True, campaign.pk)
    assert "已计入计票结果" in checked["message"]
    assert (
        ok(send(Client(), "post", f"{BASE}/receipts/verify", {"receipt": "x"}))["counted"] is False
    )
    subjects = Subject.objects.filter(campaign=campaign, graded=True).order_by("position")
    too_many = {str(s.pk): "excellent" for s in subjects[:3]}
    breach = send(secretary, "post", f"{path}/decide", {"grades": too_many})
    assert "超过参评正式党员的1/3" in refused(breach)
    assert not Subject.objects.filter(campaign=campaign).exclude(final_grade="").exists()
    fine = {str(s.pk): "excellent" for s in subjects[:2]}
    decided = ok(send(secretary, "post", f"{path}/decide", {"grades": fine, "note": "支委会研究"}))
    assert decided["quota"]["final"] == 2 and decided["decision_note"] == "支委会研究"
    assert decided["subjects"][0]["final_grade_display"] == "优秀"
    published = ok(send(secretary, "post", f"{path}/phase", {"op": "publish"}))
    assert published["campaign"]["phase"] == "published"
    seen = ok(voter.get(f"{path}/subjects"))
    assert seen[0]["final_grade"] == "excellent" and seen[0]["proposed_grade"] == ""


def test_bad_ballots_are_refused_in_chinese_and_nothing_stored(campaign, branch_members):
    path = f"{BASE}/campaigns/{campaign.pk}/ballot"
    voter = as_person(branch_members[0])
    good = uniform_answers(campaign, "qualified")
    key = next(iter(good))
    cases = [
        ({**good, key: "superb"}, "不在可选等次内"),
        ({k: v for k, v in good.items() if k != key}, "请对"),
        ({**good, "999:999": "qualified"}, "不属于本次测评"),
    ]
    for answers, message in cases:
        assert message in refused(send(voter, "post", path, {"answers": answers}))
        assert stored(campaign) == (0, 0, 0)
    ok(send(voter, "post", path, {"answers": good}), 201)
    assert "每人只能投一次" in refused(send(voter, "post", path, {"answers": good}))
    assert stored(campaign) == (1, 1, 0)


def test_a_staff_member_not_on_the_list_is_refused(login, campaign):
    response = send(
        login("secretary"),
        "post",
        f"{BASE}/campaigns/{campaign.pk}/ballot",
        {"answers": uniform_answers(campaign, "qualified")},
    )
    assert "不在本次测评的投票人名单中" in refused(response)
    assert stored(campaign) == (0, 0, 0)


def test_a_vote_outside_the_window_is_refused(campaign, branch_members):
    Campaign.objects.filter(pk=campaign.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    body = {"answers": uniform_answers(campaign, "qualified")}
    response = send(
        as_person(branch_members[0]), "post", f"{BASE}/campaigns/{campaign.pk}/ballot", body
    )
    assert "投票已于" in refused(response) and "截止" in refused(response)
    assert stored(campaign) == (0, 0, 0)


def test_casting_takes_few_queries(campaign, branch_members, django_assert_max_num_queries):
    voter = as_person(branch_members[0])
    path = f"{BASE}/campaigns/{campaign.pk}/ballot"
    body = {"answers": uniform_answers(campaign, "qualified")}
    voter.get(path)  # the questionnaire is frozen and cached while voting
    with django_assert_max_num_queries(9):
        ok(send(voter, "post", path, body), 201)


# --- codes and secrecy ------------------------------------------------------------------------


def test_a_slip_code_votes_once_without_an_account_or_csrf(campaign):
    code = reveal_code(campaign.codes.get(serial=1))
    anonymous = Client(enforce_csrf_checks=True)
    form = ok(anonymous.get(f"{BASE}/code-ballot", {"code": code.lower()}))
    assert form["campaign"]["id"] == campaign.pk and form["on_list"] is True
    body = {"code": code, "answers": uniform_answers(campaign, "qualified")}
    cast = ok(send(anonymous, "post", f"{BASE}/code-ballot", body), 201)
    assert set(cast) == {"receipt", "campaign"} and cast["campaign"] == campaign.pk
    assert "已使用" in refused(send(anonymous, "post", f"{BASE}/code-ballot", body))
    assert "已使用" in refused(anonymous.get(f"{BASE}/code-ballot", {"code": code}))
    forged = {**body, "code": "AAAA-BBBB-CCCC"}
    assert "投票码无效" in refused(send(anonymous, "post", f"{BASE}/code-ballot", forged))
    assert stored(campaign) == (1, 0, 1)


def test_the_api_keeps_the_ballot_secret(login, campaign, branch_members, caplog):
    caplog.set_level(logging.DEBUG)
    voter = as_person(branch_members[0])
    before = list(AuditEvent.objects.values_list("pk", flat=True))
    path = f"{BASE}/campaigns/{campaign.pk}"
    answers = uniform_answers(campaign, "excellent")
    receipt = ok(send(voter, "post", f"{path}/ballot", {"answers": answers}), 201)["receipt"]
    assert list(AuditEvent.objects.exclude(pk__in=before).values("action")) == []
    ballot = Ballot.objects.get(campaign=campaign)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert not [s for s in (receipt, str(ballot.pk), ballot.receipt_hash) if s in logged]
    voters = ok(login("secretary").get(f"{path}/voters"))
    assert set(voters[0]) == {"person_id", "name", "kind", "has_voted"}
    assert sum(v["has_voted"] for v in voters) == 1
    form = json.dumps(ok(voter.get(f"{path}/ballot")))
    assert receipt not in form and str(ballot.pk) not in form
