"""The platform's signature API in the simulator: the person's signing identities and the raw signature of a digest.

- ``authorize`` with ``EPARAKSTS_SIGN_SCOPE_PROFILE``: the person logs in as for a login (views.authorize); the
  token then lists their signing identities here.
- ``authorize`` with ``EPARAKSTS_SIGN_SCOPE_USE``, ``sign_identity_id``, ``digests_summary`` and
  ``digests_summary_algorithm``: the person sees what they approve (the identity's owner, the digest summary) and
  confirms or cancels (:func:`consent_asked` checks the request; the page is ``sign_consent.html``).
- ``signatures/server/raw``: with the consent's token (single use), the digest whose summary was approved is signed
  with the identity's key, RSA PKCS#1 v1.5 over the SHA-256 digest; the answer is the signature value's bytes.

Each demo person with a personal code has one signing identity: a qualified signing certificate (KU
nonRepudiation) from the test CA, so what it signs validates against the demo's trust anchors and nowhere else.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, utils
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from selfcare.simulators.eparaksts import accounts, conf
from selfcare.simulators.gate import demo_only
from selfcare.simulators.pki.testca import Issued
from selfcare.simulators.smartid.pki import test_ca


def identity_id(account: accounts.Account) -> str:
    """A stable, opaque id of the person's signing identity (as the platform's are)."""
    message = f"eparaksts-sim:sign-identity:{account.key}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()[:26]


def _owner(sign_identity_id: str) -> accounts.Account | None:
    return next(
        (a for a in accounts.ACCOUNTS if a.personal_code and hmac.compare_digest(identity_id(a), sign_identity_id)),
        None,
    )


def credentials(account: accounts.Account) -> Issued:
    return test_ca().signing_person(account.personal_code, account.given_name, account.family_name)


def consent_asked(query: Mapping[str, str]) -> dict[str, str] | None:
    """What a consent request asks to sign, or None when it names no known identity or no usable summary."""
    owner = _owner(query.get("sign_identity_id", ""))
    summary = query.get("digests_summary", "")
    if owner is None or query.get("digests_summary_algorithm") != settings.EPARAKSTS_DIGESTS_SUMMARY_ALGORITHM:
        return None
    try:
        if len(base64.b64decode(summary, validate=True)) != hashlib.sha256().digest_size:
            return None
    except (binascii.Error, ValueError):
        return None
    return {
        "account": owner.key,
        "name": owner.name,
        "sign_identity_id": identity_id(owner),
        "digests_summary": summary,
    }


def _grant(request: HttpRequest, scope: str) -> dict[str, Any] | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    grant: dict[str, Any] | None = cache.get(conf.cache_key("token", token)) if scheme.lower() == "bearer" else None
    return grant if grant is not None and grant.get("scope") == scope else None


def _unauthorized() -> JsonResponse:
    response = JsonResponse({"error": "invalid_token"}, status=401)
    response["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    return response


@demo_only
@require_GET
def sign_identities(request: HttpRequest) -> HttpResponse:
    grant = _grant(request, conf.sign_scopes()[0])
    account = accounts.find(grant["account"]) if grant else None
    if grant is None or account is None:
        return _unauthorized()
    listed = [
        {
            "id": identity_id(account),
            "description": "eParaksts mobile signature",
            "status": {"value": "enabled"},
            "labels": ["serverid", "signing"],
        }
    ]
    return JsonResponse({"sign_identities": listed if account.personal_code else []})


@demo_only
@require_GET
def sign_identity(request: HttpRequest, sign_identity_id: str) -> HttpResponse:
    grant = _grant(request, conf.sign_scopes()[0])
    if grant is None:
        return _unauthorized()
    owner = _owner(sign_identity_id)
    if owner is None or owner.key != grant["account"]:
        return JsonResponse({"error": "not_found"}, status=404)
    der = credentials(owner).certificate.public_bytes(serialization.Encoding.DER)
    certificate = base64.b64encode(der).decode("ascii")
    return JsonResponse({"identity": {"id": sign_identity_id, "details": {"certificate": certificate}}})


@csrf_exempt  # machine to machine with a bearer token, no browser session
@demo_only
@require_POST
def server_raw(request: HttpRequest) -> HttpResponse:
    token = request.headers.get("Authorization", "").partition(" ")[2]
    grant = _grant(request, conf.sign_scopes()[1])
    if grant is None:
        return _unauthorized()
    try:
        body = json.loads(request.body)
        digest = base64.b64decode(str(body["digest_value"]), validate=True)
    except (ValueError, KeyError, TypeError, binascii.Error):
        return JsonResponse({"error": "invalid_request"}, status=400)
    if body.get("signature_algorithm") != settings.EPARAKSTS_SIGN_ALGORITHM:
        return JsonResponse({"error": "invalid_request", "error_description": "signature_algorithm"}, status=400)
    summary = base64.b64encode(hashlib.sha256(digest).digest()).decode("ascii")
    if body.get("sign_identity_id") != grant["sign_identity_id"] or summary != grant["digests_summary"]:
        # Only the digest the person approved, with the identity they approved it for.
        return JsonResponse({"error": "access_denied"}, status=403)
    owner = _owner(str(grant["sign_identity_id"]))
    if owner is None or len(digest) != hashlib.sha256().digest_size:
        return JsonResponse({"error": "invalid_request"}, status=400)
    cache.delete(conf.cache_key("token", token))  # one signature per consent
    value = credentials(owner).private_key.sign(digest, padding.PKCS1v15(), utils.Prehashed(hashes.SHA256()))
    return HttpResponse(value, content_type="application/octet-stream")
