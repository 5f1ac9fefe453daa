"""The check-in pages and the member's own page in the permission matrix.

The host's screen needs CHANGE on the event (B1): the member has no such grant (403), the
outsider's grant does not reach B1 (404). The scan page is for every signed-in account: a
refusal (no person linked, not expected) is shown on the page (200). The member's own page is
authorized by the link to a person: other accounts get the friendly 404 page.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.core.testing.matrix import Endpoint
from dangjian.core.testing.personas import PERSONA_GRANTS
from dangjian.members.models import Person
from dangjian.orglife import checkin
from dangjian.orglife.choices import EventKind, EventStatus
from dangjian.orglife.testing import held, members

B1_STAFF = {"univ", "committee", "secretary"}
SIGNED_IN = set(PERSONA_GRANTS)
NOT_LINKED = SIGNED_IN - {"member"}


def link_member(tree: Any) -> Person:
    """The member persona linked to a full member of B1."""
    user = User.objects.get(username="member")
    person = Person.objects.filter(user=user).first()
    if person is None:
        person = members(tree.b1, 1, serial=8800)[0]
        Person.objects.filter(pk=person.pk).update(user=user)
    return person


def running_event(tree: Any) -> Any:
    """A theme day of B1 going on now (check-in open), the member expected."""
    link_member(tree)
    now = timezone.now()
    return held(
        tree.b1,
        EventKind.THEME_DAY,
        timezone.localdate(),
        status=EventStatus.PLANNED,
        starts_at=now - timedelta(minutes=10),
        ends_at=now + timedelta(hours=2),
    )


def event_pk(tree: Any) -> dict[str, int]:
    return {"pk": running_event(tree).pk}


def token(tree: Any) -> dict[str, str]:
    return {"t": checkin.token_for(running_event(tree), timezone.now())}


def own_record(tree: Any) -> dict[str, Any]:
    link_member(tree)
    return {}


ENDPOINTS = [
    Endpoint("orglife:checkin_host", ok=B1_STAFF, not_found={"outsider"}, args=event_pk),
    Endpoint("orglife:checkin_code", ok=B1_STAFF, not_found={"outsider"}, args=event_pk),
    Endpoint("orglife:checkin", ok=SIGNED_IN, note="without a token: the reason is shown"),
    Endpoint(
        "orglife:checkin",
        method="POST",
        ok=SIGNED_IN,
        data=token,
        note="the member checks in; other accounts see why they cannot (200)",
    ),
    Endpoint("orglife:mine", ok={"member"}, not_found=NOT_LINKED, args=own_record),
]
