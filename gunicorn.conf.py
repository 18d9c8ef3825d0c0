"""gunicorn settings, read from this folder by `gunicorn kanazawa_plan.wsgi`.

Every value can be changed from the environment; see README.md "Deployment".
"""

from __future__ import annotations

import multiprocessing
import os

wsgi_app = "kanazawa_plan.wsgi"
# Only the reverse proxy on this host talks to gunicorn.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then (bounds memory growth from report generation).
max_requests = 1000
max_requests_jitter = 100
# Headers (X-Forwarded-Proto/For) are trusted only from these proxy addresses.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# Bounded request lines and headers; the body size is limited by the app (MAX_REQUEST_SIZE).
limit_request_line = 8190
limit_request_fields = 100
# No gunicornc control socket: one fixed path per user would clash between instances.
control_socket_disable = True

# Access and error logs as JSON lines on stdout, like the app's own logs.
accesslog = "-"
errorlog = "-"
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "ops.jsonlog.JsonFormatter"}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json",
        },
    },
    "root": {"handlers": ["stdout"], "level": "INFO"},
    "loggers": {
        "gunicorn.error": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
    },
}
