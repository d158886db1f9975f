"""Revocation against the test PKI's OCSP responder and CRLs (selfcare/simulators/pki), with real signatures."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import httpx
import pytest
from cryptography import x509
from django.core.cache import cache

from selfcare.revocation import CertificateRevoked, RevocationChecker, RevocationUnavailable
from selfcare.revocation.check import rerouted_mounts
from selfcare.revocation.fetch import RevocationFetcher
from selfcare.simulators.pki.testca import Issued, TestCA
from selfcare.simulators.smartid.pki import test_ca

# The simulator service shares the test database, so these tests have it too.
pytestmark = pytest.mark.django_db


class CountingTransport(httpx.BaseTransport):
    """The route to the simulator service, counting requests by kind (to prove caching and the fallback)."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.requests: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append("ocsp" if request.method == "POST" else "crl")
        return self.inner.handle_request(request)


@pytest.fixture
def ca() -> TestCA:
    return test_ca()


@pytest.fixture
def transport(simulators_url: str) -> CountingTransport:
    """The test PKI's made-up host, answered by the simulator service (REVOCATION_URL_MAP, as in the demo)."""
    ((_, inner),) = rerouted_mounts({"http://pki.selfcare.test": f"{simulators_url}/simulators/pki"}).items()
    return CountingTransport(inner)


def checker(transport: CountingTransport, *, hard_fail: bool = True) -> RevocationChecker:
    fetcher = RevocationFetcher(timeout=2, cache_max_seconds=600, mounts={"http://pki.selfcare.test": transport})
    return RevocationChecker(fetcher, hard_fail=hard_fail)


def chain(ca: TestCA, person: Issued) -> list[x509.Certificate]:
    return [person.certificate, ca.smartid_issuing.certificate, ca.root.certificate]


@pytest.fixture
def good(ca: TestCA) -> Issued:
    return ca.smartid_person("010117-21234", "Forename", "Surname")


@pytest.fixture
def revoked(ca: TestCA) -> Issued:
    person = ca.smartid_person("211080-12348", "Revoked", "Person")
    ca.revoke(person)  # an hour after it became valid: in the past whatever the date
    return person


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def now() -> dt.datetime:
    # OCSP answers are made "now" by the simulator; freshness is judged against the moment checked.
    return dt.datetime.now(dt.UTC)


def test_a_certificate_the_responder_calls_good_passes(ca: TestCA, good: Issued, transport: CountingTransport) -> None:
    checker(transport)(chain(ca, good), moment=now())
    assert transport.requests == ["ocsp"]


def test_a_revoked_but_unexpired_certificate_is_refused(
    ca: TestCA, revoked: Issued, transport: CountingTransport
) -> None:
    with pytest.raises(CertificateRevoked):
        checker(transport)(chain(ca, revoked), moment=now())


def test_with_the_ocsp_responder_down_the_crl_decides(
    ca: TestCA, revoked: Issued, good: Issued, transport: CountingTransport, settings: object
) -> None:
    settings.SIMULATOR_PKI_OCSP_DOWN = True  # type: ignore[attr-defined]
    with pytest.raises(CertificateRevoked):
        checker(transport)(chain(ca, revoked), moment=now())
    checker(transport)(chain(ca, good), moment=now())
    assert "crl" in transport.requests


def test_with_no_answer_at_all_hard_fail_refuses_and_soft_fail_lets_through(
    ca: TestCA, good: Issued, transport: CountingTransport, settings: object
) -> None:
    settings.SIMULATOR_PKI_OCSP_DOWN = True  # type: ignore[attr-defined]
    settings.SIMULATOR_PKI_CRL_DOWN = True  # type: ignore[attr-defined]
    with pytest.raises(RevocationUnavailable):
        checker(transport)(chain(ca, good), moment=now())
    checker(transport, hard_fail=False)(chain(ca, good), moment=now())


def test_soft_fail_still_refuses_a_certificate_the_responder_calls_revoked(
    ca: TestCA, revoked: Issued, transport: CountingTransport
) -> None:
    with pytest.raises(CertificateRevoked):
        checker(transport, hard_fail=False)(chain(ca, revoked), moment=now())


def test_an_answer_is_cached_for_its_validity_and_not_fetched_again(
    ca: TestCA, good: Issued, transport: CountingTransport
) -> None:
    check = checker(transport)
    check(chain(ca, good), moment=now())
    check(chain(ca, good), moment=now())
    assert transport.requests == ["ocsp"]


def test_a_signer_revoked_after_signing_counts_and_one_revoked_before_does_not(
    ca: TestCA, transport: CountingTransport
) -> None:
    # A person of its own: the registry lives as long as the PKI directory, and must never catch a demo person.
    signer = ca.signing_person("150482-12347", "Revoked", "Signer")
    revoked_at = ca.revoke(signer, at=signer.certificate.not_valid_before_utc + dt.timedelta(hours=2))
    path = [signer.certificate, ca.root.certificate]
    checker(transport)(path, moment=revoked_at - dt.timedelta(minutes=30), at_signing_time=True)
    with pytest.raises(CertificateRevoked):
        checker(transport)(path, moment=revoked_at + dt.timedelta(minutes=30), at_signing_time=True)


def test_a_hung_responder_is_given_up_after_the_timeout(ca: TestCA, good: Issued) -> None:
    def hang(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("no answer", request=request)

    fetcher = RevocationFetcher(
        timeout=0.1, cache_max_seconds=600, mounts={"http://pki.selfcare.test": httpx.MockTransport(hang)}
    )
    with pytest.raises(RevocationUnavailable):
        RevocationChecker(fetcher)(chain(ca, good), moment=now())
