"""WSGI entry point for production servers (e.g. `gunicorn selfcare.wsgi`).

Before it serves anything it refuses a staff account that could log in with a password (SECURITY.md "Staff"):
staff log in with eID only, unless the audited break-glass setting is on. Then it loads what the first requests
would otherwise load (selfcare/warmup.py)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "selfcare.settings")
application = get_wsgi_application()

from selfcare.access.staff import refuse_password_staff  # noqa: E402 - needs the apps loaded above

refuse_password_staff()

from selfcare.warmup import warm_up  # noqa: E402

warm_up()
