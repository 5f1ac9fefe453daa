"""The monthly summary pages: write, submit, return, resubmit, approve; who may review; the
list's filters, the secretary's panel and its query count."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.orglife import summaries
from dangjian.orglife.choices import EventKind, SummaryStatus
from dangjian.orglife.models import MonthlySummary
from dangjian.orglife.testing import held
from dangjian.orglife.views.summaries import last_month, write_url

pytestmark = pytest.mark.django_db
JANUARY = date(2025, 1, 1)


def _submitted(tree, month: date = JANUARY, org=None) -> MonthlySummary:
    return summaries.submit_summary(
        org or tree.b1, month, "本月开展主题党日。", submit=True, acting_user=None
    )


def test_submit_return_resubmit_approve_through_the_pages(tree, login):
    held(tree.b1, EventKind.THEME_DAY, date(2025, 1, 10))
    secretary, committee = login("secretary"), login("committee")
    url = write_url(tree.b1, JANUARY)
    page = secretary.get(url)
    assert page.status_code == 200
    assert "主题党日（2025年01月）" in page.content.decode()  # the month's events are listed

    response = secretary.post(url, {"text": "一月草稿", "draft": "1"})
    summary = MonthlySummary.objects.get(organization=tree.b1, month=JANUARY)
    assert response.status_code == 302 and summary.status == SummaryStatus.DRAFT
    assert summary.figures["total"] == 1

    secretary.post(url, {"text": "一月开展主题党日一次。", "submit": "1"})
    summary.refresh_from_db()
    assert summary.status == SummaryStatus.SUBMITTED and summary.reviewer == tree.c1
    detail = reverse("orglife:summary", args=[summary.pk])
    assert 'data-testid="summary-review"' not in secretary.get(detail).content.decode()
    assert 'data-testid="summary-review"' in committee.get(detail).content.decode()

    review = reverse("orglife:summary_review", args=[summary.pk])
    refused = committee.post(review, {"decision": "return", "reason": " "})
    assert "退回时请填写原因。" in refused.content.decode()
    summary.refresh_from_db()
    assert summary.status == SummaryStatus.SUBMITTED

    committee.post(review, {"decision": "return", "reason": "请补充党课开展情况。"})
    summary.refresh_from_db()
    assert summary.status == SummaryStatus.RETURNED
    shown = secretary.get(detail).content.decode()
    assert "请补充党课开展情况。" in shown and 'data-testid="summary-edit"' in shown

    secretary.post(url, {"text": "一月开展主题党日一次，党课推迟至二月。", "submit": "1"})
    summary.refresh_from_db()
    assert summary.status == SummaryStatus.SUBMITTED and summary.return_reason == ""

    committee.post(review, {"decision": "approve"})
    summary.refresh_from_db()
    assert summary.status == SummaryStatus.APPROVED and summary.decided_at is not None

    # Approved: the write page sends back to the summary; a forged POST is refused.
    assert secretary.get(url)["Location"] == detail
    refused = secretary.post(url, {"text": "改写", "submit": "1"})
    assert "该月月报已审核，不能修改。" in refused.content.decode()
    summary.refresh_from_db()
    assert summary.text.startswith("一月开展") and summary.status == SummaryStatus.APPROVED
    assert 'data-testid="summary-edit"' not in secretary.get(detail).content.decode()


def test_only_the_committee_above_reviews(tree, login):
    summary = _submitted(tree)
    review = reverse("orglife:summary_review", args=[summary.pk])
    assert login("secretary").get(review).status_code == 403
    assert login("secretary").post(review, {"decision": "approve"}).status_code == 403
    assert login("outsider").get(review).status_code == 404
    assert login("outsider").post(review, {"decision": "approve"}).status_code == 404
    summary.refresh_from_db()
    assert summary.status == SummaryStatus.SUBMITTED
    assert login("univ").post(review, {"decision": "approve"}).status_code == 302
    summary.refresh_from_db()
    assert summary.status == SummaryStatus.APPROVED


def test_a_month_not_over_is_refused_and_nothing_saved(tree, login):
    this_month = timezone.localdate().replace(day=1)
    url = write_url(tree.b1, this_month)
    page = login("secretary").get(url).content.decode()
    assert 'data-testid="summary-not-over"' in page
    response = login("secretary").post(url, {"text": "本月小结", "submit": "1"})
    assert "该月尚未结束，月末后再报送月报。" in response.content.decode()
    assert not MonthlySummary.objects.exists()


def test_submitting_without_text_is_refused_and_nothing_saved(tree, login):
    response = login("secretary").post(write_url(tree.b1, JANUARY), {"text": "", "submit": "1"})
    assert response.status_code == 200
    assert "请填写工作小结。" in response.content.decode()
    assert not MonthlySummary.objects.exists()


def test_bad_organization_or_month_gets_a_message(tree, login):
    secretary = login("secretary")
    response = secretary.get(
        reverse("orglife:summary_edit") + f"?organization={tree.b1.pk}&month=2025-13", follow=True
    )
    assert "月份格式不正确，应为 YYYY-MM。" in response.content.decode()
    response = login("committee").get(write_url(tree.c1, JANUARY), follow=True)
    assert "组织生活月报由党支部报送。" in response.content.decode()
    assert login("outsider").get(write_url(tree.b1, JANUARY)).status_code == 404
    assert login("member").get(write_url(tree.b1, JANUARY)).status_code == 403


def test_detail_shows_live_figures_beside_the_submitted_ones(tree, login):
    held(tree.b1, EventKind.THEME_DAY, date(2025, 1, 10))
    summary = _submitted(tree)
    detail = reverse("orglife:summary", args=[summary.pk])
    assert "报送时 / 当前" not in login("committee").get(detail).content.decode()
    held(tree.b1, EventKind.LECTURE, date(2025, 1, 20))  # recorded after submission
    page = login("committee").get(detail).content.decode()
    assert "报送时 / 当前" in page and "党课" in page


def test_list_filters_waiting_for_my_review_and_month(tree, login):
    mine = _submitted(tree)
    other = _submitted(tree, org=tree.b3)
    draft = summaries.submit_summary(tree.b2, JANUARY, "", submit=False, acting_user=None)
    committee = login("committee")
    listed = committee.get(reverse("orglife:summaries") + "?waiting=1")
    rows = {s.pk for s in listed.context["object_list"]}
    assert rows == {mine.pk}
    all_rows = {s.pk for s in committee.get(reverse("orglife:summaries")).context["object_list"]}
    assert all_rows == {mine.pk, draft.pk}  # C2's summary is outside C1
    univ_waiting = login("univ").get(reverse("orglife:summaries") + "?waiting=1")
    assert {s.pk for s in univ_waiting.context["object_list"]} == {mine.pk, other.pk}
    by_month = committee.get(reverse("orglife:summaries") + "?month=2025-02")
    assert list(by_month.context["object_list"]) == []
    bad = committee.get(reverse("orglife:summaries") + "?month=2025-99")
    assert "月份格式不正确" in bad.content.decode()
    assert login("member").get(reverse("orglife:summaries")).status_code == 403


def test_secretary_panel_offers_last_month(tree, login):
    page = login("secretary").get(reverse("orglife:summaries"))
    due = page.context["due"]
    month = last_month(timezone.localdate())
    assert due["month"] == month and [r["organization"] for r in due["rows"]] == [tree.b1]
    assert write_url(tree.b1, month).replace("&", "&amp;") in page.content.decode()
    assert login("committee").get(reverse("orglife:summaries")).context["due"] is None


def test_list_query_count_is_constant(tree, login, django_assert_max_num_queries):
    for month in range(1, 4):
        _submitted(tree, date(2024, month, 1))
    client = login("committee")
    url = reverse("orglife:summaries")
    client.get(url)
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    for month in range(4, 13):
        _submitted(tree, date(2024, month, 1))
        _submitted(tree, date(2024, month, 1), org=tree.b2)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert len(response.context["object_list"]) == 21
