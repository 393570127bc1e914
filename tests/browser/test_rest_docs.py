"""The REST API page (/rest/@@docs): Swagger UI from a package, no CDN, and
trying the API from it, anonymously and signed in (the CSRF header)."""
import pytest

from .conftest import login, shot

pytestmark = pytest.mark.browser


def open_operation(page, operation_id):
    block = page.locator("#operations-%s" % operation_id)
    block.locator(".opblock-summary").first.click()
    block.get_by_role("button", name="Try it out").click()
    return block


def test_the_api_page_lists_the_operations_and_runs_one(page, seed):
    owner = seed.user("owner")
    project = seed.project(owner, prefix="apidoc", tools=[("notes", "notes")])
    page.goto("/rest/@@docs")
    # Swagger UI is 1.4 MB of script: more than the suite's 5 s on a busy machine
    page.get_by_role("heading", name="PyForge REST API").wait_for(timeout=20000)
    for operation in ("getProject", "listArtifacts", "createArtifact", "patchArtifact"):
        assert page.locator("[id^='operations-'][id$='-%s']" % operation).count() == 1, \
            operation
    assert page.get_by_role("link", name="openapi.json").first.get_attribute("href") \
        .endswith("/rest/openapi.json")
    block = open_operation(page, "projects-getProject")
    block.locator("input[placeholder='neighborhood']").fill("p")
    block.locator("input[placeholder='project']").fill(project.shortname)
    block.get_by_role("button", name="Execute").click()
    response = block.locator(".responses-table.live-responses-table")
    response.wait_for(timeout=15000)
    assert "200" in response.locator("tr.response .response-col_status").first.inner_text()
    assert '"shortname": "%s"' % project.shortname in response.inner_text()
    shot(page, "rest-docs")


def test_signed_in_the_page_writes_with_the_csrf_header(page, seed):
    owner = seed.user("owner")
    project = seed.project(owner, prefix="apiwrite", tools=[("notes", "notes")])
    login(page, owner.username)
    page.goto("/rest/@@docs")
    # Swagger UI is 1.4 MB of script: more than the suite's 5 s on a busy machine
    page.get_by_role("heading", name="PyForge REST API").wait_for(timeout=20000)
    block = open_operation(page, "artifacts-createArtifact")
    block.locator("input[placeholder='neighborhood']").fill("p")
    block.locator("input[placeholder='project']").fill(project.shortname)
    block.locator("input[placeholder='mount']").fill("notes")
    block.locator("textarea.body-param__text").fill('{"title": "From the API page"}')
    block.get_by_role("button", name="Execute").click()
    response = block.locator(".responses-table.live-responses-table")
    response.wait_for(timeout=15000)
    assert "201" in response.locator("tr.response .response-col_status").first.inner_text()
    page.goto("/p/%s/notes/" % project.shortname)
    assert page.get_by_role("link", name="From the API page").is_visible()
    # the same cookie without the page's token is refused: the header is what counts
    # (through the context's request API: it shares the cookie; an in-page fetch
    # would log the refusal as a console error)
    refused = page.request.post("/rest/p/%s/notes/@@items" % project.shortname,
                                data='{"title": "forged"}',
                                headers={"Content-Type": "application/json"})
    assert refused.status == 400
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["title"] == "CSRF token missing"
