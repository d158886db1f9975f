"""XAdES signatures in an ASiC-E container (eParaksts .edoc): each one verified with signxml, its chain with
pyhanko-certvalidator.

signxml's XAdESVerifier checks, for one ds:Signature: the SignatureValue over SignedInfo with the certificate from
KeyInfo, the digest of every Reference (data files through our resolver, the SignedProperties by Id), and that
SigningCertificate(V2) names that certificate. What it leaves to us, done here: finding the signatures in the
container, the signing time (SignedProperties, trusted only after signxml verified the digest over it), the chain to
our anchors at that time, and that every data file is covered by a signature.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Sequence
from dataclasses import replace
from urllib.parse import unquote

from cryptography import x509
from lxml import etree
from signxml import exceptions as signxml_errors
from signxml.xades.xades import XAdESSignatureConfiguration, XAdESVerifier, XAdESVerifyResult

from selfcare.mandates.signatures import config, identity
from selfcare.mandates.signatures.chain import chain_problem, revocation_problem
from selfcare.mandates.signatures.container import ContainerRefused, read_container
from selfcare.mandates.signatures.pdf import CLOCK_SKEW
from selfcare.mandates.signatures.report import DocumentKind, Problem, Signer, ValidationReport

DS = "http://www.w3.org/2000/09/xmldsig#"
XADES = "http://uri.etsi.org/01903/v1.3.2#"
_NS = {"ds": DS, "xades": XADES}
# No DTDs, no entities, no network: signature files are untrusted XML (XXE, billion laughs).
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _refused(problem: Problem) -> ValidationReport:
    return ValidationReport(kind=DocumentKind.ASICE, signers=(), problems=(problem.value,), signed_content=None)


def validate(data: bytes, anchors: Sequence[x509.Certificate], at: dt.datetime) -> ValidationReport:
    try:
        container = read_container(data, config.max_bytes())
    except ContainerRefused as refusal:
        kind = None if refusal.problem is Problem.NOT_A_DOCUMENT else DocumentKind.ASICE
        return ValidationReport(kind=kind, signers=(), problems=(refusal.problem.value,), signed_content=None)
    if not container.signatures:
        return _refused(Problem.UNSUPPORTED if container.other_signatures else Problem.NO_SIGNATURE)
    if not container.data_files:
        return _refused(Problem.MALFORMED)
    signers: list[Signer] = []
    covered: set[str] = set()
    for body in container.signatures.values():
        try:
            documents = _one_signature_each(body)
        except ContainerRefused as refusal:
            return _refused(refusal.problem)
        for document in documents:
            signer, names = _validate_one(document, container.data_files, anchors, at)
            signers.append(signer)
            if signer.valid:
                covered |= names
    problems = list(dict.fromkeys(code for signer in signers for code in signer.problems))
    if set(container.data_files) - covered and not problems:
        problems.append(Problem.NOT_COVERED.value)
    return ValidationReport(
        kind=DocumentKind.ASICE,
        signers=tuple(signers),
        problems=tuple(problems),
        signed_content=_main_file(container.data_files),
    )


def _main_file(files: dict[str, bytes]) -> bytes:
    """The file a person signed: the first PDF, else the first file (eParaksts puts the document first)."""
    for body in files.values():
        if body.startswith(b"%PDF-"):
            return body
    return next(iter(files.values()))


def _one_signature_each(body: bytes) -> list[etree._Element]:
    """One tree per ds:Signature, each keeping the asic:XAdESSignatures root (and so its namespace context)."""
    try:
        root = etree.fromstring(body, parser=_PARSER)
    except etree.XMLSyntaxError:
        raise ContainerRefused(Problem.MALFORMED) from None
    if root.getroottree().docinfo.doctype:
        raise ContainerRefused(Problem.MALFORMED)
    count = len(root.findall("ds:Signature", _NS))
    if count == 0:
        raise ContainerRefused(Problem.MALFORMED)
    documents = []
    for index in range(count):
        copy = etree.fromstring(etree.tostring(root), parser=_PARSER)
        for other, element in enumerate(copy.findall("ds:Signature", _NS)):
            if other != index:
                copy.remove(element)
        documents.append(copy)
    return documents


def _certificates(signature: etree._Element) -> list[x509.Certificate]:
    certificates = []
    for node in signature.findall("ds:Signature/ds:KeyInfo/ds:X509Data/ds:X509Certificate", _NS):
        certificates.append(x509.load_der_x509_certificate(base64.b64decode("".join((node.text or "").split()))))
    return certificates


def _signing_time(signed_signature_properties: etree._Element) -> dt.datetime | None:
    """SigningTime from the SignedProperties signxml verified: never found by searching the whole document, where an
    unsigned copy placed earlier (signature wrapping) would be found first."""
    # signxml hands back the SignedSignatureProperties element of the verified SignedProperties.
    node = signed_signature_properties.find("xades:SigningTime", _NS)
    if node is None or not node.text:
        return None
    moment = dt.datetime.fromisoformat(node.text.strip().replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError("SigningTime without a time zone")
    return moment.astimezone(dt.UTC)


def _validate_one(
    document: etree._Element, files: dict[str, bytes], anchors: Sequence[x509.Certificate], at: dt.datetime
) -> tuple[Signer, set[str]]:
    try:
        certificates = _certificates(document)
    except ValueError:
        return identity.signer_from(None, None, [Problem.MALFORMED]), set()
    if not certificates:
        return identity.signer_from(None, None, [Problem.MALFORMED]), set()
    certificate, intermediates = certificates[0], certificates[1:]
    served: set[str] = set()
    missing: list[str] = []

    def resolve(uri: str) -> bytes | None:
        name = unquote(uri)
        if name in files:
            served.add(name)
            return files[name]
        missing.append(name)
        return None

    # expect_references=True: one Reference per data file plus the SignedProperties, however many files.
    # signxml checks the certificate's dates before the signature; a moment inside them turns that check off, so a
    # forged signing time shows as the broken signature it is, and the dates are checked below by certvalidator at
    # the signing time, once signxml has verified the SignedProperties that carry it.
    expect = replace(
        XAdESSignatureConfiguration(),
        expect_references=True,
        verification_time=certificate.not_valid_before_utc,
    )
    try:
        results = XAdESVerifier().verify(document, x509_cert=certificate, uri_resolver=resolve, expect_config=expect)
    except signxml_errors.InvalidDigest:
        return identity.signer_from(certificate, None, [Problem.TAMPERED]), set()
    except signxml_errors.InvalidCertificate:
        return identity.signer_from(certificate, None, [Problem.UNTRUSTED_CHAIN]), set()
    except signxml_errors.InvalidSignature:
        return identity.signer_from(certificate, None, [Problem.SIGNATURE_INVALID]), set()
    except (signxml_errors.InvalidInput, signxml_errors.SignXMLException, etree.DocumentInvalid, ValueError):
        return identity.signer_from(certificate, None, [Problem.TAMPERED if missing else Problem.MALFORMED]), set()
    try:
        [signed_properties] = [r.signed_properties for r in results if isinstance(r, XAdESVerifyResult)]
        signed_at = _signing_time(signed_properties)
    except ValueError:
        return identity.signer_from(certificate, None, [Problem.MALFORMED]), set()
    problems: list[Problem] = []
    if signed_at is not None and signed_at > at + CLOCK_SKEW:
        problems.append(Problem.SIGNING_TIME_IN_FUTURE)
    moment = min(signed_at, at) if signed_at else at
    trust = chain_problem(certificate, intermediates, anchors, moment) or revocation_problem(
        certificate, intermediates, anchors, moment
    )
    if trust is not None:
        problems.append(trust)
    return identity.signer_from(certificate, signed_at, problems), served if not problems else set()
