"""The `selfcare` command: Django's management commands with the project's settings.

`selfcare demo_data`, `selfcare migrate`, … — the same as `manage.py`, installed as a console script.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "selfcare.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
