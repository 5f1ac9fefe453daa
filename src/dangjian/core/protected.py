"""Where protected values are stored, so that key rotation finds every one of them.

An app registers each column that holds `core.crypto` ciphertexts (and the lookup-hash column
kept beside it, if any). `rotate_column` re-encrypts a column's values under the current key
and recomputes its lookup hashes, in batches; `dangjian rotate_keys` runs it for every
registered column. A value already under the current key with a current hash is left alone,
so a second run changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dangjian.core import audit, crypto

ROTATION_ACTION = "security.key_rotation"
audit.register_action_label(ROTATION_ACTION, _("轮换字段加密密钥"))


@dataclass(frozen=True)
class ProtectedColumn:
    """A model column of ciphertexts for the protected field `field` (crypto's name)."""

    model: type[models.Model]
    column: str
    field: str
    hash_column: str = ""
    # Rows whose column holds a ciphertext (e.g. only the proposals of ID or phone numbers).
    condition: Q | None = None

    @property
    def label(self) -> str:
        return f"{self.model._meta.label_lower}.{self.column}"


_registry: list[ProtectedColumn] = []


def register(
    model: type[models.Model],
    column: str,
    field: str,
    *,
    hash_column: str = "",
    condition: Q | None = None,
) -> ProtectedColumn:
    """Declare a column of ciphertexts (at import time of the app's models)."""
    spec = ProtectedColumn(model, column, field, hash_column, condition)
    if not any(known.label == spec.label for known in _registry):
        _registry.append(spec)
    return spec


def registered() -> list[ProtectedColumn]:
    """Every registered column, in a stable order."""
    return sorted(_registry, key=lambda spec: spec.label)


@dataclass
class RotationResult:
    """What one column's rotation did; `failed` holds row ids only, never values."""

    column: ProtectedColumn
    scanned: int = 0
    reencrypted: int = 0
    rehashed: int = 0
    changed_meanwhile: int = 0
    failed: list[Any] = field(default_factory=list)

    def as_detail(self) -> dict[str, Any]:
        return {
            "column": self.column.label,
            "scanned": self.scanned,
            "reencrypted": self.reencrypted,
            "rehashed": self.rehashed,
            "changed_meanwhile": self.changed_meanwhile,
            "failed": len(self.failed),
        }


def _updates(spec: ProtectedColumn, token: str, stored_hash: str | None) -> dict[str, str]:
    """The new ciphertext and hash of one value (empty when it is already current)."""
    plain = crypto.decrypt(token, spec.field)
    updates: dict[str, str] = {}
    if crypto.needs_rotation(token):
        updates[spec.column] = crypto.encrypt(plain, spec.field)
    if spec.hash_column:
        current_hash = crypto.lookup_hash(plain, spec.field)
        if stored_hash is None or not crypto.same_hash(stored_hash, current_hash):
            updates[spec.hash_column] = current_hash
    return updates


def rotate_column(
    spec: ProtectedColumn,
    *,
    batch_size: int = 500,
    dry_run: bool = False,
    progress: Callable[[RotationResult], None] | None = None,
) -> RotationResult:
    """Re-encrypt one column under the current key and refresh its lookup hashes.

    Each batch is one transaction. A row is written only if it still holds the value read
    (compare and set), so a value the application changed meanwhile is never overwritten
    with an older one; such rows are counted and picked up by the next run.
    """
    result = RotationResult(spec)
    manager = spec.model._default_manager
    rows = manager.exclude(**{spec.column: ""})
    if spec.condition is not None:
        rows = rows.filter(spec.condition)
    names = ["pk", spec.column, *([spec.hash_column] if spec.hash_column else [])]
    last_pk: Any = None
    while True:
        page = rows.order_by("pk")
        if last_pk is not None:
            page = page.filter(pk__gt=last_pk)
        batch = list(page.values_list(*names)[:batch_size])
        if not batch:
            return result
        with transaction.atomic():
            for row in batch:
                pk, token = row[0], row[1]
                result.scanned += 1
                try:
                    updates = _updates(spec, token, row[2] if spec.hash_column else None)
                except crypto.CryptoError:
                    result.failed.append(pk)
                    continue
                if not updates:
                    continue
                if not dry_run:
                    written = manager.filter(pk=pk, **{spec.column: token}).update(**updates)
                    if not written:
                        result.changed_meanwhile += 1
                        continue
                result.reencrypted += spec.column in updates
                result.rehashed += spec.hash_column in updates
        last_pk = batch[-1][0]
        if progress is not None:
            progress(result)


def rotate_all(
    *,
    batch_size: int = 500,
    dry_run: bool = False,
    progress: Callable[[RotationResult], None] | None = None,
) -> list[RotationResult]:
    """Rotate every registered column and put the counts on the audit chain."""
    results = [
        rotate_column(spec, batch_size=batch_size, dry_run=dry_run, progress=progress)
        for spec in registered()
    ]
    audit.record_security(
        ROTATION_ACTION,
        actor_name="cli",
        success=not any(result.failed for result in results),
        detail={
            "key": crypto.keyring().current[0],
            "dry_run": dry_run,
            "columns": [result.as_detail() for result in results],
        },
    )
    return results
