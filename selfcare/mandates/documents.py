"""Signed documents: receive, check the type by content, store under a server-made name, validate, decide
"verified".

SECURITY.md "Documents": a size limit; the type is decided by the bytes (a PDF starts with `%PDF-`, an ASiC-E
container is a ZIP whose first entry `mimetype` says `application/vnd.etsi.asic-e+zip`), never by the name or the
browser's content type; the stored name is made here (the uploader's name is kept only as text to show); files
live in the private documents storage (selfcare/storage.py), which no URL serves — staff download them as
attachments (backoffice).

A document whose signatures fail is kept with the reasons, and the mandate is not verified by it.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import uuid
import zipfile
from enum import Enum
from io import BytesIO
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrPromise

from selfcare import storage
from selfcare.access.contexts import Context
from selfcare.errors import MESSAGES, ErrorCode
from selfcare.mandates import services
from selfcare.mandates.models import DocumentChannel, Mandate, MandateDocument, MandateStatus
from selfcare.mandates.representatives import SignerIdentity, binds_company
from selfcare.mandates.signatures import Problem, ValidationReport, validate_document
from selfcare.mandates.signatures import message as signature_message

ASICE_MIMETYPE = b"application/vnd.etsi.asic-e+zip"
EXTENSIONS = {"pdf": ".pdf", "asice": ".edoc"}
# Problem codes of our own, next to the validator's (selfcare.mandates.signatures.Problem).
NOT_THIS_FORM = "not_this_form"  # the signed bytes do not carry this mandate's reference
NOT_REPRESENTATIVES = "not_representatives"  # no signer, or not enough, may represent the company
PROBLEM_MESSAGES: dict[str, StrPromise] = {
    NOT_THIS_FORM: _("The signed document is not the form of this power of attorney. Sign the form downloaded here."),
    NOT_REPRESENTATIVES: _(
        "The signers are not, or not enough of, the company's representatives in the Register of Enterprises."
    ),
}


def problem_text(code: str) -> StrPromise:
    """The translated text of a stored problem code, ours or the validator's."""
    return PROBLEM_MESSAGES.get(code) or signature_message(code)


def kind_of(data: bytes) -> str | None:
    """'pdf', 'asice' or None, from the content alone."""
    if data[:1024].lstrip(b"\r\n\t ").startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(BytesIO(data)) as container:
                first = container.infolist()[0]
                if first.filename == "mimetype" and container.read(first).strip() == ASICE_MIMETYPE:
                    return "asice"
        except (zipfile.BadZipFile, IndexError, KeyError, OSError):
            return None
    return None


def check_upload(data: bytes) -> str:
    """The document's kind, or a ValidationError (field "document") for a file too large or of another type."""
    limit = settings.SIGNED_DOCUMENT_MAX_BYTES
    if len(data) > limit:
        error = ValidationError(
            MESSAGES[ErrorCode.MANDATE_FILE_TOO_LARGE],
            code=ErrorCode.MANDATE_FILE_TOO_LARGE,
            params={"megabytes": limit // (1024 * 1024)},
        )
        raise ValidationError({"document": error})
    kind = kind_of(data)
    if kind is None:
        error = ValidationError(MESSAGES[ErrorCode.MANDATE_FILE_TYPE], code=ErrorCode.MANDATE_FILE_TYPE)
        raise ValidationError({"document": error})
    return kind


def storage_name(stored_name: str) -> str:
    """The document's name in the documents storage: one folder per kind of document."""
    return f"mandates/{stored_name}"


def read(document: MandateDocument) -> bytes:
    return storage.read(storage_name(document.stored_name))


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, bytes):
        return None  # the signed content itself is in the stored file
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    return value


def report_json(report: ValidationReport) -> dict[str, Any]:
    """The report as JSON for the record: every field but the signed bytes, plus `valid`."""
    data = {f.name: _jsonable(getattr(report, f.name)) for f in dataclasses.fields(report) if f.name != "signers"}
    data.pop("signed_content", None)
    data["valid"] = report.valid
    data["signers"] = [
        {f.name: _jsonable(getattr(signer, f.name)) for f in dataclasses.fields(signer)} for signer in report.signers
    ]
    return data


def verification_problems(mandate: Mandate, report: ValidationReport) -> list[str]:
    """Why this document does not verify the mandate; empty when it does."""
    if not report.valid:
        return list(report.problems) or [Problem.NO_SIGNATURE.value]
    problems = []
    if report.signed_content is None or str(mandate.reference).encode() not in report.signed_content:
        problems.append(NOT_THIS_FORM)
    # The register lists Latvian personal codes; the validator gives a code only for Latvian signers.
    signers = [SignerIdentity(s.personal_code, s.name) for s in report.signers if s.valid and s.personal_code]
    if not binds_company(mandate.company, signers):
        problems.append(NOT_REPRESENTATIVES)
    return problems


def document_attach(
    *,
    request: HttpRequest | None,
    mandate: Mandate,
    data: bytes,
    original_name: str,
    channel: str,
    by: services.By,
    context: Context | None,
    report: ValidationReport | None = None,
) -> MandateDocument:
    """Keep a signed document for the mandate, validate it, and submit a draft. `report` is for tests and callers
    that validated already; by default the signatures are validated here.

    A verified in-portal submission activates at once when `MANDATE_AUTO_ACTIVATE_VERIFIED` is on.
    """
    kind = check_upload(data)
    if mandate.status not in (MandateStatus.DRAFT, MandateStatus.SUBMITTED):
        raise services.IllegalTransition(mandate.status, MandateStatus.SUBMITTED)
    if report is None:
        report = validate_document(data)
    problems = verification_problems(mandate, report)
    stored_name = uuid.uuid4().hex + EXTENSIONS[kind]
    # Stored before the record: a store that fails raises StorageUnavailable and nothing is recorded.
    storage.store(storage_name(stored_name), data)
    try:
        with transaction.atomic():
            document = MandateDocument.objects.create(
                mandate=mandate,
                stored_name=stored_name,
                original_name=Path(original_name.replace("\\", "/")).name[:200],
                kind=kind,
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                channel=channel,
                uploaded_by=by.identity,
                registered_by=by.staff,
                signatures_valid=report.valid,
                report=report_json(report),
                problems=problems,
            )
            if not problems and not mandate.verified:
                mandate.verified = True
                mandate.save(update_fields=["verified"])
            services.note(
                request=request, mandate=mandate, action="document_added", by=by, context=context, reason=stored_name
            )
            if mandate.status == MandateStatus.DRAFT:
                services.mandate_submit(request=request, mandate=mandate, by=by, context=context)
    except BaseException:
        storage.delete(storage_name(stored_name))  # no row points to it: do not leave an orphan file behind
        raise
    in_portal = channel in (DocumentChannel.PORTAL, DocumentChannel.SIGNED)
    auto = settings.MANDATE_AUTO_ACTIVATE_VERIFIED and in_portal and mandate.verified
    if auto and mandate.status == MandateStatus.SUBMITTED:
        services.mandate_activate(
            request=request, mandate=mandate, by=services.SYSTEM, reason=services.AUTO_ACTIVATED_REASON
        )
    return document
