"""Dashboard server time for the notice's picture at scale: a person with private connections and 4 companies ×
2,500 connections, against the floor of a trivial view served to the same logged-in client (same middleware,
session and authentication), in the same run. Target: p95 ≤ 100 ms (DESIGN.md)."""

from __future__ import annotations

import time

from django.test import Client

from selfcare.bench import Report, p95
from selfcare.demo import dataset
from selfcare.demo.loader import load_demo
from selfcare.identity.methods.base import VerifiedIdentity
from selfcare.identity.services import identity_for

PER_COMPANY = 2500
RUNS = 200


def _timings(client: Client, url: str, runs: int) -> list[float]:
    client.get(url)  # warm: the first request of a session also writes the session
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    return samples


def run(report: Report) -> None:
    load_demo(scale=PER_COMPANY)
    anna = dataset.PERSONS[0]
    identity = identity_for(
        VerifiedIdentity("smartid", "LV", anna.personal_code.replace("-", ""), "ANNA", "BĒRZIŅA", "qualified", {})
    )
    client = Client()
    client.force_login(identity.user)
    dashboard = _timings(client, "/en/dashboard/", RUNS)
    floor = _timings(client, "/brand.css", RUNS)
    report.ratio(
        f"dashboard p95, 4 × {PER_COMPANY} + private connections",
        product=p95(dashboard),
        floor=p95(floor),
        unit="ms",
        target="<= 100 ms",
    )
