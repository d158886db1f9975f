"""PAdES with an external signer, in two steps across requests (pyHanko's "interrupted signing").

1. :func:`prepare`: add a signature field and a placeholder to the PDF as an incremental update (earlier signatures
   stay valid), build the CMS signed attributes (the document digest, the signer's certificate as
   signingCertificateV2, the signing time) and return the SHA-256 digest of those attributes: what the person's
   signing method must sign (Smart-ID's RAW_DIGEST_SIGNATURE).
2. :func:`finish`: check the signature value against the certificate's key, build the CMS around it and write it
   into the placeholder.

Everything between the two steps is a :class:`Prepared` value of plain bytes, so it can wait in a cache while the
person confirms on their phone. The signature mechanism is the method's: RSASSA-PSS with SHA-256 (what Smart-ID's
v3 signature protocol makes, the default) or RSA PKCS#1 v1.5 with SHA-256 (eParaksts' ``rsa-sha256``).
The methods offer no timestamp or revocation data with the signature: :func:`finish` takes a time stamper, and
:mod:`selfcare.signing.longterm` adds the revocation data afterwards (PAdES B-LT).
"""

from __future__ import annotations

import asyncio
import base64
import concurrent.futures
import hashlib
import io
from collections.abc import Coroutine, Sequence
from dataclasses import asdict, dataclass
from typing import Any, TypeVar

from asn1crypto import algos, cms  # type: ignore[import-untyped]
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa, utils
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers, timestamps
from pyhanko.sign.signers.pdf_byterange import PreparedByteRangeDigest
from pyhanko.sign.signers.pdf_signer import PdfTBSDocument
from pyhanko_certvalidator.registry import SimpleCertificateStore

T = TypeVar("T")
DIGEST = "sha256"
# RSASSA-PSS, SHA-256, MGF1 with SHA-256, salt of the hash's length: the parameters the provider is asked for.
PSS = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=hashes.SHA256.digest_size)
# The signature mechanisms a method may produce over ``Prepared.to_sign``.
RSASSA_PSS = "rsassa_pss"
RSA_PKCS1V15 = "rsa_pkcs1v15"
MECHANISMS = (RSASSA_PSS, RSA_PKCS1V15)


class SigningFailed(Exception):
    """The signature value does not belong to the prepared document and certificate, or the PDF cannot be signed."""


@dataclass(frozen=True)
class Prepared:
    """A PDF waiting for its signature value, and what the signer must sign (``to_sign``)."""

    pdf: bytes  # the document with the placeholder
    certificate: bytes  # DER of the signer's certificate
    chain: tuple[bytes, ...]  # DER of the certificates between it and the root
    document_digest: bytes
    reserved_start: int
    reserved_end: int
    signed_attributes: bytes  # DER of the CMS signed attributes
    base_sha256: str  # hex SHA-256 of the PDF before this signature: what the person was shown
    mechanism: str = RSASSA_PSS  # how the method signs ``to_sign`` (one of MECHANISMS)

    @property
    def to_sign(self) -> bytes:
        """SHA-256 of the signed attributes: the digest the signing method signs."""
        return hashlib.sha256(self.signed_attributes).digest()

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        for key in ("pdf", "certificate", "document_digest", "signed_attributes"):
            data[key] = base64.b64encode(data[key]).decode("ascii")
        data["chain"] = [base64.b64encode(c).decode("ascii") for c in self.chain]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Prepared:
        values = dict(data)
        for key in ("pdf", "certificate", "document_digest", "signed_attributes"):
            values[key] = base64.b64decode(values[key])
        values["chain"] = tuple(base64.b64decode(c) for c in values["chain"])
        return cls(**values)


