"""The event pages in the permission matrix: list, page, form, cancel, attendance, files.

Events are recorded in B1 by the args lambdas. The member persona is not linked to any
person, so a B1 event does not exist for them (404) on its page and its file, and pages that
change one are refused for want of a grant (403). The outsider (committee staff of C2)
holds every grant but not over B1: 404. On the add form the outsider is not offered B1: the
form comes back with the error (200).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from dangjian.core.testing.matrix import Endpoint
from dangjian.orglife import actions
from dangjian.orglife.choices import EventKind
from dangjian.orglife.testing import held

VIEWERS = {"univ", "committee", "secretary", "member", "outsider"}
ADDERS = {"univ", "committee", "secretary", "outsider"}
B1_STAFF = {"univ", "committee", "secretary"}
NOT_B1 = {"outsider"}
NOT_VISIBLE = {"member", "outsider"}
PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 64


def _yesterday() -> Any:
    return timezone.localdate() - timedelta(days=1)


def event(tree: Any) -> dict[str, int]:
    """A theme day held in B1 yesterday."""
    return {"pk": held(tree.b1, EventKind.THEME_DAY, _yesterday()).pk}


def stored_file(tree: Any) -> dict[str, int]:
    recorded = held(tree.b1, EventKind.THEME_DAY, _yesterday())
    upload = SimpleUploadedFile("合影.png", PNG, content_type="image/png")
    return {"pk": actions.add_file(recorded, "photo", "合影", upload, acting_user=None).pk}


def new_event(tree: Any) -> dict[str, Any]:
    return {
        "organization": str(tree.b1.pk),
        "kind": EventKind.THEME_DAY,
        "title": "主题党日：重温入党誓词",
        "status": "held",
        "day": _yesterday().isoformat(),
        "start_time": "14:00",
        "end_time": "16:00",
        "place": "党员活动室",
    }


def changed(tree: Any) -> dict[str, Any]:
    return new_event(tree) | {"title": "主题党日（修改）"}


def upload(tree: Any) -> dict[str, Any]:
    return {
        "kind": "photo",
        "title": "活动合影",
        "file": SimpleUploadedFile("photo.png", PNG, content_type="image/png"),
    }


def _pair(name: str, ok: set[str], args: Any, data: Any, **kw: Any) -> list[Endpoint]:
    """GET (the form) and POST (the action) of one form page."""
    return [
        Endpoint(name, ok=ok, args=args, **kw),
        Endpoint(name, method="POST", ok=ok, args=args, data=data, **kw),
    ]


ENDPOINTS = [
    Endpoint("orglife:events", ok=VIEWERS, note="the member's list holds only their own events"),
    Endpoint("orglife:event", ok=B1_STAFF, not_found=NOT_VISIBLE, args=event),
    *_pair("orglife:event_add", ADDERS, lambda tree: {}, new_event),
    *_pair("orglife:event_edit", B1_STAFF, event, changed, not_found=NOT_B1),
    *_pair(
        "orglife:event_cancel",
        B1_STAFF,
        lambda tree: {"pk": held(tree.b1, EventKind.LECTURE, _yesterday()).pk},
        lambda tree: {"reason": "登记重复"},
        not_found=NOT_B1,
    ),
    *_pair(
        "orglife:attendance",
        B1_STAFF,
        event,
        lambda tree: {"guest_name": "张来宾", "guest_unit": "文学院团委"},
        not_found=NOT_B1,
    ),
    *_pair("orglife:file_add", B1_STAFF, event, upload, not_found=NOT_B1),
    Endpoint("orglife:file", ok=B1_STAFF, not_found=NOT_VISIBLE, args=stored_file),
]
