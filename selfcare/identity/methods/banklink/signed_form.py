"""The signed-form bank links: Swedbank (VK_* 4002 → 3003), SEB (IB_* 0005 → 0001), Luminor/DNB (VK_* 3001 → 2001).

Both directions are HTML forms posted by the browser. The signature covers the profile's fields in order, each
as a three-digit length (in characters, as the historic specifications count) followed by the value, with RSA
PKCS#1 v1.5 and the profile's hash, in Base64. An answer as Swedbank sends it (anonymised)::

    VK_SERVICE=3003  VK_VERSION=008  VK_SND_ID=SWEDBANK_LV  VK_REC_ID=TELE2SELFCARE
    VK_NONCE=7d0c…e1  VK_INFO=ISIK:150174-12312;NIMI:KRISTIĀNS BĒRZIŅŠ  VK_MAC=Qm9n…==

Checked, in order: the service code is an OK or cancel answer, the hash is allowed, the signature (with that
service's field list) against the configured bank certificate only, the answer names us, the pending login
(``nonces.py``: by the echoed nonce, or by the browser cookie where the bank echoes none), the timestamp when the
profile has one (at most ``max_age_seconds`` old, at most ``max_future_seconds`` ahead), and the personal code.
Not checked: the bank certificate's chain (it is pinned by configuration, as the banks issue them bilaterally).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections.abc import Iterable, Mapping
from zoneinfo import ZoneInfo

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from django.core.exceptions import ValidationError

from selfcare.identifiers import PersonalCode
from selfcare.identity.methods.banklink import nonces
from selfcare.identity.methods.banklink.profiles import HASHES, FormProfile
from selfcare.identity.methods.base import BadResponse, Cancelled, Refused, VerifiedIdentity

BANK_TIME_ZONE = ZoneInfo("Europe/Riga")  # the profiles' default (``time_zone``)


def mac_source(fields: Mapping[str, str], names: Iterable[str]) -> bytes:
    """``len3(x1)‖x1‖len3(x2)‖x2…``; a value longer than 999 characters cannot be framed and is refused."""
    parts = []
    for name in names:
        value = fields.get(name, "")
        if len(value) > 999:
            raise BadResponse(reason="field_too_long")
        parts.append(f"{len(value):03d}{value}")
    return "".join(parts).encode()


def _hash(name: str, *, allow_sha1: bool) -> type:
    if name == "SHA-1" and not allow_sha1:
        raise Refused("weak_hash")
    return HASHES[name]


def sign(fields: Mapping[str, str], names: Iterable[str], key: rsa.RSAPrivateKey, hash_name: str) -> str:
    algorithm = HASHES[hash_name]()
    return base64.b64encode(key.sign(mac_source(fields, names), padding.PKCS1v15(), algorithm)).decode()


def verify(
    fields: Mapping[str, str], profile: FormProfile, public_key: rsa.RSAPublicKey, names: Iterable[str] | None = None
) -> None:
    """Verify the signature over ``names`` (default: the list of the answer's own service code)."""
    if names is None:
        try:
            names = profile.signed_fields(fields.get(profile.service_field, ""))
        except KeyError:
            raise BadResponse(reason="service") from None
    algorithm = _hash(profile.hash, allow_sha1=profile.allow_sha1)()
    signature = b""
    try:
        signature = base64.b64decode(fields.get(profile.signature_field, ""), validate=True)
        public_key.verify(signature, mac_source(fields, names), padding.PKCS1v15(), algorithm)
    except (InvalidSignature, binascii.Error, ValueError):
        raise Refused("weak_hash" if _signed_with_sha1(signature, public_key) else "bad_signature") from None


# DER DigestInfo prefix of a SHA-1 hash inside a PKCS#1 v1.5 signature (RFC 8017 §9.2, note 1).
_SHA1_DIGEST_INFO = bytes.fromhex("3021300906052b0e03021a05000414")


def _signed_with_sha1(signature: bytes, public_key: rsa.RSAPublicKey) -> bool:
    """Whether the bank's key made a valid-looking SHA-1 signature: the audit then says why it was refused."""
    try:
        return public_key.recover_data_from_signature(signature, padding.PKCS1v15(), None).startswith(_SHA1_DIGEST_INFO)
    except (InvalidSignature, ValueError):
        return False


def request_fields(profile: FormProfile, *, nonce: str, return_url: str) -> dict[str, str]:
    """The form our page posts to the bank, signed with our key."""
    _hash(profile.hash, allow_sha1=profile.allow_sha1)
    fields = dict(profile.request_constants)
    fields[profile.sender_field] = profile.sender_id
    fields[profile.nonce_field] = nonce
    fields[profile.return_field] = return_url
    fields[profile.signature_field] = sign(
        fields, profile.request_signed_fields, profile.keys.private_key, profile.hash
    )
    fields.update(profile.extra_request)
    return fields


def bank_wall_clock(text: str, pattern: str, time_zone: str) -> dt.datetime:
    """A bank's timestamp without an offset (the wall clock of `time_zone`) as a moment (ValueError if it is not
    one). When summer time ends, 03:00–03:59 happens twice; the time nearer to now is meant (read as the first, a
    fresh answer in the second such hour looks an hour old and would be refused for an hour every year)."""
    naive = dt.datetime.strptime(text, pattern)  # noqa: DTZ007  # the zone is decided below
    now = nonces.now()
    zone = ZoneInfo(time_zone)
    candidates = (naive.replace(tzinfo=zone, fold=fold) for fold in (0, 1))
    return min(candidates, key=lambda moment: abs(moment.timestamp() - now))


def _timestamp(profile: FormProfile, fields: Mapping[str, str]) -> dt.datetime:
    text = " ".join(fields.get(name, "") for name in profile.timestamp_fields)
    try:
        return bank_wall_clock(text, profile.timestamp_format, profile.time_zone)
    except ValueError:
        raise BadResponse(reason="timestamp") from None


def _person(profile: FormProfile, fields: Mapping[str, str]) -> tuple[str, str, str]:
    person = profile.person
    if person.info:
        items = dict(
            item.split(person.info_separator, 1)
            for item in fields.get(person.info, "").split(";")
            if person.info_separator in item
        )
        code, name = items.get(person.info_code_key, ""), items.get(person.info_name_key, "")
        given, family = person_name(name, person.name_order)
        return code, given, family
    return fields.get(person.code, ""), fields.get(person.given_name, ""), fields.get(person.family_name, "")


def person_name(written: str, order: str) -> tuple[str, str]:
    """(given, family) from a name in one field: "GIVEN FAMILY" when ``order`` is given-first, "FAMILY GIVEN" when
    family-first. Several given names stay together; a single word is a family name."""
    words = written.split()
    if len(words) < 2:
        return "", " ".join(words)
    if order == "family-first":
        return " ".join(words[1:]), words[0]
    return " ".join(words[:-1]), words[-1]


def complete(profile: FormProfile, fields: Mapping[str, str], *, browser_secret: str) -> VerifiedIdentity:
    """The verified person from the bank's answer, or one of the EidError family."""
    service = fields.get(profile.service_field, "")
    if service not in (profile.ok_service, profile.cancel_service):
        raise BadResponse(reason="service")
    verify(fields, profile, profile.keys.bank_certificate.public_key())  # type: ignore[arg-type]
    if fields.get(profile.receiver_field) != profile.sender_id:
        raise Refused("wrong_receiver")
    nonces.consume(
        profile.key,
        fields.get(profile.nonce_field, "") if profile.nonce_echoed else None,
        browser_secret=browser_secret,
        max_age_seconds=profile.max_age_seconds,
    )
    if service == profile.cancel_service:
        raise Cancelled(reason="cancelled_at_bank")
    if profile.timestamp_fields:
        age = nonces.now() - _timestamp(profile, fields).timestamp()
        if not -profile.max_future_seconds <= age <= profile.max_age_seconds:
            raise Refused("stale")
    code, given, family = _person(profile, fields)
    try:
        personal_code = PersonalCode.parse(code)
    except ValidationError:
        raise BadResponse(reason="personal_code") from None
    return VerifiedIdentity(
        method=profile.key,
        country=personal_code.country,
        personal_code=personal_code.code,
        given_name=given,
        family_name=family,
        level="high",
        evidence={"bank": profile.key, "bank_certificate_serial": profile.keys.bank_certificate.serial_number},
    )
