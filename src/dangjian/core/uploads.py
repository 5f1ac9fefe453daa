"""Uploaded scans and photos: checked by their content, stored under random names.

Shared by every app that keeps files (recruitment scans, meeting photos and minutes): a file
is a PDF, JPEG or PNG of at most 10 MB whatever its name says, and its stored name never
carries the original one (which often holds a person's name).
"""

from __future__ import annotations

import uuid

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext

SCAN_MAX_BYTES = 10 * 1024 * 1024
PDF, JPEG, PNG = b"%PDF-", b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n"
SCAN_TYPES = {
    PDF: ("pdf", "application/pdf"),
    JPEG: ("jpg", "image/jpeg"),
    PNG: ("png", "image/png"),
}
IMAGE_EXTENSIONS = frozenset({"jpg", "png"})


def scan_type(head: bytes) -> tuple[str, str] | None:
    """(extension, content type) of a PDF, JPEG or PNG from its first bytes."""
    for magic, kind in SCAN_TYPES.items():
        if head.startswith(magic):
            return kind
    return None


def check_scan(upload: UploadedFile, *, images_only: bool = False) -> str:
    """The file's extension if it is a PDF/JPEG/PNG (JPEG/PNG with `images_only`) of at most
    10 MB; ValueError with a Chinese message otherwise."""
    if upload.size is not None and upload.size > SCAN_MAX_BYTES:
        raise ValueError(
            gettext("文件不能超过10MB，当前为%(size).1fMB。") % {"size": upload.size / 1024 / 1024}
        )
    upload.seek(0)
    kind = scan_type(upload.read(16))
    upload.seek(0)
    if images_only and (kind is None or kind[0] not in IMAGE_EXTENSIONS):
        raise ValueError(gettext("照片应为JPG或PNG格式。"))
    if kind is None:
        raise ValueError(gettext("文件应为PDF、JPG或PNG格式。"))
    return kind[0]


def stored_name(extension: str) -> str:
    """A random stored name: original names often carry the person's name."""
    return f"{uuid.uuid4().hex}.{extension}"
