"""Headless Chromium for the browser tests (Debian's /usr/bin/chromium, driven by Playwright): where it is,
how it is launched, and where screenshots go. A module that needs it calls `require_chromium()` first."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import pytest

from harness.servers import ROOT

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "var" / "artifacts"


def require_chromium() -> Any:
    """Skip the calling module without Chromium or Playwright; else Playwright's sync API."""
    if not CHROMIUM.exists():
        pytest.skip(
            "browser tests need Chromium at /usr/bin/chromium (apt-get install -y chromium; scripts/test "
            "installs it when it runs as root with apt)",
            allow_module_level=True,
        )
    return pytest.importorskip("playwright.sync_api", reason="Playwright is in the test extra: `make setup`")


@contextmanager
def chromium(playwright: Any) -> Iterator[Any]:
    with playwright.sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS, headless=True)
        yield launched
        launched.close()


def shoot(page: Any, name: str, *, full_page: bool = False) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=full_page)
