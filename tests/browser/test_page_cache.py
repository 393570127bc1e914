"""The page cache in a real browser: a reader who is not signed in gets the
stored page, and sees an edit at once (reload after it: no stale copy)."""
import pytest

from .conftest import login, shot

pytestmark = pytest.mark.browser


def test_a_reader_sees_the_stored_page_then_the_edit(new_page, seed):
    owner = seed.user("cacher")
    project = seed.project(owner, prefix="cache", tools=[("notes", "notes")])
    url = seed.note(project, "notes", "Cached plan", text="The first words.")

    reader = new_page()
    first = reader.goto(url)
    assert first.status == 200 and first.headers.get("x-forge-page-cache") == "miss"
    assert "The first words." in reader.locator("main").inner_text()
    again = reader.goto(url)
    assert again.status == 200 and again.headers.get("x-forge-page-cache") == "hit"
    # a reload, which may revalidate with the stored page's ETag (a 304 is
    # tested in tests/tools/wiki/test_page_cache.py), shows the same page
    reloaded = reader.reload()
    assert reloaded.status in (200, 304), reloaded.status
    assert "The first words." in reader.locator("main").inner_text()

    writer = new_page()
    login(writer, owner.username)
    writer.goto(url + "@@edit")
    writer.get_by_label("Text").fill("The second words.")
    with writer.expect_navigation():
        writer.locator("#note-form").get_by_role("button", name="Save").click()
    assert writer.get_by_role("status").inner_text() == "Saved version 2."

    fresh = reader.reload()
    assert fresh.status == 200
    text = reader.locator("main").inner_text()
    assert "The second words." in text and "The first words." not in text
    assert "Sign in" in reader.locator("header").inner_text()
    shot(reader, "page-cache-reader")
