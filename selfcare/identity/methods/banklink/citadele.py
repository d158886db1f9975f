"""Citadele's AMAI login: signed XML in the form field ``xmldata``, both directions.

As the public descriptions of the exchange have it (PROTOCOLS.md §3; Ruby gem ``valdis/SacPS``), ``xmldata``
carries the signed XML document itself, not Base64 of it. We send ``AUTHREQ`` and the bank answers ``AUTHRESP``
(anonymised)::

    <FIDAVISTA xmlns="http://ivis.eps.gov.lv/XMLSchemas/100017/fidavista/v1-2">
      <Header>
        <Timestamp>20250114101530123</Timestamp><From>CITADELE</From>
        <Extension><Amai xmlns="http://online.citadele.lv/XMLSchemas/amai/">
          <Request>AUTHRESP</Request><RequestUID>5f1c…</RequestUID><Version>6.0</Version>
          <Language>LV</Language><PersonCode>15017412312</PersonCode><Person>BĒRZIŅŠ KRISTIĀNS</Person>
          <Code>100</Code><Message>OK</Message>
          <SignatureData><ds:Signature>… enveloped, rsa-sha256 …</ds:Signature></SignatureData>
        </Amai></Extension>
      </Header>
    </FIDAVISTA>

- The FIDAVISTA namespace appears as version 1-1 and as 1-2: answers are read whatever the version; the version we
  send is the profile's ``fidavista_version``.
- ``Person`` is written family name first ("SURNAME GIVEN"; the profile's ``name_order``).
- The signature is verified by ``signxml`` against the configured bank certificate only (``x509_cert`` pinned:
  a certificate inside the message is never trusted), and only the XML the signature covers is read.
- ``Code`` 100 = ok, 200 = cancelled, anything else = refused. ``Timestamp`` at most ``max_age_seconds`` old and
  ``max_future_seconds`` ahead. Not checked: the certificate's chain (pinned instead).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from lxml import etree
from signxml.algorithms import DigestAlgorithm, SignatureMethod
from signxml.exceptions import InvalidInput, InvalidSignature
from signxml.signer import XMLSigner
from signxml.verifier import SignatureConfiguration, XMLVerifier

from selfcare.identifiers import PersonalCode
from selfcare.identity.methods.banklink import nonces
from selfcare.identity.methods.banklink.profiles import CitadeleProfile
from selfcare.identity.methods.banklink.signed_form import bank_wall_clock, person_name
from selfcare.identity.methods.base import BadResponse, Cancelled, Refused, VerifiedIdentity

FIDAVISTA_BASE = "http://ivis.eps.gov.lv/XMLSchemas/100017/fidavista/v"
FIDAVISTA = f"{FIDAVISTA_BASE}1-2"
FIDAVISTA_VERSIONS = ("1-1", "1-2")
AMAI = "http://online.citadele.lv/XMLSchemas/amai/"
DSIG = "http://www.w3.org/2000/09/xmldsig#"
TIMESTAMP_FORMAT = "%Y%m%d%H%M%S%f"  # 17 digits: milliseconds, written as the first three of %f
_METHODS = {
    "SHA-1": SignatureMethod.RSA_SHA1,
    "SHA-256": SignatureMethod.RSA_SHA256,
    "SHA-512": SignatureMethod.RSA_SHA512,
}
_DIGESTS = {"SHA-1": DigestAlgorithm.SHA1, "SHA-256": DigestAlgorithm.SHA256, "SHA-512": DigestAlgorithm.SHA512}
_C14N = {
    "exclusive": "http://www.w3.org/2001/10/xml-exc-c14n#",
    "inclusive": "http://www.w3.org/TR/2001/REC-xml-c14n-20010315",
}


def timestamp(moment: float, time_zone: str = "Europe/Riga") -> str:
    return dt.datetime.fromtimestamp(moment, ZoneInfo(time_zone)).strftime(TIMESTAMP_FORMAT)[:17]


def envelope(
    sender: str,
    moment: float,
    items: list[tuple[str, str]],
    *,
    fidavista_version: str = "1-2",
    signature_in_amai: bool = True,
    time_zone: str = "Europe/Riga",
) -> etree._Element:
    """A FIDAVISTA document whose header carries ``items`` in the AMAI extension, unsigned.

    With ``signature_in_amai`` it holds the place where the signature goes: ``Amai/SignatureData``.
    """
    namespace = FIDAVISTA_BASE + fidavista_version
    root = etree.Element(f"{{{namespace}}}FIDAVISTA", nsmap={None: namespace})
    header = etree.SubElement(root, f"{{{namespace}}}Header")
    etree.SubElement(header, f"{{{namespace}}}Timestamp").text = timestamp(moment, time_zone)
    etree.SubElement(header, f"{{{namespace}}}From").text = sender
    amai = etree.SubElement(
        etree.SubElement(header, f"{{{namespace}}}Extension"), f"{{{AMAI}}}Amai", nsmap={None: AMAI}
    )
    for name, value in items:
        etree.SubElement(amai, f"{{{AMAI}}}{name}").text = value
    if signature_in_amai:
        data = etree.SubElement(amai, f"{{{AMAI}}}SignatureData")
        etree.SubElement(data, f"{{{DSIG}}}Signature", nsmap={"ds": DSIG}).set("Id", "placeholder")
    return root


class _Sha1Signer(XMLSigner):
    """signxml refuses SHA-1 unless told; only a profile with ``allow_sha1`` (or a test of the refusal) gets here."""

    def check_deprecated_methods(self) -> None:
        return None


def sign_xml(
    root: etree._Element,
    *,
    key_pem: bytes,
    cert_pem: bytes | None,
    hash_name: str,
    c14n: str,
    base64_encoded: bool = False,
) -> str:
    """The XML document ``root`` with an enveloped signature (in its placeholder, if it has one), as the value of
    ``xmldata``: the document itself, or Base64 of it with ``base64_encoded``. With ``cert_pem`` the
    certificate goes into KeyInfo."""
    signer_class = _Sha1Signer if hash_name == "SHA-1" else XMLSigner
    signer = signer_class(
        signature_algorithm=_METHODS[hash_name], digest_algorithm=_DIGESTS[hash_name], c14n_algorithm=_C14N[c14n]
    )
    signed = signer.sign(root, key=key_pem, cert=cert_pem.decode() if cert_pem else None)
    document = etree.tostring(signed, xml_declaration=True, encoding="UTF-8")
    return base64.b64encode(document).decode() if base64_encoded else document.decode("utf-8")


def request_xmldata(profile: CitadeleProfile, *, nonce: str, return_url: str) -> str:
    if profile.hash == "SHA-1" and not profile.allow_sha1:
        raise Refused("weak_hash")
    items = [
        ("Request", "AUTHREQ"),
        ("RequestUID", nonce),
        ("Version", profile.version),
        ("Language", profile.language),
        *([("Location", profile.location)] if profile.location else []),
        ("ReturnURL", return_url),
    ]
    root = envelope(
        profile.sender_id,
        nonces.now(),
        items,
        fidavista_version=profile.fidavista_version,
        signature_in_amai=profile.signature_in_amai,
        time_zone=profile.time_zone,
    )
    # KeyInfo carries our certificate when it is configured (BANKLINK_CITADELE_CERTIFICATE, as the public
    # descriptions show), else our public key; the bank verifies with the certificate it holds from the contract.
    return sign_xml(
        root,
        key_pem=profile.keys.private_key_pem,
        cert_pem=profile.keys.our_certificate_pem,
        hash_name=profile.hash,
        c14n=profile.c14n,
        base64_encoded=profile.xmldata_base64,
    )


def _document(xmldata: str, *, base64_encoded: bool) -> bytes:
    """The XML document in ``xmldata``: the value itself, or (``base64_encoded``) Base64 of it.

    Some senders escape the document's quotes once more than the form needs (``&quot;`` arrives literally; SacPS
    undoes it the same way). A document without a single ``"`` but with ``&quot;`` is that case: unescaped, it
    still has to verify, so nothing unsigned gets in this way.
    """
    if not base64_encoded:
        text = xmldata.strip()
        if '"' not in text and "&quot;" in text:
            text = text.replace("&quot;", '"')
        return text.encode("utf-8")
    try:
        return base64.b64decode(xmldata, validate=True)
    except (binascii.Error, ValueError):
        raise BadResponse(reason="xmldata") from None


def verify_xml(
    xmldata: str, *, cert_pem: bytes, hash_name: str, allow_sha1: bool, base64_encoded: bool = False
) -> etree._Element:
    """The signed part of the document in ``xmldata``, verified against ``cert_pem`` only."""
    allowed = {"SHA-256", "SHA-512"} | ({"SHA-1"} if allow_sha1 else set())
    config = SignatureConfiguration(
        signature_methods=frozenset(_METHODS[h] for h in allowed),
        digest_algorithms=frozenset(_DIGESTS[h] for h in allowed),
    )
    xml = _document(xmldata, base64_encoded=base64_encoded)
    try:
        result = XMLVerifier().verify(xml, x509_cert=cert_pem.decode(), expect_config=config)
    except (InvalidSignature, InvalidInput) as error:
        if "SHA1" in str(error).upper().replace("-", "").replace("_", ""):
            raise Refused("weak_hash") from None
        if isinstance(error, InvalidSignature):
            raise Refused("bad_signature") from None
        raise BadResponse(reason="xmldata") from None
    except (etree.XMLSyntaxError, ValueError):
        raise BadResponse(reason="xmldata") from None
    signed = result.signed_xml if not isinstance(result, list) else None
    if signed is None:
        raise Refused("bad_signature")
    if fidavista_namespace(signed) is None:
        raise BadResponse(reason="namespace")
    return signed


def fidavista_namespace(root: etree._Element) -> str | None:
    """The root's FIDAVISTA namespace if it is one of the known versions (1-1, 1-2), else None."""
    namespace = etree.QName(root).namespace or ""
    known = {FIDAVISTA_BASE + version for version in FIDAVISTA_VERSIONS}
    return namespace if etree.QName(root).localname == "FIDAVISTA" and namespace in known else None


