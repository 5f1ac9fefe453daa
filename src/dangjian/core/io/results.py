"""Keeping an import's outcome between the upload and the result page.

The result page and the marked error file are reached by an unguessable id; the summary
records who uploaded the file, and only that user may open either (anyone else gets 404).
Files live in the default storage under `imports/` (MEDIA_ROOT/imports/ on the embedded
default) and are removed after `IMPORT_KEEP_DAYS`. The web server must not serve that folder
directly: error files contain the uploaded data.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.utils import timezone

if TYPE_CHECKING:
    from dangjian.core.io.importer import ImportResult, ImportSpec

FOLDER = "imports"
SHOWN_ERRORS = 100


def _path(token: str, ext: str) -> str:
    return f"{FOLDER}/{token}.{ext}"


def save_result(
    result: ImportResult, *, user: Any, spec: ImportSpec, file_name: str, mode: str
) -> str:
    """Store the summary (and error file) of an import; returns the id of the result page."""
    purge_old()
    token = str(uuid.uuid4())
    summary = {
        "owner": user.pk,
        "spec": spec.name,
        "file_name": file_name,
        "mode": mode,
        "total": result.total,
        "created": result.created,
        "updated": result.updated,
        "error_count": len(result.errors),
        "errors": [asdict(error) for error in result.errors[:SHOWN_ERRORS]],
        "has_error_file": result.error_file is not None,
        "finished_at": timezone.now().isoformat(),
    }
    if result.error_file is not None:
        default_storage.save(_path(token, "xlsx"), ContentFile(result.error_file))
    payload = json.dumps(summary, ensure_ascii=False).encode()
    default_storage.save(_path(token, "json"), ContentFile(payload))
    return token


def load_result(token: str, user: Any, spec: ImportSpec) -> dict[str, Any] | None:
    """The summary if it exists and belongs to `user` and this record type, else None."""
    path = _path(token, "json")
    if not default_storage.exists(path):
        return None
    with default_storage.open(path, "rb") as handle:
        summary: dict[str, Any] = json.loads(handle.read().decode())
    if summary.get("owner") != user.pk or summary.get("spec") != spec.name:
        return None
    return summary


def open_error_file(token: str) -> File[Any] | None:
    """The marked error file of a result (the caller has checked the owner)."""
    path = _path(token, "xlsx")
    if not default_storage.exists(path):
        return None
    return default_storage.open(path, "rb")


def purge_old() -> None:
    """Remove results older than IMPORT_KEEP_DAYS (default 7)."""
    keep = timedelta(days=int(getattr(settings, "IMPORT_KEEP_DAYS", 7)))
    try:
        _, names = default_storage.listdir(FOLDER)
    # Storage backends that cannot list (Django's base Storage raises NotImplementedError)
    # keep their files until the backend's own expiry rules remove them.
    except (FileNotFoundError, NotImplementedError):
        return
    cutoff = timezone.now() - keep
    for name in names:
        path = f"{FOLDER}/{name}"
        try:
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
        except (FileNotFoundError, NotImplementedError):
            continue


__all__ = ["load_result", "open_error_file", "purge_old", "save_result"]
