"""The Smart-ID accounts the simulator knows: the demo persons, and a few that misbehave on purpose.

Each special account exercises one refusal the portal must make (or one end result it must show), the way SK's
demo service has auto-responding test accounts (PROTOCOLS.md §1.7). Their personal codes are made up but pass
their country's checksum, so the portal's input check lets them through to the simulator. Smart-ID serves Latvia,
Estonia and Lithuania: the demo's Estonian and Lithuanian persons have accounts too (``PNOEE-…``, ``PNOLT-…``).
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from selfcare.demo.dataset import PERSONS
from selfcare.identifiers import PersonalCode
from selfcare.simulators.pki.testca import Level


class Behaviour(enum.Enum):
    """What happens to a session for the account, besides what the person does on the phone page."""

    OK = "ok"  # waits for the person to confirm or refuse
    ADVANCED_ONLY = "advanced-only"  # confirms with an ADVANCED certificate: the portal must refuse the level
    REFUSES = "refuses"  # ends USER_REFUSED as soon as the session is polled
    TIMES_OUT = "times-out"  # ends TIMEOUT once the session is older than SMARTID_SIM_TIMEOUT_SECONDS
    UNKNOWN_CA = "unknown-ca"  # confirms with a certificate from a CA the portal does not trust
    REVOKED = "revoked"  # confirms with a certificate its CA has revoked (OCSP and CRL say so)
    # End results other than OK, given as soon as the session is polled (SK's auto-responders do the same).
    DOCUMENT_UNUSABLE = "DOCUMENT_UNUSABLE"
    ACCOUNT_UNUSABLE = "ACCOUNT_UNUSABLE"
    REFUSES_INTERACTION = "USER_REFUSED_INTERACTION"
    PROTOCOL_FAILURE = "PROTOCOL_FAILURE"
    SERVER_ERROR = "SERVER_ERROR"
    # HTTP status codes answered to the start of a notification login (v2's 471/472, v3's 480/580).
    HTTP_471 = "http-471"
    HTTP_472 = "http-472"
    HTTP_480 = "http-480"
    HTTP_580 = "http-580"

    @property
    def end_result(self) -> str | None:
        """The endResult this behaviour ends every session with, if it is one of those."""
        return self.value if self.value.isupper() else None

    @property
    def start_status(self) -> int | None:
        """The HTTP status this behaviour answers the start of a notification login with, if any."""
        return int(self.value.removeprefix("http-")) if self.value.startswith("http-") else None


@dataclass(frozen=True)
class Account:
    personal_code: str  # 11 digits, no hyphen
    given_name: str
    family_name: str
    behaviour: Behaviour = Behaviour.OK
    note: StrOrPromise = ""  # shown on the phone pages, so a tester knows what the account does
    country: str = "LV"

    @property
    def key(self) -> str:
        """How the account is named in the phone pages' addresses: a Latvian one by its 11 digits, as it always
        was; another country's by its ETSI identifier (PNOEE-38001085718), so equal digits never collide."""
        return self.personal_code if self.country == "LV" else self.etsi

    @property
    def etsi(self) -> str:
        return PersonalCode(self.country, self.personal_code).etsi

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def display_code(self) -> str:
        """The code as people write it: DDMMYY-NNNNN (new random codes too, as certificates do), EE 38001085718."""
        return PersonalCode(self.country, self.personal_code).display

    @property
    def level(self) -> Level:
        return "ADVANCED" if self.behaviour is Behaviour.ADVANCED_ONLY else "QUALIFIED"

    @property
    def document_number(self) -> str:
        """A document number shaped like SK's (``PNOLV-…-MOCK-Q``), marked as ours with SIM."""
        suffix = "NQ" if self.level == "ADVANCED" else "Q"
        return f"{self.etsi}-SIM-{suffix}"


def _digits(personal_code: str) -> str:
    return personal_code.replace("-", "")


ACCOUNTS: tuple[Account, ...] = (
    *(Account(p.code.code, p.given_name, p.family_name, note=p.role, country=p.code.country) for p in PERSONS),
    Account("01059011113", "Ivars", "Kalniņš", Behaviour.ADVANCED_ONLY, _("ADVANCED only")),
    Account("02078512348", "Ilze", "Ozoliņa", Behaviour.REFUSES, _("Refuses")),
    Account("03097513578", "Raimonds", "Vītols", Behaviour.TIMES_OUT, _("Times out")),
    Account("04118014706", "Dace", "Krūmiņa", Behaviour.UNKNOWN_CA, _("Unknown CA")),
    Account("05128012346", "Roberts", "Atsauktais", Behaviour.REVOKED, _("Revoked certificate")),
    Account("06018512344", "Laura", "Dokumente", Behaviour.DOCUMENT_UNUSABLE, "DOCUMENT_UNUSABLE"),
    Account("07039012343", "Kārlis", "Konts", Behaviour.ACCOUNT_UNUSABLE, "ACCOUNT_UNUSABLE"),
    Account("08047512342", "Inga", "Atteikusies", Behaviour.REFUSES_INTERACTION, "USER_REFUSED_INTERACTION"),
    Account("09058812345", "Pauls", "Protokols", Behaviour.PROTOCOL_FAILURE, "PROTOCOL_FAILURE"),
    Account("10069212343", "Sarmīte", "Servere", Behaviour.SERVER_ERROR, "SERVER_ERROR"),
    Account("11078312340", "Oskars", "Bezkonta", Behaviour.HTTP_471, "HTTP 471: no account of the level"),
    Account("12087712340", "Anita", "Lietotne", Behaviour.HTTP_472, "HTTP 472: check the app"),
    Account("13028612344", "Edgars", "Versija", Behaviour.HTTP_480, "HTTP 480: client too old"),
    Account("14039112340", "Marta", "Apkope", Behaviour.HTTP_580, "HTTP 580: maintenance"),
)

_BY_CODE = {(account.country, account.personal_code): account for account in ACCOUNTS}


def find(personal_code: str) -> Account | None:
    """The account for a personal code — ``150385-12346`` (Latvian, with or without its hyphen),
    ``PNOEE-38001085718``, ``EE38001085718`` — or ``None`` when Smart-ID has no such account."""
    match = re.fullmatch(r"(?:PNO)?(?P<country>[A-Z]{2})?-?(?P<code>[\d-]{11,12})", personal_code.strip().upper())
    if match is None:
        return None
    return _BY_CODE.get((match["country"] or "LV", _digits(match["code"])))
