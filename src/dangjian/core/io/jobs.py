"""Large imports run as background jobs, never inside a web request.

The upload page asks `in_background` whether a file is large (more than
`IMPORT_BACKGROUND_ROWS` rows, default 2,000, or more than `IMPORT_BACKGROUND_BYTES`, default
1 MB). A large file is kept in storage with a job record (`results.start_job`) and handed to
the Celery task `dangjian.core.tasks.run_import_job`; the result page polls the job's progress
until the result is saved under the same id. Without Redis, Celery runs tasks inline (the
embedded default), so the same code path finishes before the redirect.

The job runs `run_import` exactly as the upload page does for small files: same checks, one
transaction, same audit events, with the uploader's address recorded as the request's.
"""

from __future__ import annotations

import logging
import time
from typing import IO, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.module_loading import import_string
from django.utils.translation import gettext

from dangjian.core import audit
from dangjian.core.io import results
from dangjian.core.io.importer import CellError, ImportResult, ImportSpec, run_import
from dangjian.core.io.reader import estimate_rows, file_size

logger = logging.getLogger(__name__)

PROGRESS_SECONDS = 1.0


def limits() -> tuple[int, int]:
    """Rows and bytes above which a file is imported in the background."""
    return (
        int(getattr(settings, "IMPORT_BACKGROUND_ROWS", 2000)),
        int(getattr(settings, "IMPORT_BACKGROUND_BYTES", 1024 * 1024)),
    )


def in_background(upload: IO[bytes], name: str) -> tuple[bool, int | None]:
    """Whether a file is large enough for a background job, and its estimated data rows."""
    rows = estimate_rows(upload, name)
    data_rows = max(rows - 1, 0) if rows else None
    max_rows, max_bytes = limits()
    large = (data_rows or 0) > max_rows or file_size(upload) > max_bytes
    return large, data_rows


def start(
    spec: ImportSpec,
    upload: IO[bytes],
    user: Any,
    mode: str,
    *,
    file_name: str,
    expected: int | None,
) -> str:
    """Store the upload, queue the job, and return the id of its result page."""
    from dangjian.core.tasks import run_import_job

    info = audit.request_info()
    token = results.start_job(
        user=user,
        spec=spec,
        file_name=file_name,
        mode=mode,
        upload=upload,
        expected=expected,
        origin={"ip_address": info.ip_address, "user_agent": info.user_agent},
    )
    run_import_job.delay(token)
    return token


def run_job(token: str) -> str:
    """Run a queued import (the Celery task's body); returns how it ended."""
    job = results.load_job(token)
    if job is None:
        return "missing"
    spec_class = import_string(job["spec_path"])
    if not (isinstance(spec_class, type) and issubclass(spec_class, ImportSpec)):
        raise TypeError(f"{job['spec_path']} is not an import spec")
    spec = spec_class()
    user = get_user_model().objects.get(pk=job["owner"])
    origin = job.get("origin") or {}
    request = audit.current_request.set(
        audit.RequestInfo(origin.get("ip_address"), str(origin.get("user_agent") or "")[:255])
    )
    try:
        with results.open_upload(token) as upload:
            result = run_import(
                spec,
                upload,
                user,
                job["mode"],
                file_name=job["file_name"],
                progress=_Reporter(token),
            )
    except Exception:
        # Everything was written in one transaction, so nothing is half-imported; the
        # uploader sees the failure on the result page instead of a page that never ends.
        logger.exception("import job %s failed", token)
        message = gettext("导入时发生系统错误，未导入任何数据；请稍后重试或联系系统管理员。")
        result = ImportResult(0, 0, 0, [CellError(0, None, "", message)])
    finally:
        audit.current_request.reset(request)
    results.save_result(
        result, user=user, spec=spec, file_name=job["file_name"], mode=job["mode"], token=token
    )
    return "ok" if result.ok else "errors"


class _Reporter:
    """Progress callback that writes to the cache at most about once a second."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.last = 0.0

    def __call__(self, phase: str, done: int, total: int | None) -> None:
        now = time.monotonic()
        if now - self.last < PROGRESS_SECONDS and done != total:
            return
        self.last = now
        results.set_progress(self.token, phase, done, total)


__all__ = ["in_background", "limits", "run_job", "start"]