def run_sync(coroutine: Coroutine[Any, Any, T]) -> T:
    """pyHanko's signing is async; run it from sync code, in a thread where an event loop already runs here."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def _mechanism(mechanism: str = RSASSA_PSS) -> algos.SignedDigestAlgorithm:
    if mechanism == RSA_PKCS1V15:
        return algos.SignedDigestAlgorithm({"algorithm": "sha256_rsa"})
    return algos.SignedDigestAlgorithm(
        {
            "algorithm": "rsassa_pss",
            "parameters": algos.RSASSAPSSParams(
                {
                    "hash_algorithm": {"algorithm": DIGEST},
                    "mask_gen_algorithm": {"algorithm": "mgf1", "parameters": {"algorithm": DIGEST}},
                    "salt_length": hashes.SHA256.digest_size,
                }
            ),
        }
    )


def _signer(
    certificate: bytes, chain: Sequence[bytes], value: bytes | int, mechanism: str = RSASSA_PSS
) -> signers.ExternalSigner:
    return signers.ExternalSigner(
        signing_cert=asn1_x509.Certificate.load(certificate),
        cert_registry=SimpleCertificateStore.from_certs(  # type: ignore[no-untyped-call]
            [asn1_x509.Certificate.load(c) for c in chain]
        ),
        signature_value=value,
        signature_mechanism=_mechanism(mechanism),
    )


def _rsa_key(certificate: x509.Certificate) -> rsa.RSAPublicKey:
    key = certificate.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise SigningFailed("only RSA signing keys are supported")
    return key


def prepare(
    pdf: bytes,
    certificate: x509.Certificate,
    *,
    chain: Sequence[x509.Certificate] = (),
    reason: str = "",
    mechanism: str = RSASSA_PSS,
    bytes_reserved: int | None = None,
) -> Prepared:
    """Add an empty signature for ``certificate`` to ``pdf``; see the module docstring."""
    if mechanism not in MECHANISMS:
        raise ValueError(f"unknown signature mechanism {mechanism!r}")
    der = certificate.public_bytes(serialization.Encoding.DER)
    chain_der = tuple(c.public_bytes(serialization.Encoding.DER) for c in chain)
    placeholder = _rsa_key(certificate).key_size // 8
    try:
        existing = len(PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures)
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    except Exception as error:  # pyHanko raises many types on a PDF it cannot read
        raise SigningFailed("the PDF cannot be read") from error
    signer = _signer(der, chain_der, placeholder, mechanism)
    metadata = signers.PdfSignatureMetadata(
        field_name=f"Signature{existing + 1}",
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm=DIGEST,
        reason=reason or None,
    )
    pdf_signer = signers.PdfSigner(metadata, signer=signer)

    async def _prepare() -> tuple[PreparedByteRangeDigest, bytes, bytes]:
        # The placeholder is sized for the signature alone unless told more (a timestamp token and its certificate
        # come into the same CMS: selfcare.signing.longterm).
        digest, _tbs, output = await pdf_signer.async_digest_doc_for_signing(writer, bytes_reserved=bytes_reserved)
        attributes = await signer.signed_attrs(digest.document_digest, DIGEST, use_pades=True)
        output.seek(0)
        return digest, output.read(), attributes.dump()

    digest, prepared_pdf, attributes = run_sync(_prepare())
    return Prepared(
        pdf=prepared_pdf,
        certificate=der,
        chain=chain_der,
        document_digest=digest.document_digest,
        reserved_start=digest.reserved_region_start,
        reserved_end=digest.reserved_region_end,
        signed_attributes=attributes,
        base_sha256=hashlib.sha256(pdf).hexdigest(),
        mechanism=mechanism,
    )


def check_signature_value(prepared: Prepared, value: bytes) -> None:
    """Raise :class:`SigningFailed` unless ``value`` is the certificate's signature of ``to_sign`` by the prepared
    mechanism."""
    certificate = x509.load_der_x509_certificate(prepared.certificate)
    scheme = padding.PKCS1v15() if prepared.mechanism == RSA_PKCS1V15 else PSS
    try:
        _rsa_key(certificate).verify(value, prepared.to_sign, scheme, utils.Prehashed(hashes.SHA256()))
    except InvalidSignature as error:
        raise SigningFailed("the signature value does not verify with the signer's certificate") from error


def finish(prepared: Prepared, value: bytes, *, timestamper: timestamps.TimeStamper | None = None) -> bytes:
    """The signed PDF: ``value`` (checked first) in a CMS written into the prepared placeholder; with a
    ``timestamper`` (:func:`selfcare.signing.longterm.timestamper`) the CMS carries a signature timestamp."""
    check_signature_value(prepared, value)
    signer = _signer(prepared.certificate, prepared.chain, value, prepared.mechanism)
    attributes = cms.CMSAttributes.load(prepared.signed_attributes)
    digest = PreparedByteRangeDigest(prepared.document_digest, prepared.reserved_start, prepared.reserved_end)

    async def _finish() -> bytes:
        signature = await signer.async_sign_prescribed_attributes(
            DIGEST, signed_attrs=attributes, timestamper=timestamper
        )
        output = io.BytesIO(prepared.pdf)
        await PdfTBSDocument.async_finish_signing(output, digest, signature)
        return output.getvalue()

    return run_sync(_finish())
