"""Per-bank profiles built from settings (README "Configuration"), validated when first used.

Every value that a bank's contract may change is a field here. Defaults follow the historic protocols
(PROTOCOLS.md §3, Ruby gem ``valdis/SacPS``), except that we require a hash of at least SHA-256: a historic SHA-1
bank must be switched on explicitly with ``BANKLINK_<BANK>_ALLOW_SHA1=true``. The signed fields are listed per
service code (request, OK answer, cancel answer: the banks sign each with its own list). Where the bank does not
echo our nonce (SEB's historic answer), the browser-binding cookie and the single-use, short-lived pending state
bind the answer to the browser instead (``nonce_echoed``, see ``nonces.py``). In the demo the URLs point at the
simulators and the demo's settings name the test PKI's keys (one certificate per bank, one for us); outside the
demo every value must be set and URLs use https.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from selfcare.settings_cache import settings_cached

FORM_BANKS = ("swedbank", "seb", "luminor")
BANKS = ("swedbank", "seb", "citadele", "luminor")
NAMES = {"swedbank": "Swedbank", "seb": "SEB", "citadele": "Citadele", "luminor": "Luminor"}
DEMO_SENDER_ID = "TELE2SELFCARE"
HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "SHA-1": hashes.SHA1,
    "SHA-256": hashes.SHA256,
    "SHA-512": hashes.SHA512,
}
SETTING_FIELDS = ("URL", "SENDER_ID", "PRIVATE_KEY", "BANK_CERTIFICATE", "HASH", "ALLOW_SHA1", "C14N", "CERTIFICATE")


@dataclass(frozen=True)
class Keys:
    """Our private key (to sign requests) and the one bank certificate we believe (to verify answers)."""

    private_key: rsa.RSAPrivateKey
    private_key_pem: bytes
    bank_certificate: x509.Certificate
    bank_certificate_pem: bytes
    # Our own certificate, when configured: Citadele's request carries it in KeyInfo, as the public descriptions do.
    our_certificate_pem: bytes | None = None


@dataclass(frozen=True)
class PersonFields:
    """Where the person is in the answer: one field ``info`` with ``key<sep>value`` items (Swedbank VK_INFO
    ``ISIK:…;NIMI:…``, SEB IB_USER_INFO ``ID=…;NAME=…``), or separate code and name fields (Luminor)."""

    info: str = ""
    info_code_key: str = ""
    info_name_key: str = ""
    info_separator: str = ":"
    code: str = ""
    given_name: str = ""
    family_name: str = ""
    name_order: str = "given-first"  # the info field's name: "GIVEN FAMILY" (or "family-first")


@dataclass(frozen=True)
class FormProfile:
    """A bank of the signed-form family. Field lists are in signing order."""

    key: str
    name: str
    url: str
    sender_id: str  # our identifier at the bank (SND_ID)
    hash: str  # "SHA-256", "SHA-512" or, only with allow_sha1, "SHA-1"
    allow_sha1: bool
    keys: Keys
    request_constants: tuple[tuple[str, str], ...]  # fixed request values, e.g. (("VK_SERVICE", "4002"), …)
    sender_field: str  # request field carrying sender_id
    nonce_field: str  # our random value, sent and echoed in the answer
    return_field: str  # the URL the bank posts back to
    request_signed_fields: tuple[str, ...]  # the request's service code (request_constants)
    signature_field: str  # VK_MAC / IB_CRC, in both directions
    response_signed_fields: tuple[str, ...]  # the OK answer (ok_service)
    service_field: str  # which answer this is
    ok_service: str  # the answer carrying a person
    cancel_service: str  # the answer when the person cancelled
    receiver_field: str  # answer field that must name us
    person: PersonFields
    cancel_signed_fields: tuple[str, ...] = ()  # the cancel answer (cancel_service): no person in it
    nonce_echoed: bool = True  # the answer carries our nonce_field back, signed
    timestamp_fields: tuple[str, ...] = ()  # joined with a space, then parsed with timestamp_format
    timestamp_format: str = ""
    max_age_seconds: int = 300
    max_future_seconds: int = 60  # clock skew: an answer stamped later than now by more than this is refused
    extra_request: tuple[tuple[str, str], ...] = field(default=())  # unsigned extras, e.g. language
    time_zone: str = "Europe/Riga"  # the zone of the answer's timestamp fields

    def signed_fields(self, service: str) -> tuple[str, ...]:
        """The fields the bank signs in the answer with this service code (KeyError for a code we do not know)."""
        return {self.ok_service: self.response_signed_fields, self.cancel_service: self.cancel_signed_fields}[service]


@dataclass(frozen=True)
class CitadeleProfile:
    """Citadele's AMAI XML exchange; the fields after ``c14n`` may be overridden by BANKLINK_CITADELE_PROFILE."""

    key: str
    name: str
    url: str
    sender_id: str
    hash: str
    allow_sha1: bool
    keys: Keys
    c14n: str  # "exclusive" or "inclusive"
    version: str = "6.0"
    language: str = "LV"
    location: str = ""  # the request's <Location>, when the contract names one (omitted when empty)
    fidavista_version: str = "1-2"  # the namespace version we send; answers are read in any version
    xmldata_base64: bool = False  # the public descriptions post the XML itself in ``xmldata``
    name_order: str = "family-first"  # <Person> as "SURNAME GIVEN" (or "given-first")
    signature_in_amai: bool = True  # the enveloped signature sits in Amai/SignatureData (else under the root)
    max_age_seconds: int = 300
    max_future_seconds: int = 60
    time_zone: str = "Europe/Riga"  # the zone of <Timestamp>, both directions


