"""Real Chromium (the system binary) driven by Playwright against Django's live server."""

import os
from pathlib import Path

import pytest

from tests.conftest import CHROMIUM

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Playwright's sync API runs an event loop in this thread; Django's ORM must
# still be usable from the test body that drives it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # The live server serves files straight from the finders; no manifest exists.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _provider_staff_group(staff_group):
    # Every browser test is transactional, and an earlier one's flush removed the
    # group that the demo logins join.
    return staff_group


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM:
        pytest.skip("needs the system Chromium")  # the marker hook reports it first
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory):
    """Where screenshots go: TEST_ARTIFACTS if set (CI keeps them), else the pytest temp dir."""
    folder = os.environ.get("TEST_ARTIFACTS")
    if not folder:
        return tmp_path_factory.mktemp("screenshots")
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    return path
