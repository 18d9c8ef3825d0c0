"""Shared by the load and fault scripts: a production-mode app on 127.0.0.1 and a client.

`production_app()` creates a fresh PostgreSQL database (or a SQLite file in a temporary
folder), migrates it, loads the plan, collects the static files and starts gunicorn with
deploy/production.env (DEBUG off, whitenoise, JSON logs), then stops everything. Requests
carry what the TLS reverse proxy would add (Host, X-Forwarded-Proto: https,
X-Forwarded-For). Only 127.0.0.1 is ever used.
The plan loaded is fixtures/plan.json (or the file named by BENCH_PLAN).
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import psycopg

ROOT = Path(__file__).resolve().parent.parent
# The project's .venv, or the environment running this script (e.g. a shared one).
_BIN = ROOT / ".venv" / "bin" if (ROOT / ".venv" / "bin").is_dir() else Path(sys.executable).parent
PYTHON = _BIN / "python"
GUNICORN = _BIN / "gunicorn"
HOST = "127.0.0.1"
PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres", "dbname": "postgres"}
PROXY_HEADERS = {"Host": "localhost", "X-Forwarded-Proto": "https"}


def production_env(
    database: str, workdir: Path, port: int, *, engine: str = "postgresql"
) -> dict[str, str]:
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/root")}
    for line in (ROOT / "deploy" / "production.env").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            env[key] = value
    secret = workdir / "secret_key"
    secret.write_text(secrets.token_urlsafe(50), encoding="utf-8")
    env.update(
        SECRET_KEY_FILE=str(secret),
        DATABASE_URL=(
            f"sqlite:///{workdir / database}.sqlite3"
            if engine == "sqlite"
            else f"postgres://postgres@127.0.0.1:5432/{database}"
        ),
        STATIC_ROOT=str(workdir / "staticfiles"),
        MEDIA_ROOT=str(workdir / "media"),
        PUBLIC_CACHE_DIR=str(workdir / "public-cache"),
        GUNICORN_BIND=f"{HOST}:{port}",
        # Mails of the workflow go nowhere during a benchmark.
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        LOG_LEVEL="WARNING",
    )
    return env


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [str(PYTHON), "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stderr}")
    return result.stdout


def recreate_database(name: str) -> None:
    with psycopg.connect(**PG, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def drop_database(name: str) -> None:
    with psycopg.connect(**PG, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class App:
    port: int
    env: dict[str, str]
    log: Path
    server: subprocess.Popen

    def running(self) -> bool:
        return self.server.poll() is None

    def client(self) -> Client:
        return Client(self.port)

    def manage(self, *args: str) -> str:
        return manage(self.env, *args)


@contextmanager
def production_app(
    database: str,
    port: int,
    *,
    workers: int | None = None,
    keep_database: bool = False,
    engine: str = "postgresql",
) -> Iterator[App]:
    """The app on 127.0.0.1:`port` with a fresh database: PostgreSQL `database` (created and
    dropped here), or with engine="sqlite" a file of that name in a temporary folder."""
    refuse_foreign_server(port)
    with tempfile.TemporaryDirectory(prefix="kanazawa-bench-") as tmp:
        workdir = Path(tmp)
        env = production_env(database, workdir, port, engine=engine)
        if workers:
            env["WEB_CONCURRENCY"] = str(workers)
        print(f"準備: データベース {database} を作り、migrate・import_plan・collectstatic …")
        sqlite = engine == "sqlite"
        if not sqlite:
            recreate_database(database)
        manage(env, "migrate", "--no-input")
        manage(env, "import_plan", os.environ.get("BENCH_PLAN", "fixtures/plan.json"))
        manage(env, "collectstatic", "--no-input", "-v", "0")
        log = workdir / "gunicorn.log"
        with log.open("w") as out:
            server = subprocess.Popen(
                [str(GUNICORN), "kanazawa_plan.wsgi"],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            _wait_until_healthy(port, server)
            print(f"gunicorn (pid {server.pid}, workers {env['WEB_CONCURRENCY']}) on {HOST}:{port}")
            yield App(port=port, env=env, log=log, server=server)
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=40)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
            tail = log.read_text(encoding="utf-8", errors="replace").splitlines()[-5:]
            if server.returncode not in (0, -signal.SIGTERM):
                print("gunicorn log (last lines):", *tail, sep="\n  ")
            if not keep_database and not sqlite:
                drop_database(database)


def refuse_foreign_server(port: int) -> None:
    """Stop when something already listens on the port: the figures would be another
    server's (a developer's runserver, a forgotten gunicorn), not the one started here."""
    try:
        with socket.create_connection((HOST, port), timeout=1):
            pass
    except OSError:
        return
    raise SystemExit(
        f"{HOST}:{port} は使用中です。このスクリプトが起動していないサーバーは測りません"
        "（--port で空いているポートを指定してください）。"
    )


def _wait_until_healthy(port: int, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            # e.g. the port was taken between the check and the start: never measure that.
            raise SystemExit(f"gunicorn exited with {server.returncode}")
        try:
            if Client(port).get("/healthz").status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit("gunicorn did not become healthy in time")


@dataclass
class Response:
    status: int
    body: bytes
    headers: dict[str, str]
    seconds: float

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


@dataclass
class Client:
    """One browser: its own connection and cookies (also the Secure ones: the proxy is TLS)."""

    port: int
    address: str = "203.0.113.10"
    cookies: dict[str, str] = field(default_factory=dict)
    timeout: float = 30
    _conn: http.client.HTTPConnection | None = None

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post(self, path: str, data: dict[str, str], referer: str | None = None) -> Response:
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        headers["Referer"] = f"https://localhost{referer or path}"
        headers["Origin"] = "https://localhost"
        return self.request("POST", path, urlencode(data).encode(), headers)

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict | None = None
    ) -> Response:
        all_headers = {**PROXY_HEADERS, "X-Forwarded-For": self.address, **(headers or {})}
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        started = time.perf_counter()
        for attempt in (1, 2):
            if self._conn is None:
                self._conn = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)
            try:
                self._conn.request(method, path, body=body, headers=all_headers)
                raw = self._conn.getresponse()
                payload = raw.read()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # A keep-alive connection the server had already closed: a GET is retried
                # once on a fresh connection; a POST is never sent twice.
                self.close()
                if attempt == 2 or method != "GET":
                    raise
        headers_out = {k.lower(): v for k, v in raw.getheaders()}
        for cookie in raw.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        if raw.will_close:
            self.close()
        return Response(raw.status, payload, headers_out, time.perf_counter() - started)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def csrf_token(self, page: Response) -> str:
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
        if not match:
            raise SystemExit("no CSRF token on the page")
        return match[1].decode()

    def login(self, admin_path: str, username: str, password: str) -> None:
        login_path = f"{admin_path}login/"
        page = self.get(login_path)
        response = self.post(
            login_path,
            {
                "csrfmiddlewaretoken": self.csrf_token(page),
                "username": username,
                "password": password,
                "next": admin_path,
            },
        )
        if response.status != 302:
            raise SystemExit(f"login of {username} failed: {response.status}")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def summary_ms(values: list[float]) -> str:
    if not values:
        return "-"
    return (
        f"p50 {percentile(values, 0.5) * 1000:.1f} ms, p95 {percentile(values, 0.95) * 1000:.1f}"
        f" ms, p99 {percentile(values, 0.99) * 1000:.1f} ms, mean"
        f" {statistics.fmean(values) * 1000:.1f} ms, max {max(values) * 1000:.1f} ms"
    )


def python_version() -> str:
    return sys.version.split()[0]
