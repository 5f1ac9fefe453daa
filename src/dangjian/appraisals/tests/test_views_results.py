"""Result pages: hidden while voting, shares and the quota panel from hand-built ballots, the
recount, a refused decision that keeps nothing, the publicity and the cross-campaign list."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.appraisals import actions
from dangjian.appraisals.choices import Phase
from dangjian.appraisals.models import Ballot, Campaign
from dangjian.appraisals.questionnaire import answer_key
from dangjian.appraisals.testing import make_campaign, uniform_answers
from dangjian.appraisals.voting import ballot_form
from dangjian.members.models import Person
from dangjian.members.testing import make_person

pytestmark = pytest.mark.django_db
COMMENT = "希望加强理论学习"


def cast(campaign: Campaign, voters: list[Any], excellent_first: int = 4) -> None:
    """Six ballots: the first subject gets 优秀 from `excellent_first`, 基本合格 from the rest;
    everyone else 合格; the first ballot adds a comment."""
    questions, subjects = ballot_form(campaign)
    grade = next(q for q in questions if q.kind == "grade")
    comment = next(q for q in questions if q.kind == "comment")
    for n, voter in enumerate(voters[:6]):
        extra = {
            answer_key(subjects[0].pk, grade.pk): "excellent" if n < excellent_first else "basic"
        }
        if n == 0:
            extra[answer_key(None, comment.pk)] = COMMENT
        answers = uniform_answers(campaign, "qualified", **extra)
        actions.cast_ballot(campaign, answers, voter_user=voter.user)


@pytest.fixture
def counted(campaign, branch_members) -> Campaign:
    cast(campaign, branch_members)
    actions.close_voting(campaign, acting_user=None)
    campaign.refresh_from_db()
    return campaign


def url(name: str, campaign: Campaign) -> str:
    return reverse(f"appraisals:{name}", args=[campaign.pk])


def test_results_are_hidden_while_voting(campaign, branch_members, login):
    cast(campaign, branch_members)
    response = login("secretary").get(url("results", campaign))
    assert response.status_code == 200
    page = response.content.decode()
    assert "投票结束并计票后才能查看结果" in page
    assert "sheet" not in response.context or not response.context.get("sheet")
    assert "66.67" not in page and COMMENT not in page and 'data-testid="quota-panel"' not in page
    assert login("secretary").get(url("results_export", campaign)).status_code == 302


def test_shares_turnout_and_quota_panel(counted, login):
    response = login("secretary").get(url("results", counted))
    assert response.status_code == 200
    sheet = response.context["sheet"]
    assert (sheet.ballots, sheet.eligible, sheet.turnout) == (6, 9, Decimal("66.67"))
    first = sheet.rows[0]
    assert [(c.label, c.count, c.share) for c in first.cells] == [
        ("优秀", 4, Decimal("66.67")),
        ("合格", 0, Decimal("0.00")),
        ("基本合格", 2, Decimal("33.33")),
        ("不合格", 0, Decimal("0.00")),
    ]
    assert first.proposed == "优秀" and sheet.rows[1].proposed == "合格"
    assert sheet.rows[-1].proposed == "不评定等次" and sheet.rows[-1].cells == []
    # 6 graded × 6 ballots = 36 answers: 4 优秀, 30 合格, 2 基本合格.
    overall = {cell.label: cell.share for cell in sheet.overall}
    assert overall["优秀"] == Decimal("11.11") and overall["合格"] == Decimal("83.33")
    panel = sheet.quota
    assert (panel.graded, panel.allowed, panel.proposed, panel.final, panel.ok) == (
        6,
        2,
        1,
        None,
        True,
    )
    page = response.content.decode()
    assert "66.67" in page and 'data-testid="quota-ok"' in page and COMMENT in page
    for ballot_id in Ballot.objects.values_list("id", flat=True):
        assert str(ballot_id) not in page and ballot_id.hex not in page


def _member_votes_in(campaign: Campaign, personas: dict[str, Any]) -> None:
    """The member persona becomes the account of the campaign's first subject (a voter)."""
    Person.objects.filter(pk=campaign.subjects.first().person_id).update(user=personas["member"])


