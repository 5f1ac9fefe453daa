"""Writing and verifying the audit chain.

Each row carries an HMAC-SM3 over its own fields and the previous row's MAC, keyed with
settings.AUDIT_CHAIN_KEY, so a row changed, inserted or deleted in the database behind the
application's back breaks the chain at that row. Appending locks the chain head, so
concurrent writers on PostgreSQL serialize their appends.
"""

from __future__ import annotations

import contextvars
import hmac
import ipaddress
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.ipv6 import clean_ipv6_address
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dangjian.core.models.audit import AuditCategory, AuditChainHead, AuditEvent
from dangjian.core.text import Text

GENESIS_MAC = "0" * 64
ACTION_LABELS: dict[str, Text] = {
    "auth.login": _("登录"),
    "auth.login_failed": _("登录失败"),
    "auth.logout": _("退出登录"),
    "auth.lockout": _("账号锁定"),
    "auth.session_timeout": _("会话超时退出"),
    "auth.password_changed": _("修改密码"),
    "auth.api_token_issued": _("签发API令牌"),
    "security.permission_denied": _("越权访问被拒绝"),
    "security.export": _("导出数据"),
    "security.reveal": _("查看脱敏信息"),
    "audit.verify": _("校验审计日志链"),
    "core.rule.update": _("修改业务规则"),
    "core.demo.load": _("载入演示数据"),
}


def register_action_label(code: str, label: Text) -> None:
    """Give an action code its Chinese name for the audit pages."""
    if label:
        ACTION_LABELS[code] = label


def action_label(code: str) -> str:
    """The Chinese name of an action, or the code itself when none was registered."""
    return str(ACTION_LABELS.get(code, code))


MASK = "******"


@dataclass(frozen=True)
class RequestInfo:
    """Where the current operation comes from: set by middleware, or 'cli' for commands."""

    ip_address: str | None = None
    user_agent: str = ""


CLI_REQUEST = RequestInfo(user_agent="cli")
current_request: contextvars.ContextVar[RequestInfo] = contextvars.ContextVar("dangjian_request")


def request_info() -> RequestInfo:
    """The current request's origin, or the command line when there is none."""
    return current_request.get(CLI_REQUEST)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return str(value.pk)
    return str(value)


def to_jsonable(value: Any) -> Any:
    """A value as it is stored in the changes column (dates as ISO text, models as pk)."""
    return json.loads(json.dumps(value, default=_json_default, ensure_ascii=False))


def canonical(event: AuditEvent) -> bytes:
    """The bytes a row's MAC covers: every field but the MACs, in a fixed order."""
    fields = [
        event.seq,
        event.occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
        event.actor_id,
        event.actor_name,
        event.ip_address,
        event.user_agent,
        event.category,
        event.action,
        event.object_type,
        event.object_id,
        event.object_repr,
        event.changes,
        event.detail,
        event.success,
        event.message,
        event.prev_mac,
    ]
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, default=_json_default).encode()


def compute_mac(event: AuditEvent) -> str:
    """HMAC-SM3 of the row's canonical bytes."""
    mac = crypto_hmac.HMAC(settings.AUDIT_CHAIN_KEY.encode(), hashes.SM3())
    mac.update(canonical(event))
    return mac.finalize().hex()


def mask_changes(
    changes: Mapping[str, tuple[Any, Any] | list[Any]], masked: Iterable[str] = ()
) -> dict[str, list[Any]]:
    """Changes as {field: [before, after]}, sensitive fields replaced by a mask."""
    hidden = set(masked)
    result: dict[str, list[Any]] = {}
    for name, (before, after) in changes.items():
        if name in hidden:
            result[name] = [MASK if before not in (None, "") else before, MASK]
        else:
            result[name] = [to_jsonable(before), to_jsonable(after)]
    return result


