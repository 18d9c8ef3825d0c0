"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

live_server tests are transactional: the database is flushed after each of them, so each
test loads the real plan itself. pytest-django runs transactional tests after the others,
so the plan loaded once for the other tests is used before the flush.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from pytest_django.live_server_helper import LiveServer

from initiatives.plan.loader import import_plan
from tests.conftest import real_plan_document

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
SCREENSHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"


@pytest.fixture(scope="session")
def live_server(request: pytest.FixtureRequest) -> Iterator[LiveServer]:
    """pytest-django's live server, serving static files as production does.

    pytest-django wraps the app in staticfiles' handler, which finds files by their source
    names; the pages link collectstatic's hashed names, which the app's own whitenoise
    middleware serves from STATIC_ROOT, as under gunicorn.
    """
    address = (
        request.config.getvalue("liveserver")
        or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS")
        or "localhost"
    )
    server = LiveServer(address, start=False)
    server.thread.static_handler = _app_itself
    server.start()
    yield server
    server.stop()


def _app_itself(application: object) -> object:
    return application


@pytest.fixture
def plan_site(live_server, transactional_db) -> str:
    """The live server's address, with the real plan loaded."""
    import_plan(data=real_plan_document())
    return live_server.url


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread while the browser
    # is open; the test code itself stays synchronous, so Django's guard against database
    # calls from async code is lifted for the browser tests only.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class PageProblems:
    """Console errors and uncaught exceptions seen by a page."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def watch(self, page) -> None:
        page.on(
            "console",
            lambda message: (
                self.errors.append(f"console: {message.text}") if message.type == "error" else None
            ),
        )
        page.on("pageerror", lambda error: self.errors.append(f"pageerror: {error}"))


@pytest.fixture
def page_and_problems(browser) -> Iterator[tuple[object, PageProblems]]:
    # The site's Content-Security-Policy forbids inline scripts; bypassing it lets the test
    # inject axe-core, the pages themselves run no script.
    context = browser.new_context(
        locale="ja-JP",
        viewport={"width": 1280, "height": 900},
        bypass_csp=True,
        accept_downloads=True,
    )
    page = context.new_page()
    problems = PageProblems()
    problems.watch(page)
    yield page, problems
    context.close()


def run_axe(page) -> list[dict]:
    """axe-core's serious and critical violations of the page as it is now."""
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
