"""`selfcare eid-check METHOD`: an operator's check of an eID method against the configured provider.

- `smartid --personal-code CODE` runs a complete authentication (SK's demo environment, production, or the
  simulator) with the production client and verification, then prints the verified identity as JSON, or the
  precise reason for refusal and exits non-zero;
- `eparaksts`, `swedbank`, `seb`, `citadele`, `luminor` check what can be checked without a person:
  configuration complete, keys and certificates load and are valid, the provider's address answers (and, for
  eParaksts, that it accepts our client credentials, sent as the login sends them);
- with TLS pins configured, both Smart-ID and eParaksts first say whether the server's certificate is pinned,
  naming the certificate's SHA-256 on a mismatch.

Unlike the login pages, it names exact reasons: it is for the operator, who needs to know why.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import asdict
from typing import Any

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from selfcare.identifiers import PersonalCode
from selfcare.identity.methods.base import EidError
from selfcare.identity.methods.provider_checks import BANKS, check_bank, check_eparaksts, tls_pin_check
from selfcare.identity.methods.smartid.client import SmartIdClient
from selfcare.identity.methods.smartid.config import smartid_config


class Command(BaseCommand):
    help = "Run a complete eID authentication against the configured provider and print the verified identity."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("method", choices=["smartid", "eparaksts", *BANKS], help="the eID method to check")
        parser.add_argument("--personal-code", help="smartid: the person to authenticate, e.g. 010180-15097")
        parser.add_argument("--display-text", default="selfcare eid-check", help="text shown in the Smart-ID app")

    def handle(self, *args: Any, method: str, personal_code: str | None, display_text: str, **options: Any) -> None:
        if method != "smartid":
            checks = check_eparaksts() if method == "eparaksts" else check_bank(method)
            failed = False
            for ok, text in checks:
                failed |= not ok
                (self.stdout if ok else self.stderr).write(f"{'OK  ' if ok else 'FAIL'} {text}")
            if failed:
                sys.exit(1)
            return
        if not personal_code:
            raise CommandError("smartid needs --personal-code")
        try:
            code = PersonalCode.parse(personal_code)
        except ValidationError as error:
            raise CommandError(f"invalid personal code: {error.messages[0]}") from None
        try:
            config = smartid_config()
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from None
        if config.tls_pins:
            ok, text = tls_pin_check(config.api_url, config.tls_pins, "SMARTID_TLS_PINS")
            (self.stdout if ok else self.stderr).write(f"{'OK  ' if ok else 'FAIL'} {text}")
            if not ok:
                sys.exit(1)
        client = SmartIdClient(config)
        try:
            pending = client.start_notification(code, display_text=display_text)
            self.stderr.write(f"Verification code {pending.verification_code}: confirm it in the Smart-ID app.")
            started = time.monotonic()
            while (verified := client.poll(pending)) is None:
                self.stderr.write(f"  waiting… {int(time.monotonic() - started)} s")
        except EidError as error:
            self.stderr.write(f"REFUSED: {type(error).__name__} code={error.code} reason={error.reason or '-'}")
            sys.exit(1)
        self.stdout.write(json.dumps(asdict(verified), ensure_ascii=False, indent=2, default=str))