def canonical_address(address: str | None) -> str | None:
    """The address as the database stores it (IPv6 compressed, lower case), or None.

    The MAC must cover exactly what is stored, or a valid row would fail verification.
    """
    if not address:
        return None
    try:
        return (
            clean_ipv6_address(address) if ":" in address else str(ipaddress.IPv4Address(address))
        )
    except (ValueError, ValidationError):
        return None


def snapshot(obj: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """Current values of a model's concrete fields (FKs by id), to diff after a change."""
    names = fields or [f.attname for f in obj._meta.concrete_fields]
    return {name: getattr(obj, name) for name in names}


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Fields whose value differs between two snapshots."""
    return {
        name: (before.get(name), after.get(name))
        for name in after
        if to_jsonable(before.get(name)) != to_jsonable(after.get(name))
    }


def record(
    action: str,
    *,
    actor: Any = None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    changes: Mapping[str, Any] | None = None,
    detail: Mapping[str, Any] | None = None,
    category: str = AuditCategory.BUSINESS,
    success: bool = True,
    message: str = "",
    actor_name: str = "",
) -> AuditEvent:
    """Append one event to the chain, in the caller's transaction if there is one."""
    info = request_info()
    address = canonical_address(info.ip_address)
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk or "")
        object_repr = object_repr or str(obj)[:255]
    user = actor if getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        event = AuditEvent(
            seq=head.last_seq + 1,
            occurred_at=timezone.now(),
            actor=user,
            actor_name=(user.get_username() if user else actor_name)[:150],
            ip_address=address,
            user_agent=info.user_agent[:255],
            category=category,
            action=action,
            object_type=object_type,
            object_id=object_id,
            object_repr=object_repr[:255],
            changes=to_jsonable(dict(changes or {})),
            detail=to_jsonable(dict(detail or {})),
            success=success,
            message=message,
            prev_mac=head.last_mac,
        )
        event.mac = compute_mac(event)
        event.save(force_insert=True)
        head.last_seq, head.last_mac = event.seq, event.mac
        head.save(update_fields=["last_seq", "last_mac"])
    return event


def record_security(action: str, **kwargs: Any) -> AuditEvent:
    """A security event (login, lockout, denial, export, reveal)."""
    return record(action, category=AuditCategory.SECURITY, **kwargs)


@dataclass(frozen=True)
class ChainProblem:
    """The first place where the chain does not hold."""

    seq: int
    row_id: int | None
    reason: str


def iter_chain(batch: int = 2000) -> Iterator[AuditEvent]:
    """All rows in chain order, fetched in batches to keep memory flat."""
    last = 0
    while True:
        rows = list(AuditEvent.objects.filter(seq__gt=last).order_by("seq")[:batch])
        if not rows:
            return
        yield from rows
        last = rows[-1].seq


def verify_chain() -> tuple[int, ChainProblem | None]:
    """Walk the chain; return the number of rows checked and the first problem, if any."""
    expected_seq, prev_mac, count = 1, GENESIS_MAC, 0
    for event in iter_chain():
        if event.seq != expected_seq:
            return count, ChainProblem(
                expected_seq,
                None,
                gettext("缺少序号 %(expected_seq)s 的记录（已被删除）")
                % {"expected_seq": expected_seq},
            )
        if event.prev_mac != prev_mac:
            return count, ChainProblem(
                event.seq, event.id, gettext("与前一条记录的链接不符（前序记录被删除或替换）")
            )
        if not hmac.compare_digest(event.mac, compute_mac(event)):
            return count, ChainProblem(
                event.seq, event.id, gettext("记录内容与校验码不符（被修改或伪造）")
            )
        prev_mac, expected_seq, count = event.mac, expected_seq + 1, count + 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and (head.last_seq != count or head.last_mac != prev_mac):
        return count, ChainProblem(
            count + 1,
            None,
            gettext("链头记录到序号 %(last_seq)s，实际只有 %(count)s 条（末尾记录被删除）")
            % {"last_seq": head.last_seq, "count": count},
        )
    return count, None
