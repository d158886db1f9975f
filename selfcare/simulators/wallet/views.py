"""The wallet's page (receives the request, shows what is asked, answers) and the PID provider's status list."""

from __future__ import annotations

import datetime as dt
import json
import secrets
from typing import Any

import httpx
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from joserfc import jwe
from joserfc.jwk import ECKey

from selfcare.identity.methods.base import EidError
from selfcare.identity.methods.wallet.config import x509_hash_client_id
from selfcare.identity.methods.wallet.sdjwt import signer_key, trusted_leaf, unverified_header, verify_signed
from selfcare.simulators.gate import demo_only
from selfcare.simulators.pki.testca import TestCA
from selfcare.simulators.wallet import accounts, pid
from selfcare.simulators.wallet.pki import pki_directory

TEMPLATES = "simulators/wallet/"
PREFIX = "wallet-sim:request:"


def _refused(request: HttpRequest, text: str) -> HttpResponse:
    return render(request, TEMPLATES + "refused.html", {"message": text}, status=400)


def _verified_request(client_id: str, request_uri: str) -> dict[str, Any]:
    """Fetch and check the verifier's request object as a wallet does: signed by an access certificate of the
    test PKI, whose hash is the client_id (x509_hash)."""
    token = httpx.get(request_uri, timeout=10).raise_for_status().text
    header = unverified_header(token)
    leaf = trusted_leaf(header.get("x5c"), (TestCA(pki_directory()).root.certificate,), dt.datetime.now(dt.UTC))
    _, claims = verify_signed(token, signer_key(leaf), expected_typ={"oauth-authz-req+jwt"})
    if claims.get("client_id") != client_id or client_id != x509_hash_client_id(leaf):
        raise ValueError("client_id is not the hash of the signing certificate")
    return claims


@demo_only
@require_GET
@never_cache
def authorize(request: HttpRequest) -> HttpResponse:
    try:
        claims = _verified_request(request.GET.get("client_id", ""), request.GET.get("request_uri", ""))
    except (httpx.HTTPError, EidError, ValueError) as error:
        return _refused(request, f"The request could not be verified: {error}")
    request_id = secrets.token_urlsafe(16)
    cache.set(PREFIX + request_id, claims, 600)
    asked = [c["path"][-1] for q in claims["dcql_query"]["credentials"] for c in q.get("claims", [])]
    context = {"request_id": request_id, "asked": asked, "accounts": accounts.ACCOUNTS}
    return render(request, TEMPLATES + "authorize.html", context)


@demo_only
@require_POST
@never_cache
def answer(request: HttpRequest) -> HttpResponse:
    claims = cache.get(PREFIX + request.POST.get("request_id", ""))
    chosen = accounts.account(request.POST.get("account", ""))
    if not isinstance(claims, dict) or chosen is None:
        return _refused(request, "This request is over. Start again on the portal.")
    cache.delete(PREFIX + request.POST.get("request_id", ""))
    if request.POST.get("answer") != "share" or chosen.refuses:
        form = {"error": "access_denied", "state": claims["state"]}
    else:
        form = {"response": _encrypted_answer(request, claims, chosen)}
    reply = httpx.post(claims["response_uri"], data=form, timeout=20)
    redirect_uri = reply.json().get("redirect_uri") if reply.status_code == 200 else None
    if redirect_uri:
        return HttpResponseRedirect(redirect_uri)
    return render(request, TEMPLATES + "done.html", {"ok": reply.status_code == 200})


def _encrypted_answer(request: HttpRequest, claims: dict[str, Any], chosen: accounts.WalletAccount) -> str:
    holder_key = ECKey.generate_key("P-256")
    status_uri = request.build_absolute_uri(reverse("wallet-sim:status"))
    issuer_jwt, disclosures = pid.issue_pid(chosen, holder_key=holder_key, status_uri=status_uri)
    asked = {c["path"][-1] for q in claims["dcql_query"]["credentials"] for c in q.get("claims", [])}
    shared = [d for name, d in disclosures.items() if name in asked]
    nonce = "not-the-verifiers-nonce" if chosen.wrong_nonce else claims["nonce"]
    presentation = pid.present(issuer_jwt, shared, holder_key=holder_key, nonce=nonce, audience=claims["client_id"])
    payload = {"vp_token": {"pid": [presentation]}, "state": claims["state"]}
    verifier_key = claims["client_metadata"]["jwks"]["keys"][0]
    header = {"alg": "ECDH-ES", "enc": "A128GCM", "kid": verifier_key.get("kid", "")}
    return jwe.encrypt_compact(
        header, json.dumps(payload).encode(), ECKey.import_key(verifier_key), algorithms=["ECDH-ES", "A128GCM"]
    )


@demo_only
@require_GET
def status(request: HttpRequest) -> HttpResponse:
    """The PID provider's status list (revoked accounts' entries set)."""
    token = pid.status_list_token(request.build_absolute_uri())
    return HttpResponse(token, content_type="application/statuslist+jwt", headers={"Cache-Control": "max-age=60"})
