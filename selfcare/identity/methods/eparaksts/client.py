"""The eParaksts (LVRTC e-Identity platform) OAuth 2.0 client: the authorize URL, the code exchange, the userinfo,
and the verified identity made from it (PROTOCOLS.md §2).

    url = client.authorize_url(method="eparaksts-mobile", state=state, redirect_uri=uri, ui_locale="lv")
    verified = client.complete(method="eparaksts-mobile", code=code, redirect_uri=uri)

The client is stateless: ``state`` and the chosen method are kept by the caller in the browser's server-side
session. What is checked here: the token answer's shape and type, the userinfo's ``serial_number`` (a Latvian
personal code with a valid checksum) and names. What is **not** checked: ``acr``/``amr`` strings (reportedly the
live platform echoes the requested flow and reports the same ``amr`` for Mobile and eID Scan, so they are kept
as evidence only), and ``sub`` (pseudonymous, different per method).
"""

from __future__ import annotations

import base64
import logging
from typing import Any
from urllib.parse import quote, urlencode

import httpx
from django.core.exceptions import ValidationError

from selfcare import outbound
from selfcare.identifiers import PersonalCode
from selfcare.identity.methods.base import BadResponse, Refused, Unavailable, VerifiedIdentity
from selfcare.identity.methods.eparaksts.config import EparakstsConfig
from selfcare.identity.methods.http import check_tls_pin, json_object

logger = logging.getLogger(__name__)

SCOPE = "urn:lvrtc:fpeil:aa"
UI_LOCALES = ("lv", "en", "ru")


class EparakstsClient:
    def __init__(self, config: EparakstsConfig, *, transport: httpx.BaseTransport | None = None) -> None:
        self.config = config
        timeout = httpx.Timeout(config.read_timeout, connect=config.connect_timeout)
        self._http = outbound.client(timeout=timeout, transport=transport)

    def authorize_url(self, *, method: str, state: str, redirect_uri: str, ui_locale: str) -> str:
        query = {
            "response_type": "code",
            "client_id": self.config.client_id,
            "state": state,
            "redirect_uri": redirect_uri,
            "scope": SCOPE,
            "prompt": "login",  # always a fresh authentication, never a provider session silently reused
            "acr_values": self.config.acr[method],
            "ui_locales": ui_locale if ui_locale in UI_LOCALES else "lv",
        }
        return f"{self.config.authorize_url}?{urlencode(query, quote_via=quote)}"

    def complete(self, *, method: str, code: str, redirect_uri: str) -> VerifiedIdentity:
        """Exchange the code for a token, read the userinfo and turn it into the person's verified identity."""
        token = self._token(code=code, redirect_uri=redirect_uri)
        return verified_identity(method, self._userinfo(token))

    # --- HTTP -----------------------------------------------------------------------------------------------------

    def _basic_auth(self) -> str:
        return client_authorization(self.config.client_id, self.config.client_secret)

    def _token(self, *, code: str, redirect_uri: str) -> str:
        response = self._send(
            "POST",
            self.config.token_url,
            data={"grant_type": "authorization_code", "redirect_uri": redirect_uri, "code": code},
            headers={"Authorization": self._basic_auth(), "Accept": "application/json"},
        )
        if response.status_code in (400, 401):
            error = _oauth_error(response)
            if error == "invalid_client" or response.status_code == 401:
                # Our client credentials are not accepted: an operator problem, not the person's.
                logger.error("eParaksts refused the client credentials: HTTP %s", response.status_code)
                raise Unavailable(reason="invalid_client")
            # invalid_grant: the code is unknown, spent, expired, or was issued for another redirect URI.
            raise Refused(error if error in _KNOWN_GRANT_ERRORS else "token_refused")
        data = json_object(response)
        token = data.get("access_token")
        if not isinstance(token, str) or not token:
            raise BadResponse(reason="missing_access_token")
        if str(data.get("token_type", "")).lower() != "bearer":
            raise BadResponse(reason="token_type")
        return token

    def _userinfo(self, token: str) -> dict[str, Any]:
        response = self._send(
            "GET",
            self.config.userinfo_url,
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
        )
        if response.status_code in (401, 403):
            raise Refused("userinfo_refused")
        return json_object(response)

    def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self._http.request(method, url, **kwargs)
        except httpx.TimeoutException as error:
            raise Unavailable(reason="provider_timeout") from error
        except httpx.HTTPError as error:
            raise Unavailable(reason="provider_unreachable") from error
        check_tls_pin(response, self.config.tls_pins)
        if response.status_code >= 500:
            raise Unavailable(reason=f"http_{response.status_code}")
        return response


def client_authorization(client_id: str, client_secret: str) -> str:
    """The Authorization header of the token request, by the platform's formula (PROTOCOLS.md §2):
    ``Basic base64(urlenc(utf8(client_id)) + ":" + urlenc(utf8(client_secret)))`` — not plain Basic, which
    differs as soon as the secret holds ``+ % / :`` or non-ASCII characters."""
    pair = f"{quote(client_id, safe='')}:{quote(client_secret, safe='')}"
    return "Basic " + base64.b64encode(pair.encode("ascii")).decode("ascii")


_KNOWN_GRANT_ERRORS = {"invalid_grant", "invalid_request", "unauthorized_client", "unsupported_grant_type"}


def _oauth_error(response: httpx.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return ""
    error = data.get("error") if isinstance(data, dict) else None
    return error if isinstance(error, str) else ""


def verified_identity(method: str, userinfo: dict[str, Any]) -> VerifiedIdentity:
    """The person from the userinfo: the personal code from ``serial_number`` only, never from ``sub``."""
    serial = userinfo.get("serial_number")
    if not isinstance(serial, str) or not serial.strip():
        raise Refused("no_personal_code")
    if not serial.strip().upper().startswith("PNOLV-"):
        raise Refused("unsupported_identity")  # another country's or another kind of identifier
    try:
        code = PersonalCode.parse(serial)
    except ValidationError as error:
        raise Refused("bad_personal_code") from error
    given, family = userinfo.get("given_name"), userinfo.get("family_name")
    if not isinstance(given, str) or not isinstance(family, str) or not given.strip() or not family.strip():
        raise Refused("missing_fields")
    acr = userinfo.get("acr")
    amr = userinfo.get("amr")
    logger.info("eParaksts login: method=%s acr=%s amr=%s", method, acr, amr)
    return VerifiedIdentity(
        method=method,
        country=code.country,
        personal_code=code.code,
        given_name=person_name(given),
        family_name=person_name(family),
        level=level_from_acr(acr),
        evidence={
            "sub": str(userinfo.get("sub", ""))[:100],
            "acr": str(acr or "")[:200],
            "amr": [str(a)[:200] for a in amr] if isinstance(amr, list) else [],
            "domain": str(userinfo.get("domain", ""))[:40],
            "eips": str(userinfo.get("eips", ""))[:200],
        },
    )


def level_from_acr(acr: object) -> str:
    """The assurance level: the platform's ``…:level:<level>`` when it says one, otherwise "high".

    The platform reportedly echoes the requested flow URN instead of a level; all three flows (eParaksts Mobile,
    the eID card, eID Scan) are the national eID means of the FPEIL law, at eIDAS level high.
    """
    if isinstance(acr, str) and ":level:" in acr:
        return acr.rsplit(":level:", 1)[1][:40] or "high"
    return "high"


def person_name(value: str) -> str:
    """Names as people write them: the platform sends them in capitals (``ANDRIS``), like the documents."""
    value = " ".join(value.split())
    return value.title() if value.isupper() else value
