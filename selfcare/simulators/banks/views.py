"""The simulated internet banks: verify the portal's signed request, let a demo person confirm, sign the answer.

Each bank speaks its profile's protocol (the same profile the portal uses, so a changed setting changes both).
The answer goes back as a form with a visible button: no script, as with the real banks' return pages.
"""

from __future__ import annotations

import binascii
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from selfcare.demo.dataset import PERSONS
from selfcare.identity.methods.banklink import citadele, signed_form
from selfcare.identity.methods.banklink.profiles import BANKS, CitadeleProfile, bank_profile
from selfcare.identity.methods.base import EidError
from selfcare.simulators.banks import responses
from selfcare.simulators.gate import demo_only

# Latvian banks' customers here are the demo's Latvians (the Estonian and Lithuanian persons use Smart-ID).
_PEOPLE = tuple(responses.Person(p.code.code, p.given_name, p.family_name) for p in PERSONS if p.code.country == "LV")


def _request_values(bank: str, request: HttpRequest) -> tuple[str, str]:
    """The nonce and return URL of the portal's request, after verifying its signature with our certificate."""
    profile = bank_profile(bank)
    portal = responses.portal_certificate()
    if isinstance(profile, CitadeleProfile):
        xml = request.POST.get("xmldata", "")
        cert_pem = portal.cert_pem
        root = citadele.verify_xml(
            xml,
            cert_pem=cert_pem,
            hash_name=profile.hash,
            allow_sha1=profile.allow_sha1,
            base64_encoded=profile.xmldata_base64,
        )
        if citadele.text(root, "Request") != "AUTHREQ":
            raise ValueError("not an AUTHREQ")
        return citadele.text(root, "RequestUID"), citadele.text(root, "ReturnURL")
    fields = request.POST.dict()
    public = portal.certificate.public_key()
    signed_form.verify(fields, profile, public, names=profile.request_signed_fields)  # type: ignore[arg-type]
    return fields.get(profile.nonce_field, ""), fields.get(profile.return_field, "")


@csrf_exempt  # the portal's page posts here cross-site, as it would to a real bank
@require_POST
@demo_only
def login(request: HttpRequest, bank: str) -> HttpResponse:
    if bank not in BANKS:
        return HttpResponse(status=404)
    try:
        nonce, return_url = _request_values(bank, request)
    except (EidError, binascii.Error, ValueError):
        return render(request, "simulators/banks/refused.html", {"bank": bank_profile(bank).name}, status=400)
    context = {"bank": bank_profile(bank).name, "key": bank, "people": _PEOPLE, "nonce": nonce, "return": return_url}
    with _language_of(return_url):
        return render(request, "simulators/banks/login.html", context)


@csrf_exempt
@require_POST
@demo_only
def confirm(request: HttpRequest, bank: str) -> HttpResponse:
    profile = bank_profile(bank)
    chosen = request.POST.get("person", "")
    person = next((p for p in _PEOPLE if p.personal_code == chosen), None)
    if request.POST.get("answer") != "confirm":
        person = None
    elif person is None:
        return render(request, "simulators/banks/refused.html", {"bank": profile.name}, status=400)
    fields = responses.answer(profile, nonce=request.POST.get("nonce", ""), person=person)
    return_url = request.POST.get("return", "")
    context = {"bank": profile.name, "fields": fields, "return": return_url}
    with _language_of(return_url):
        return render(request, "simulators/banks/answer.html", context)


def _language_of(return_url: str) -> translation.override:
    """The bank page speaks the portal page's language, as real banks take it from the request."""
    return translation.override(translation.get_language_from_path(urlsplit(return_url).path) or settings.LANGUAGE_CODE)
