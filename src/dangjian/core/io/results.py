"""Keeping an import's outcome between the upload and the result page.

The result page and the marked error file are reached by an unguessable id; the summary
records who uploaded the file, and only that user may open either (anyone else gets 404).
Files live in the default storage under `imports/` (MEDIA_ROOT/imports/ on the embedded
default) and are removed after `IMPORT_KEEP_DAYS`. The web server must not serve that folder
directly: error files contain the uploaded data.

A large file is imported by a background job (core/io/jobs.py): its upload and a job record
(`<id>.job.json`) wait in the same folder until the job saves the result under the same id;
meanwhile the job's progress is kept in the cache (shared by web and workers through Redis)
and the result page shows it.
"""

from __future__ import annotations

import contextlib
import json
import uuid
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import IO, TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext

if TYPE_CHECKING:
    from dangjian.core.io.importer import ImportResult, ImportSpec

FOLDER = "imports"
SHOWN_ERRORS = 100
RUNNING, DONE = "running", "done"
PROGRESS_KEY = "dangjian:import-progress:{token}"


def _path(token: str, ext: str) -> str:
    return f"{FOLDER}/{token}.{ext}"


def save_result(
    result: ImportResult,
    *,
    user: Any,
    spec: ImportSpec,
    file_name: str,
    mode: str,
    token: str | None = None,
) -> str:
    """Store the summary (and error file) of an import; returns the id of the result page.

    A background job passes its own id: the result replaces the job's waiting files.
    """
    if token is None:
        purge_old()
        token = str(uuid.uuid4())
    summary = {
        "state": DONE,
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
    _remove_job(token)
    return token


def _read_json(path: str) -> dict[str, Any] | None:
    try:
        with default_storage.open(path, "rb") as handle:
            data: dict[str, Any] = json.loads(handle.read().decode())
    except (FileNotFoundError, ValueError):
        return None
    return data


def load_result(token: str, user: Any, spec: ImportSpec) -> dict[str, Any] | None:
    """The summary if it exists and belongs to `user` and this record type, else None.

    While a background job runs, the summary has `state` "running" and the progress
    (`phase`, `done`, `total`); a job that stopped without a result reads as failed.
    """
    summary = None
    if default_storage.exists(_path(token, "json")):
        summary = _read_json(_path(token, "json"))
    if summary is None and default_storage.exists(_path(token, "job.json")):
        summary = _running(token, _read_json(_path(token, "job.json")))
    if summary is None:
        return None
    if summary.get("owner") != user.pk or summary.get("spec") != spec.name:
        return None
    summary.setdefault("state", DONE)
    return summary


def _running(token: str, job: dict[str, Any] | None) -> dict[str, Any] | None:
    """A waiting or running job as a summary, with its progress from the cache."""
    if job is None:
        return None
    progress = cache.get(PROGRESS_KEY.format(token=token)) or {}
    started = datetime.fromisoformat(job["started_at"])
    stale = timedelta(hours=int(getattr(settings, "IMPORT_JOB_STALE_HOURS", 6)))
    if timezone.now() - started > stale:
        message = gettext("导入任务未能完成（可能已中断），未导入任何数据；请重新上传文件。")
        return {
            **job,
            "state": DONE,
            "total": 0,
            "created": 0,
            "updated": 0,
            "error_count": 1,
            "errors": [{"row": 0, "column_key": None, "header": "", "message": message}],
            "has_error_file": False,
        }
    return {
        **job,
        "state": RUNNING,
        "phase": progress.get("phase", ""),
        "done": progress.get("done", 0),
        "total": progress.get("total") or job.get("expected"),
    }


def start_job(
    *,
    user: Any,
    spec: ImportSpec,
    file_name: str,
    mode: str,
    upload: IO[bytes],
    expected: int | None,
    origin: dict[str, Any] | None = None,
) -> str:
    """Keep an upload for a background job and record the job; returns the result page's id."""
    purge_old()
    token = str(uuid.uuid4())
    upload.seek(0)
    default_storage.save(_path(token, "upload"), File(upload))
    job = {
        "owner": user.pk,
        "spec": spec.name,
        "spec_path": f"{type(spec).__module__}.{type(spec).__qualname__}",
        "file_name": file_name,
        "mode": mode,
        "expected": expected,
        "origin": origin or {},
        "started_at": timezone.now().isoformat(),
    }
    payload = json.dumps(job, ensure_ascii=False).encode()
    default_storage.save(_path(token, "job.json"), ContentFile(payload))
    return token


def load_job(token: str) -> dict[str, Any] | None:
    """The record of a job that has no result yet (for the worker)."""
    if default_storage.exists(_path(token, "json")):
        return None
    return _read_json(_path(token, "job.json"))


def open_upload(token: str) -> File[Any]:
    """The file a job imports."""
    return default_storage.open(_path(token, "upload"), "rb")


def set_progress(token: str, phase: str, done: int, total: int | None) -> None:
    """Record how far a job is (read by the result page while it polls)."""
    cache.set(
        PROGRESS_KEY.format(token=token),
        {"phase": phase, "done": done, "total": total},
        timeout=24 * 3600,
    )


def _remove_job(token: str) -> None:
    """A finished job's upload and record are no longer needed (the upload holds data)."""
    for ext in ("upload", "job.json"):
        with contextlib.suppress(FileNotFoundError, NotImplementedError):
            default_storage.delete(_path(token, ext))
    cache.delete(PROGRESS_KEY.format(token=token))


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


__all__ = [
    "DONE",
    "RUNNING",
    "load_job",
    "load_result",
    "open_error_file",
    "open_upload",
    "purge_old",
    "save_result",
    "set_progress",
    "start_job",
]
