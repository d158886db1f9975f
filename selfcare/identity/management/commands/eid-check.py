"""`selfcare eid-check smartid --personal-code CODE`: an operator's end-to-end check of an eID method.

It runs a complete authentication against the configured provider (SK's demo environment, production, or the
simulator) with the production client and verification, then prints the verified identity as JSON, or the
precise reason for refusal and exits non-zero. Unlike the login pages, it names the exact reason: it is for the
operator, who needs to know why.
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
from selfcare.identity.methods.smartid.client import SmartIdClient
from selfcare.identity.methods.smartid.config import smartid_config


class Command(BaseCommand):
    help = "Run a complete eID authentication against the configured provider and print the verified identity."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("method", choices=["smartid"], help="the eID method to check")
        parser.add_argument("--personal-code", required=True, help="the person to authenticate, e.g. 010180-15097")
        parser.add_argument("--display-text", default="selfcare eid-check", help="text shown in the Smart-ID app")

    def handle(self, *args: Any, method: str, personal_code: str, display_text: str, **options: Any) -> None:
        try:
            code = PersonalCode.parse(personal_code)
        except ValidationError as error:
            raise CommandError(f"invalid personal code: {error.messages[0]}") from None
        try:
            client = SmartIdClient(smartid_config())
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from None
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
