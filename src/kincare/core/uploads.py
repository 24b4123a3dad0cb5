"""Uploaded documents: what a file must be before anything is stored.

A file is accepted when its first bytes say PDF, JPEG or PNG (the name and the browser's content
type are not trusted), it is not empty and not larger than the caller's limit. The checked file
carries its SHA-256 (a document reused elsewhere is a risk signal) and an extension for the
random storage name; the original name is personal data and is only kept where a caller
encrypts it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from kincare.core.errors import ValidationFailed

#: content type and file extension by leading bytes
SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)
IMAGE_TYPES = frozenset({"image/jpeg", "image/png"})


@dataclass(frozen=True)
class CheckedFile:
    content: bytes
    content_type: str
    extension: str
    sha256: str
    original_name: str


def sniff(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) of a PDF, JPEG or PNG by its leading bytes, else None."""
    for magic, content_type, extension in SIGNATURES:
        if head.startswith(magic):
            return content_type, extension
    return None


def read_upload(upload: Any, *, field: str, max_bytes: int) -> bytes:
    """All bytes of an uploaded file (Django UploadedFile, a file object or bytes), refusing more
    than ``max_bytes`` without reading past the limit."""
    size = getattr(upload, "size", None)
    if isinstance(size, int) and size > max_bytes:
        raise _too_large(field, max_bytes)
    if isinstance(upload, bytes | bytearray):
        data: Any = bytes(upload)
    else:
        try:
            if hasattr(upload, "seek"):
                upload.seek(0)
            if hasattr(upload, "chunks"):
                parts, total = [], 0
                for chunk in upload.chunks():
                    total += len(chunk)
                    if total > max_bytes:
                        raise _too_large(field, max_bytes)
                    parts.append(chunk)
                data = b"".join(parts)
            else:
                data = upload.read(max_bytes + 1)
        except (AttributeError, TypeError, ValueError, OSError):
            raise ValidationFailed(_("无法读取上传的文件"), code="document_type_invalid", field=field) from None
    if not isinstance(data, bytes):
        raise ValidationFailed(_("无法读取上传的文件"), code="document_type_invalid", field=field)
    if len(data) > max_bytes:
        raise _too_large(field, max_bytes)
    return data


def check_file(upload: Any, *, field: str, max_bytes: int, images_only: bool = False) -> CheckedFile:
    data = read_upload(upload, field=field, max_bytes=max_bytes)
    found = sniff(data[:16])
    if not data or found is None or (images_only and found[0] not in IMAGE_TYPES):
        message = _("只能上传 JPEG 或 PNG 图片") if images_only else _("只能上传 PDF、JPEG 或 PNG 文件")
        raise ValidationFailed(message, code="document_type_invalid", field=field)
    name = getattr(upload, "name", "") or ""
    return CheckedFile(
        content=data,
        content_type=found[0],
        extension=found[1],
        sha256=hashlib.sha256(data).hexdigest(),
        original_name=str(name).rsplit("/", 1)[-1][:200],
    )


def _too_large(field: str, max_bytes: int) -> ValidationFailed:
    return ValidationFailed(
        _("文件不能超过 %(mb)d MB") % {"mb": max_bytes // (1024 * 1024)}, code="document_too_large", field=field
    )
