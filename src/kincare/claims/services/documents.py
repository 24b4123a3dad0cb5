"""Claim documents: what an upload must be, storing it, and adding documents to a claim under review.

An upload is accepted when its first bytes say PDF, JPEG or PNG (the name and the browser's
content type are not trusted), it is not empty and at most ``MAX_DOCUMENT_BYTES``; a claim holds
at most ``MAX_DOCUMENTS``. The file is stored under a random name (the original name is personal
data: kept encrypted on the row) with its SHA-256; a hash already used by another claim is the
``duplicate_document`` risk flag.
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from kincare.claims.models import Claim, ClaimDocument
from kincare.claims.policies import claim_policy
from kincare.core.audit import audit_record
from kincare.core.errors import Conflict, ValidationFailed
from kincare.core.uploads import read_upload, sniff

__all__ = [
    "MAX_DOCUMENTS",
    "MAX_DOCUMENT_BYTES",
    "CheckedDocument",
    "check_documents",
    "claim_documents_add",
    "discard_files",
    "documents_store",
    "duplicate_document_exists",
    "sniff",
]

MAX_DOCUMENTS = 20
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
#: claims still open to more documents
OPEN_STATUSES = (Claim.Status.SUBMITTED, Claim.Status.MANUAL_REVIEW, Claim.Status.AWAITING_SECOND_APPROVAL)


@dataclass(frozen=True)
class CheckedDocument:
    kind: str
    content: bytes
    content_type: str
    extension: str
    sha256: str
    original_name: str


def _read(upload: Any, field: str) -> bytes:
    return read_upload(upload, field=field, max_bytes=MAX_DOCUMENT_BYTES)


def check_documents(documents: Any, *, already: int = 0) -> list[CheckedDocument]:
    """Validate ``[(kind, upload), ...]``; nothing is stored. ``already``: documents the claim has."""
    if documents is None:
        return []
    if isinstance(documents, str | bytes | dict) or not isinstance(documents, Iterable):
        raise ValidationFailed(_("上传的材料格式不正确"), code="documents_invalid", field="documents")
    documents = list(documents)
    if already + len(documents) > MAX_DOCUMENTS:
        raise ValidationFailed(
            _("每个理赔最多上传 %(max)d 个文件") % {"max": MAX_DOCUMENTS}, code="too_many_documents", field="documents"
        )
    checked = []
    for index, entry in enumerate(documents):
        field = f"documents.{index}"
        if not isinstance(entry, tuple | list) or len(entry) != 2:
            raise ValidationFailed(_("上传的材料格式不正确"), code="documents_invalid", field=field)
        kind, upload = entry
        if not isinstance(kind, str) or kind not in ClaimDocument.Kind.values:
            raise ValidationFailed(_("请选择材料类型"), code="document_kind_invalid", field=f"{field}.kind")
        data = _read(upload, field)
        found = sniff(data[:16])
        if not data or found is None:
            raise ValidationFailed(_("只能上传 PDF、JPEG 或 PNG 文件"), code="document_type_invalid", field=field)
        name = getattr(upload, "name", "") or ""
        checked.append(
            CheckedDocument(
                kind=kind,
                content=data,
                content_type=found[0],
                extension=found[1],
                sha256=hashlib.sha256(data).hexdigest(),
                original_name=str(name).rsplit("/", 1)[-1][:200],
            )
        )
    return checked


def documents_store(
    claim: Claim, checked: Sequence[CheckedDocument], *, actor: Any, written: list[str]
) -> list[ClaimDocument]:
    """Write the files and their rows; each file's name is appended to ``written`` so that the
    caller can remove the files when its transaction rolls back (``discard_files``)."""
    stored: list[ClaimDocument] = []
    for doc in checked:
        row = ClaimDocument(
            claim=claim,
            kind=doc.kind,
            original_name=doc.original_name,
            content_type=doc.content_type,
            size=len(doc.content),
            sha256=doc.sha256,
            uploaded_by=actor,
        )
        row.file.save(f"{secrets.token_hex(16)}.{doc.extension}", ContentFile(doc.content), save=False)
        written.append(str(row.file.name))
        stored.append(row)
    ClaimDocument.objects.bulk_create(stored)
    return stored


def discard_files(names: Iterable[str]) -> None:
    """Remove files written by a transaction that did not commit."""
    storage = ClaimDocument._meta.get_field("file").storage
    for name in names:
        with contextlib.suppress(OSError):
            storage.delete(name)


def duplicate_document_exists(claim: Claim, hashes: Iterable[str]) -> bool:
    """Is one of these hashes a document of another claim?"""
    wanted = sorted(set(hashes))
    if not wanted:
        return False
    return ClaimDocument.objects.filter(sha256__in=wanted).exclude(claim_id=claim.pk).exists()


def claim_documents_add(*, actor: Any, claim: Claim, documents: Sequence[tuple[str, Any]]) -> Claim:
    """Add documents to a claim that is still open (submitted or in review).

    The insured, the submitter or the guardian acting for them may add; a document another
    claim already used adds the ``duplicate_document`` flag for the adjuster.
    """
    claim_policy.require(actor, "add_documents", claim)
    written: list[str] = []
    try:
        with transaction.atomic():
            locked = Claim.objects.select_for_update(no_key=True).get(pk=claim.pk)
            if locked.status not in OPEN_STATUSES:
                raise Conflict(_("该理赔已处理完毕，不能再补充材料"), code="claim_closed", field="documents")
            if not documents:
                raise ValidationFailed(_("请选择要上传的文件"), code="document_missing", field="documents")
            checked = check_documents(documents, already=locked.documents.count())
            documents_store(locked, checked, actor=actor, written=written)
            if duplicate_document_exists(locked, (d.sha256 for d in checked)) and "duplicate_document" not in (
                locked.flags or []
            ):
                locked.flags = [*(locked.flags or []), "duplicate_document"]
                locked.save(update_fields=["flags"])
            audit_record(
                actor=actor,
                action="claims.documents_added",
                subject=locked,
                new={"count": len(checked)},
            )
    except BaseException:
        discard_files(written)
        raise
    return locked
