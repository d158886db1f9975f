"""The Register of Enterprises' paid web service: a company's officers with their FULL personal codes.

    with register_client() as client:             # None when COMPANY_REGISTER_URL is empty (the open data is used)
        officers = client.officers("40103444454") # list[Officer]

The open data (``register``) masks codes to six digits; the Register's cross-system interface, sold to those who
sign an agreement with it, answers the full ones. The officer's fields this client reads are the open data's names
with the code unmasked (``latvian_identity_number``); the path, the way the key is sent and the envelope are
**UNCONFIRMED** until an operator has an agreement, so the path and the header are settings (docs/features.md
"Register of Enterprises"). One answer, as the simulator sends it::

    GET {COMPANY_REGISTER_URL}legal-entities/40103444454/officers
    Authorization: Bearer <COMPANY_REGISTER_API_KEY>

    {"registration_number": "40103444454",
     "officers": [{"id": "demo-12047811230", "name": "Jānis Kalniņš", "latvian_identity_number": "120478-11230",
                   "position": "BOARD_MEMBER", "governing_body": "BOARD",
                   "rights_of_representation_type": "INDIVIDUALLY", "representation_with_at_least": null,
                   "registered_on": "2019-04-02"}]}

A bare JSON array of officers is read too. ``rights_of_representation_type`` is INDIVIDUALLY, WITH_AT_LEAST (with
at least ``representation_with_at_least`` others) or WITH_ALL, as in the open data. An officer without a Latvian
personal code (a legal person, a foreigner) has ``personal_code`` None: no eID login can be matched to them.

Every failure — unreachable, slow, an error status (404 included: a wrong path answers 404 for every company, and
that must not read as "the company has no officers"), a shape we cannot read, an answer about another company — is
`RegisterUnavailable`; the caller keeps what it had.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError

from selfcare import outbound
from selfcare.identifiers import PersonalCode
from selfcare.settings_cache import settings_cached

logger = logging.getLogger(__name__)

DEMO_KEY = "demo-register-key"  # the simulator's public key, refused outside the demo
DEMO_PATH = "/simulators/register/api/v1/"
RIGHTS = ("INDIVIDUALLY", "WITH_AT_LEAST", "WITH_ALL")


class RegisterUnavailable(Exception):
    """The web service could not answer usefully for this company now."""


@dataclass(frozen=True)
class Officer:
    id: str
    name: str
    personal_code: str | None  # 11 digits, no hyphen; None for a legal person or a foreigner without a code
    position: str
    governing_body: str
    rights: str | None  # one of RIGHTS; None when the register gives a kind we do not know
    with_at_least: int  # for WITH_AT_LEAST: how many others must sign with this officer
    registered_on: datetime.date | None


@dataclass(frozen=True)
class RegisterServiceConfig:
    url: str  # ends with "/"
    key: str
    officers_path: str  # with "{registration_number}"
    auth_header: str
    timeout_s: float


@settings_cached
def register_service_config() -> RegisterServiceConfig | None:
    """The configured service, or None when COMPANY_REGISTER_URL is empty (then the open data is the source)."""
    url = settings.COMPANY_REGISTER_URL
    if not url:
        return None
    demo = settings.SELFCARE_DEMO
    key = settings.COMPANY_REGISTER_API_KEY or (DEMO_KEY if demo else "")
    problems = []
    if not url.startswith("https://") and not demo:
        problems.append("COMPANY_REGISTER_URL must use https:// outside the demo.")
    if not demo and key in ("", DEMO_KEY):
        problems.append("COMPANY_REGISTER_API_KEY must be the key the Register of Enterprises issued.")
    if "{registration_number}" not in settings.COMPANY_REGISTER_OFFICERS_PATH:
        problems.append("COMPANY_REGISTER_OFFICERS_PATH must contain {registration_number}.")
    if not settings.COMPANY_REGISTER_AUTH_HEADER:
        problems.append("COMPANY_REGISTER_AUTH_HEADER must name a header (e.g. Authorization).")
    if settings.COMPANY_REGISTER_TIMEOUT_SECONDS <= 0:
        problems.append("COMPANY_REGISTER_TIMEOUT_SECONDS must be more than 0.")
    if problems:
        raise ImproperlyConfigured("Register of Enterprises web service:\n- " + "\n- ".join(problems))
    return RegisterServiceConfig(
        url=url if url.endswith("/") else url + "/",
        key=key,
        officers_path=settings.COMPANY_REGISTER_OFFICERS_PATH.lstrip("/"),
        auth_header=settings.COMPANY_REGISTER_AUTH_HEADER,
        timeout_s=settings.COMPANY_REGISTER_TIMEOUT_SECONDS,
    )


def _code(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return PersonalCode.parse(value, country="LV").code
    except ValidationError:
        return None  # a masked or foreign code: not one an eID login can be matched to exactly


def _date(value: Any) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value[:10]) if isinstance(value, str) else None
    except ValueError:
        return None


def parse_officer(data: Any) -> Officer:
    """One officer of the answer; ValueError (or KeyError/TypeError) when it is not one."""
    if not isinstance(data, dict):
        raise ValueError("not an object")
    name = data.get("name") or " ".join(str(data.get(k) or "") for k in ("first_name", "last_name")).strip()
    if not isinstance(name, str) or not name:
        raise ValueError("an officer without a name")
    rights = str(data.get("rights_of_representation_type") or "").strip().upper()
    at_least = data.get("representation_with_at_least")
    return Officer(
        id=str(data["id"]),
        name=name,
        personal_code=_code(data.get("latvian_identity_number")),
        position=str(data.get("position") or ""),
        governing_body=str(data.get("governing_body") or ""),
        rights=rights if rights in RIGHTS else None,
        with_at_least=int(at_least) if isinstance(at_least, int | str) and str(at_least).isdigit() else 1,
        registered_on=_date(data.get("registered_on")),
    )


class RegisterServiceClient:
    def __init__(self, config: RegisterServiceConfig, *, transport: httpx.BaseTransport | None = None) -> None:
        self.config = config
        secret = f"Bearer {config.key}" if config.auth_header.lower() == "authorization" else config.key
        self._http = outbound.client(
            timeout=httpx.Timeout(config.timeout_s),
            transport=transport,
            headers={config.auth_header: secret, "Accept": "application/json"},
            follow_redirects=False,
        )

    def __enter__(self) -> RegisterServiceClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the kept-alive connection now, not whenever the client is collected."""
        self._http.close()

    def officers(self, registration_number: str) -> list[Officer]:
        """The company's officers as the register lists them today."""
        path = self.config.officers_path.format(registration_number=quote(registration_number, safe=""))
        url = self.config.url + path
        try:
            response = self._http.get(url)
        except httpx.HTTPError as error:
            raise RegisterUnavailable(f"unreachable: {error!r}") from error
        if response.status_code != 200:
            raise self._bad(f"HTTP {response.status_code} for {registration_number}")
        try:
            data = response.json()
        except ValueError as error:
            raise self._bad(f"not JSON for {registration_number}") from error
        if isinstance(data, dict):
            answered = data.get("registration_number")
            if answered is not None and str(answered) != registration_number:
                raise self._bad(f"asked for {registration_number}, the answer is about {answered}")
            data = data.get("officers")
        if not isinstance(data, list):
            raise self._bad(f"no list of officers for {registration_number}")
        try:
            return [parse_officer(item) for item in data]
        except (KeyError, TypeError, ValueError) as error:
            raise self._bad(f"an officer of {registration_number} cannot be read: {error!r}") from error

    def _bad(self, why: str) -> RegisterUnavailable:
        logger.error("Register of Enterprises web service: %s", why)
        return RegisterUnavailable(why)


def register_client() -> RegisterServiceClient | None:
    """A client for the configured service (a new one per use), or None when it is not configured."""
    config = register_service_config()
    return RegisterServiceClient(config) if config is not None else None
