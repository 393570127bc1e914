"""Security headers on every forge answer (issue 16: the sign-in page could be
framed by another site)."""
import pytest

from forge.response_headers import SECURITY_HEADERS


@pytest.fixture
def site(make_user, make_project):
    ada = make_user("ada")
    make_project("demo", ada)


@pytest.mark.parametrize("path, status", [
    ("/@@login", 200),                 # the page a clickjacker would frame
    ("/p/demo/", 200),
    ("/p/no-such-project/", 404),      # an error page
    ("/%ff/", 400),                    # a refused address
])
def test_every_answer_carries_the_security_headers(forge_browser, site, path, status):
    response = forge_browser.get(path, status=status)
    for name, value in SECURITY_HEADERS:
        assert response.headers[name] == value


def test_a_stored_page_carries_them_too(forge_browser, site):
    forge_browser.get("/p/demo/")
    response = forge_browser.get("/p/demo/")
    assert response.headers.get("X-Forge-Page-Cache") == "hit"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_an_answer_with_its_own_policy_keeps_it(forge_browser, site, registry):
    from forge.actions.projects import install_tool
    from forge.model import Project, User
    install_tool(registry, Project.query.get(shortname="demo"), "wiki", "wiki",
                 User.by_username("ada"))
    forge_browser.login("ada")
    forge_browser.post_form("/p/demo/wiki/@@new", {"name": "Home", "title": "Home",
                                                    "text": "x"})
    forge_browser.post_form("/p/demo/wiki/Home/@@attach", {},
                            upload_files=[("attachment", "a.html", b"<script>1</script>")])
    page = forge_browser.get("/p/demo/wiki/Home/")
    link = next(a for a in page.html.find_all("a") if a.get("href", "").endswith("a.html"))
    response = forge_browser.get(link["href"])
    assert "frame-ancestors" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