Profile = FormProfile | CitadeleProfile
P = TypeVar("P", FormProfile, CitadeleProfile)


def _setting(bank: str, name: str) -> str:
    value = settings.BANKLINK.get(bank, {}).get(name, "")
    return str(value).strip()


def _load_keys(private_key_path: Path, certificate_path: Path) -> Keys:
    key_pem = private_key_path.read_bytes()
    key = serialization.load_pem_private_key(key_pem, password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError(f"{private_key_path} is not an RSA private key")
    cert_pem = certificate_path.read_bytes()
    return Keys(key, key_pem, x509.load_pem_x509_certificate(cert_pem), cert_pem)


def _common(bank: str) -> tuple[str, str, str, bool, Keys]:
    demo = settings.SELFCARE_DEMO
    env = f"BANKLINK_{bank.upper()}"
    url = _setting(bank, "URL") or (f"{settings.SELFCARE_SIMULATORS_URL}/simulators/banks/{bank}/" if demo else "")
    sender = _setting(bank, "SENDER_ID") or (DEMO_SENDER_ID if demo else "")
    hash_name = (_setting(bank, "HASH") or "SHA-256").upper()
    allow_sha1 = _setting(bank, "ALLOW_SHA1").lower() in ("1", "true", "yes", "on")
    key_path, cert_path = _setting(bank, "PRIVATE_KEY"), _setting(bank, "BANK_CERTIFICATE")
    problems = []
    if not url:
        problems.append(f"{env}_URL is not set.")
    elif not url.startswith("https://") and not demo:
        problems.append(f"{env}_URL must use https:// outside the demo.")
    if not sender:
        problems.append(f"{env}_SENDER_ID must be our identifier from the bank contract.")
    if hash_name not in HASHES:
        problems.append(f"{env}_HASH must be SHA-256 or SHA-512.")
    elif hash_name == "SHA-1" and not allow_sha1:
        problems.append(f"{env}_HASH=SHA-1 needs {env}_ALLOW_SHA1=true (the bank's contract must require it).")
    if not key_path:
        problems.append(f"{env}_PRIVATE_KEY must name our PEM private key.")
    if not cert_path:
        problems.append(f"{env}_BANK_CERTIFICATE must name the bank's PEM certificate.")
    if problems:
        raise ImproperlyConfigured(f"{NAMES[bank]} bank link configuration:\n- " + "\n- ".join(problems))
    our_cert_path = _setting(bank, "CERTIFICATE")
    try:
        keys = _load_keys(Path(key_path), Path(cert_path))
        if our_cert_path:
            our_pem = Path(our_cert_path).read_bytes()
            x509.load_pem_x509_certificate(our_pem)  # refuse at start what is not a certificate
            keys = dataclasses.replace(keys, our_certificate_pem=our_pem)
    except (OSError, ValueError) as error:
        raise ImproperlyConfigured(f"{NAMES[bank]} bank link keys could not be read: {error}") from error
    return url, sender, hash_name, allow_sha1, keys


def _form_profile(bank: str) -> FormProfile:
    url, sender, hash_name, allow_sha1, keys = _common(bank)
    common: dict[str, Any] = {"key": bank, "name": NAMES[bank], "url": url, "sender_id": sender, "hash": hash_name}
    common |= {"allow_sha1": allow_sha1, "keys": keys}
    if bank == "swedbank":
        # 4002 → 3003, VK_VERSION 008 (Swedbank LV Bank Link). 3003 carries no time: freshness is our nonce's age.
        return FormProfile(
            **common,
            request_constants=(("VK_SERVICE", "4002"), ("VK_VERSION", "008"), ("VK_REC_ID", "SWEDBANK_LV")),
            sender_field="VK_SND_ID",
            nonce_field="VK_NONCE",
            return_field="VK_RETURN",
            request_signed_fields=("VK_SERVICE", "VK_VERSION", "VK_SND_ID", "VK_REC_ID", "VK_NONCE", "VK_RETURN"),
            signature_field="VK_MAC",
            response_signed_fields=("VK_SERVICE", "VK_VERSION", "VK_SND_ID", "VK_REC_ID", "VK_NONCE", "VK_INFO"),
            # The cancel answer: the same frame without a person (its code and list are UNCONFIRMED).
            cancel_signed_fields=("VK_SERVICE", "VK_VERSION", "VK_SND_ID", "VK_REC_ID", "VK_NONCE"),
            service_field="VK_SERVICE",
            ok_service="3003",
            cancel_service="3002",
            receiver_field="VK_REC_ID",
            person=PersonFields(info="VK_INFO", info_code_key="ISIK", info_name_key="NIMI", info_separator=":"),
            extra_request=(("VK_LANG", "LAT"), ("VK_ENCODING", "UTF-8")),
        )
    if bank == "seb":
        # 0005 → 0001 (SEB e-Link). The historic 0005 had no nonce and a return URL agreed with the bank:
        # IB_STAMP and IB_RETURN are our additions, to be confirmed in the contract (PROTOCOLS.md §3). The
        # historic 0001 echoes nothing of ours, so by default the answer is bound to the browser by the cookie
        # and the single-use pending login (nonce_echoed false), and kept fresh by its signed IB_DATE/IB_TIME.
        return FormProfile(
            **common,
            request_constants=(("IB_SERVICE", "0005"), ("IB_VERSION", "001")),
            sender_field="IB_SND_ID",
            nonce_field="IB_STAMP",
            return_field="IB_RETURN",
            request_signed_fields=("IB_SND_ID", "IB_SERVICE", "IB_VERSION", "IB_STAMP", "IB_RETURN"),
            signature_field="IB_CRC",
            response_signed_fields=(
                "IB_SND_ID",
                "IB_SERVICE",
                "IB_REC_ID",
                "IB_USER",
                "IB_DATE",
                "IB_TIME",
                "IB_USER_INFO",
                "IB_VERSION",
            ),
            cancel_signed_fields=("IB_SND_ID", "IB_SERVICE", "IB_REC_ID", "IB_DATE", "IB_TIME", "IB_VERSION"),
            nonce_echoed=False,
            service_field="IB_SERVICE",
            ok_service="0001",
            cancel_service="0002",
            receiver_field="IB_REC_ID",
            person=PersonFields(info="IB_USER_INFO", info_code_key="ID", info_name_key="NAME", info_separator="="),
            timestamp_fields=("IB_DATE", "IB_TIME"),
            timestamp_format="%d.%m.%Y %H:%M:%S",
            extra_request=(("IB_LANG", "LAT"),),
        )
    # Luminor (formerly DNB LV): 3001 → 2001, VK_VERSION 101. The 2001 answer signs VK_T_NO (a number the bank
    # gives the answer) after VK_STAMP, as SacPS's 2001 list has it.
    return FormProfile(
        **common,
        request_constants=(("VK_SERVICE", "3001"), ("VK_VERSION", "101")),
        sender_field="VK_SND_ID",
        nonce_field="VK_STAMP",
        return_field="VK_RETURN",
        request_signed_fields=("VK_SERVICE", "VK_VERSION", "VK_SND_ID", "VK_STAMP", "VK_RETURN"),
        signature_field="VK_MAC",
        response_signed_fields=(
            "VK_SERVICE",
            "VK_VERSION",
            "VK_SND_ID",
            "VK_REC_ID",
            "VK_STAMP",
            "VK_T_NO",
            "VK_PER_CODE",
            "VK_PER_FNAME",
            "VK_PER_LNAME",
            "VK_COM_CODE",
            "VK_COM_NAME",
            "VK_TIME",
        ),
        cancel_signed_fields=("VK_SERVICE", "VK_VERSION", "VK_SND_ID", "VK_REC_ID", "VK_STAMP", "VK_TIME"),
        service_field="VK_SERVICE",
        ok_service="2001",
        cancel_service="2002",
        receiver_field="VK_REC_ID",
        person=PersonFields(code="VK_PER_CODE", given_name="VK_PER_FNAME", family_name="VK_PER_LNAME"),
        timestamp_fields=("VK_TIME",),
        timestamp_format="%Y%m%d%H%M%S",
    )


def _citadele_profile() -> CitadeleProfile:
    url, sender, hash_name, allow_sha1, keys = _common("citadele")
    c14n = _setting("citadele", "C14N").lower() or "exclusive"
    if c14n not in ("exclusive", "inclusive"):
        raise ImproperlyConfigured("BANKLINK_CITADELE_C14N must be exclusive or inclusive.")
    return CitadeleProfile("citadele", "Citadele", url, sender, hash_name, allow_sha1, keys, c14n)


_FIXED = {"key", "name", "url", "sender_id", "hash", "allow_sha1", "keys", "c14n"}


def _overridable(profile: Profile) -> set[str]:
    """What an operator may override per bank from a JSON file (BANKLINK_<BANK>_PROFILE): the protocol's field
    names, service codes, signed lists and timing. URLs, identifiers, keys and hashes have their own variables."""
    return {f.name for f in dataclasses.fields(profile) if f.name not in _FIXED}


def _check_time_zone(profile: Profile) -> None:
    try:
        ZoneInfo(profile.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ImproperlyConfigured(
            f"BANKLINK_{profile.key.upper()}_PROFILE: time_zone {profile.time_zone!r} is not a time zone name."
        ) from None


def _check_citadele(profile: CitadeleProfile) -> CitadeleProfile:
    _check_time_zone(profile)
    if profile.name_order not in ("family-first", "given-first"):
        raise ImproperlyConfigured('BANKLINK_CITADELE_PROFILE: name_order must be "family-first" or "given-first".')
    if profile.fidavista_version not in ("1-1", "1-2"):
        raise ImproperlyConfigured('BANKLINK_CITADELE_PROFILE: fidavista_version must be "1-1" or "1-2".')
    return profile


def _check_form(profile: FormProfile) -> FormProfile:
    _check_time_zone(profile)
    if profile.person.name_order not in ("family-first", "given-first"):
        raise ImproperlyConfigured(
            f'BANKLINK_{profile.key.upper()}_PROFILE: person.name_order must be "family-first" or "given-first".'
        )
    for service, names in (
        (profile.ok_service, profile.response_signed_fields),
        (profile.cancel_service, profile.cancel_signed_fields),
    ):
        if profile.service_field not in names:
            raise ImproperlyConfigured(
                f"BANKLINK_{profile.key.upper()}_PROFILE: the signed fields of service {service} must include "
                f"{profile.service_field}, or an answer could claim another service than the bank signed."
            )
    if profile.nonce_echoed and profile.nonce_field not in profile.response_signed_fields:
        raise ImproperlyConfigured(
            f"BANKLINK_{profile.key.upper()}_PROFILE: nonce_echoed needs {profile.nonce_field} among "
            "response_signed_fields."
        )
    return profile


def _with_overrides(bank: str, profile: P) -> P:
    """The profile with the fields the bank's current specification names differently (a JSON object)."""
    path = _setting(bank, "PROFILE")
    if not path:
        return profile
    try:
        overrides = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ImproperlyConfigured(f"BANKLINK_{bank.upper()}_PROFILE could not be read: {error}") from error
    if not isinstance(overrides, dict):
        raise ImproperlyConfigured(f"BANKLINK_{bank.upper()}_PROFILE must hold a JSON object")
    allowed = _overridable(profile)
    unknown = sorted(set(overrides) - allowed)
    if unknown:
        raise ImproperlyConfigured(
            f"BANKLINK_{bank.upper()}_PROFILE names unknown fields {unknown}; allowed: {sorted(allowed)}"
        )
    changes: dict[str, Any] = {}
    for name, value in overrides.items():
        if name == "person":
            changes[name] = PersonFields(**value)
        elif isinstance(value, list):
            changes[name] = tuple(tuple(item) if isinstance(item, list) else item for item in value)
        else:
            changes[name] = value
    return dataclasses.replace(profile, **changes)


@settings_cached
def bank_profile(bank: str) -> Profile:
    if bank not in BANKS:
        raise KeyError(bank)
    if bank == "citadele":
        return _check_citadele(_with_overrides(bank, _citadele_profile()))
    return _check_form(_with_overrides(bank, _form_profile(bank)))
