"""Headless Debian Chromium driven by Playwright, at a phone's viewport."""

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ARTIFACTS = Path(
    os.environ.get("TEST_ARTIFACTS", Path(__file__).resolve().parent.parent / "test-artifacts")
)
PHONE = {"width": 390, "height": 844}
# Chromium's own network chatter is refused on a closed network; keep it quiet.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium")
    if not path:
        pytest.fail(
            "Debian's chromium is not installed (apt-get install chromium); .ci/run installs it."
        )
    return path


@contextmanager
def phone_page() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), args=FLAGS, headless=True
        )
        try:
            context = browser.new_context(
                viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
            )
            yield context.new_page()
        finally:
            browser.close()
            # Queries made inside this block ran in Playwright's own context, on a connection
            # of their own; close it here, or it outlives the test and the test database
            # cannot be dropped at the end of the run.
            from django.db import connections

            connections.close_all()


def screenshot(page: object, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]


WCAG_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def assert_accessible(page: object, where: str) -> None:
    """axe-core finds no WCAG 2.1 A/AA violation on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        page,
        options={"runOnly": {"type": "tag", "values": WCAG_A_AA}, "resultTypes": ["violations"]},
    )
    violations = [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + "; ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        for v in results.response["violations"]
    ]
    assert not violations, f"{where}: " + "\n".join(violations)


def assert_fits_the_phone(page: object, where: str) -> None:
    """Nothing wider than the screen: no sideways scrolling."""
    width = page.evaluate("document.documentElement.scrollWidth")  # type: ignore[attr-defined]
    viewport = page.evaluate("window.innerWidth")  # type: ignore[attr-defined]
    assert width <= viewport, f"{where}: {width}px wide on a {viewport}px screen"


# A figure is a visible text made of digits (and %, /, dots, dashes). It needs words beside it:
# the text of its line, its table column's data-label (shown on a phone), or an accessible name.
UNLABELLED_FIGURES_JS = """() => {
  const figure = /^[\\d\\s.,:%/–\\-()+#]*\\d[\\d\\s.,:%/–\\-()+#]*$/;
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const text = node.textContent.trim();
    if (!text || !figure.test(text)) continue;
    const element = node.parentElement;
    if (!element || !element.getClientRects().length) continue;
    if (element.closest("option, select, script, style, [aria-hidden=true]")) continue;
    const cell = element.closest("td, th");
    if (cell && cell.dataset.label) continue;
    if (element.closest("[aria-label], [aria-labelledby], meter, progress, label")) continue;
    const line = element.closest("li, p, dd, td, h1, h2, h3, div, span, small, summary");
    const words = (line ? line.innerText : "").replace(text, "");
    const dl = element.closest("dd") && element.closest("div, dl").querySelector("dt");
    if (/\\p{L}{2,}/u.test(words) || dl) continue;
    found.push(text + " in <" + element.tagName.toLowerCase() + " class='" + element.className + "'>");
  }
  return found;
}"""


def assert_figures_labelled(page: object, where: str) -> None:
    found = page.evaluate(UNLABELLED_FIGURES_JS)  # type: ignore[attr-defined]
    assert not found, f"{where}: figures without a label: {found[:10]}"
