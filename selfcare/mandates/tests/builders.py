"""Builders for the mandate tests: a company with a representative, a draft, validation reports."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.http import HttpRequest
from django.test import RequestFactory
from django.utils import timezone

from selfcare.customers.models import Company
from selfcare.mandates import services
from selfcare.mandates.models import Mandate, Representation, Representative
from selfcare.mandates.signatures import DocumentKind, Signer, ValidationReport

MINIMAL_PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def request() -> HttpRequest:
    return RequestFactory().post("/", REMOTE_ADDR="192.0.2.10", HTTP_USER_AGENT="pytest")


def staff(username: str = "staff") -> User:
    user = get_user_model()._default_manager.create_user(username=username, is_staff=True)
    assert isinstance(user, User)
    return user


def representative(company: Company, name: str, code: str, **overrides: Any) -> Representative:
    values: dict[str, Any] = {
        "company": company,
        "name": name,
        "code_prefix": code[:6],
        "representation": Representation.SOLE,
    } | overrides
    return Representative.objects.create(**values)


def draft(company: Company, **overrides: Any) -> Mandate:
    today = timezone.localdate()
    values: dict[str, Any] = {
        "request": request(),
        "by": services.SYSTEM,
        "context": None,
        "company": company,
        "attorney_code": "220790-18761",
        "attorney_name": "Pēteris Ozols",
        "valid_from": today,
        "valid_until": today + datetime.timedelta(days=180),
        "attorney_phone": "+37125500001",
        "attorney_email": "peteris@example.lv",
    } | overrides
    return services.mandate_create(**values)


def signer(name: str, code: str | None, *, valid: bool = True) -> Signer:
    return Signer(
        name=name,
        country="LV",
        personal_code=code,
        signed_at=timezone.now() - datetime.timedelta(minutes=1),
        certificate_sha256="00" * 32,
        valid=valid,
        problems=() if valid else ("untrusted_chain",),
    )


def report(mandate: Mandate | None, *signers: Signer, problems: tuple[str, ...] = ()) -> ValidationReport:
    """A report as the validator would give it for a PDF of this mandate's form signed by `signers`."""
    content = MINIMAL_PDF + (f"selfcare-mandate {mandate.reference}".encode() if mandate else b"")
    return ValidationReport(DocumentKind.PDF, tuple(signers), problems, content)
