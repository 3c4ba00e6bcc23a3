"""axe-core in the browser tests: injected into the page under test, never served by the portal."""

from pathlib import Path

from playwright.sync_api import Page

AXE_VERSION = "4.14.1"
AXE_SOURCE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")

# The serious and critical violations axe finds, as short lines a person can act on.
_RUN = """async (blocking) => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations
    .filter((v) => blocking.includes(v.impact))
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ` +
      v.nodes.slice(0, 4).map((n) => n.target.join(' ')).join(' | '));
}"""


def serious_violations(page: Page) -> list[str]:
    """Run axe on the page as it is now; the page keeps its own Content-Security-Policy,
    since evaluating a script from the test is not a script the page loads."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE.read_text(encoding="utf-8"))
    assert page.evaluate("() => axe.version") == AXE_VERSION
    return page.evaluate(_RUN, list(BLOCKING))