def test_the_member_and_the_outsider_get_no_results(counted, login, personas):
    _member_votes_in(counted, personas)
    assert login("member").get(url("publicity", counted)).status_code == 200
    assert login("member").get(url("results", counted)).status_code == 403
    assert login("outsider").get(url("results", counted)).status_code == 404


def test_recount_agrees_and_then_detects_a_changed_ballot(counted, login):
    client = login("secretary")
    response = client.post(url("recount", counted), follow=True)
    assert "复核一致：6张选票重新计票结果与原计票一致" in response.content.decode()
    ballot = Ballot.objects.filter(campaign=counted).first()
    key = next(k for k, v in ballot.answers.items() if v == "qualified")
    Ballot.objects.filter(pk=ballot.pk).update(answers=ballot.answers | {key: "unqualified"})
    response = client.post(url("recount", counted), follow=True)
    assert "复核不一致" in response.content.decode()


def _grades(campaign: Campaign, excellent: int) -> dict[str, str]:
    graded = list(campaign.subjects.filter(graded=True))
    data = {
        f"grade_{s.pk}": "excellent" if n < excellent else "qualified" for n, s in enumerate(graded)
    }
    return data | {"note": "支部党员大会表决"}


def test_a_quota_breach_is_refused_on_the_form_and_keeps_nothing(counted, login):
    client = login("secretary")
    form = client.get(url("decide", counted))
    assert form.status_code == 200 and 'id="quota-live"' in form.content.decode()
    response = client.post(url("decide", counted), _grades(counted, 3))
    assert response.status_code == 200
    assert "评定为优秀的党员（3人）超过参评正式党员的1/3" in response.content.decode()
    counted.refresh_from_db()
    assert counted.phase == Phase.COUNTED and counted.decision_note == ""
    assert not counted.subjects.exclude(final_grade="").exists()
    response = client.post(url("decide", counted), _grades(counted, 2))
    assert response.status_code == 302
    counted.refresh_from_db()
    assert counted.phase == Phase.DECIDED and counted.decision_note == "支部党员大会表决"
    assert counted.subjects.filter(final_grade="excellent").count() == 2
    assert counted.subjects.get(graded=False).final_grade == ""
    panel = client.get(url("results", counted)).context["sheet"].quota
    assert (panel.final, panel.ok) == (2, True)


def test_a_missing_grade_is_asked_for(counted, login):
    data = _grades(counted, 1)
    data.pop(next(iter(data)))
    response = login("secretary").post(url("decide", counted), data)
    assert response.status_code == 200 and "请为" in response.content.decode()
    assert not counted.subjects.exclude(final_grade="").exists()


def test_no_decision_while_voting(campaign, login):
    response = login("secretary").get(url("decide", campaign))
    assert response.status_code == 302


def test_publicity_once_published(counted, login, personas):
    _member_votes_in(counted, personas)
    client = login("member")
    page = client.get(url("publicity", counted)).content.decode()
    assert "评议结果尚未公示" in page and "优秀" not in page
    actions.decide(counted, {}, acting_user=None)
    actions.publish(Campaign.objects.get(pk=counted.pk), acting_user=None)
    page = client.get(url("publicity", counted)).content.decode()
    assert 'data-testid="publicity-table"' in page and "优秀" in page and "不评定等次" in page


def test_the_appraised_list_filters_as_the_figures_drill_down(counted, tree, login):
    actions.decide(counted, {}, acting_user=None)
    make_campaign(tree.b1)  # still voting: its subjects are not listed
    make_person(tree.b3, name="外院党员", staff_no="B3P1")
    make_campaign(tree.b3)
    client = login("univ")
    base = reverse("appraisals:appraised")

    def count(**query: Any) -> int:
        response = client.get(base, query)
        assert response.status_code == 200
        return response.context["paginator"].count

    assert count() == 7
    assert count(within=tree.b1.pk, kind="member_appraisal", year=counted.year) == 7
    assert count(within=tree.b3.pk) == 0
    assert count(final_grade="excellent") == 1
    assert count(graded="false") == 1 and count(graded="true") == 6
    day = timezone.localtime(counted.closes_at).date().isoformat()
    assert count(closes_from=day, closes_to=day) == 7
    assert count(kind="satisfaction") == 0
    assert login("member").get(base).status_code == 403
    assert login("outsider").get(base).context["paginator"].count == 0
