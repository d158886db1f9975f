"""A local test PKI with real keys, for simulators, the demo and tests.

``TestCA(directory)`` creates, or reuses when the files already exist, three CAs:

- ``root-ca``: "TEST selfcare root CA", the trust anchor simulators and tests configure;
- ``smartid-issuing-ca``: "TEST Smart-ID issuing CA", an intermediate under the root;
- ``unknown-root-ca``: "TEST unknown root CA", deliberately *not* a trust anchor, to prove untrusted chains
  fail.

and issues end-entity certificates shaped like Smart-ID authentication certificates (subject serialNumber
``PNOLV-DDDDDD-DDDDD``, GN, SN, CN "SURNAME,GIVENNAME", the Smart-ID policy OIDs, EKU 1.3.6.1.4.1.62306.5.7.0,
KU digitalSignature) or generic signing certificates for other simulators, and a TLS server certificate for
127.0.0.1 (tests of pinning).

Person certificates name an OCSP responder and a CRL on ``http://pki.selfcare.test/`` (see TEST_PKI_BASE_URL);
``revoke()`` records a certificate as revoked in ``revoked.json`` in the directory, which the PKI simulator
(selfcare/simulators/pki) answers from. The registry lives as long as the directory: revoke only certificates of
people kept for that purpose, never a demo person's.

Every file has a stable name derived from what it is, so a second run (another test session, the demo
server) reuses the same keys: generating RSA keys is the slow part. Certificates are PEM, private keys
unencrypted PKCS#8 PEM readable only by the owner — acceptable because these keys protect nothing.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID, NameOID, ObjectIdentifier

SMARTID_AUTH_EKU = ObjectIdentifier("1.3.6.1.4.1.62306.5.7.0")
QUALIFIED_POLICY_OIDS = ("1.3.6.1.4.1.10015.17.2", "0.4.0.2042.1.2")
ADVANCED_POLICY_OIDS = ("1.3.6.1.4.1.10015.17.1", "0.4.0.2042.1.1")
# Real certificates name their OCSP responder (AIA) and CRL (CRL distribution points). Ours name a fixed host
# that exists nowhere: in demo mode the portal routes it to the PKI simulator (selfcare/simulators/pki), which
# answers from the revocation registry of this directory. A fixed host keeps certificates reusable whatever
# port the demo or a test's live server listens on.
TEST_PKI_BASE_URL = "http://pki.selfcare.test/"
TEST_OCSP_URL = f"{TEST_PKI_BASE_URL}ocsp"
REVOKED_FILE = "revoked.json"

CA_KEY_SIZE = 3072
PERSON_KEY_SIZE = 2048

Level = Literal["QUALIFIED", "ADVANCED"]


@dataclass(frozen=True)
class Issued:
    """A certificate with its private key and where both are stored."""

    certificate: x509.Certificate
    private_key: rsa.RSAPrivateKey
    cert_path: Path
    key_path: Path

    @property
    def cert_pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _valid_now(certificate: x509.Certificate, *, margin: dt.timedelta) -> bool:
    """Whether the certificate is valid now and stays valid for `margin` more."""
    now = _utcnow()
    return certificate.not_valid_before_utc <= now and now + margin < certificate.not_valid_after_utc


def _write_atomically(path: Path, data: bytes, mode: int) -> None:
    # A concurrent run (pytest-xdist, demo and tests) must never read a half-written file.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(fd, mode)
        os.write(fd, data)
    finally:
        os.close(fd)
    os.replace(tmp, path)


def revocation_pointers(ca_label: str) -> list[tuple[x509.ExtensionType, bool]]:
    """AIA (OCSP responder) and CRL distribution point of a certificate issued by the CA ``ca_label``."""
    ocsp = x509.AccessDescription(AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(TEST_OCSP_URL))
    crl_url = x509.UniformResourceIdentifier(f"{TEST_PKI_BASE_URL}crl/{ca_label}.crl")
    return [
        (x509.AuthorityInformationAccess([ocsp]), False),
        (x509.CRLDistributionPoints([x509.DistributionPoint([crl_url], None, None, None)]), False),
    ]


def issuer_label(ca: TestCA, issuer: Issued) -> str:
    return next(label for label, authority in ca.authorities.items() if authority is issuer)


def _dn(name: x509.Name) -> str:
    return name.rfc4514_string()


def _has(certificate: x509.Certificate, extensions: list[tuple[x509.ExtensionType, bool]]) -> bool:
    """Whether a stored certificate already carries the extensions asked for (older runs made them without some)."""
    for extension, _critical in extensions:
        try:
            if certificate.extensions.get_extension_for_oid(extension.oid).value != extension:
                return False
        except x509.ExtensionNotFound:
            return False
    return True


class TestCA:
    """The test PKI stored in ``directory``; see the module docstring."""

    __test__ = False  # not a pytest test class, despite the name

    def __init__(self, directory: Path | str) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.root = self._ca("root-ca", "TEST selfcare root CA", issuer=None)
        self.smartid_issuing = self._ca("smartid-issuing-ca", "TEST Smart-ID issuing CA", issuer=self.root)
        self.unknown_root = self._ca("unknown-root-ca", "TEST unknown root CA", issuer=None)

    @property
    def trust_anchors(self) -> list[x509.Certificate]:
        """The anchors a verifier of this PKI configures (only the root; never the unknown root)."""
        return [self.root.certificate]

    @property
    def intermediates(self) -> list[x509.Certificate]:
        return [self.smartid_issuing.certificate]

    def smartid_person(
        self,
        personal_code: str,
        given_name: str,
        family_name: str,
        *,
        level: Level = "QUALIFIED",
        expired: bool = False,
        untrusted: bool = False,
        extended_key_usage: tuple[str, ...] = (SMARTID_AUTH_EKU.dotted_string,),
        label: str | None = None,
        country: str = "LV",
    ) -> Issued:
        """Return a Smart-ID-like authentication certificate for a person of ``country`` (LV, EE or LT), issuing it
        on first use; its subject serialNumber is ``PNOLV-DDDDDD-DDDDD`` or ``PNOEE-DDDDDDDDDDD`` as SK's are.

        ``expired`` makes one that ended yesterday; ``untrusted`` has it issued by the unknown root.
        ``label`` names a variant (e.g. other key usages) so it gets its own files.
        """
        digits = personal_code.replace("-", "")
        if not re.fullmatch(r"\d{11}", digits):
            raise ValueError("personal_code must be 11 digits")
        serial_number = f"PNOLV-{digits[:6]}-{digits[6:]}" if country == "LV" else f"PNO{country}-{digits}"
        name = label or "-".join(
            part
            for part in (
                f"smartid-{serial_number}-{level.lower()}",
                "expired" if expired else "",
                "untrusted" if untrusted else "",
            )
            if part
        )
        subject = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, country),
                x509.NameAttribute(NameOID.SURNAME, family_name.upper()),
                x509.NameAttribute(NameOID.GIVEN_NAME, given_name.upper()),
                x509.NameAttribute(NameOID.SERIAL_NUMBER, serial_number),
                x509.NameAttribute(NameOID.COMMON_NAME, f"{family_name.upper()},{given_name.upper()}"),
                x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "AUTHENTICATION"),
            ]
        )
        policies = QUALIFIED_POLICY_OIDS if level == "QUALIFIED" else ADVANCED_POLICY_OIDS
        extensions: list[tuple[x509.ExtensionType, bool]] = [
            (
                x509.CertificatePolicies([x509.PolicyInformation(ObjectIdentifier(o), None) for o in policies]),
                False,
            ),
            (x509.ExtendedKeyUsage([ObjectIdentifier(o) for o in extended_key_usage]), False),
        ]
        now = _utcnow()
        if expired:
            not_before, not_after = now - dt.timedelta(days=3 * 365), now - dt.timedelta(days=1)
        else:
            not_before, not_after = now - dt.timedelta(days=1), now + dt.timedelta(days=3 * 365)
        issuer = self.unknown_root if untrusted else self.smartid_issuing
        extensions.extend(revocation_pointers(issuer_label(self, issuer)))
        return self._end_entity(name, subject, issuer, extensions, not_before, not_after)

    def signing_person(
        self,
        personal_code: str,
        given_name: str,
        family_name: str,
        *,
        expired: bool = False,
        untrusted: bool = False,
        serial_number: str | None = None,
    ) -> Issued:
        """Return a qualified-signature-like certificate (KU nonRepudiation) for a Latvian person.

        Issued by the root (``untrusted``: by the unknown root), subject serialNumber ``PNOLV-DDDDDD-DDDDD``
        unless ``serial_number`` gives another form (older eParaksts certificates carry the bare code).
        ``expired`` makes one that ended yesterday. For signed documents in tests and the demo.
        """
        digits = personal_code.replace("-", "")
        if not re.fullmatch(r"\d{11}", digits):
            raise ValueError("personal_code must be 11 digits")
        serial = serial_number or f"PNOLV-{digits[:6]}-{digits[6:]}"
        name = "-".join(
            part
            for part in ("signing", re.sub(r"[^A-Za-z0-9-]", "_", serial), "expired" * expired, "untrusted" * untrusted)
            if part
        )
        subject = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "LV"),
                x509.NameAttribute(NameOID.SURNAME, family_name.upper()),
                x509.NameAttribute(NameOID.GIVEN_NAME, given_name.upper()),
                x509.NameAttribute(NameOID.SERIAL_NUMBER, serial),
                x509.NameAttribute(NameOID.COMMON_NAME, f"{given_name.upper()} {family_name.upper()}"),
            ]
        )
        policies = x509.CertificatePolicies([x509.PolicyInformation(ObjectIdentifier(QUALIFIED_POLICY_OIDS[1]), None)])
        now = _utcnow()
        if expired:
            not_before, not_after = now - dt.timedelta(days=3 * 365), now - dt.timedelta(days=1)
        else:
            not_before, not_after = now - dt.timedelta(days=1), now + dt.timedelta(days=3 * 365)
        issuer = self.unknown_root if untrusted else self.root
        extensions = [(policies, False), *revocation_pointers(issuer_label(self, issuer))]
        return self._end_entity(name, subject, issuer, extensions, not_before, not_after, non_repudiation=True)

    def issue_certificate(
        self,
        common_name: str,
        *,
        label: str,
        organization: str | None = None,
        country: str = "LV",
        non_repudiation: bool = False,
    ) -> Issued:
        """Return a generic signing certificate (CN, KU digitalSignature, no policies) issued by the root.

        For simulators of banks and eParaksts that sign their answers. ``label`` names the files.
        """
        attributes = [x509.NameAttribute(NameOID.COUNTRY_NAME, country)]
        if organization:
            attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
        attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
        now = _utcnow()
        return self._end_entity(
            label,
            x509.Name(attributes),
            self.root,
            [],
            now - dt.timedelta(days=1),
            now + dt.timedelta(days=3 * 365),
            non_repudiation=non_repudiation,
        )

    def timestamping(self, *, label: str = "tsa") -> Issued:
        """The time-stamping authority's certificate (EKU timeStamping, critical, as RFC 3161 requires), issued by
        the root with the revocation pointers of the others: what the TSA simulator signs timestamps with."""
        now = _utcnow()
        subject = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "LV"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "TEST selfcare"),
                x509.NameAttribute(NameOID.COMMON_NAME, "TEST selfcare time-stamping authority"),
            ]
        )
        extensions = [
            (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), True),
            *revocation_pointers(issuer_label(self, self.root)),
        ]
        return self._end_entity(
            label, subject, self.root, extensions, now - dt.timedelta(days=1), now + dt.timedelta(days=3 * 365)
        )

    def tls_server(self, *, label: str = "tls-server-localhost") -> Issued:
        """A TLS server certificate for 127.0.0.1 and localhost, issued by the root (tests of TLS pinning)."""
        now = _utcnow()
        names = x509.SubjectAlternativeName(
            [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
        )
        return self._end_entity(
            label,
            x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]),
            self.root,
            [(names, False), (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)],
            # Years back: the TLS handshake checks it against the real clock, also while a test travels in time.
            now - dt.timedelta(days=5 * 365),
            now + dt.timedelta(days=3 * 365),
            key_encipherment=True,
        )

    # -- revocation ------------------------------------------------------------------------------------------

    @property
    def authorities(self) -> dict[str, Issued]:
        """The CAs by label: what the PKI simulator signs OCSP answers and CRLs with."""
        return {"root-ca": self.root, "smartid-issuing-ca": self.smartid_issuing, "unknown-root-ca": self.unknown_root}

    def revoke(self, issued: Issued, *, at: dt.datetime | None = None) -> dt.datetime:
        """Record ``issued`` as revoked (keyCompromise) since ``at`` (default: an hour after it became valid).

        Idempotent: a certificate already revoked keeps its first revocation time, which is returned — unless the
        clock has since moved back before it (a suite run at a later moment, then today), or the certificate was
        signed again to start after it (see `_valid_now`): a revocation "in the future" would read as not revoked.
        """
        registry = self._registry()
        key = str(issued.certificate.serial_number)
        recorded = dt.datetime.fromisoformat(registry[key]["at"]) if key in registry else None
        if recorded is None or not issued.certificate.not_valid_before_utc <= recorded <= dt.datetime.now(dt.UTC):
            moment = (at or issued.certificate.not_valid_before_utc + dt.timedelta(hours=1)).astimezone(dt.UTC)
            registry[key] = {"at": moment.replace(microsecond=0).isoformat(), "issuer": _dn(issued.certificate.issuer)}
            _write_atomically(self.directory / REVOKED_FILE, json.dumps(registry, sort_keys=True).encode(), 0o644)
        return dt.datetime.fromisoformat(registry[key]["at"])

    def revoked(self, issuer: x509.Name | None = None) -> dict[int, dt.datetime]:
        """Serial number -> revocation time of the certificates revoked in this PKI (by ``issuer``, if given)."""
        return {
            int(serial): dt.datetime.fromisoformat(entry["at"])
            for serial, entry in self._registry().items()
            if issuer is None or entry["issuer"] == _dn(issuer)
        }

    def _registry(self) -> dict[str, dict[str, str]]:
        path = self.directory / REVOKED_FILE
        data: dict[str, dict[str, str]] = json.loads(path.read_text()) if path.exists() else {}
        return data

    # -- internals -------------------------------------------------------------------------------------------

    def _paths(self, name: str) -> tuple[Path, Path]:
        if not re.fullmatch(r"[A-Za-z0-9._-]+", name):
            raise ValueError(f"unsafe file label: {name!r}")
        return self.directory / f"{name}.pem", self.directory / f"{name}.key.pem"

    def _load(self, name: str) -> Issued | None:
        cert_path, key_path = self._paths(name)
        if not (cert_path.exists() and key_path.exists()):
            return None
        certificate = x509.load_pem_x509_certificate(cert_path.read_bytes())
        # Skipping the RSA consistency check is safe for keys we generated ourselves and makes reuse fast.
        key = serialization.load_pem_private_key(
            key_path.read_bytes(), password=None, unsafe_skip_rsa_key_validation=True
        )
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError(f"{key_path} does not hold an RSA key")
        return Issued(certificate, key, cert_path, key_path)

    def _store(self, name: str, certificate: x509.Certificate, key: rsa.RSAPrivateKey) -> Issued:
        cert_path, key_path = self._paths(name)
        key_pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        # Key first: a certificate on disk always has its key next to it.
        _write_atomically(key_path, key_pem, 0o600)
        _write_atomically(cert_path, certificate.public_bytes(serialization.Encoding.PEM), 0o644)
        return Issued(certificate, key, cert_path, key_path)

    def _ca(self, name: str, common_name: str, *, issuer: Issued | None) -> Issued:
        existing = self._load(name)
        if existing is not None and _valid_now(existing.certificate, margin=dt.timedelta(days=365)):
            return existing
        # A stored CA whose validity does not cover today (the clock moved: a test travelling in time, or a
        # checkout kept for years) is signed again with the same key, so what it issued still chains to it.
        key = existing.private_key if existing else rsa.generate_private_key(65537, CA_KEY_SIZE)
        subject = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "LV"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "selfcare TEST PKI"),
                x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            ]
        )
        signer_key = issuer.private_key if issuer else key
        now = _utcnow()
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer.certificate.subject if issuer else subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=10 * 365))
            .not_valid_after(now + dt.timedelta(days=(20 if issuer is None else 10) * 365))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None if issuer is None else 0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=False,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(signer_key.public_key()), critical=False)
        )
        return self._store(name, builder.sign(signer_key, hashes.SHA256()), key)

    def _end_entity(
        self,
        name: str,
        subject: x509.Name,
        issuer: Issued,
        extensions: list[tuple[x509.ExtensionType, bool]],
        not_before: dt.datetime,
        not_after: dt.datetime,
        *,
        non_repudiation: bool = False,
        key_encipherment: bool = False,
    ) -> Issued:
        existing = self._load(name)
        # Reuse the stored certificate only if it is the one asked for: the same file name with another subject
        # (say, other names for the same personal code) would otherwise hand out a stranger's certificate; only if
        # it carries the extensions asked for (older runs made some without); and only while it is still what it
        # was made to be today (valid, or expired), because the clock moves: a kept checkout ages, a test travels
        # in time. Then the same key gets a new certificate with the same serial number (signing is fast, making
        # RSA keys is not; a revocation recorded for the serial still applies).
        same = existing if existing is not None and existing.certificate.subject == subject else None
        if same is not None and _has(same.certificate, extensions):
            expired = not_after < _utcnow()
            # A certificate made while the clock stood later than now (a test that travelled ahead) starts too
            # late for what reads the real clock (OpenSSL in a TLS handshake): it must start no later than asked.
            starts_in_time = same.certificate.not_valid_before_utc <= not_before + dt.timedelta(days=1)
            if (
                starts_in_time
                and expired == (same.certificate.not_valid_after_utc < _utcnow())
                and (expired or _valid_now(same.certificate, margin=dt.timedelta(days=30)))
            ):
                return same
        key = same.private_key if same else rsa.generate_private_key(public_exponent=65537, key_size=PERSON_KEY_SIZE)
        serial = same.certificate.serial_number if same else x509.random_serial_number()
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer.certificate.subject)
            .public_key(key.public_key())
            .serial_number(serial)
            .not_valid_before(not_before)
            .not_valid_after(not_after)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=non_repudiation,
                    key_encipherment=key_encipherment,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=False,
                    crl_sign=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.private_key.public_key()),
                critical=False,
            )
        )
        for extension, critical in extensions:
            builder = builder.add_extension(extension, critical=critical)
        return self._store(name, builder.sign(issuer.private_key, hashes.SHA256()), key)
