"""The RP API v3 signature flow: choose the signing certificate, then sign a digest the person confirms on the phone.

- ``POST v3/signature/certificate-choice/notification/etsi/PNOLV-…``: completes by itself at the first poll with
  the account's signing certificate and document number (the person has one device, so there is nothing to choose);
  accounts that end every session otherwise (DOCUMENT_UNUSABLE, …) end this one so too.
- ``POST v3/signature/certificate-choice/device-link/anonymous``: the person scans the portal's QR code and, on
  the device-link page, chooses the account whose signing certificate comes back.
- ``POST v3/signature/notification/linked/<documentNumber>``: as below, after such a device link only.
- ``POST v3/signature/notification/document/<documentNumber>``: ``RAW_DIGEST_SIGNATURE`` over the digest sent;
  the answer carries the verification code (``vc``), the phone page shows the request with that code and
  Confirm/Refuse. "Refuses" and "Times out" accounts end it so, as in authentication.

The signing key is the account's qualified signing certificate from the test PKI (KU nonRepudiation), so what the
portal builds from the answer validates like any uploaded signed document.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from selfcare.identity.methods.smartid.protocol import SIGNATURE_ALGORITHM
from selfcare.simulators.gate import demo_only
from selfcare.simulators.pki.smartid_signer import certificate_choice_status, ended_session_status
from selfcare.simulators.smartid import accounts, pki, sessions
from selfcare.simulators.smartid.api import _answer_problems
from selfcare.simulators.smartid.problems import Problem
from selfcare.simulators.smartid.request_body import (
    CERTIFICATE_LEVELS,
    HASH_ALGORITHMS,
    _interactions,
    _object,
    _string,
    check_relying_party,
    parse_json,
)

_ETSI_LV = re.compile(r"PNOLV-(\d{6})-(\d{5})")
_DOCUMENT = re.compile(r"PNOLV-(\d{6})-(\d{5})-SIM-N?Q")
DIGEST_SIZES = {"SHA-256": 32, "SHA-384": 48, "SHA-512": 64}
RP_FIELDS = frozenset(
    {"relyingPartyUUID", "relyingPartyName", "certificateLevel", "nonce", "requestProperties", "capabilities"}
)
SIGNATURE_FIELDS = RP_FIELDS | {"signatureProtocol", "signatureProtocolParameters", "interactions", "vcType"}


def _level(body: dict[str, object]) -> str:
    level = body.get("certificateLevel", "QUALIFIED")
    if level not in CERTIFICATE_LEVELS:
        raise Problem(400, "certificateLevel must be ADVANCED or QUALIFIED")
    return str(level)


def _account(match: re.Match[str] | None, what: str) -> accounts.Account:
    if match is None:
        raise Problem(400, f"the {what} is not a Latvian one")
    account = accounts.find(match.group(1) + match.group(2))
    if account is None:
        raise Problem(404, "no suitable account for this person")
    if account.behaviour.start_status is not None:
        raise Problem(account.behaviour.start_status, f"answering {account.behaviour.start_status} on purpose")
    return account


def _request_body(request: HttpRequest, allowed: frozenset[str]) -> dict[str, object]:
    """The request's JSON object, its relying party checked and no field outside `allowed`."""
    body = parse_json(request.body)
    check_relying_party(body)
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise Problem(400, f"unknown fields: {', '.join(unknown)}")
    return body


@csrf_exempt
@demo_only
@require_POST
@_answer_problems
def certificate_choice(request: HttpRequest, identifier: str) -> HttpResponse:
    body = _request_body(request, RP_FIELDS)
    account = _account(_ETSI_LV.fullmatch(identifier), "semantics identifier")
    session = sessions.Session(
        flow="notification",
        rp_name=str(body["relyingPartyName"]),
        rp_challenge="",
        interactions_b64="",
        certificate_level=_level(body),
        hash_algorithm="",
        personal_code=account.key,  # as the phone pages name the account (selfcare.simulators.smartid.accounts)
        kind="certificate-choice",
    )
    settle_certificate_choice(session, account)
    return JsonResponse({"sessionID": session.session_id})


def settle_certificate_choice(session: sessions.Session, account: accounts.Account) -> None:
    if account.behaviour.end_result is not None:
        session.status = ended_session_status(str(account.behaviour.end_result))
    else:
        issued = pki.signing_credentials(account)
        session.status = certificate_choice_status(
            certificate=issued.certificate, certificate_level=account.level, document_number=account.document_number
        )
    sessions.save(session)


