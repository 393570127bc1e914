"""What the links tool gets from the platform without writing it: history,
diff and revert, the 409 on a stale edit, search, activity, a private entry's
permissions, watches and mail; and its own auditor, reactor and page.

Run by the forge's suite (``make test``), whose set-up pip-installs this
distribution: every forge configured in that environment includes it through
the ``forge.tools`` entry point, as it would any third-party tool.  These tests
name it in ``forge.tools`` and leave the other entry points out, so they test
this tool alone.
"""
from importlib.metadata import entry_points

import pytest

import forge_links
from forge.testing import forge_test_settings, smtp_settings

LINKS = "/p/demo/links/"


@pytest.fixture
def forge_settings(smtp_server):
    # this tool alone: its tests do not depend on the other tools installed here
    return forge_test_settings(**smtp_settings(smtp_server), **{
        "forge.tools": "forge_links", "forge.load_tool_entry_points": "false"})


@pytest.fixture
def site(make_user, make_project, install_tool, add_member):
    """ada admins demo (links at /p/demo/links/); dev is a Developer, mem a
    Member, out nobody's."""
    people = {name: make_user(name) for name in ("ada", "dev", "mem", "out")}
    project = make_project("demo", people["ada"])
    add_member(project, people["dev"], "Developer")
    add_member(project, people["mem"], "Member")
    install_tool(project, "links")
    return people


def add_link(browser, title, url, status=302, **fields):
    return browser.post_form(LINKS + "@@new", dict(fields, title=title, url=url),
                             status=status)


def edit_link(browser, name, version, status=302, **fields):
    return browser.post_form(LINKS + name + "/@@edit", dict(fields, version=str(version)),
                             status=status)


def test_installed_through_the_entry_point_group(registry):
    """pip-installed, it is advertised where every forge looks for tools."""
    [entry_point] = entry_points(group="forge.tools", name="links")
    assert entry_point.load() is forge_links and callable(forge_links.includeme)
    assert registry.forge_tools["links"].title == "Links"


def test_history_diff_and_revert(site, browser_for):
    ada = browser_for("ada")
    add_link(ada, "Python docs", "https://docs.python.org/3/", name="py", text="The manual.")
    edit_link(ada, "py", 1, title="Python 3 docs", url="https://docs.python.org/3/",
              text="The manual.", comment="more precise")
    history = ada.get(LINKS + "py/@@history").text
    assert "more precise" in history and 'id="v1"' in history and 'id="v2"' in history
    diff = ada.get(LINKS + "py/@@diff?from=1&to=2").text
    assert "Python docs" in diff and "Python 3 docs" in diff
    ada.post_form(LINKS + "py/@@revert", {"version": "1", "edited_version": "2"}, status=302)
    page = ada.get(LINKS + "py/")
    assert "<h1>Python docs</h1>" in page.text and "version 3" in page.text


def test_a_stale_edit_is_a_409_and_the_first_save_is_kept(site, browser_for):
    ada, dev = browser_for("ada"), browser_for("dev")
    add_link(ada, "Shared", "https://example.org/", name="shared")
    edit_link(ada, "shared", 1, title="Shared", url="https://example.org/ada")
    page = edit_link(dev, "shared", 1, status=409, title="Shared", url="https://example.org/dev")
    assert "https://example.org/dev" in page.text       # dev's text comes back to merge
    assert "https://example.org/ada" in browser_for("ada").get(LINKS + "shared/").text


def test_search_finds_the_address_words(site, browser_for, run_reactors):
    ada = browser_for("ada")
    add_link(ada, "Manual", "https://docs.python.org/3/", name="manual")
    run_reactors()
    found = ada.get("/p/demo/@@search", {"q": "python"}).text
    assert "1 result<" in found and "Manual" in found
    assert "0 results" in ada.get("/p/demo/@@search", {"q": "haskell"}).text


def test_changes_show_on_the_activity_page_and_feed(site, browser_for, run_reactors):
    add_link(browser_for("mem"), "Tantivy", "https://github.com/quickwit-oss/tantivy")
    run_reactors()
    page = browser_for(None).get("/p/demo/@@activity")
    assert "mem created" in " ".join(page.html.get_text(" ").split())   # "mem" is a link
    assert "Tantivy" in browser_for(None).get("/p/demo/@@activity.atom").text


def test_a_private_link_is_read_by_its_author_and_developers_only(
        site, browser_for, run_reactors):
    add_link(browser_for("mem"), "Secret", "https://secret.example/", name="secret",
             private="on")
    run_reactors()
    for reader in ("mem", "dev", "ada"):
        assert "Secret" in browser_for(reader).get(LINKS + "secret/").text
    for outsider in (None, "out"):
        browser_for(outsider).get(LINKS + "secret/", status=404)
        assert "Secret" not in browser_for(outsider).get(LINKS).text
        assert "0 results" in browser_for(outsider).get("/p/demo/@@search",
                                                        {"q": "secret"}).text
        assert "Secret" not in browser_for(outsider).get("/p/demo/@@activity").text


def test_the_author_watches_and_is_mailed_of_a_change(site, browser_for, run_reactors,
                                                     smtp_server):
    add_link(browser_for("mem"), "Ming", "https://ming.readthedocs.io/", name="ming")
    run_reactors()                    # mem now watches the link they created
    smtp_server.clear()
    edit_link(browser_for("ada"), "ming", 1, title="Ming ODM", url="https://ming.readthedocs.io/")
    run_reactors()
    mailed = smtp_server.to("mem@example.test")
    assert len(mailed) == 1 and "Ming ODM" in mailed[0]["Subject"]
    assert smtp_server.to("ada@example.test") == []      # the actor is not mailed


def test_the_auditor_strips_tracking_and_the_reactor_records_the_host(
        site, browser_for, run_reactors):
    ada = browser_for("ada")
    add_link(ada, "One", "https://Example.org/a?utm_source=x&id=7", name="one")
    add_link(ada, "Two", "https://example.org/b", name="two")
    page = add_link(ada, "Bad", "javascript:alert(1)", status=400)
    assert "starts with http" in page.text
    run_reactors()
    page = ada.get(LINKS + "one/").text
    assert 'href="https://Example.org/a?id=7"' in page and "utm_source" not in page
    assert "More from example.org" in page and LINKS + "two/" in page
