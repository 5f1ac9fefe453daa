"""The `dangjian` command: Django's manage.py under the project's own name."""

import os
import sys


def main() -> None:
    """Run a management command (`dangjian demo`, `dangjian audit verify`, ...)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
