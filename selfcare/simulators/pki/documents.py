"""Real signatures for tests and the demo: a PAdES-signed PDF and an eParaksts-like .edoc (ASiC-E with XAdES).

These stand in for signing in the eParaksts app or with Smart-ID, with keys from the test CA
(``selfcare.simulators.pki.testca``): the validator checks them exactly as it checks a real upload. Nothing here is
used to accept a document; production never imports it (selfcare/tests/test_layers.py).

    signer = person_signer(ca, "150385-12346", "Anna", "Bērziņa")
    signed_pdf = sign_pdf(pdf_bytes, signer)
    edoc = make_edoc({"pilnvara.pdf": pdf_bytes}, signer)
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import uuid
import zipfile
from dataclasses import dataclass
from urllib.parse import quote

from asn1crypto import keys as asn1_keys  # type: ignore[import-untyped]
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from lxml import etree
from pyhanko.pdf_utils import generic, writer
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

from selfcare.mandates.signatures.sniff import ASICE_MIMETYPE
from selfcare.simulators.pki.testca import Issued, TestCA

DS = "http://www.w3.org/2000/09/xmldsig#"
XADES = "http://uri.etsi.org/01903/v1.3.2#"
ASIC = "http://uri.etsi.org/02918/v1.2.1#"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
C14N = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
SIGNED_PROPERTIES_TYPE = "http://uri.etsi.org/01903#SignedProperties"


@dataclass(frozen=True)
class SigningKey:
    """A private key, its certificate and the certificates between it and the root (root excluded)."""

    private_key: rsa.RSAPrivateKey
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...] = ()

    @classmethod
    def from_issued(cls, issued: Issued, chain: tuple[x509.Certificate, ...] = ()) -> SigningKey:
        return cls(issued.private_key, issued.certificate, chain)


def person_signer(
    ca: TestCA,
    personal_code: str,
    given_name: str,
    family_name: str,
    *,
    expired: bool = False,
    untrusted: bool = False,
    serial_number: str | None = None,
) -> SigningKey:
    """A person's signing key from the test CA (issued on first use, then reused from its directory)."""
    issued = ca.signing_person(
        personal_code, given_name, family_name, expired=expired, untrusted=untrusted, serial_number=serial_number
    )
    return SigningKey.from_issued(issued)


def _der(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.DER)


# -- PDF -------------------------------------------------------------------------------------------------------------


def sign_pdf(pdf: bytes, signer: SigningKey, *, reason: str = "") -> bytes:
    """Add a PAdES B-B signature (an incremental update, signing time in /M) to ``pdf``; earlier ones stay valid."""
    pyhanko_signer = signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(_der(signer.certificate)),
        signing_key=asn1_keys.PrivateKeyInfo.load(
            signer.private_key.private_bytes(
                serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        ),
        cert_registry=SimpleCertificateStore.from_certs([asn1_x509.Certificate.load(_der(c)) for c in signer.chain]),
    )
    existing = len(PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures)
    metadata = signers.PdfSignatureMetadata(
        field_name=f"Signature{existing + 1}",
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason or None,
    )
    output = signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False), metadata, signer=pyhanko_signer)
    return bytes(output.getbuffer())


def simple_pdf(*lines: str) -> bytes:
    """A one-page A4 PDF with a few lines of ASCII text: something to sign in tests."""
    pdf = writer.PdfFileWriter()
    text = (
        b"BT /F1 12 Tf 72 770 Td 16 TL "
        + b" ".join(
            b"("
            + line.encode("latin-1", "replace").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
            + b") '"
            for line in lines
        )
        + b" ET"
    )
    font = generic.DictionaryObject(
        {
            generic.pdf_name("/Type"): generic.pdf_name("/Font"),
            generic.pdf_name("/Subtype"): generic.pdf_name("/Type1"),
            generic.pdf_name("/BaseFont"): generic.pdf_name("/Helvetica"),
        }
    )
    resources = generic.DictionaryObject(
        {generic.pdf_name("/Font"): generic.DictionaryObject({generic.pdf_name("/F1"): pdf.add_object(font)})}
    )
    contents = pdf.add_object(generic.StreamObject(stream_data=text))
    pdf.insert_page(writer.PageObject(contents=contents, media_box=(0, 0, 595, 842), resources=resources))
    out = io.BytesIO()
    pdf.write(out)
    return out.getvalue()


# -- ASiC-E (.edoc) --------------------------------------------------------------------------------------------------


def make_edoc(
    files: dict[str, bytes],
    signer: SigningKey,
    *,
    signing_time: dt.datetime | None = None,
    mimetypes: dict[str, str] | None = None,
) -> bytes:
    """An ASiC-E container holding ``files`` and one XAdES-BES signature over all of them (META-INF/signatures0.xml).

    Laid out as eParaksts and DigiDoc write them: ``mimetype`` first and stored, a manifest, detached references to
    each file by its (URL-encoded) name, SigningTime and SigningCertificateV2 in the signed properties.
    """
    types = {name: (mimetypes or {}).get(name, _guess_type(name)) for name in files}
    signature = xades_signature(files, signer, signing_time=signing_time, mimetypes=types)
    return build_container(files, [signature], mimetypes=types)


