"""The core pages in the permission matrix."""

from dangjian.core.models import AuditEvent, Notification
from dangjian.core.testing.matrix import PERSONAS, STAFF, Endpoint

EVERYONE = frozenset(p for p in PERSONAS if p != "anonymous")
ORG_VIEWERS = {"univ", "committee", "secretary", "member", "outsider"}


def first_event(tree) -> AuditEvent:
    from dangjian.core import audit

    return audit.record("test.event", object_repr="matrix")


def univ_note(tree) -> Notification:
    from dangjian.accounts.models import User

    return Notification.objects.create(
        recipient=User.objects.get(username="univ"), title="测试通知"
    )


ENDPOINTS = [
    Endpoint("core:home", ok=EVERYONE),
    Endpoint("core:notifications", ok=EVERYONE),
    Endpoint("core:notifications", method="POST", ok=EVERYONE, data=lambda t: {}),
    Endpoint(
        "core:notification_open",
        ok={"univ"},
        args=lambda t: {"pk": univ_note(t).pk},
        not_found=EVERYONE - {"univ", "norole"},
    ),
    Endpoint("core:figures", ok=ORG_VIEWERS),
    Endpoint("core:rules", ok=STAFF | {"outsider"}),
    Endpoint(
        "core:rules",
        method="POST",
        ok={"univ"},
        data=lambda t: {
            "code": "org.branch.max_members",
            "value": "50",
            "severity": "warn",
            "enabled": "on",
        },
    ),
    Endpoint("core:system", ok={"sysadmin"}),
    Endpoint("audit:list", ok={"auditor"}),
    Endpoint("audit:detail", ok={"auditor"}, args=lambda t: {"pk": first_event(t).pk}),
    Endpoint("audit:verify", ok={"auditor"}),
]
