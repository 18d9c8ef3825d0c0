#!/usr/bin/env python
from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kanazawa_plan.settings")
    # With neither DEBUG nor DATABASE_URL set, a command can only mean the checkout's own
    # SQLite database: it runs with development settings, so that README's commands work in a
    # fresh shell. A command aimed at a real database must say DEBUG; production says DEBUG=0
    # (deploy/production.env, the Docker image) and gunicorn (wsgi.py) never guesses.
    if "DEBUG" not in os.environ and "DATABASE_URL" not in os.environ:
        os.environ["DEBUG"] = "1"
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
