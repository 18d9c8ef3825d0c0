#!/bin/sh
# Container start: bring the schema up to date and load the plan into an empty database,
# then run the command (gunicorn by default).
set -e
python manage.py migrate --no-input
python manage.py import_plan fixtures/plan.json --if-empty
exec "$@"
