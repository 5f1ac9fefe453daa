"""Members' requests to correct their own record, and the branch's decision."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dangjian.core import crypto
from dangjian.core.actions import domain_action, on_commit, track
from dangjian.core.errors import DomainError
from dangjian.core.notifications import notify
from dangjian.core.scope import CHANGE
from dangjian.members.actions.common import (
    CORRECTABLE,
    DIRECTLY_APPLIED,
    PROTECTED_CORRECTIONS,
    _require_person,
    add_event,
    responsible_users,
)
from dangjian.members.actions.people import (
    update_person,
)
from dangjian.members.choices import (
    CorrectionStatus,
    EventKind,
)
from dangjian.members.models import CorrectionRequest, Person
from dangjian.members.models.records import PROPOSED_FIELD
from dangjian.members.validation import (
    PHONE_PATTERN,
    normalize_phone,
)

# Correction requests -------------------------------------------------------------------------


@domain_action("members.correction.request", _("提交信息更正申请"))
def request_correction(
    person: Person, *, field: str, proposed: str, reason: str, acting_user: Any
) -> CorrectionRequest:
    """A member asks for their own record to be corrected; the branch decides."""
    if acting_user is not None and getattr(person, "user_id", None) != acting_user.pk:
        raise DomainError(gettext("只能为本人的信息提交更正申请。"))
    if field not in CORRECTABLE:
        raise DomainError({"field": gettext("请选择需更正的项目。")})
    proposed = (proposed or "").strip()
    if not proposed:
        raise DomainError({"proposed": gettext("请填写应更正为的内容。")})
    if len(proposed) > 200:
        raise DomainError({"proposed": gettext("不能超过200个字。")})
    if person.corrections.filter(field=field, status=CorrectionStatus.PENDING).exists():
        raise DomainError({"field": gettext("该项目已有待处理的更正申请。")})
    current = {
        "id_number": person.id_masked,
        "phone": person.phone_masked,
    }.get(field)
    if current is None and field != "other":
        value = getattr(person, field)
        display = getattr(person, f"get_{field}_display", None)
        current = str(display() if display else (value or ""))
    if field in PROTECTED_CORRECTIONS:
        # Only ever stored encrypted: a typed ID or phone number is as sensitive as the record.
        proposed = crypto.encrypt(proposed, PROPOSED_FIELD)
    correction = CorrectionRequest.objects.create(
        person=person,
        field=field,
        current_value=(current or "")[:200],
        proposed_value=proposed,
        reason=(reason or "").strip()[:500],
        requested_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
    )
    track(correction, detail={"field": field})
    recipients = responsible_users(person.organization)
    on_commit(
        lambda: notify(
            recipients,
            gettext("信息更正申请：%(name)s") % {"name": person.name},
            gettext("%(name)s申请更正“%(field)s”。")
            % {"name": person.name, "field": CORRECTABLE[field]},
            url=f"/members/corrections/{correction.pk}/",
        )
    )
    return correction


def proposed_plain(correction: CorrectionRequest) -> str:
    """The proposed value; protected fields are stored encrypted."""
    if correction.field in PROTECTED_CORRECTIONS:
        try:
            return crypto.decrypt(correction.proposed_value, PROPOSED_FIELD)
        except crypto.CryptoError:  # tampered or its key dropped: unreadable, never a 500
            return ""
    return correction.proposed_value


@domain_action("members.correction.decide", _("处理信息更正申请"))
def decide_correction(
    correction: CorrectionRequest, *, accept: bool, response: str, acting_user: Any
) -> CorrectionRequest:
    """Accept (applying simple fields at once) or reject with a reason."""
    person = correction.person
    _require_person(acting_user, CHANGE, person)
    if correction.status != CorrectionStatus.PENDING:
        raise DomainError(gettext("该申请已处理。"))
    response = (response or "").strip()
    if not accept and not response:
        raise DomainError({"response": gettext("不采纳时请填写理由。")})
    if accept and correction.field in DIRECTLY_APPLIED:
        value = proposed_plain(correction)
        if correction.field == "phone":
            value = normalize_phone(value)
            if not PHONE_PATTERN.match(value):
                raise DomainError({"__all__": gettext("申请的手机号码格式不正确，无法直接更正。")})
        update_person(person, {correction.field: value}, acting_user=acting_user)
    correction.status = CorrectionStatus.ACCEPTED if accept else CorrectionStatus.REJECTED
    correction.response = response[:500]
    correction.decided_by = acting_user if getattr(acting_user, "is_authenticated", False) else None
    correction.decided_at = timezone.now()
    correction.save(update_fields=["status", "response", "decided_by", "decided_at"])
    if accept:
        add_event(
            person,
            EventKind.CORRECTED,
            timezone.localdate(),
            gettext("根据本人申请更正“%(field)s”") % {"field": CORRECTABLE[correction.field]},
            actor=acting_user,
        )
    track(correction, changes={"status": (CorrectionStatus.PENDING, correction.status)})
    requester = correction.requested_by
    on_commit(
        lambda: notify(
            [requester],
            gettext("信息更正申请已处理"),
            gettext("“%(field)s”：%(result)s。%(response)s")
            % {
                "field": CORRECTABLE[correction.field],
                "result": correction.get_status_display(),
                "response": response,
            },
            url="/members/me/",
        )
    )
    return correction
