"""Logins verified in several threads at once (gunicorn's threads): the validator's parsed certificates are kept
per thread (selfcare.revocation.check.asn1_certificate), since asn1crypto's lazy parsing is not thread-safe: a
half-filled list of a structure's children is visible to another thread parsing the same object."""

from __future__ import annotations

import dataclasses
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

from cryptography.hazmat.primitives import serialization

from selfcare.identity.methods.smartid.tests.conftest import Login
from selfcare.revocation.check import asn1_certificate
from selfcare.simulators.pki.testca import TestCA

THREADS = 8


def test_a_certificate_first_seen_by_many_threads_at_once_is_accepted_by_each(login: Login, ca: TestCA) -> None:
    people = [ca.smartid_person(f"0101{n:02d}-1{n:04d}", "Many", "Threads", label=f"threads-{n}") for n in range(12)]
    logins = [dataclasses.replace(login, person=person) for person in people]
    answers = [each.answer() for each in logins]
    together = threading.Barrier(THREADS, timeout=120)

    def verify_each(_: int) -> list[str]:
        codes = []
        for each, answer in zip(logins, answers, strict=True):
            together.wait()  # every thread meets each new certificate at the same moment
            try:
                codes.append(each.verify(answer).personal_code)
            except Exception as error:  # recorded: the other threads must not wait for this one
                codes.append(repr(error))
        return codes

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as the interpreter can: a shared half-parsed object shows
    try:
        with ThreadPoolExecutor(THREADS) as pool:
            results = list(pool.map(verify_each, range(THREADS)))
    finally:
        sys.setswitchinterval(interval)
    assert results == [[f"0101{n:02d}1{n:04d}" for n in range(12)]] * THREADS


def test_a_parsed_certificate_is_kept_for_its_own_thread_only(login: Login) -> None:
    der = login.person.certificate.public_bytes(serialization.Encoding.DER)
    mine = asn1_certificate(der)
    assert asn1_certificate(der) is mine
    with ThreadPoolExecutor(1) as pool:
        theirs = pool.submit(asn1_certificate, der).result()
    assert theirs is not mine
    assert theirs.dump() == mine.dump() == der
