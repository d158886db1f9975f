"""The `selfcare` command: Django's management commands with the project's settings.

`selfcare demo_data`, `selfcare migrate`, … — the same as `manage.py`, installed as a console script.
`selfcare simulators` serves the outside services' simulators with their own settings (demo and tests only).
`selfcare app-demo` is the app's reference client (selfcare/channels/appdemo.py): an outside program that talks to
the portal over HTTP only, so it is not a management command and does not load Django.
"""

import os
import sys


def main() -> None:
    if sys.argv[1:2] == ["app-demo"]:
        from selfcare.channels.appdemo import main as app_demo

        sys.exit(app_demo(sys.argv[2:]))
    # The simulator service is the same code with its own URLconf and cookies (selfcare/simulators/settings.py).
    default = "selfcare.simulators.settings" if sys.argv[1:2] == ["simulators"] else "selfcare.settings"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", default)
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
