"""Secrecy over HTTP: after voting through the pages (with an account and with a code), nothing
the server keeps about the request (session, messages, audit log, log records) holds the
receipt, the ballot's id or its answers; a second vote from another browser and a vote outside
the window are refused (domain.md §5)."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core import serializers
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dangjian.appraisals.actions import reveal_code
from dangjian.appraisals.models import Ballot, Campaign, Voter
from dangjian.appraisals.questionnaire import answer_key
from dangjian.appraisals.testing import uniform_answers
from dangjian.appraisals.voting import ballot_form
from dangjian.core.models import AuditEvent

pytestmark = pytest.mark.django_db
SECRET_COMMENT = "只有投票人知道的意见甲乙丙"


def _signed_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def _answers(campaign: Campaign) -> dict[str, object]:
    """A ballot that grades everyone 基本合格 and writes a comment no one else would."""
    questions, _subjects = ballot_form(campaign)
    comment = next(q for q in questions if q.kind == "comment" and not q.per_subject)
    return uniform_answers(campaign, "basic", **{answer_key(None, comment.pk): SECRET_COMMENT})


def _receipt(response) -> str:  # type: ignore[no-untyped-def]
    page = response.content.decode()
    assert "投票成功" in page, page[:2000]
    return page.split('data-testid="receipt-code">')[1].split("<")[0]


def _kept(clients: list[Client], audit_after: int, records: list[logging.LogRecord]) -> str:
    """Everything the server kept about these requests, as one text to search."""
    parts = []
    for session in Session.objects.all():
        parts += [session.session_data, json.dumps(session.get_decoded(), default=str)]
    for client in clients:
        parts += [morsel.value for morsel in client.cookies.values()]
    events = AuditEvent.objects.filter(pk__gt=audit_after)
    parts.append(serializers.serialize("json", events))
    for record in records:
        parts += [record.getMessage(), repr(record.args), repr(getattr(record, "request", ""))]
    return "\n".join(parts)


def _secrets(receipt: str, ballot: Ballot) -> list[str]:
    values = [str(v) for v in ballot.answers.values()]
    return [
        receipt,
        receipt.replace("-", ""),
        str(ballot.pk),
        ballot.pk.hex,
        ballot.receipt_hash,
        json.dumps(ballot.answers, ensure_ascii=False),
        SECRET_COMMENT,
        *values,
    ]


def test_voting_with_an_account_leaves_no_trace_of_the_ballot(campaign, branch_members, caplog):
    client = _signed_in(branch_members[0].user)
    audit_after = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    caplog.set_level(logging.DEBUG)
    url = reverse("appraisals:vote", args=[campaign.pk])
    client.get(url)
    response = client.post(url, _answers(campaign))
    receipt = _receipt(response)
    assert response.status_code == 200 and not response.has_header("Location")
    assert "no-store" in response["Cache-Control"]
    client.get(reverse("appraisals:voted", args=[campaign.pk]))
    client.get(reverse("appraisals:mine"))
    client.post(reverse("appraisals:verify", args=[campaign.pk]), {"receipt": receipt})
    client.post(url, _answers(campaign))  # a second try, refused
    client.get(reverse("appraisals:vote", args=[campaign.pk + 1000]))  # django.request logs it
    assert any(record.name == "django.request" for record in caplog.records)
    ballot = Ballot.objects.get(campaign=campaign)
    kept = _kept([client], audit_after, caplog.records)
    assert [s for s in _secrets(receipt, ballot) if s in kept] == []
    assert not AuditEvent.objects.filter(pk__gt=audit_after).exists()


def test_voting_with_a_code_leaves_no_trace_of_the_ballot_or_the_code(campaign, caplog):
    code = reveal_code(campaign.codes.get(serial=1))
    client = Client()
    audit_after = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    caplog.set_level(logging.DEBUG)
    client.get(reverse("appraisals:code_vote"), {"code": code})
    response = client.post(reverse("appraisals:code_vote"), _answers(campaign) | {"code": code})
    receipt = _receipt(response)
    client.post(reverse("appraisals:code"), {"op": "receipt", "receipt": receipt})
    client.post(reverse("appraisals:code_vote"), _answers(campaign) | {"code": code})  # reused
    ballot = Ballot.objects.get(campaign=campaign)
    kept = _kept([client], audit_after, caplog.records)
    secrets = [*_secrets(receipt, ballot), code, code.replace("-", "")]
    assert [s for s in secrets if s in kept] == []
    assert not AuditEvent.objects.filter(pk__gt=audit_after).exists()


def test_a_second_browser_cannot_vote_again(campaign, branch_members):
    user = branch_members[1].user
    phone, laptop = _signed_in(user), _signed_in(user)
    url = reverse("appraisals:vote", args=[campaign.pk])
    assert "ballot-form" in phone.get(url).content.decode()
    assert "ballot-form" in laptop.get(url).content.decode()  # both opened before voting
    _receipt(phone.post(url, _answers(campaign)))
    second = laptop.post(url, uniform_answers(campaign, "excellent")).content.decode()
    assert "只能投一次" in second and "投票成功" not in second
    assert Ballot.objects.filter(campaign=campaign).count() == 1
    assert set(Ballot.objects.get(campaign=campaign).answers.values()) >= {"basic"}


def test_a_vote_outside_the_window_is_refused_over_http(campaign, branch_members):
    client = _signed_in(branch_members[2].user)
    url = reverse("appraisals:vote", args=[campaign.pk])
    answers = _answers(campaign)
    now = timezone.now()
    Campaign.objects.filter(pk=campaign.pk).update(closes_at=now - timedelta(seconds=1))
    page = client.post(url, answers).content.decode()
    assert "截止" in page and "投票成功" not in page
    Campaign.objects.filter(pk=campaign.pk).update(
        opens_at=now + timedelta(hours=1), closes_at=now + timedelta(days=1)
    )
    page = client.post(url, answers).content.decode()
    assert "投票将于" in page and "投票成功" not in page
    assert not Ballot.objects.filter(campaign=campaign).exists()
    assert not Voter.objects.filter(campaign=campaign, has_voted=True).exists()
