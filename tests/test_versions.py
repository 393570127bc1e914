"""Versions every versioned artifact gets: history, version, diff, revert, stale saves.

``Page`` is a test-only artifact type; the notes tool (installed at ``notes``)
only provides the mount, the core resolves artifacts of any type by path.
"""
import re

import pytest
from ming.odm import FieldProperty

from forge.actions.projects import install_tool
from forge.actions.versions import (StaleSave, create_versioned, diff_data, history,
                                    save_versioned, snapshot)
from forge.model import Artifact, VersionedArtifact, session
from forge.views.versions import conflict_response

PAGE_URL = "/p/demo/notes/page/"


class Page(VersionedArtifact):
    class __mongometa__:
        polymorphic_identity = "test.page"

    type = FieldProperty(str, if_missing="test.page")
    text = FieldProperty(str, if_missing="")
    versioned_fields = ("title", "text")


def load(page):
    session.clear()
    return Artifact.query.get(_id=page._id)


@pytest.fixture
def ada(make_user):
    return make_user("ada")


@pytest.fixture
def page(registry, ada, make_project):
    """A page in /p/demo/notes/ at version 1, "one\\ntwo\\nthree"."""
    project = make_project("demo", ada)
    tool = install_tool(registry, project, "notes", "notes", ada)
    return create_versioned(registry, Page, ada, path="page", title="A page",
                            text="one\ntwo\nthree", project_id=project._id,
                            tool_id=tool._id, acl=[])


def edit(registry, page, user, text, comment=""):
    fresh, changed = save_versioned(registry, load(page), load(page).version,
                                    {"text": text}, user, comment=comment)
    assert changed
    return fresh


def test_three_edits_make_three_snapshots(registry, page, ada, make_user):
    bob = make_user("bob")
    edit(registry, page, ada, "one\nTWO\nthree", "capitals")
    edit(registry, page, bob, "one\nTWO\nthree\nfour", "more")
    edit(registry, page, ada, "zero\none\nTWO\nthree\nfour", "")
    versions = history(load(page))
    assert [s.version for s in versions] == [4, 3, 2, 1]
    assert [s.author_id for s in versions] == [ada._id, bob._id, ada._id, ada._id]
    assert [s.comment for s in versions] == ["", "more", "capitals", "created"]
    assert load(page).version == 4
    assert snapshot(load(page), 2).data["text"] == "one\nTWO\nthree"


def test_history_page_lists_versions_with_authors(registry, page, ada, make_user,
                                                  forge_browser):
    bob = make_user("bob")
    edit(registry, page, bob, "one\n2\nthree", "numbers")
    html = forge_browser.get(PAGE_URL + "@@history").text
    assert 'id="v2"' in html and 'id="v1"' in html
    assert "numbers" in html and "bob" in html
    assert "@@diff?from=1&amp;to=2" in html
    # anonymous readers see versions, not the audit log nor revert buttons
    assert 'id="audit-table"' not in html and "@@revert" not in html
    forge_browser.login("ada")
    html = forge_browser.get(PAGE_URL + "@@history").text
    assert 'id="audit-table"' in html and "@@revert" in html


def test_diff_between_versions_shows_changed_lines(registry, page, ada, forge_browser):
    edit(registry, page, ada, "one\nTWO\nthree")
    edit(registry, page, ada, "one\nTWO\nthree\nfour")
    changes = dict(diff_data(snapshot(load(page), 1).data, snapshot(load(page), 3).data))
    assert set(changes) == {"text"}
    assert "-two" in changes["text"] and "+TWO" in changes["text"]
    assert "+four" in changes["text"] and " one" in changes["text"]
    html = forge_browser.get(PAGE_URL + "@@diff?from=1&to=3").text
    assert '<span class="del">-two</span>' in html
    assert '<span class="add">+TWO</span>' in html
    assert '<span class="add">+four</span>' in html
    assert re.findall(r'class="diff-field">([^<]*)<', html) == ["text"]


def test_diff_of_identical_versions_says_so(registry, page, ada, forge_browser):
    edit(registry, page, ada, "changed")
    html = forge_browser.get(PAGE_URL + "@@diff?from=2&to=2").text
    assert 'id="no-changes"' in html