def text(root: etree._Element, name: str, namespace: str = AMAI) -> str:
    found = root.find(f".//{{{namespace}}}{name}")
    return (found.text or "").strip() if found is not None else ""


def complete(profile: CitadeleProfile, xmldata: str, *, browser_secret: str) -> VerifiedIdentity:
    cert_pem = profile.keys.bank_certificate_pem
    root = verify_xml(
        xmldata,
        cert_pem=cert_pem,
        hash_name=profile.hash,
        allow_sha1=profile.allow_sha1,
        base64_encoded=profile.xmldata_base64,
    )
    if text(root, "Request") != "AUTHRESP":
        raise BadResponse(reason="request_type")
    nonces.consume(
        profile.key,
        text(root, "RequestUID"),
        browser_secret=browser_secret,
        max_age_seconds=profile.max_age_seconds,
    )
    code = text(root, "Code")
    if code == "200":
        raise Cancelled(reason="cancelled_at_bank")
    if code != "100":
        raise Refused(f"bank_code_{code or 'missing'}"[:40])
    try:
        stamp = text(root, "Timestamp", str(fidavista_namespace(root)))[:17] + "000"
        sent = bank_wall_clock(stamp, TIMESTAMP_FORMAT, profile.time_zone)
    except ValueError:
        raise BadResponse(reason="timestamp") from None
    age = nonces.now() - sent.timestamp()
    if not -profile.max_future_seconds <= age <= profile.max_age_seconds:
        raise Refused("stale")
    person_code = text(root, "PersonCode")
    if not (len(person_code) == 11 and person_code.isdigit()):
        raise BadResponse(reason="personal_code")
    try:
        parsed = PersonalCode.parse(person_code)
    except ValidationError:
        raise BadResponse(reason="personal_code") from None
    given, family = person_name(text(root, "Person"), profile.name_order)
    return VerifiedIdentity(
        method=profile.key,
        country=parsed.country,
        personal_code=parsed.code,
        given_name=given,
        family_name=family,
        level="high",
        evidence={"bank": profile.key, "bank_certificate_serial": profile.keys.bank_certificate.serial_number},
    )
