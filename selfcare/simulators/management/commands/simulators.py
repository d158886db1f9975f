"""`selfcare simulators [addrport]`: serve every simulator (selfcare/simulators/urls.py) as its own service.

Started by `make run` beside the portal (default port 8001, ``SELFCARE_SIMULATORS_URL``). It runs only in the
demo: outside it the settings refuse the simulators anyway, and every simulator view answers 404.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import CommandError
from django.core.management.commands.runserver import Command as RunserverCommand

from selfcare.simulators.pki.demo import ensure_demo_pki

URLCONF = "selfcare.simulators.urls"


class Command(RunserverCommand):
    help = "Serve the simulators of the outside services (demo and tests only) on their own port."
    default_port = "8001"

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.SELFCARE_DEMO:
            raise CommandError("The simulators run only in the demo (SELFCARE_DEMO=true), never in production.")
        if settings.ROOT_URLCONF != URLCONF:
            # `python -m selfcare simulators` chooses selfcare.simulators.settings; anything else would serve the
            # portal's pages under the simulators' name.
            raise CommandError(
                "Run with DJANGO_SETTINGS_MODULE=selfcare.simulators.settings "
                f"(ROOT_URLCONF is {settings.ROOT_URLCONF})."
            )
        # The files the portal's demo settings name, before the first login asks for them.
        ensure_demo_pki()
        super().handle(*args, **options)