@pytest.mark.parametrize("query,message", [
    ("", "Say which version"),
    ("?from=1", "Say which version"),
    ("?from=1&to=x", "is not a version number"),
    ("?from=1&to=99", "There is no version 99"),
    ("?from=0&to=1", "start at 1"),
    ("?from=-3&to=1", "start at 1"),
    ("?from=1&to=99999999999999999999", "start at 1"),
])
def test_bad_diff_requests_are_400(page, forge_browser, query, message):
    response = forge_browser.get(PAGE_URL + "@@diff" + query, status=400)
    assert message in response.text


def test_version_page_shows_escaped_fields(registry, page, ada, forge_browser):
    edit(registry, page, ada, "<script>alert(1)</script>\n**bold**")
    html = forge_browser.get(PAGE_URL + "@@version?v=2").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert" not in html
    assert "**bold**" in html
    html = forge_browser.get(PAGE_URL + "@@version?v=1").text
    assert "one\ntwo\nthree" in html
    assert forge_browser.get(PAGE_URL + "@@version?v=7", status=400)
    assert forge_browser.get(PAGE_URL + "@@version", status=400)


def test_revert_makes_a_new_version_equal_to_the_old(registry, page, ada, forge_browser):
    edit(registry, page, ada, "rewritten")
    edit(registry, page, ada, "rewritten again")
    forge_browser.login("ada")
    response = forge_browser.post_form(PAGE_URL + "@@revert",
                                       {"version": "1", "edited_version": "3"}, status=302)
    assert response.location.endswith(PAGE_URL)
    fresh = load(page)
    assert fresh.version == 4
    assert fresh.text == "one\ntwo\nthree"
    assert snapshot(fresh, 4).data == snapshot(fresh, 1).data
    assert snapshot(fresh, 4).comment == "reverted to version 1"
    assert snapshot(fresh, 4).author_id == ada._id


def test_revert_needs_update(registry, page, ada, make_user, forge_browser):
    make_user("bob")
    edit(registry, page, ada, "rewritten")
    forge_browser.login("bob")
    forge_browser.post_form(PAGE_URL + "@@revert", {"version": "1", "edited_version": "2"},
                            status=403)
    assert load(page).version == 2


def test_revert_to_unknown_version_is_400(page, ada, forge_browser):
    forge_browser.login("ada")
    response = forge_browser.post_form(PAGE_URL + "@@revert",
                                       {"version": "9", "edited_version": "1"}, status=400)
    assert "There is no version 9" in response.text
    response = forge_browser.post_form(PAGE_URL + "@@revert",
                                       {"version": "one", "edited_version": "1"}, status=400)
    assert "not a version number" in response.text


def test_stale_save_is_refused_and_keeps_the_first(registry, page, ada, make_user):
    bob = make_user("bob")
    edited = load(page).version
    save_versioned(registry, load(page), edited, {"text": "ada's text"}, ada)
    with pytest.raises(StaleSave) as caught:
        save_versioned(registry, load(page), edited, {"text": "bob's text"}, bob)
    assert caught.value.status == 409
    assert caught.value.edited_version == 1 and caught.value.artifact.version == 2
    assert dict(caught.value.changes)["text"][1:] == ["-one", "-two", "-three", "+ada's text"]
    fresh = load(page)
    assert fresh.text == "ada's text" and fresh.version == 2
    assert [s.version for s in history(fresh)] == [2, 1]


def test_stale_revert_renders_the_conflict_page(registry, page, ada, forge_browser):
    forge_browser.login("ada")
    edit(registry, page, ada, "someone else's change")
    response = forge_browser.post_form(PAGE_URL + "@@revert",
                                       {"version": "1", "edited_version": "1"}, status=409)
    assert 'id="conflict-message"' in response.text
    assert '<span class="add">+someone else&#39;s change</span>' in response.text
    assert load(page).text == "someone else's change"


def test_conflict_response_shows_what_the_user_typed(registry, page, ada, forge_app):
    """The contract tools' edit views rely on."""
    from pyramid.scripting import prepare
    from pyramid.traversal import find_resource
    edit(registry, page, ada, "theirs")
    try:
        save_versioned(registry, load(page), 1, {"text": "mine <b>"}, ada)
    except StaleSave as error:
        stale = error
    env = prepare(registry=registry)
    try:
        request = env["request"]
        request.root = env["root"]
        request.context = find_resource(request.root, PAGE_URL)
        response = conflict_response(request, stale, mine={"text": "mine <b>"})
    finally:
        env["closer"]()
    assert response.status_int == 409
    assert "<textarea" in response.text and "mine &lt;b&gt;</textarea>" in response.text
    assert '<span class="add">+theirs</span>' in response.text
