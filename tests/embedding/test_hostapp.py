"""The host keeps its own pages, rules and error pages; the forge keeps its
own under /forge/ and /docs/ (issue 11 item 7: each test is one failure of
the embedding as it was)."""
from tests.embedding.conftest import FORGE_BODY_LIMIT, forge_login


def test_host_post_form_needs_no_forge_csrf_token(browser):
    page = browser.post("/contact", {"message": "hello"})
    assert page.status_int == 200
    assert "Thanks: hello" in page.text
    assert "Form expired" not in page.text


def test_host_json_api_post_works(browser):
    answer = browser.post_json("/api/items", {"name": "spanner"})
    assert answer.json["created"] == "spanner"


def test_forge_posts_still_need_the_csrf_token(browser):
    forge_login(browser, "ada")
    refused = browser.post("/forge/p/demo/@@edit", {"title": "X"}, status=400)
    assert "Form expired" in refused.text


def test_host_404_and_500_are_the_hosts(browser):
    missing = browser.get("/no/such/page", status=404)
    assert "Host: page not found" in missing.text
    broken = browser.get("/boom", status=500)
    assert "Host: something broke" in broken.text
    # and the forge's own are the forge's
    forge_missing = browser.get("/forge/p/nothing-here/", status=404)
    assert "Host:" not in forge_missing.text
    assert "There is nothing here, or you may not see it." in forge_missing.text


def test_security_headers_are_the_forges_own(browser):
    """The forge frames nothing of its own; the host's pages are the host's business."""
    assert browser.get("/forge/@@login").headers["X-Frame-Options"] == "DENY"
    assert "X-Frame-Options" not in browser.get("/").headers


def test_forge_limits_do_not_hit_host_requests(browser):
    big = "x" * (2 * FORGE_BODY_LIMIT)
    assert "Thanks" in browser.post("/contact", {"message": big}).text
    # a form that is not UTF-8 is the host's business
    latin1 = browser.post("/contact", b"message=caf\xe9",
                          content_type="application/x-www-form-urlencoded")
    assert latin1.status_int == 200
    # a bearer token of the host's own API is not checked against the forge's tokens
    answer = browser.post_json("/api/items", {"name": "a"},
                               headers={"Authorization": "Bearer host-token"})
    assert answer.json["authorization"] == "Bearer host-token"
    # the host's own limit is the host's answer
    too_big = browser.post("/contact", {"message": "x" * (17 * FORGE_BODY_LIMIT)}, status=413)
    assert "Host: the body is over" in too_big.text


def test_forge_limits_still_hold_under_the_mount(browser):
    big = "x" * (2 * FORGE_BODY_LIMIT)
    refused = browser.post("/forge/@@login", {"username": big}, status=413)
    assert "larger than the limit" in refused.text
    assert browser.post("/forge/@@login", b"username=caf\xe9",
                        content_type="application/x-www-form-urlencoded",
                        status=400).status_int == 400
    assert browser.get("/forge/", headers={"Authorization": "Bearer pf_nonsense"},
                       status=401).status_int == 401


def test_forge_sign_in_works_beside_the_hosts_session(browser):
    forge_login(browser, "ada")
    assert "ada" in browser.get("/forge/@@account").text
    # the host's own sign-in and permission, in its own session
    assert browser.get("/members", status=403).status_int == 403
    browser.post("/login", {"name": "carol"}, status=302)
    assert browser.get("/members").text == "Host members' page for carol"
    # both sessions live side by side
    assert "ada" in browser.get("/forge/@@account").text


def test_host_base_template_does_not_replace_the_forge_layout(browser):
    assert "HOST LAYOUT" in browser.get("/").text
    forge_page = browser.get("/forge/p/demo/")
    assert "HOST LAYOUT" not in forge_page.text
    assert "/forge/@@static-forge/forge.css" in forge_page.text
    assert "HOST LAYOUT" not in browser.get("/docs/").text


def test_private_project_is_a_404_through_the_host_even_with_its_forbidden_view(browser):
    for url in ("/forge/p/closed/", "/forge/p/closed/wiki/", "/forge/p/closed/@@edit"):
        page = browser.get(url, status=404)
        assert "Host:" not in page.text
    forge_login(browser, "bob")
    for url in ("/forge/p/closed/", "/forge/p/closed/wiki/", "/forge/p/closed/@@edit"):
        assert browser.get(url, status=404).status_int == 404
    # a forge page the user may read but not change is the forge's 403
    assert "Host:" not in browser.get("/forge/p/demo/@@edit", status=403).text


def test_static_files_live_under_the_prefix(browser):
    css = browser.get("/forge/@@static-forge/forge.css")
    assert css.content_type == "text/css"
    assert browser.get("/forge/@@static-wiki/wiki.css").content_type == "text/css"
    # nothing of the forge's left in the host's URL space
    for url in ("/forge-static/forge.css", "/wiki-static/wiki.css", "/@@static-forge/forge.css"):
        assert "Host: page not found" in browser.get(url, status=404).text


def test_mount_tool_serves_the_wiki_at_docs_with_its_permissions(browser):
    home = browser.get("/docs/")
    assert 'href="http://localhost/docs/@@recent"' in home.text
    assert 'href="http://localhost/forge/p/demo/"' in home.text
    # anonymous: creating a page asks to sign in, at the forge's login page
    login = browser.get("/docs/@@new", status=302)
    assert login.location.startswith("http://localhost/forge/@@login")
    token = forge_login(browser, "ada")
    created = browser.post("/docs/@@new", {"name": "Guide", "title": "Guide",
                                           "text": "Read me", "csrf_token": token}, status=302)
    assert created.location.startswith("http://localhost/docs/Guide")
    page = browser.get("/docs/Guide/")
    assert "Read me" in page.text
    assert 'href="http://localhost/docs/Guide/@@edit"' in page.text
    # the same page in the forge's tree
    assert "Read me" in browser.get("/forge/p/demo/wiki/Guide/").text
    # a mounted tool's POST needs the forge's CSRF token too
    assert "Form expired" in browser.post("/docs/@@new", {"name": "X"}, status=400).text


def test_a_mounted_private_tool_is_a_404_but_to_members(browser):
    for url in ("/internal/", "/internal/@@recent", "/internal/@@new"):
        assert "There is nothing here" in browser.get(url, status=404).text
    forge_login(browser, "bob")
    assert browser.get("/internal/", status=404).status_int == 404
    browser.reset()
    forge_login(browser, "ada")
    assert 'href="http://localhost/internal/@@recent"' in browser.get("/internal/").text
