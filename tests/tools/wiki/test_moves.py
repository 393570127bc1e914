"""Rename (with redirects and sub-pages), delete and undelete, and their events."""
from forge.model import OutboxEvent, session

from forge.api import ArtifactRedirect as WikiRedirect

from .conftest import WIKI, create, edit, stored


def topics(path=None):
    session.close()
    events = OutboxEvent.query.find().sort("seq", 1).all()
    return [(e.topic, e.message.get("path"), e.message.get("detail"))
            for e in events if e.topic.startswith("wiki.page.")
            and (path is None or e.message.get("path") == path)]


def test_rename_moves_sub_pages_and_old_urls_redirect(site, browse):
    ada = browse("ada")
    create(ada, "Guide", text="guide")
    create(ada, "Guide/Install", text="install")
    create(ada, "Guide/Install/Linux", text="linux")
    create(ada, "Manual", text="the new parent")
    form = ada.get(WIKI + "Guide/@@rename")
    assert 'value="Guide"' in form.text
    response = ada.post_form(WIKI + "Guide/@@rename", {"name": "Manual/Book"}, status=302)
    assert response.location == "http://localhost/p/demo/wiki/Manual/Book/"
    assert stored(site, "Guide") is None
    moved = stored(site, "Manual/Book/Install/Linux")
    assert (moved.family, moved.parent_path, moved.text) == ("Manual", "Manual/Book/Install",
                                                             "linux")
    assert "linux" in ada.get(WIKI + "Manual/Book/Install/Linux/").text
    # the title was the name: it follows, in a version that tells the rename
    book = stored(site, "Manual/Book")
    assert (book.title, book.version) == ("Book", 2)
    assert "renamed from Guide" in ada.get(WIKI + "Manual/Book/@@history").text
    # every old address leads to the new one, also below the renamed page
    for old, new in (("Guide/", "Manual/Book/"),
                     ("Guide/Install/", "Manual/Book/Install/"),
                     ("Guide/Install/Linux/", "Manual/Book/Install/Linux/")):
        assert ada.get(WIKI + old, status=302).location == "http://localhost/p/demo/wiki/" + new
    browse().get(WIKI + "Guide/Nothing/", status=404)
    assert ada.get(WIKI + "Guide/Install/@@history", status=302).location == \
        "http://localhost/p/demo/wiki/Manual/Book/Install/@@history"
    assert ada.get(WIKI + "Guide/@@diff?from=1&to=1", status=302).location == \
        "http://localhost/p/demo/wiki/Manual/Book/@@diff?from=1&to=1"
    # history goes with the page
    edit(ada, "Manual/Book", 2, title="Book", text="guide v2")
    assert "guide v2" in ada.get(WIKI + "Manual/Book/@@diff?from=1&to=3").text
    # rename emits updated with the old and new path, per moved page
    renamed = [t for t in topics() if t[2] and t[2].get("renamed_from")]
    assert [(t[0], t[2]["renamed_from"], t[2]["renamed_to"]) for t in renamed] == [
        ("wiki.page.updated", "Guide", "Manual/Book"),
        ("wiki.page.updated", "Guide/Install", "Manual/Book/Install"),
        ("wiki.page.updated", "Guide/Install/Linux", "Manual/Book/Install/Linux")]


def test_renames_chain_into_one_redirect_and_a_new_page_wins(site, browse):
    ada = browse("ada")
    create(ada, "A")
    ada.post_form(WIKI + "A/@@rename", {"name": "B"}, status=302)
    ada.post_form(WIKI + "B/@@rename", {"name": "C"}, status=302)
    assert ada.get(WIKI + "A/", status=302).location.endswith("/wiki/C/")
    assert ada.get(WIKI + "B/", status=302).location.endswith("/wiki/C/")
    # back to A: no redirect points to itself, and A is a page again
    ada.post_form(WIKI + "C/@@rename", {"name": "A"}, status=302)
    assert ada.get(WIKI + "A/").status_int == 200
    assert ada.get(WIKI + "C/", status=302).location.endswith("/wiki/A/")
    session.close()
    assert WikiRedirect.query.get(tool_id=site["tool"]._id, old_path="A") is None
    # a page created where a redirect was replaces it
    create(ada, "B", text="a new B")
    assert "a new B" in ada.get(WIKI + "B/").text


