"""`python -m selfcare app-demo`: the reference client of the mobile app's login and API, against a local portal.

It does what a native app does (RFC 8252): starts a loopback listener on 127.0.0.1 with a port of the moment, sends
the person's browser to the authorization endpoint with PKCE S256, a state and a nonce, takes the code at the
listener, exchanges it, verifies the ID token against the published keys, and lists the person's connections
through the API — the same contexts and counts the dashboard shows — with the data left on each one it prints.
The OAuth client is Authlib and the JOSE library joserfc, not code of this project, so a successful run is also an
interoperability check.

With `--headless --personal-code X` it drives Chromium (Playwright) through the Smart-ID simulator itself, for
scripts and tests; otherwise it opens the system browser and waits for the person.

It imports nothing from Django: it is an outside client and talks to the portal only over HTTP.
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
import threading
import warnings
import webbrowser
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import authlib.deprecate  # noqa: F401  (imported first on purpose, see below)
import httpx
from joserfc import jwt
from joserfc.jwk import KeySet

# Authlib 1.9 announces a move to "httpx2"; the httpx client works, and the notice only confuses a reader. Its
# module of deprecations puts an "always" filter first when it is imported, which would beat an "ignore" set before
# it: so that module is imported above, and the "ignore" here comes after its filter.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from authlib.integrations.httpx_client import OAuth2Client

# Where `make run` serves the simulators (the Smart-ID phone the headless login confirms on).
SIMULATORS_URL = "http://127.0.0.1:8001"
CLIENT_ID = "tele2-app-demo"
SCOPES = "openid profile connections binding usage offers mandates bills orders spend"
CALLBACK_PATH = "/callback"
PAGE = 100
SHOWN = 10  # connections printed per context, each with its data left


@dataclass
class Result:
    id_token_claims: dict[str, Any]
    me: dict[str, Any]
    connections: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # context id -> connections
    totals: dict[str, int] = field(default_factory=dict)  # context id -> X-Total-Count
    data_left: dict[str, str] = field(default_factory=dict)  # connection href -> national data left, e.g. "4.2 GB"


class _Listener:
    """The app's loopback redirect listener: one request to /callback, then done."""

    def __init__(self) -> None:
        self.answer: dict[str, str] = {}
        self.arrived = threading.Event()
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parsed = urlparse(self.path)
                if parsed.path != CALLBACK_PATH:
                    self.send_error(404)
                    return
                listener.answer = {k: v[0] for k, v in parse_qs(parsed.query).items()}
                body = b"<!doctype html><title>Done</title><p>Login complete. You can close this window.</p>"
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                listener.arrived.set()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.redirect_uri = f"http://127.0.0.1:{self.server.server_port}{CALLBACK_PATH}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def wait(self, timeout: float) -> dict[str, str]:
        if not self.arrived.wait(timeout):
            raise TimeoutError("no answer at the redirect URI in time")
        return self.answer

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def log_in_and_list(
    base_url: str, open_browser: Callable[[str], None], *, client_id: str = CLIENT_ID, timeout: float = 180
) -> Result:
    """The whole app flow; `open_browser(url)` shows the authorization URL to the person (or a robot)."""
    base_url = base_url.rstrip("/")
    discovery = httpx.get(f"{base_url}/.well-known/openid-configuration", timeout=10).raise_for_status().json()
    listener = _Listener()
    try:
        client = OAuth2Client(
            client_id=client_id,
            token_endpoint_auth_method="none",  # noqa: S106 - a public client: PKCE, not a secret
            redirect_uri=listener.redirect_uri,
            scope=SCOPES,
            code_challenge_method="S256",
        )
        verifier, nonce = secrets.token_urlsafe(48), secrets.token_urlsafe(16)
        url, state = client.create_authorization_url(
            discovery["authorization_endpoint"], code_verifier=verifier, nonce=nonce
        )
        open_browser(url)
        answer = listener.wait(timeout)
    finally:
        listener.close()
    if answer.get("state") != state:
        raise RuntimeError("the state that came back is not the one sent")
    if "error" in answer:
        raise RuntimeError(f"the provider refused: {answer['error']}")
    if answer.get("iss") not in (None, discovery["issuer"]):
        raise RuntimeError("the answer came from another issuer")  # RFC 9207 mix-up defence
    token = client.fetch_token(
        discovery["token_endpoint"], grant_type="authorization_code", code=answer["code"], code_verifier=verifier
    )
    claims = verified_id_token(token["id_token"], discovery, client_id=client_id, nonce=nonce)
    api = httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token['access_token']}"}, timeout=30)
    me = api.get("/api/v1/me").raise_for_status().json()
    result = Result(id_token_claims=claims, me=me)
    for context in me["contexts"]:
        rows, total = _all_connections(api, context["href"] + "/connections")
        result.connections[context["id"]], result.totals[context["id"]] = rows, total
        if "usage:view" in context["rights"]:
            for row in rows[:SHOWN]:
                usage = api.get(row["href"] + "/usage-consumption").raise_for_status().json()
                result.data_left[row["href"]] = usage["summary"]["data"]["remainingValueName"]
    return result


