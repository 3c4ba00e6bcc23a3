import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
});
"""


def test_the_api_docs_render_under_the_content_security_policy(live_server, page, screenshots):
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.add_init_script(RECORD_VIOLATIONS)

    page.goto(f"{live_server.url}/api/v1/docs")

    page.get_by_text("Report a package event").wait_for()
    expect(page.get_by_text("Read a package")).to_be_visible()
    assert page.evaluate("window.cspViolations") == []
    assert all(url.startswith(live_server.url) for url in requested), requested
    page.screenshot(path=screenshots / "api-docs.png", full_page=True)