def test_bad_renames_are_refused(site, browse):
    ada = browse("ada")
    create(ada, "P")
    create(ada, "P/Sub")
    create(ada, "Q")
    for name, message in (("Q", "There is already a page named “Q”."),
                          ("P/Sub/Deeper", "cannot move under itself"),
                          ("Missing/P", "There is no page “Missing”"),
                          ("P", "already named"),
                          ("", "The page name is required."),
                          ("a/../b", "may not be '.' or '..'")):
        page = ada.post_form(WIKI + "P/@@rename", {"name": name}, status=400)
        assert message in page.text.replace("&#39;", "'"), name
    assert stored(site, "P/Sub") is not None


def test_delete_and_undelete_with_sub_pages(site, browse):
    ada, dev = browse("ada"), browse("dev")
    create(ada, "Old", text="old")
    create(ada, "Old/Older", text="older")
    create(ada, "Old/Gone", text="gone before")
    dev.post_form(WIKI + "Old/Gone/@@delete", {}, status=302)
    response = dev.post_form(WIKI + "Old/@@delete", {}, status=302)
    assert response.location == "http://localhost/p/demo/wiki/@@index"
    for path in ("Old/", "Old/Older/", "Old/Gone/"):
        ada.get(WIKI + path, status=404)
    ada.post_form(WIKI + "Old/@@edit", {"title": "x", "version": "1"}, status=404)
    assert "Old" not in ada.get(WIKI + "@@index").text
    assert ">Old<" not in ada.get(WIKI + "@@recent").text
    # the name stays taken by the deleted page, with a way out
    page = create(ada, "Old", status=400)
    assert "A deleted page is named “Old”" in page.text

    listing = dev.get(WIKI + "@@deleted")
    assert "Old/Older" in listing.text and "deleted with its parent" in listing.text
    older = stored(site, "Old/Older")
    gone = stored(site, "Old/Gone")
    # the sub-page deleted with its parent comes back only with it
    page = dev.post_form(WIKI + "@@undelete", {"page": older._id}, status=400)
    assert "There is no page “Old” to put “Older” under" in page.text
    browse("mem").post_form(WIKI + "@@undelete", {"page": stored(site, "Old")._id},
                            status=403)
    response = dev.post_form(WIKI + "@@undelete", {"page": stored(site, "Old")._id},
                             status=302)
    assert response.location == "http://localhost/p/demo/wiki/Old/"
    assert "older" in ada.get(WIKI + "Old/Older/").text
    ada.get(WIKI + "Old/Gone/", status=404)                 # deleted on its own before
    dev.post_form(WIKI + "@@undelete", {"page": gone._id}, status=302)
    assert "gone before" in ada.get(WIKI + "Old/Gone/").text
    dev.post_form(WIKI + "@@undelete", {"page": "nonsense"}, status=404)
    # deleted per page, undeleted as an update
    assert [t[0] for t in topics("Old")] == [
        "wiki.page.created", "wiki.page.deleted", "wiki.page.updated"]
    assert topics("Old")[-1][2]["undeleted"] is True


def test_wiki_changes_appear_in_the_project_activity(site, browse, run_reactors):
    ada = browse("ada")
    create(ada, "Story", text="once")
    edit(ada, "Story", 1, title="Story", text="twice")
    create(ada, "Hush", text="quiet", private="on")
    run_reactors()
    public = browse().get("/p/demo/@@activity").text
    assert "Story" in public and "Hush" not in public
    assert "Hush" in ada.get("/p/demo/@@activity").text
