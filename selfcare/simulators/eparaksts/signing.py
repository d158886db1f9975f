"""The demo's stand-in for signing in the eParaksts app: upload a PDF, choose who signs, get it back signed.

Demo only (behind the simulators' gate): the keys come from the test CA, so what comes out validates against the
demo's trust anchors and nowhere else. The result is either the PDF with a PAdES signature or an .edoc (ASiC-E)
holding the PDF and a XAdES signature, as eParaksts offers both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from pyhanko.pdf_utils.misc import PdfError

from selfcare.identifiers import PersonalCode
from selfcare.mandates.signatures import DocumentKind, config
from selfcare.mandates.signatures.sniff import kind_of
from selfcare.simulators.eparaksts import accounts
from selfcare.simulators.eparaksts.views import LANGUAGES
from selfcare.simulators.gate import demo_only
from selfcare.simulators.pki.documents import make_edoc, person_signer, sign_pdf
from selfcare.simulators.pki.testca import TestCA

TEMPLATE = "simulators/eparaksts/sign.html"
OTHER = "other"
FORMATS = ("pdf", "edoc")
# A signer whose signing certificate its CA has revoked (OCSP and CRL say so): what it signs must not count.
REVOKED_SIGNER = accounts.Account("revoked-signer", "Roberts", "Atsauktais", "051280-12346", "certificate revoked")


@dataclass(frozen=True)
class SignRequest:
    pdf: bytes
    file_stem: str
    personal_code: str
    given_name: str
    family_name: str
    output: str
    revoked: bool = False


def _safe_stem(name: str) -> str:
    """A download name the server makes from the upload's name: letters, digits, dot, dash, underscore only."""
    stem = re.sub(r"\.pdf$", "", name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1], flags=re.IGNORECASE)
    return re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("._")[:60] or "document"


def _parse(request: HttpRequest) -> tuple[SignRequest | None, dict[str, str]]:
    errors: dict[str, str] = {}
    upload = request.FILES.get("document")
    pdf = b""
    if upload is None:
        errors["document"] = _("Choose a PDF file to sign.")
    elif upload.size is not None and upload.size > config.max_bytes():
        errors["document"] = _("The file is too large.")
    else:
        pdf = upload.read()
        if kind_of(pdf) is not DocumentKind.PDF:
            errors["document"] = _("This file is not a PDF.")
    person = request.POST.get("person", "")
    code, given, family = "", "", ""
    if person == OTHER:
        given = request.POST.get("given_name", "").strip()
        family = request.POST.get("family_name", "").strip()
        try:
            code = PersonalCode.parse(request.POST.get("personal_code", "")).code
        except ValidationError as error:
            errors["personal_code"] = " ".join(str(m) for m in error.messages)
        if not given or not family or len(given) > 64 or len(family) > 64:
            errors["name"] = _("Enter the signer's given name and surname.")
    else:
        account = REVOKED_SIGNER if person == REVOKED_SIGNER.key else accounts.find(person)
        if account is None or not account.personal_code:
            errors["person"] = _("Choose who signs.")
        else:
            code, given, family = account.personal_code.replace("-", ""), account.given_name, account.family_name
    output = request.POST.get("output", "")
    if output not in FORMATS:
        errors["output"] = _("Choose what to get back.")
    if errors:
        return None, errors
    stem = _safe_stem(upload.name or "") if upload is not None else "document"
    return SignRequest(pdf, stem, code, given, family, output, revoked=person == REVOKED_SIGNER.key), {}


def _signed(sign: SignRequest) -> HttpResponse:
    ca = TestCA(settings.SELFCARE_PKI_DIR)
    signer = person_signer(ca, sign.personal_code, sign.given_name, sign.family_name)
    if sign.revoked:
        # Revoked an hour after issuance (idempotent): anything it signs now was signed after the revocation.
        ca.revoke(ca.signing_person(sign.personal_code, sign.given_name, sign.family_name))
    if sign.output == "pdf":
        body, content_type, name = sign_pdf(sign.pdf, signer), "application/pdf", f"{sign.file_stem}-signed.pdf"
    else:
        body = make_edoc({f"{sign.file_stem}.pdf": sign.pdf}, signer)
        content_type, name = "application/vnd.etsi.asic-e+zip", f"{sign.file_stem}.edoc"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@demo_only
@require_http_methods(["GET", "POST"])
@never_cache
def sign(request: HttpRequest) -> HttpResponse:
    """In the browser's language (the simulators live outside the portal's language prefixes)."""
    language = translation.get_language_from_request(request)
    with translation.override(language if language in LANGUAGES else "lv"):
        return _sign(request)


def _sign(request: HttpRequest) -> HttpResponse:
    context: dict[str, object] = {
        "accounts": [*(a for a in accounts.ACCOUNTS if a.personal_code), REVOKED_SIGNER],
        "other": OTHER,
        "chosen": request.POST.get("person", accounts.ACCOUNTS[0].key),
        "output": request.POST.get("output", "pdf"),
        "values": {k: request.POST.get(k, "") for k in ("personal_code", "given_name", "family_name")},
        "errors": {},
    }
    if request.method == "POST":
        sign_request, errors = _parse(request)
        if sign_request is not None:
            try:
                return _signed(sign_request)
            except (PdfError, ValueError, KeyError, TypeError):
                errors = {"document": _("This PDF could not be read, so it cannot be signed.")}
        context["errors"] = errors
        return render(request, TEMPLATE, context, status=400)
    return render(request, TEMPLATE, context)
