"""The load mix for `make load`: people logging in with Smart-ID and looking at their connections, and the
operator's mediation system feeding usage events.

- **Person** (most users): logs in through the Smart-ID simulator exactly as a browser does (the login page, the
  personal code, then the waiting page's HTMX status calls until the portal redirects), then reads the dashboard,
  a context's connection list and connection pages (where remaining data is shown), and now and then logs out and
  in again. The simulated phone confirms by itself: `make load` lists the demo persons in
  `SMARTID_SIM_AUTO_CONFIRM`.
- **MediationFeed** (only when `LOAD_FEED_KEY` is set, i.e. the usage feed API exists): posts batches of usage
  events for the demo numbers to `/feeds/v1/usage-events`. A batch is retried with the same event ids until it is
  acknowledged (the API is idempotent), and every acknowledged event id is counted; at the end the count is
  written to `LOAD_REPORT_DIR/feed.json`, which `python -m selfcare.load` checks against the database.

Run by `python -m selfcare.load` (see there); can also be run by hand with `locust -f selfcare/load/locustfile.py`.
"""

from __future__ import annotations

import datetime
import json
import os
import random
import re
import time
import uuid
from pathlib import Path
from typing import Any

from locust import FastHttpUser, between, constant, events, task

PERSONS = [code for code in os.environ.get("LOAD_PERSONS", "15038512346,22079018761").split(",") if code]
FEED_KEY = os.environ.get("LOAD_FEED_KEY", "")
FEED_MSISDNS = [number for number in os.environ.get("LOAD_MSISDNS", "").split(",") if number]
FEED_BATCH = int(os.environ.get("LOAD_FEED_BATCH", "200"))
REPORT_DIR = Path(os.environ.get("LOAD_REPORT_DIR", "var/load"))
RUN = os.environ.get("LOAD_RUN", uuid.uuid4().hex[:8])
LOGIN_POLLS = 30

_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_CONNECTION = re.compile(r'href="(/en/acting/[^/"]+/connections/\d+/)"')
_CONTEXT_LIST = re.compile(r'href="(/en/acting/[^/"]+/connections/)"')

acknowledged = {"events": 0, "batches": 0}


def _csrf(html: str) -> str:
    found = _CSRF.search(html)
    return found.group(1) if found else ""


class Person(FastHttpUser):
    weight = 20
    wait_time = between(1, 3)

    def __init__(self, environment: Any) -> None:
        # Each simulated person has an address of its own (the portal trusts one proxy in the load run), sent with
        # every request by the session FastHttpUser builds from default_headers.
        address = f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"
        self.default_headers = {"X-Forwarded-For": address}
        super().__init__(environment)

    def on_start(self) -> None:
        self.connection_pages: list[str] = []
        self.context_lists: list[str] = []
        self.log_in()

    def log_in(self) -> None:
        token = _csrf(self.client.get("/en/login/smart-id/", name="login: Smart-ID page").text or "")
        with self.client.post(
            "/en/login/smart-id/notification/",
            data={"csrfmiddlewaretoken": token, "personal_code": random.choice(PERSONS)},
            allow_redirects=False,
            catch_response=True,
            name="login: start",
        ) as started:
            if started.headers.get("Location") != "/en/login/smart-id/wait/":
                started.failure(f"login did not start: {started.status_code} {started.headers.get('Location')}")
                return
        waiting = self.client.get("/en/login/smart-id/wait/", name="login: waiting page").text or ""
        headers = {"HX-Request": "true", "X-CSRFToken": _csrf(waiting)}
        for _ in range(LOGIN_POLLS):
            with self.client.post(
                "/en/login/smart-id/status/", headers=headers, catch_response=True, name="login: status (htmx)"
            ) as polled:
                target = polled.headers.get("HX-Redirect")
                if target and "/login/" in target:
                    polled.failure(f"login ended without success: {target}")
                    return
            if target:
                self.read_dashboard(target)
                return
            time.sleep(0.2)  # the waiting page's own delay between calls
        raise AssertionError("the login never ended")

    def read_dashboard(self, url: str = "/en/dashboard/") -> None:
        html = self.client.get(url, name="dashboard").text or ""
        # Only this person's links: after logging in as someone else, the last person's pages are (rightly) 404.
        self.connection_pages = _CONNECTION.findall(html)
        self.context_lists = _CONTEXT_LIST.findall(html)

    @task(5)
    def dashboard(self) -> None:
        self.read_dashboard()

    @task(4)
    def connection(self) -> None:
        if self.connection_pages:
            self.client.get(random.choice(self.connection_pages), name="connection page")

    @task(1)
    def connection_list(self) -> None:
        if self.context_lists:
            self.client.get(random.choice(self.context_lists), name="connection list")

    @task(1)
    def log_out_and_in(self) -> None:
        token = _csrf(self.client.get("/en/me/", name="my identity").text or "")
        self.client.post("/en/logout/", data={"csrfmiddlewaretoken": token}, name="logout")
        self.log_in()


def _event(msisdn: str, now: datetime.datetime) -> dict[str, Any]:
    kind = random.choice(("data", "data", "data", "voice", "sms"))
    quantity = {"data": random.randint(1, 50) * 1_048_576, "voice": random.randint(5, 600), "sms": 1}[kind]
    started = now - datetime.timedelta(minutes=random.randint(1, 600))
    return {
        "event_id": f"load:{RUN}:{uuid.uuid4().hex}",
        "msisdn": msisdn,
        "type": kind,
        "zone": "domestic",
        "started_at": started.isoformat(timespec="seconds"),
        "quantity": quantity,
    }


if FEED_KEY and FEED_MSISDNS:

    class MediationFeed(FastHttpUser):
        """The operator's mediation system: a few parallel senders, each with one batch in flight."""

        fixed_count = 2
        wait_time = constant(0.5)

        def on_start(self) -> None:
            self.batch: list[dict[str, Any]] = []

        @task
        def send_batch(self) -> None:
            if not self.batch:  # a batch not yet acknowledged is sent again with the same ids
                now = datetime.datetime.now(datetime.UTC)
                self.batch = [_event(random.choice(FEED_MSISDNS), now) for _ in range(FEED_BATCH)]
            with self.client.post(
                "/feeds/v1/usage-events",
                json={"events": self.batch},
                headers={"Authorization": f"Bearer {FEED_KEY}"},
                catch_response=True,
                name="feed: usage events",
            ) as response:
                if response.status_code != 200:
                    response.failure(f"HTTP {response.status_code}")
                    return
                result = response.json()
                if result.get("rejected") or result["recorded"] + result["duplicates"] != len(self.batch):
                    response.failure(f"batch not taken whole: {json.dumps(result)[:300]}")
                    return
            acknowledged["events"] += len(self.batch)
            acknowledged["batches"] += 1
            self.batch = []


def _write_feed_report(**_: Any) -> None:
    REPORT_DIR.mkdir(parents=True, exist_ok=True)
    (REPORT_DIR / "feed.json").write_text(json.dumps({"run": RUN, **acknowledged}))


# Written when locust quits, for `python -m selfcare.load` to count the events back in the database.
events.quitting.add_listener(_write_feed_report)  # type: ignore[no-untyped-call]  # locust leaves it untyped
