"""The test PKI builds real chains, keeps its files stable, and reuses them instead of generating new keys."""

from __future__ import annotations

import datetime as dt
import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from selfcare.simulators.pki.testca import ADVANCED_POLICY_OIDS, QUALIFIED_POLICY_OIDS, SMARTID_AUTH_EKU, TestCA


@pytest.fixture(scope="module")
def directory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return Path(tmp_path_factory.mktemp("testca"))


@pytest.fixture(scope="module")
def ca(directory: Path) -> TestCA:
    return TestCA(directory)


def _issued_by(child: x509.Certificate, parent: x509.Certificate) -> bool:
    try:
        child.verify_directly_issued_by(parent)
    except (ValueError, TypeError):
        return False
    return True


def test_a_person_certificate_chains_through_the_issuing_ca_to_the_root(ca: TestCA) -> None:
    person = ca.smartid_person("010117-21234", "Forename", "Surname")
    assert _issued_by(person.certificate, ca.smartid_issuing.certificate)
    assert _issued_by(ca.smartid_issuing.certificate, ca.root.certificate)
    assert _issued_by(ca.root.certificate, ca.root.certificate)
    assert ca.trust_anchors == [ca.root.certificate]


def test_an_untrusted_person_certificate_chains_only_to_the_unknown_root(ca: TestCA) -> None:
    person = ca.smartid_person("010117-21234", "Forename", "Surname", untrusted=True)
    assert _issued_by(person.certificate, ca.unknown_root.certificate)
    assert not _issued_by(person.certificate, ca.smartid_issuing.certificate)
    assert ca.unknown_root.certificate not in ca.trust_anchors


def test_a_person_certificate_looks_like_a_smart_id_authentication_certificate(ca: TestCA) -> None:
    certificate = ca.smartid_person("010117-21234", "Forename", "Surname").certificate
    subject = {a.oid: a.value for a in certificate.subject}
    assert subject[x509.NameOID.SERIAL_NUMBER] == "PNOLV-010117-21234"
    assert subject[x509.NameOID.COUNTRY_NAME] == "LV"
    assert subject[x509.NameOID.GIVEN_NAME] == "FORENAME"
    assert subject[x509.NameOID.SURNAME] == "SURNAME"
    assert subject[x509.NameOID.COMMON_NAME] == "SURNAME,FORENAME"
    policies = certificate.extensions.get_extension_for_class(x509.CertificatePolicies).value
    assert {p.policy_identifier.dotted_string for p in policies} == set(QUALIFIED_POLICY_OIDS)
    assert SMARTID_AUTH_EKU in certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert certificate.extensions.get_extension_for_class(x509.KeyUsage).value.digital_signature


def test_an_advanced_certificate_carries_the_non_qualified_policies(ca: TestCA) -> None:
    certificate = ca.smartid_person("010117-21234", "Forename", "Surname", level="ADVANCED").certificate
    policies = certificate.extensions.get_extension_for_class(x509.CertificatePolicies).value
    assert {p.policy_identifier.dotted_string for p in policies} == set(ADVANCED_POLICY_OIDS)


def test_an_expired_certificate_has_ended(ca: TestCA) -> None:
    certificate = ca.smartid_person("010117-21234", "Forename", "Surname", expired=True).certificate
    assert certificate.not_valid_after_utc < dt.datetime.now(dt.UTC)


def test_a_generic_signing_certificate_has_no_policies(ca: TestCA) -> None:
    issued = ca.issue_certificate("Swedbank TEST", label="swedbank-signer", organization="Swedbank AS")
    assert _issued_by(issued.certificate, ca.root.certificate)
    assert issued.certificate.extensions.get_extension_for_class(x509.KeyUsage).value.digital_signature
    with pytest.raises(x509.ExtensionNotFound):
        issued.certificate.extensions.get_extension_for_class(x509.CertificatePolicies)


def test_files_have_stable_names_and_private_keys_are_private(ca: TestCA, directory: Path) -> None:
    ca.smartid_person("010117-21234", "Forename", "Surname")
    names = {p.name for p in directory.iterdir()}
    assert {"root-ca.pem", "root-ca.key.pem", "smartid-issuing-ca.pem", "unknown-root-ca.pem"} <= names
    assert "smartid-PNOLV-010117-21234-qualified.pem" in names
    assert stat.S_IMODE((directory / "root-ca.key.pem").stat().st_mode) == 0o600
    assert (directory / "root-ca.key.pem").read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")


def test_a_second_instance_reuses_the_files_instead_of_generating_new_keys(ca: TestCA, directory: Path) -> None:
    first = ca.smartid_person("010117-21234", "Forename", "Surname")
    again = TestCA(directory)
    second = again.smartid_person("010117-21234", "Forename", "Surname")
    assert again.root.certificate == ca.root.certificate
    assert second.certificate == first.certificate
    public_key = first.certificate.public_key()
    assert isinstance(public_key, rsa.RSAPublicKey)
    signature = second.private_key.sign(b"x", padding.PKCS1v15(), hashes.SHA256())
    public_key.verify(signature, b"x", padding.PKCS1v15(), hashes.SHA256())


def test_unsafe_labels_are_refused(ca: TestCA) -> None:
    with pytest.raises(ValueError, match="unsafe"):
        ca.issue_certificate("x", label="../escape")


def test_a_stored_certificate_is_reissued_when_the_same_code_is_asked_for_with_other_names(tmp_path: Path) -> None:
    ca = TestCA(tmp_path)
    first = ca.smartid_person("150385-12346", "Forename", "Surname")
    again = ca.smartid_person("150385-12346", "Anna", "Bērziņa")
    assert again.certificate.subject != first.certificate.subject
    assert "BĒRZIŅA" in again.certificate.subject.rfc4514_string()
    assert ca.smartid_person("150385-12346", "Anna", "Bērziņa").certificate == again.certificate


def test_a_revocation_recorded_under_a_later_clock_is_dated_again_when_the_clock_is_back(tmp_path: Path) -> None:
    """A suite run at a later moment (`make test-dates`) must not leave today's run a revocation "in the future",
    which an OCSP answer would give as not yet revoked."""
    import time_machine

    ca = TestCA(tmp_path)
    person = ca.smartid_person("211080-12348", "Revoked", "Person")
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=400), tick=False):
        later = ca.revoke(person, at=dt.datetime.now(dt.UTC))
    assert later > dt.datetime.now(dt.UTC)
    again = TestCA(tmp_path).revoke(person)
    assert person.certificate.not_valid_before_utc <= again <= dt.datetime.now(dt.UTC)
    assert TestCA(tmp_path).revoke(person) == again  # and idempotent once it is in the past