def verified_id_token(token: str, discovery: dict[str, Any], *, client_id: str, nonce: str) -> dict[str, Any]:
    keys = KeySet.import_key_set(httpx.get(discovery["jwks_uri"], timeout=10).raise_for_status().json())
    decoded = jwt.decode(token, keys, algorithms=discovery["id_token_signing_alg_values_supported"])
    jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": discovery["issuer"]},
        aud={"essential": True, "value": client_id},
        nonce={"essential": True, "value": nonce},
        exp={"essential": True},
        sub={"essential": True},
    ).validate(decoded.claims)
    return dict(decoded.claims)


def _all_connections(api: httpx.Client, href: str) -> tuple[list[dict[str, Any]], int]:
    rows: list[dict[str, Any]] = []
    total = 0
    for page, count in _pages(api, href):
        rows.extend(page)
        total = count
    return rows, total


def _pages(api: httpx.Client, href: str) -> Iterator[tuple[list[dict[str, Any]], int]]:
    offset = 0
    while True:
        response = api.get(href, params={"offset": offset, "limit": PAGE}).raise_for_status()
        page, total = response.json(), int(response.headers["X-Total-Count"])
        yield page, total
        offset += len(page)
        if not page or offset >= total:
            return


def smartid_robot(
    base_url: str, personal_code: str, browser: Any, *, simulators_url: str = SIMULATORS_URL
) -> Callable[[str], None]:
    """An `open_browser` that logs in through the Smart-ID simulator in a Playwright `browser`, as a person
    would: the portal's login page, the personal code, and "Confirm" on the simulated phone (a page of the
    simulator service at `simulators_url`)."""

    def open_in_robot(url: str) -> None:
        context = browser.new_context(locale="en-GB")
        try:
            page = context.new_page()
            page.goto(url)  # to the portal's login, with the authorization request as `next`
            page.locator("a.method-button[href*='smart-id']").click()
            page.locator("input[name=personal_code]").fill(personal_code)
            page.locator("form:has(input[name=personal_code]) button[type=submit]").click()
            page.wait_for_url("**/smart-id/wait/**")
            phone = context.new_page()
            code = personal_code.replace("-", "")
            phone.goto(f"{simulators_url.rstrip('/')}/simulators/smartid/phone/{code}/?lang=en")
            phone.locator("button[name=answer][value=confirm]").first.click()
            page.wait_for_url(f"http://127.0.0.1:*{CALLBACK_PATH}?*", timeout=30_000)
        finally:
            context.close()

    return open_in_robot


def _print(result: Result) -> None:
    print("ID token claims:")
    print(json.dumps(result.id_token_claims, indent=2, ensure_ascii=False))
    print(f"\n{result.me['name']} acts in {len(result.me['contexts'])} context(s):")
    for context in result.me["contexts"]:
        organization = context["organization"]["name"] if context["organization"] else "private"
        rows = result.connections[context["id"]]
        print(f"\n  {context['id']} ({organization}, {context['role']}): {result.totals[context['id']]} connection(s)")
        for row in rows[:SHOWN]:
            left = result.data_left.get(row["href"], "")
            left = f"{left} left" if left else ""
            print(f"    {row['msisdn']}  {row['tariffPlan']['name']:<24} {row['status']:<10} {left:<18} {row['label']}")
        if len(rows) > SHOWN:
            print(f"    … and {len(rows) - SHOWN} more")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="selfcare app-demo", description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000", help="the portal (default: %(default)s)")
    parser.add_argument("--client-id", default=CLIENT_ID)
    parser.add_argument(
        "--simulators-url", default=SIMULATORS_URL, help="with --headless: the simulator service (default: %(default)s)"
    )
    parser.add_argument("--headless", action="store_true", help="log in through the Smart-ID simulator by itself")
    parser.add_argument("--personal-code", help="with --headless: the demo person, e.g. 150385-12346")
    args = parser.parse_args(argv)
    if args.headless:
        if not args.personal_code:
            parser.error("--headless needs --personal-code")
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            try:
                result = log_in_and_list(
                    args.base_url,
                    smartid_robot(args.base_url, args.personal_code, browser, simulators_url=args.simulators_url),
                    client_id=args.client_id,
                )
            finally:
                browser.close()
    else:
        print("Opening the login in your browser…", file=sys.stderr)
        result = log_in_and_list(args.base_url, lambda url: _open_system_browser(url), client_id=args.client_id)
    _print(result)
    return 0


def _open_system_browser(url: str) -> None:
    if not webbrowser.open(url):
        print(f"Open this address in a browser:\n{url}", file=sys.stderr)