@csrf_exempt
@demo_only
@require_POST
@_answer_problems
def certificate_choice_device_link(request: HttpRequest) -> HttpResponse:
    """``POST v3/signature/certificate-choice/device-link/anonymous``: whoever scans the QR code (or, with an
    ``initialCallbackUrl``, opens the Web2App link on their phone) chooses."""
    body = _request_body(request, RP_FIELDS | {"initialCallbackUrl"})
    callback = body.get("initialCallbackUrl", "")
    if not isinstance(callback, str) or "#" in callback or "|" in callback or len(callback) > 1800:
        raise Problem(400, "initialCallbackUrl must be a URL without '#' or '|', at most 1800 characters")
    session_token, session_secret = sessions.new_device_link_secrets()
    session = sessions.Session(
        flow="device-link",
        rp_name=str(body["relyingPartyName"]),
        rp_challenge="",
        interactions_b64="",
        certificate_level=_level(body),
        hash_algorithm="",
        kind="certificate-choice",
        session_token=session_token,
        session_secret=session_secret,
        device_link_base=request.build_absolute_uri(reverse("smartid-sim:device-link")),
        initial_callback_url=callback,
    )
    sessions.save(session)
    return JsonResponse(
        {
            "sessionID": session.session_id,
            "sessionToken": session_token,
            "sessionSecret": session_secret,
            "deviceLinkBase": session.device_link_base,
        }
    )


@csrf_exempt
@demo_only
@require_POST
@_answer_problems
def linked_signature(request: HttpRequest, document_number: str) -> HttpResponse:
    """``POST v3/signature/notification/linked/<documentNumber>``: only after a device-link certificate choice of
    this document (``linkedSessionID``), so the request reaches the app that scanned the QR code."""
    body = _request_body(request, SIGNATURE_FIELDS | {"linkedSessionID"})
    linked = sessions.load(str(body.get("linkedSessionID", "")))
    result = linked.status.get("result") if linked is not None and linked.status else None
    if (
        linked is None
        or linked.kind != "certificate-choice"
        or linked.flow != "device-link"
        or not isinstance(result, dict)
        or result.get("endResult") != "OK"
        or result.get("documentNumber") != document_number
    ):
        raise Problem(400, "linkedSessionID must name a completed device-link certificate choice of this document")
    return _signature(body, document_number)


@csrf_exempt
@demo_only
@require_POST
@_answer_problems
def signature(request: HttpRequest, document_number: str) -> HttpResponse:
    return _signature(_request_body(request, SIGNATURE_FIELDS), document_number)


def _signature(body: dict[str, object], document_number: str) -> HttpResponse:
    if body.get("signatureProtocol") != "RAW_DIGEST_SIGNATURE":
        raise Problem(400, "signatureProtocol must be 'RAW_DIGEST_SIGNATURE'")
    parameters = _object(body.get("signatureProtocolParameters"), "signatureProtocolParameters")
    if parameters.get("signatureAlgorithm") != SIGNATURE_ALGORITHM:
        raise Problem(400, f"signatureAlgorithm must be {SIGNATURE_ALGORITHM!r}")
    algorithm = _object(parameters.get("signatureAlgorithmParameters"), "signatureAlgorithmParameters")
    hash_algorithm = algorithm.get("hashAlgorithm")
    if hash_algorithm not in HASH_ALGORITHMS:
        raise Problem(400, f"hashAlgorithm must be one of {sorted(HASH_ALGORITHMS)}")
    digest = _string(parameters, "digest")
    try:
        raw = base64.b64decode(digest, validate=True)
    except (binascii.Error, ValueError) as error:
        raise Problem(400, "digest must be Base64") from error
    if len(raw) != DIGEST_SIZES[str(hash_algorithm)]:
        raise Problem(400, f"digest must be {DIGEST_SIZES[str(hash_algorithm)]} bytes for {hash_algorithm}")
    account = _account(_DOCUMENT.fullmatch(document_number), "document number")
    if document_number != account.document_number:
        raise Problem(404, "no such document")
    session = sessions.Session(
        flow="notification",
        rp_name=str(body["relyingPartyName"]),
        rp_challenge="",
        interactions_b64=_interactions(body, "notification"),
        certificate_level=_level(body),
        hash_algorithm=str(hash_algorithm),
        personal_code=account.key,  # as the phone pages name the account (selfcare.simulators.smartid.accounts)
        kind="signature",
        digest=digest,
        verification_code=_verification_code(raw),
    )
    sessions.save(session)
    return JsonResponse(
        {"sessionID": session.session_id, "vc": {"type": "numeric4", "value": session.verification_code}}
    )


def _verification_code(digest: bytes) -> str:
    """As the app derives it for authentication (PROTOCOLS.md §1.3), here from the digest."""
    value = hashlib.sha256(digest).digest()
    return f"{int.from_bytes(value[-2:], 'big') % 10000:04d}"