def build_container(files: dict[str, bytes], signatures: list[bytes], *, mimetypes: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as container:
        container.writestr(zipfile.ZipInfo("mimetype"), ASICE_MIMETYPE, compress_type=zipfile.ZIP_STORED)
        for name, content in files.items():
            container.writestr(name, content, compress_type=zipfile.ZIP_DEFLATED)
        container.writestr("META-INF/manifest.xml", _manifest(mimetypes), compress_type=zipfile.ZIP_DEFLATED)
        for index, signature in enumerate(signatures):
            container.writestr(f"META-INF/signatures{index}.xml", signature, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _guess_type(name: str) -> str:
    return "application/pdf" if name.lower().endswith(".pdf") else "application/octet-stream"


def _manifest(mimetypes: dict[str, str]) -> bytes:
    ns = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
    root = etree.Element(f"{{{ns}}}manifest", nsmap={"manifest": ns})
    entry = etree.SubElement(root, f"{{{ns}}}file-entry")
    entry.set(f"{{{ns}}}full-path", "/")
    entry.set(f"{{{ns}}}media-type", ASICE_MIMETYPE.decode())
    for name, media_type in mimetypes.items():
        entry = etree.SubElement(root, f"{{{ns}}}file-entry")
        entry.set(f"{{{ns}}}full-path", name)
        entry.set(f"{{{ns}}}media-type", media_type)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _digest_method(parent: etree._Element) -> None:
    etree.SubElement(parent, f"{{{DS}}}DigestMethod", Algorithm=SHA256)


def xades_signature(
    files: dict[str, bytes],
    signer: SigningKey,
    *,
    signing_time: dt.datetime | None = None,
    mimetypes: dict[str, str],
    inclusive: bool = False,
) -> bytes:
    """One XAdES-BES signature document (asic:XAdESSignatures) over ``files``.

    ``inclusive`` canonicalises as DigiDoc-based signers (eParaksts) do, with every namespace in scope, the
    asic: one of the root included; the default, exclusive, does not depend on the surroundings.

    Written by hand with lxml because signxml, which we use to *verify*, cannot *sign* detached references to
    files outside the XML (ASiC-E's case); the structure follows ETSI EN 319 132-1 (XAdES) and EN 319 162-1
    (ASiC).
    """
    algorithm = C14N if inclusive else EXC_C14N
    ids = uuid.uuid4().hex[:8]
    sig_id, props_id = f"S-{ids}", f"S-{ids}-SignedProperties"
    moment = (signing_time or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
    root = etree.Element(f"{{{ASIC}}}XAdESSignatures", nsmap={"asic": ASIC, "ds": DS, "xades": XADES})
    signature = etree.SubElement(root, f"{{{DS}}}Signature", Id=sig_id)
    signed_info = etree.SubElement(signature, f"{{{DS}}}SignedInfo")
    etree.SubElement(signed_info, f"{{{DS}}}CanonicalizationMethod", Algorithm=algorithm)
    etree.SubElement(signed_info, f"{{{DS}}}SignatureMethod", Algorithm=RSA_SHA256)
    for index, (name, content) in enumerate(files.items()):
        reference = etree.SubElement(signed_info, f"{{{DS}}}Reference", Id=f"{sig_id}-ref-{index}", URI=quote(name))
        _digest_method(reference)
        etree.SubElement(reference, f"{{{DS}}}DigestValue").text = _b64(hashlib.sha256(content).digest())
    props_reference = etree.SubElement(
        signed_info, f"{{{DS}}}Reference", Type=SIGNED_PROPERTIES_TYPE, URI=f"#{props_id}"
    )
    transforms = etree.SubElement(props_reference, f"{{{DS}}}Transforms")
    etree.SubElement(transforms, f"{{{DS}}}Transform", Algorithm=algorithm)
    _digest_method(props_reference)
    props_digest = etree.SubElement(props_reference, f"{{{DS}}}DigestValue")
    signature_value = etree.SubElement(signature, f"{{{DS}}}SignatureValue", Id=f"{sig_id}-SIG")
    key_info = etree.SubElement(signature, f"{{{DS}}}KeyInfo")
    x509_data = etree.SubElement(key_info, f"{{{DS}}}X509Data")
    for certificate in (signer.certificate, *signer.chain):
        etree.SubElement(x509_data, f"{{{DS}}}X509Certificate").text = _b64(_der(certificate))

    obj = etree.SubElement(signature, f"{{{DS}}}Object")
    qualifying = etree.SubElement(obj, f"{{{XADES}}}QualifyingProperties", Target=f"#{sig_id}")
    signed_props = etree.SubElement(qualifying, f"{{{XADES}}}SignedProperties", Id=props_id)
    signature_props = etree.SubElement(signed_props, f"{{{XADES}}}SignedSignatureProperties")
    etree.SubElement(signature_props, f"{{{XADES}}}SigningTime").text = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    cert_v2 = etree.SubElement(signature_props, f"{{{XADES}}}SigningCertificateV2")
    cert = etree.SubElement(cert_v2, f"{{{XADES}}}Cert")
    cert_digest = etree.SubElement(cert, f"{{{XADES}}}CertDigest")
    _digest_method(cert_digest)
    etree.SubElement(cert_digest, f"{{{DS}}}DigestValue").text = _b64(signer.certificate.fingerprint(hashes.SHA256()))
    data_props = etree.SubElement(signed_props, f"{{{XADES}}}SignedDataObjectProperties")
    for index, name in enumerate(files):
        data_format = etree.SubElement(
            data_props, f"{{{XADES}}}DataObjectFormat", ObjectReference=f"#{sig_id}-ref-{index}"
        )
        etree.SubElement(data_format, f"{{{XADES}}}MimeType").text = mimetypes[name]

    props_digest.text = _b64(
        hashlib.sha256(etree.tostring(signed_props, method="c14n", exclusive=not inclusive)).digest()
    )
    signed_info_c14n = etree.tostring(signed_info, method="c14n", exclusive=not inclusive)
    signature_value.text = _b64(signer.private_key.sign(signed_info_c14n, padding.PKCS1v15(), hashes.SHA256()))
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=False))
