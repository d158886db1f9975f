"""The banks' signed answers, built as each bank would send them, with the bank's key from the test PKI.

Used by the simulator pages and by tests, which also build answers that must be refused: signed by another
key, altered after signing, stale, or with another nonce.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from selfcare.identity.methods.banklink import citadele, nonces, signed_form
from selfcare.identity.methods.banklink.profiles import CitadeleProfile, FormProfile, Profile
from selfcare.simulators.pki import demo

BANK_IDS = {"swedbank": "SWEDBANK_LV", "seb": "SEB_LV", "luminor": "LUMINOR_LV", "citadele": "CITADELE"}


@dataclass(frozen=True)
class Person:
    personal_code: str  # 11 digits
    given_name: str
    family_name: str


bank_certificate = demo.bank_certificate
portal_certificate = demo.portal_certificate  # the bank holds our certificate from the contract


def form_answer(
    profile: FormProfile,
    *,
    nonce: str,
    person: Person | None,
    key: rsa.RSAPrivateKey | None = None,
    hash_name: str | None = None,
    moment: float | None = None,
) -> dict[str, str]:
    """The bank's answer fields: the person confirmed, or cancelled when ``person`` is None.

    Signed with the list of the answer's own service code (OK and cancel answers differ); the nonce is in the
    answer only where the profile says the bank echoes it.
    """
    when = dt.datetime.fromtimestamp(nonces.now() if moment is None else moment, ZoneInfo(profile.time_zone))
    service = profile.ok_service if person else profile.cancel_service
    signed = profile.signed_fields(service)
    fields = {profile.service_field: service}
    fields |= {k: v for k, v in profile.request_constants if k in signed and k != profile.service_field}
    send_id = "IB_SND_ID" if profile.sender_field.startswith("IB_") else "VK_SND_ID"
    fields |= {send_id: BANK_IDS[profile.key], profile.receiver_field: profile.sender_id, profile.nonce_field: nonce}
    fields["VK_T_NO"] = str(secrets.randbelow(10**9))  # Luminor numbers its answers
    if profile.timestamp_fields:
        stamp = when.strftime(profile.timestamp_format).split(" ")
        fields |= dict(zip(profile.timestamp_fields, stamp, strict=True))
    if person is not None:
        code = f"{person.personal_code[:6]}-{person.personal_code[6:]}"
        given, family = person.given_name.upper(), person.family_name.upper()
        name = f"{family} {given}" if profile.person.name_order == "family-first" else f"{given} {family}"
        p = profile.person
        if p.info:
            fields[p.info] = f"{p.info_code_key}{p.info_separator}{code};{p.info_name_key}{p.info_separator}{name}"
        else:
            fields |= {p.code: person.personal_code, p.given_name: person.given_name.upper()}
            fields[p.family_name] = person.family_name.upper()
        if "IB_USER" in profile.response_signed_fields:
            fields["IB_USER"] = person.personal_code
    fields = {name: fields.get(name, "") for name in signed}
    signer = key or bank_certificate(profile.key).private_key
    fields[profile.signature_field] = signed_form.sign(fields, signed, signer, hash_name or profile.hash)
    return fields


def citadele_answer(
    profile: CitadeleProfile,
    *,
    nonce: str,
    person: Person | None,
    key: rsa.RSAPrivateKey | None = None,
    hash_name: str | None = None,
    moment: float | None = None,
    fidavista_version: str | None = None,
) -> dict[str, str]:
    """Citadele's AUTHRESP as the public descriptions have it: the XML itself in ``xmldata``, ``Person`` family
    name first, the signature in Amai/SignatureData (each as the profile says, so a changed contract changes both);
    ``fidavista_version`` answers in another namespace version than the one we send."""
    items = [("Request", "AUTHRESP"), ("RequestUID", nonce), ("Version", profile.version), ("Language", "LV")]
    if person is not None:
        given, family = person.given_name.upper(), person.family_name.upper()
        written = f"{family} {given}" if profile.name_order == "family-first" else f"{given} {family}"
        items += [("PersonCode", person.personal_code), ("Person", written), ("Code", "100"), ("Message", "OK")]
    else:
        items += [("Code", "200"), ("Message", "Cancelled")]
    root = citadele.envelope(
        BANK_IDS["citadele"],
        nonces.now() if moment is None else moment,
        items,
        fidavista_version=fidavista_version or profile.fidavista_version,
        signature_in_amai=profile.signature_in_amai,
        time_zone=profile.time_zone,
    )
    issued = bank_certificate("citadele")
    signer = key or issued.private_key
    key_pem = signer.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    cert_pem = issued.cert_pem if key is None else None
    xmldata = citadele.sign_xml(
        root,
        key_pem=key_pem,
        cert_pem=cert_pem,
        hash_name=hash_name or profile.hash,
        c14n=profile.c14n,
        base64_encoded=profile.xmldata_base64,
    )
    return {"xmldata": xmldata}


def answer(profile: Profile, **kwargs: object) -> dict[str, str]:
    if isinstance(profile, CitadeleProfile):
        return citadele_answer(profile, **kwargs)  # type: ignore[arg-type]
    return form_answer(profile, **kwargs)  # type: ignore[arg-type]
