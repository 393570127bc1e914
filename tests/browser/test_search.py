"""Search in a browser: the header's search box, the results page with its
count and highlighted snippets, a private note found only by its reader, a
query that cannot parse, all driven from the keyboard."""
import pytest

from .conftest import login, project_url, shot

pytestmark = pytest.mark.browser


def test_search_from_the_header_box(run_reactors, page, seed, live_registry):
    owner = seed.user("srch")
    project = seed.project(owner, prefix="srch", title="Search Project",
                           tools=[("notes", "notes")])
    seed.note(project, "notes", "Capybara care", text="The **capybara** likes water & <grass>.",
              author=owner)
    seed.note(project, "notes", "Zoo list", text="capybara, tapir, okapi", author=owner)
    from forge.model import Project, ToolInstance, session
    from tools.notes.actions import create_note
    doc = Project.query.get(_id=project._id)
    tool = ToolInstance.query.get(project_id=doc._id, mount="notes")
    create_note(seed.registry, doc, tool, None, "secret-capybara",
                {"title": "Secret capybara plan", "text": "capybara secret", "labels": [],
                 "custom": {}, "ext": {}}, owner, private=True)
    session.close()
    run_reactors()

    page.goto(project_url(project))
    box = page.get_by_label("Search everything")
    box.focus()
    page.keyboard.type("capybara")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("heading", level=1).inner_text() == "Search everywhere"
    assert page.get_by_role("status").inner_text() == "2 results"
    assert page.locator(".search-snippet mark").first.inner_text().lower() == "capybara"
    assert "Secret capybara plan" not in page.content()
    shot(page, "search-results")

    # the owner also finds the private note; the result links to it
    login(page, owner.username)
    page.goto("/@@search?q=capybara")
    assert page.get_by_role("status").inner_text() == "3 results"
    link = page.get_by_role("link", name="Secret capybara plan")
    link.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/notes/secret-capybara/")

    # a query that cannot parse: a message next to the form, not an error page
    page.goto(project_url(project) + "@@search")
    field = page.get_by_label("Search for")
    field.fill('"unclosed')
    with page.expect_navigation():
        field.press("Enter")
    assert "quotation mark is not closed" in page.get_by_role("alert").inner_text()
    assert page.get_by_label("Search for").input_value() == '"unclosed'
    shot(page, "search-parse-error")
