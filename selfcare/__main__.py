"""The `selfcare` command: Django's management commands with the project's settings.

`selfcare demo_data`, `selfcare migrate`, … — the same as `manage.py`, installed as a console script.
`selfcare app-demo` is the app's reference client (selfcare/channels/appdemo.py): an outside program that talks to
the portal over HTTP only, so it is not a management command and does not load Django.
"""

import os
import sys


def main() -> None:
    if sys.argv[1:2] == ["app-demo"]:
        from selfcare.channels.appdemo import main as app_demo

        sys.exit(app_demo(sys.argv[2:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "selfcare.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
