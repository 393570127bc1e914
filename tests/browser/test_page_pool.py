"""The reused browser contexts (``pages.py``) carry nothing from one test to
the next: a page dirtied in every way a test might is given back and taken
again as new, or not given again at all."""
import pytest

from .conftest import login

pytestmark = pytest.mark.browser

DIRTY = """async () => {
    localStorage.setItem("left", "1");
    sessionStorage.setItem("left", "1");
    document.cookie = "left=1; path=/";
    await caches.open("left").then(cache => cache.put("/left", new Response("x")));
    await new Promise((done, failed) => {
        const open = indexedDB.open("left", 1);
        open.onupgradeneeded = () => open.result.createObjectStore("s");
        open.onsuccess = () => { open.result.close(); done(); };
        open.onerror = failed;
    });
}"""

LEFT = """async () => [
    localStorage.getItem("left"), sessionStorage.getItem("left"), document.cookie,
    await caches.has("left"), (await indexedDB.databases()).map(db => db.name)]"""


def test_a_page_given_back_is_taken_again_as_new(page_pool, base_url, seed):
    user = seed.user("pool")
    slot = page_pool.take(base_url)
    page = slot.page
    login(page, user.username)
    page.evaluate(DIRTY)
    page.context.grant_permissions(["clipboard-read"])
    page.route("**/@@blocked", lambda route: route.fulfill(body="routed"))
    page.context.route("**/@@blocked-too", lambda route: route.fulfill(body="routed"))
    page.set_viewport_size({"width": 400, "height": 600})
    page.context.new_page()
    with page.expect_event("pageerror"):
        page.evaluate("setTimeout(() => undefined.x)")
    assert slot.guard.problems
    page_pool.give_back()

    again = page_pool.take(base_url)
    assert again is slot, "a clean page is reused: %s" % slot.failure
    assert again.guard.problems == []
    page = again.page
    assert page.url == "about:blank" and page.context.pages == [page]
    assert page.context.cookies() == []
    assert page.viewport_size == {"width": 1200, "height": 800}
    page.goto("/")
    assert page.get_by_role("link", name="Sign in").is_visible()
    assert page.evaluate(LEFT) == [None, None, "", False, []]
    assert page.evaluate(
        "navigator.permissions.query({name: 'clipboard-read'}).then(p => p.state)") == "prompt"
    assert page.request.get("/@@blocked").status == 404
    assert page.goto("/@@blocked").status == 404
    assert page.goto("/@@blocked-too").status == 404
    page_pool.give_back()


def test_a_page_a_test_listens_to_is_not_given_again(page_pool, base_url):
    slot = page_pool.take(base_url)
    slot.page.on("dialog", lambda dialog: None)
    page_pool.give_back()
    assert page_pool.take(base_url) is not slot
    page_pool.give_back()


def test_a_page_with_lasting_changes_is_not_given_again(page_pool, base_url):
    slot = page_pool.take(base_url)
    slot.page.context.set_extra_http_headers({"X-Left": "1"})
    page_pool.give_back()
    assert page_pool.take(base_url) is not slot
    page_pool.give_back()


def test_two_pages_of_one_test_are_two_people(new_page, seed):
    user = seed.user("pool")
    first, second = new_page(), new_page()
    assert first.context is not second.context
    login(first, user.username)
    second.goto("/")
    assert second.get_by_role("link", name="Sign in").is_visible()
