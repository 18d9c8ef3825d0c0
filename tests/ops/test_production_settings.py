from __future__ import annotations

import json
import logging
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from kanazawa_plan import settings as plan_settings
from ops.jsonlog import JsonFormatter
from ops.security import client_ip

PRODUCTION_ENV = settings.BASE_DIR / "deploy" / "production.env"


def documented_production_env(tmp_path: Path) -> dict[str, str]:
    """deploy/production.env as README.md has the operator load it, with a real secret file."""
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/root")}
    for line in PRODUCTION_ENV.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            env[key] = value
    secret_file = tmp_path / "secret_key"
    secret_file.write_text(secrets.token_urlsafe(50) + "\n", encoding="utf-8")
    env["SECRET_KEY_FILE"] = str(secret_file)
    env["STATIC_ROOT"] = str(tmp_path / "staticfiles")
    return env


def _manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(settings.BASE_DIR / "manage.py"), *args],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def test_it_passes_check_deploy_with_the_documented_production_env(tmp_path: Path) -> None:
    result = _manage(
        documented_production_env(tmp_path), "check", "--deploy", "--fail-level", "DEBUG"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_it_refuses_to_start_in_production_without_a_secret_key(tmp_path: Path) -> None:
    env = documented_production_env(tmp_path)
    del env["SECRET_KEY_FILE"]
    result = _manage(env, "check")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_it_serves_hashed_static_file_names_in_production(tmp_path: Path) -> None:
    env = documented_production_env(tmp_path)
    collected = _manage(env, "collectstatic", "--no-input", "-v", "0")
    assert collected.returncode == 0, collected.stderr
    manifest = json.loads((tmp_path / "staticfiles" / "staticfiles.json").read_text())
    hashed = manifest["paths"]["admin/css/base.css"]
    assert hashed != "admin/css/base.css"
    assert (tmp_path / "staticfiles" / hashed).is_file()
    assert (tmp_path / "staticfiles" / f"{hashed}.gz").is_file()

    url = _manage(
        env,
        "shell",
        "--no-imports",
        "-c",
        "from django.templatetags.static import static; print(static('admin/css/base.css'))",
    )
    assert url.stdout.strip() == f"/static/{hashed}"


def fresh_shell_env() -> dict[str, str]:
    """The environment of a new login shell: none of the app's variables."""
    return {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/root")}


SHOW_DEBUG = "from django.conf import settings; print(settings.DEBUG)"


def test_manage_py_runs_the_checkout_in_development_from_a_fresh_shell() -> None:
    result = _manage(fresh_shell_env(), "shell", "--no-imports", "-c", SHOW_DEBUG)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def test_manage_py_never_guesses_development_for_a_database_url() -> None:
    env = {**fresh_shell_env(), "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/plan"}
    result = _manage(env, "check")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_gunicorn_never_starts_in_development_by_itself() -> None:
    result = subprocess.run(
        [sys.executable, "-c", "import kanazawa_plan.wsgi"],
        env=fresh_shell_env(),
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_every_production_entry_point_turns_debug_off() -> None:
    deploy = settings.BASE_DIR / "deploy"
    assert "\nDEBUG=0\n" in PRODUCTION_ENV.read_text(encoding="utf-8")
    for unit in deploy.glob("*.service"):
        text = unit.read_text(encoding="utf-8")
        assert "EnvironmentFile=/srv/kanazawa-plan/deploy/production.env" in text, unit.name
    # The image itself, so that any container of it (compose's or a bare `docker run`) is
    # production.
    assert "\nENV DEBUG=0\n" in (deploy / "Dockerfile").read_text(encoding="utf-8")


def test_it_reads_the_secret_key_from_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret_file = tmp_path / "secret"
    secret_file.write_text("  from-the-file\n", encoding="utf-8")
    monkeypatch.setenv("APP_SECRET_FILE", str(secret_file))
    monkeypatch.setenv("APP_SECRET", "from-the-environment")
    assert plan_settings.env_secret("APP_SECRET") == "from-the-file"

    monkeypatch.delenv("APP_SECRET_FILE")
    assert plan_settings.env_secret("APP_SECRET") == "from-the-environment"


@pytest.mark.parametrize("content", [None, ""])
def test_it_refuses_a_missing_or_empty_secret_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str | None
) -> None:
    secret_file = tmp_path / "secret"
    if content is not None:
        secret_file.write_text(content, encoding="utf-8")
    monkeypatch.setenv("APP_SECRET_FILE", str(secret_file))
    with pytest.raises(ImproperlyConfigured, match="APP_SECRET_FILE"):
        plan_settings.env_secret("APP_SECRET")


def test_it_keeps_postgresql_connections_open_and_checks_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("DB_CONN_MAX_AGE", raising=False)
    config = plan_settings.env_database("DB", "postgres://postgres@127.0.0.1:5432/plan")
    assert config["CONN_MAX_AGE"] == 60
    assert config["CONN_HEALTH_CHECKS"] is True
    assert plan_settings.env_database("DB", "sqlite:///x.sqlite3")["CONN_MAX_AGE"] == 0


PRODUCTION_VALUES = """
import json
from django.conf import settings as s
print(json.dumps({
    "DEBUG": s.DEBUG,
    "SECURE_SSL_REDIRECT": s.SECURE_SSL_REDIRECT,
    "SECURE_PROXY_SSL_HEADER": s.SECURE_PROXY_SSL_HEADER,
    "SESSION_COOKIE_SECURE": s.SESSION_COOKIE_SECURE,
    "CSRF_COOKIE_SECURE": s.CSRF_COOKIE_SECURE,
    "SECURE_HSTS_SECONDS": s.SECURE_HSTS_SECONDS,
    "X_FRAME_OPTIONS": s.X_FRAME_OPTIONS,
    "staticfiles": s.STORAGES["staticfiles"]["BACKEND"],
    "CONN_MAX_AGE": s.DATABASES["default"]["CONN_MAX_AGE"],
    "CONN_HEALTH_CHECKS": s.DATABASES["default"]["CONN_HEALTH_CHECKS"],
    "formatter": s.LOGGING["handlers"]["stdout"]["formatter"],
}))
"""


def test_it_runs_production_with_https_only_settings(tmp_path: Path) -> None:
    result = _manage(
        documented_production_env(tmp_path), "shell", "--no-imports", "-c", PRODUCTION_VALUES
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "DEBUG": False,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "X_FRAME_OPTIONS": "DENY",
        "staticfiles": "whitenoise.storage.CompressedManifestStaticFilesStorage",
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
        "formatter": "json",
    }


def test_the_suite_runs_on_the_production_defaults(settings) -> None:
    # tests/settings.py gives only a deployment's environment; a DEBUG=1 sneaking in would
    # turn all of these off and leave the suite testing development instead.
    assert settings.SESSION_COOKIE_SECURE is True
    assert settings.CSRF_COOKIE_SECURE is True
    assert settings.SECURE_HSTS_SECONDS == 31_536_000
    assert settings.ALLOWED_HOSTS == ["testserver"]
    assert settings.STORAGES["staticfiles"]["BACKEND"] == (
        "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )
    assert settings.LOGGING["handlers"]["stdout"]["formatter"] == "json"


@pytest.mark.django_db
def test_it_sends_secure_cookies_and_security_headers(client, settings) -> None:
    response = client.get(f"/{settings.ADMIN_URL}login/", secure=True)
    assert "secure" in str(response.cookies["csrftoken"]).lower()
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Strict-Transport-Security"] == ("max-age=31536000; includeSubDomains; preload")


def test_it_writes_one_json_object_per_log_line() -> None:
    record = logging.LogRecord(
        "django.request", logging.ERROR, __file__, 1, "失敗 %s", ("x",), None
    )
    record.status_code = 503
    line = json.loads(JsonFormatter().format(record))
    assert line["level"] == "ERROR"
    assert line["logger"] == "django.request"
    assert line["message"] == "失敗 x"
    assert line["status_code"] == 503
    assert line["time"].endswith("+00:00")


def test_it_writes_gunicorn_access_lines_as_fields() -> None:
    atoms = {
        "r": "GET /healthz HTTP/1.1",
        "h": "127.0.0.1",
        "m": "GET",
        "U": "/healthz",
        "q": "",
        "s": "200",
        "M": 3,
    }
    record = logging.LogRecord("gunicorn.access", logging.INFO, __file__, 1, "%(r)s", atoms, None)
    line = json.loads(JsonFormatter().format(record))
    assert line["method"] == "GET"
    assert line["path"] == "/healthz"
    assert line["status"] == "200"
    assert line["duration_ms"] == 3
    assert line["message"] == "GET /healthz HTTP/1.1"


def test_it_takes_the_client_address_from_the_trusted_proxy(settings) -> None:
    request = RequestFactory().get(
        "/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.7"
    )
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "127.0.0.1"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "198.51.100.7"
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request) == "203.0.113.9"
