"""The voter's pages: my campaigns, the ballot and its receipt, verification, the self-report,
and the public pages for voters with a printed code."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dangjian.appraisals import actions
from dangjian.appraisals.actions import reveal_code
from dangjian.appraisals.models import Ballot, Campaign, Subject, Voter
from dangjian.appraisals.questionnaire import answer_key
from dangjian.appraisals.testing import make_campaign, uniform_answers
from dangjian.appraisals.voting import ballot_form

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


@pytest.fixture
def voter(branch_members) -> Client:
    """A full member of B1 signed in (a voter and a subject of the campaign)."""
    client = Client()
    client.force_login(branch_members[0].user)
    return client


def _vote_url(campaign: Campaign) -> str:
    return reverse("appraisals:vote", args=[campaign.pk])


def _ballots(campaign: Campaign) -> int:
    return Ballot.objects.filter(campaign=campaign).count()


# My campaigns --------------------------------------------------------------------------------


def test_mine_shows_the_ballot_to_cast_then_the_cast_one(campaign, voter, branch_members):
    page = voter.get(reverse("appraisals:mine")).content.decode()
    assert "去投票" in page and campaign.title in page and _vote_url(campaign) in page
    actions.cast_ballot(
        campaign, uniform_answers(campaign, "qualified"), voter_user=branch_members[0].user
    )
    page = voter.get(reverse("appraisals:mine")).content.decode()
    assert "去投票" not in page and 'data-testid="mine-voted"' in page
    assert reverse("appraisals:verify", args=[campaign.pk]) in page


def test_mine_lists_reports_due_and_own_published_grade_only(tree, voter, branch_members):
    draft = make_campaign(tree.b1, open_voting=False, title="待述职")
    own = Subject.objects.get(campaign=draft, person=branch_members[0])
    done = make_campaign(tree.b1, title="去年的评议")
    actions.close_voting(done, acting_user=None)
    done.refresh_from_db()
    others = done.subjects.exclude(person=branch_members[0]).filter(graded=True)
    grades = {s.pk: "qualified" for s in others} | {
        done.subjects.get(person=branch_members[0]).pk: "excellent"
    }
    done = actions.decide(done, grades, acting_user=None)
    actions.publish(done, acting_user=None)
    page = voter.get(reverse("appraisals:mine")).content.decode()
    assert reverse("appraisals:report", args=[own.pk]) in page
    assert 'data-testid="mine-grade">优秀<' in page
    assert page.count('data-testid="mine-grade"') == 1


def test_mine_is_refused_to_an_account_without_a_person(login):
    response = login("univ").get(reverse("appraisals:mine"))
    assert response.status_code == 403 and "未关联党员档案" in response.content.decode()


# The ballot ----------------------------------------------------------------------------------


def test_the_ballot_has_a_card_per_subject_with_pills(campaign, voter):
    page = voter.get(_vote_url(campaign)).content.decode()
    questions, subjects = ballot_form(campaign)
    grade = next(q for q in questions if q.kind == "grade")
    assert page.count('data-testid="ballot-card"') == len(subjects) + 1  # + the comments
    graded = next(s for s in subjects if s.graded)
    assert f'name="{answer_key(graded.pk, grade.pk)}"' in page
    ungraded = next(s for s in subjects if not s.graded)
    assert f'name="{answer_key(ungraded.pk, grade.pk)}"' not in page
    assert "不评定等次" in page and "基本合格" in page and "全部评为" in page


def test_a_vote_renders_the_receipt_once_and_stores_nothing_else(campaign, voter):
    response = voter.post(_vote_url(campaign), uniform_answers(campaign, "qualified"))
    page = response.content.decode()
    assert response.status_code == 200 and "投票成功" in page
    assert "no-store" in response["Cache-Control"]
    receipt = page.split('data-testid="receipt-code">')[1].split("<")[0]
    assert actions.verify_receipt(campaign, receipt)
    assert _ballots(campaign) == 1
    again = voter.get(_vote_url(campaign))
    assert again.status_code == 302 and again["Location"].endswith(
        reverse("appraisals:voted", args=[campaign.pk])
    )
    voted = voter.get(again["Location"]).content.decode()
    assert "您已投票" in voted and receipt not in voted


def test_a_refused_ballot_keeps_the_choices_and_stores_nothing(campaign, voter):
    answers = uniform_answers(campaign, "basic")
    missing = next(iter(answers))
    del answers[missing]
    page = voter.post(_vote_url(campaign), answers).content.decode()
    assert "选票未提交" in page and "请对" in page
    kept = next(key for key in answers if key != missing)
    assert f'name="{kept}" id="a{kept.replace(":", "-")}-basic" value="basic"' in page
    assert 'value="basic" data-scale="appraisal" checked' in page
    assert _ballots(campaign) == 0
    assert not Voter.objects.filter(campaign=campaign, has_voted=True).exists()


def test_a_second_vote_lands_on_the_voted_page(campaign, voter):
    answers = uniform_answers(campaign, "qualified")
    voter.post(_vote_url(campaign), answers)
    page = voter.post(_vote_url(campaign), answers).content.decode()
    assert "您已投票" in page and "只能投一次" in page
    assert _ballots(campaign) == 1


def test_the_ballot_is_not_offered_outside_the_window(tree, voter, branch_members):
    campaign = make_campaign(tree.b1, open_voting=False)
    page = voter.get(_vote_url(campaign)).content.decode()
    assert "投票尚未开始" in page and 'data-testid="ballot-form"' not in page
    opened = make_campaign(tree.b1, title="已截止")
    Campaign.objects.filter(pk=opened.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    page = voter.post(_vote_url(opened), uniform_answers(opened, "qualified")).content.decode()
    assert "截止" in page and _ballots(opened) == 0


def test_staff_not_on_the_list_cannot_open_the_ballot(campaign, login):
    assert login("secretary").get(_vote_url(campaign)).status_code == 403


# Verification --------------------------------------------------------------------------------


def test_verify_says_whether_the_receipt_is_in_the_box(campaign, voter, branch_members):
    receipt = actions.cast_ballot(
        campaign, uniform_answers(campaign, "qualified"), voter_user=branch_members[1].user
    )
    url = reverse("appraisals:verify", args=[campaign.pk])
    found = voter.post(url, {"receipt": receipt.lower()}).content.decode()
    assert "您的选票已计入本次测评（共1张有效票）" in found
    missing = voter.post(url, {"receipt": "AAAA-BBBB-CCCC"}).content.decode()
    assert "未找到该回执" in missing
    assert "请输入回执码" in voter.post(url, {"receipt": ""}).content.decode()


# The self-report -----------------------------------------------------------------------------


def test_a_subject_hands_in_the_report_with_a_file(tree, voter, branch_members):
    campaign = make_campaign(tree.b1, open_voting=False)
    subject = Subject.objects.get(campaign=campaign, person=branch_members[0])
    url = reverse("appraisals:report", args=[subject.pk])
    assert "自评等次" in voter.get(url).content.decode()
    upload = SimpleUploadedFile("张三述职.png", PNG, content_type="image/png")
    response = voter.post(url, {"report": "认真学习。", "self_grade": "qualified", "file": ""})
    assert response.status_code == 302
    response = voter.post(
        url,
        {"report": "认真学习，按时交纳党费。", "self_grade": "excellent", "report_file": upload},
    )
    subject.refresh_from_db()
    assert subject.self_grade == "excellent" and subject.report_file.name.endswith(".png")
    assert "张三" not in subject.report_file.name


def test_a_bad_report_is_refused_and_nothing_saved(tree, voter, branch_members):
    campaign = make_campaign(tree.b1, open_voting=False)
    subject = Subject.objects.get(campaign=campaign, person=branch_members[0])
    url = reverse("appraisals:report", args=[subject.pk])
    bad = SimpleUploadedFile("x.png", b"not an image", content_type="image/png")
    page = voter.post(url, {"report": "内容", "report_file": bad}).content.decode()
    assert "PDF、JPG或PNG" in page
    assert "请填写述职/自评内容" in voter.post(url, {"report": " "}).content.decode()
    subject.refresh_from_db()
    assert subject.report == "" and not subject.report_file


def test_probationary_members_report_without_a_grade(tree, branch_members):
    campaign = make_campaign(tree.b1, open_voting=False)
    subject = Subject.objects.get(campaign=campaign, person=branch_members[6])
    client = Client()
    client.force_login(branch_members[6].user)
    page = client.get(reverse("appraisals:report", args=[subject.pk])).content.decode()
    assert 'name="self_grade"' not in page and "不评定等次" in page


def test_the_report_is_read_only_once_voting_opened(campaign, voter, branch_members):
    subject = Subject.objects.get(campaign=campaign, person=branch_members[0])
    url = reverse("appraisals:report", args=[subject.pk])
    assert 'data-testid="report-closed"' in voter.get(url).content.decode()
    page = voter.post(url, {"report": "迟交"}).content.decode()
    assert "不能提交述职/自评" in page
    subject.refresh_from_db()
    assert subject.report == ""


# Public pages: a printed code ----------------------------------------------------------------


def test_a_code_from_the_qr_votes_once(campaign):
    code = reveal_code(campaign.codes.get(serial=1))
    client = Client()
    page = client.get(reverse("appraisals:code_vote"), {"code": code}).content.decode()
    assert 'data-testid="ballot-form"' in page and 'data-testid="public-page"' in page
    assert 'content="same-origin"' in page and "dj-sidebar" not in page
    data = uniform_answers(campaign, "qualified") | {"code": code}
    page = client.post(reverse("appraisals:code_vote"), data).content.decode()
    assert "投票成功" in page and _ballots(campaign) == 1
    again = client.post(reverse("appraisals:code_vote"), data).content.decode()
    assert "该投票码已使用" in again and _ballots(campaign) == 1


def test_a_typed_code_opens_the_ballot_and_a_forged_one_not(campaign):
    client = Client()
    code = reveal_code(campaign.codes.get(serial=2))
    page = client.post(reverse("appraisals:code"), {"op": "code", "code": code.lower()})
    assert 'data-testid="ballot-form"' in page.content.decode()
    forged = client.post(reverse("appraisals:code"), {"op": "code", "code": "ABCD-EFGH-JKMN"})
    assert "投票码无效" in forged.content.decode()
    wrong = client.get(reverse("appraisals:code_vote"), {"code": "nope"}).content.decode()
    assert "投票码无效" in wrong


def test_a_code_ballot_with_a_bad_answer_is_shown_again(campaign):
    code = reveal_code(campaign.codes.get(serial=1))
    answers = uniform_answers(campaign, "qualified")
    key = next(iter(answers))
    answers[key] = "brilliant"
    page = Client().post(reverse("appraisals:code_vote"), answers | {"code": code})
    text = page.content.decode()
    assert "不在可选等次内" in text and 'name="code"' in text and _ballots(campaign) == 0
    assert not campaign.codes.get(serial=1).used


def test_a_receipt_alone_says_where_it_was_counted(campaign, branch_members):
    receipt = actions.cast_ballot(
        campaign, uniform_answers(campaign, "qualified"), voter_user=branch_members[2].user
    )
    client = Client()
    page = client.post(reverse("appraisals:code"), {"op": "receipt", "receipt": receipt})
    text = page.content.decode()
    assert campaign.title in text and "您的选票已计入本次测评（共1张有效票）" in text
    missing = client.post(reverse("appraisals:code"), {"op": "receipt", "receipt": "ZZZZ"})
    assert "未找到该回执" in missing.content.decode()


def test_the_public_pages_need_the_csrf_token(campaign):
    client = Client(enforce_csrf_checks=True)
    assert client.get(reverse("appraisals:code")).status_code == 200
    code = reveal_code(campaign.codes.get(serial=1))
    data = uniform_answers(campaign, "qualified") | {"code": code}
    assert client.post(reverse("appraisals:code_vote"), data).status_code == 403
    assert _ballots(campaign) == 0


@pytest.mark.parametrize("kind", ["cadre_assessment", "satisfaction", "dual_review"])
def test_every_kind_of_ballot_renders_and_casts(tree, voter, branch_members, kind):
    campaign = make_campaign(tree.b1, kind=kind, open_voting=False, subjects="")
    actions.add_subjects(campaign, people=branch_members[:2], acting_user=None)
    actions.open_voting(campaign, acting_user=None)
    campaign.refresh_from_db()
    page = voter.get(_vote_url(campaign)).content.decode()
    assert 'data-testid="ballot-form"' in page
    assert ('type="number"' in page) == (kind == "cadre_assessment")
    assert (branch_members[1].name in page) == (kind != "satisfaction")
    response = voter.post(_vote_url(campaign), uniform_answers(campaign, "good"))
    assert "投票成功" in response.content.decode() and _ballots(campaign) == 1
