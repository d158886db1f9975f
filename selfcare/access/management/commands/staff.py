"""`selfcare staff grant --personal-code CODE --role ROLE`, `selfcare staff list`, `selfcare staff remove-passwords`.

The first administrator is granted here, on the server (whoever runs it already holds the server's keys); the
grant is audited as done from the command line. Later roles are granted in the back office by administrators.
The person must have logged in with eID once, so that their digital identity exists.

`remove-passwords` makes every staff or superuser account's password unusable: production refuses to start while
one has a usable password (staff log in with eID only).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q

from selfcare.access.models import StaffRole, StaffRoleGrant
from selfcare.access.services import role_grant_from_server
from selfcare.identifiers import PersonalCode
from selfcare.identity.models import NationalIdentifier


class Command(BaseCommand):
    help = "Staff roles: 'grant --personal-code CODE --role ROLE', 'list', 'remove-passwords'."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="task", required=True)
        grant = sub.add_parser("grant", help="give a person (who logged in with eID once) a staff role")
        grant.add_argument("--personal-code", required=True)
        grant.add_argument("--role", required=True, choices=[r.value for r in StaffRole])
        sub.add_parser("list", help="the live staff roles")
        sub.add_parser("remove-passwords", help="make every staff account's password unusable")

    def handle(self, *args: Any, task: str, **options: Any) -> None:
        if task == "grant":
            self._grant(options["personal_code"], StaffRole(options["role"]))
        elif task == "list":
            for grant in StaffRoleGrant.objects.live().select_related("identity").order_by("identity__family_name"):
                self.stdout.write(f"{grant.identity.full_name:<30} {grant.role}")
        else:
            users = get_user_model()._default_manager.filter(Q(is_staff=True) | Q(is_superuser=True))
            count = 0
            for user in users:
                if user.has_usable_password():
                    user.set_unusable_password()
                    user.save(update_fields=["password"])
                    count += 1
            self.stdout.write(f"passwords removed: {count}")

    def _grant(self, text: str, role: StaffRole) -> None:
        try:
            code = PersonalCode.parse(text)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        found = NationalIdentifier.objects.filter(country=code.country, code=code.code).select_related("identity")
        identifier = found.first()
        if identifier is None:
            raise CommandError("Nobody with this personal code has logged in yet: they log in with eID once first.")
        try:
            role_grant_from_server(identity=identifier.identity, role=role)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(f"{identifier.identity.full_name}: {role.value}")
