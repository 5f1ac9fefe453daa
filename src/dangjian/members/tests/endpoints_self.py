"""Transfers, self-service, corrections and cadres in the permission matrix.

Objects are made inside the `args` callables through the actions (as the system). The
member persona's own record is a person in B1 linked to the `member` account; every other
persona has no record of their own, so the self-service pages answer them 404.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.core.testing.matrix import Endpoint
from dangjian.core.testing.personas import PERSONA_GRANTS
from dangjian.members import actions
from dangjian.members.choices import TransferDirection
from dangjian.members.models import CorrectionRequest, Person, Transfer
from dangjian.members.testing import make_id_number, make_person

TRANSFER_VIEWERS = {"univ", "committee", "secretary", "member", "outsider"}
C1_STAFF = {"univ", "committee", "secretary"}
ABOVE_B = {"univ", "committee"}
# Staff anywhere: they may add people and handle corrections, each in their own subtree.
STAFF_ANYWHERE = {"univ", "committee", "secretary", "outsider"}
# Everyone signed in but the member has no record linked to their account.
NOT_LINKED = set(PERSONA_GRANTS) - {"member"}


def _today() -> Any:
    return timezone.localdate()


def own_person(tree: Any) -> Person:
    """The member persona's own record (in B1)."""
    user = User.objects.get(username="member")
    person = Person.objects.filter(user=user).first()
    if person is None:
        person = make_person(tree.b1, name="李党员")
        Person.objects.filter(pk=person.pk).update(user=user)
        person.user = user
    return person


def _letter(person: Person, to: Any, no: str) -> Transfer:
    return actions.issue_transfer(
        person,
        direction=TransferDirection.INTERNAL,
        letter_no=no,
        issued_on=_today() - timedelta(days=10),
        to_organization=to,
        reason="工作调动",
        acting_user=None,
    )


def b1_to_b2(tree: Any) -> dict[str, int]:
    """An open letter from B1 to B2 about someone else than the member."""
    return {"pk": _letter(make_person(tree.b1, name="王转接"), tree.b2, "文组〔2024〕1号").pk}


def b2_to_b1(tree: Any) -> dict[str, int]:
    """An open letter from B2 to B1: the B1 secretary is the receiving side."""
    return {"pk": _letter(make_person(tree.b2, name="赵转入"), tree.b1, "文组〔2024〕2号").pk}


def own_letter(tree: Any) -> dict[str, int]:
    """A letter about the member persona themselves."""
    return {"pk": _letter(own_person(tree), tree.b2, "文组〔2024〕3号").pk}


def with_own_person(tree: Any) -> dict[str, Any]:
    own_person(tree)
    return {}


def own_correction(tree: Any) -> dict[str, int]:
    """A pending correction request of the member persona."""
    correction: CorrectionRequest = actions.request_correction(
        own_person(tree),
        field="address",
        proposed="长沙市岳麓区麓山南路1号",
        reason="已搬家",
        acting_user=User.objects.get(username="member"),
    )
    return {"pk": correction.pk}


def inbound_data(tree: Any) -> dict[str, str]:
    today = _today()
    return {
        "other_institution": "中共某某大学委员会组织部",
        "letter_no": "某组〔2024〕88号",
        "issued_on": (today - timedelta(days=5)).isoformat(),
        "received_on": today.isoformat(),
        "name": "钱转入",
        "id_number": make_id_number(date(1994, 5, 6)),
        "ethnicity": "01",
        "organization": str(tree.b1.pk),
        "category": "full",
        "joined_on": "2015-06-01",
        "converted_on": "2016-06-01",
    }


ENDPOINTS = [
    # Transfers (views/transfers.py)
    Endpoint("members:transfers", ok=TRANSFER_VIEWERS, note="a member sees their own letters"),
    Endpoint(
        "members:transfer_detail",
        ok=C1_STAFF,
        not_found={"member", "outsider"},
        args=b1_to_b2,
    ),
    Endpoint(
        "members:transfer_detail",
        ok=C1_STAFF | {"member"},
        not_found={"outsider"},
        args=own_letter,
        note="the letter about the member themselves",
    ),
    Endpoint(
        "members:transfer_receive",
        ok=ABOVE_B,
        not_found={"outsider"},
        args=b1_to_b2,
        note="the sending branch's secretary sees the letter but cannot receive it: 403",
    ),
    Endpoint(
        "members:transfer_receive",
        method="POST",
        ok=ABOVE_B,
        not_found={"outsider"},
        args=b1_to_b2,
        data=lambda t: {"received_on": _today().isoformat()},
    ),
    Endpoint("members:transfer_receive", ok=C1_STAFF, not_found={"outsider"}, args=b2_to_b1),
    Endpoint(
        "members:transfer_receive",
        method="POST",
        ok=C1_STAFF,
        not_found={"outsider"},
        args=b2_to_b1,
        data=lambda t: {"received_on": _today().isoformat()},
    ),
    Endpoint("members:transfer_return", ok=C1_STAFF, not_found={"outsider"}, args=b1_to_b2),
    Endpoint(
        "members:transfer_return",
        method="POST",
        ok=C1_STAFF,
        not_found={"outsider"},
        args=b1_to_b2,
        data=lambda t: {"returned_on": _today().isoformat(), "reason": "转入党组织有误"},
    ),
    Endpoint("members:transfer_inbound", ok=STAFF_ANYWHERE),
    Endpoint(
        "members:transfer_inbound",
        method="POST",
        ok=STAFF_ANYWHERE,
        data=inbound_data,
        note="B1 is not offered to the outsider: the form comes back with an inline error",
    ),
    # Self-service (views/selfservice.py)
    Endpoint("members:me", ok={"member"}, not_found=NOT_LINKED, args=with_own_person),
    Endpoint(
        "members:correction_request", ok={"member"}, not_found=NOT_LINKED, args=with_own_person
    ),
    Endpoint(
        "members:correction_request",
        method="POST",
        ok={"member"},
        not_found=NOT_LINKED,
        args=with_own_person,
        data=lambda t: {"field": "address", "proposed": "长沙市岳麓区", "reason": "已搬家"},
    ),
    # Corrections, handled by staff
    Endpoint("members:corrections", ok=STAFF_ANYWHERE),
    Endpoint("members:correction_detail", ok=C1_STAFF, not_found={"outsider"}, args=own_correction),
    Endpoint(
        "members:correction_detail",
        method="POST",
        ok=C1_STAFF,
        not_found={"outsider"},
        args=own_correction,
        data=lambda t: {"decision": "accept", "response": ""},
    ),
    # Cadres (views/cadres.py): the organization department and committees only
    Endpoint("members:cadres", ok={"univ", "committee", "outsider"}),
]
