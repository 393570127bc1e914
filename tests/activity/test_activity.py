"""Activity: the forge.activity reactor records events once; @@activity and the
project home show them newest first, only to those who may read the node."""
import io
import time
import uuid

import pytest

from forge.actions.projects import install_tool
from forge.actions.roles import add_member, role_named
from forge.activity import REACTOR_NAME
from forge.activity.model import ActivityEntry
from forge.activity.reactor import record_activity
from forge.attachments import attach_files
from forge.model import session
from forge.model.session import collection
from forge.testing import browser, count_collection_calls, forge_test_settings
from tools.notes.actions import create_note, delete_note, update_note

FIELDS = {"text": "x", "labels": [], "custom": {}, "ext": {}}


@pytest.fixture
def forge_settings():
    return forge_test_settings(**{"forge.tools": "tools.notes",
                                  "forge.load_tool_entry_points": "false"})


@pytest.fixture
def site(registry, make_user, make_project):
    ada = make_user("ada")
    project = make_project("demo", ada)
    dev = make_user("dev")
    add_member(registry, project, role_named(project, "Developer"), dev, ada)
    make_user("outsider")
    tool = install_tool(registry, project, "notes", "notes", ada)
    session.close()
    return {"ada": ada, "dev": dev, "project": project, "tool": tool}


def note(registry, site, name, title, private=False, actor=None):
    return create_note(registry, site["project"], site["tool"], None, name,
                       dict(FIELDS, title=title), actor or site["ada"], private=private)


def test_the_reactor_is_registered_on_every_topic(registry):
    reactor = registry.forge_reactors[REACTOR_NAME]
    assert reactor.topic == "#"


def test_changes_show_on_the_activity_page_and_the_home_page(forge_app, registry, site,
                                                             run_reactors):
    guide = note(registry, site, "Guide", "The Guide")
    update_note(registry, guide, guide.version, dict(FIELDS, title="The Guide v2", text="y"),
                site["dev"])
    run_reactors()
    page = browser(forge_app).get("/p/demo/@@activity")
    text = page.text
    words = " ".join(page.html.get_text(" ").split())     # people are links
    assert "The Guide" in text and "dev updated: text, title" in words and "ada created" in words
    assert 'href="http://localhost/p/demo/notes/Guide/"' in text
    assert 'href="http://localhost/u/dev/@@profile"' in text
    # newest first: the update, the note, the tool, the project
    assert words.index("dev updated") < words.index("ada created")
    assert "installed the tool" in text and "created the project" in text
    home = browser(forge_app).get("/p/demo/")
    assert "Recent activity" in home.text and "The Guide" in home.text


def test_a_private_artifacts_title_is_never_shown_to_who_cannot_read_it(
        forge_app, registry, site, run_reactors):
    note(registry, site, "Plans", "Secret Plans", private=True)
    note(registry, site, "Public", "Public Note")
    run_reactors()
    for who in (None, "outsider"):
        for url in ("/p/demo/@@activity", "/p/demo/"):
            text = browser(forge_app, who).get(url).text
            assert "Public Note" in text
            assert "Secret Plans" not in text and "Plans" not in text
    for who in ("ada", "dev"):
        assert "Secret Plans" in browser(forge_app, who).get("/p/demo/@@activity").text


def test_a_private_project_hides_its_activity(forge_app, registry, make_project, site,
                                              run_reactors):
    make_project("hidden", site["ada"], private=True)
    run_reactors()
    browser(forge_app, "outsider").get("/p/hidden/@@activity", status=404)
    assert "created the project" in browser(forge_app, "ada").get("/p/hidden/@@activity").text


def test_entries_of_deleted_artifacts_are_not_shown(forge_app, registry, site, run_reactors):
    gone = note(registry, site, "Gone", "Gone Note")
    delete_note(registry, gone, site["ada"])
    run_reactors()
    assert ActivityEntry.query.find({"title": "Gone Note"}).count() >= 1
    assert "Gone Note" not in browser(forge_app, "ada").get("/p/demo/@@activity").text


def test_paging_counts_only_readable_entries(forge_app, registry, site, run_reactors):
    for i in range(12):
        note(registry, site, "s%d" % i, "Private %d" % i, private=True)
    for i in range(30):
        note(registry, site, "n%d" % i, "Open %d" % i)
    run_reactors()
    anonymous = browser(forge_app)
    first = anonymous.get("/p/demo/@@activity").text
    assert first.count('class="activity-entry"') == 25 and 'rel="next"' in first
    second = anonymous.get("/p/demo/@@activity?page=2").text
    # 30 notes + the tool + the project = 32 readable entries
    assert second.count('class="activity-entry"') == 7 and 'rel="next"' not in second
    assert "Private" not in first + second
    home = anonymous.get("/p/demo/").text
    assert home.count('class="activity-entry"') == 10 and "All activity" in home


def test_attachments_are_activity(forge_app, registry, site, run_reactors):
    guide = note(registry, site, "Guide", "Guide")
    attach_files(registry, guide, [("a.txt", io.BytesIO(b"a"), None)], site["ada"])
    run_reactors()
    assert "attached a.txt" in browser(forge_app).get("/p/demo/@@activity").text


def test_an_event_recorded_twice_is_one_entry(registry, site, run_reactors):
    note(registry, site, "Guide", "Guide")
    run_reactors()
    count = collection(ActivityEntry).count_documents({})
    record = collection(ActivityEntry).find_one({"title": "Guide"})
    message = {"id": record["event_id"], "topic": record["topic"],
               "node_type": record["node_type"], "node_id": record["node_id"],
               "project_id": record["project_id"], "tool_id": record["tool_id"],
               "path": record["path"], "actor_id": record["actor_id"],
               "timestamp": record["timestamp"], "detail": {}}
    record_activity(message, None)
    record_activity(message, None)
    assert collection(ActivityEntry).count_documents({}) == count
    assert run_reactors() == 0 or collection(ActivityEntry).count_documents({}) == count


def post_message(site, guide, post_id, topic, **detail):
    return {"id": uuid.uuid4().hex, "topic": topic, "node_type": "Post", "node_id": post_id,
            "project_id": guide.project_id, "tool_id": guide.tool_id, "path": guide.path,
            "actor_id": site["dev"]._id, "timestamp": time.time(), "detail": detail}


def test_posts_are_recorded_when_visible_and_removed_when_not(forge_app, registry, site):
    guide = note(registry, site, "Guide", "Guide")
    posts = session.db["post"]
    posts.insert_one({"_id": "p1", "thread_id": "t1", "slug": "a", "ref_id": guide._id, "ref_title": "Guide", "status": "ok",
                      "deleted": False, "text": "First   comment\nhere"})
    posts.insert_one({"_id": "p2", "thread_id": "t1", "slug": "b", "ref_id": guide._id, "ref_title": "Guide",
                      "status": "pending", "deleted": False, "text": "held"})
    record_activity(post_message(site, guide, "p1", "notes.post.created"), None)
    record_activity(post_message(site, guide, "p2", "notes.post.created"), None)
    entries = list(collection(ActivityEntry).find())
    assert [(e["node_id"], e["title"], e["verb"], e["summary"]) for e in entries] == [
        ("p1", "Re: Guide", "commented", "First comment here")]
    # approved later: recorded then
    posts.update_one({"_id": "p2"}, {"$set": {"status": "ok"}})
    record_activity(post_message(site, guide, "p2", "notes.post.approved"), None)
    assert collection(ActivityEntry).count_documents({"node_id": "p2"}) == 1
    page = browser(forge_app).get("/p/demo/@@activity").text
    assert "Re: Guide" in page and "#post-p2" in page
    # marked as spam, or deleted: gone
    posts.update_one({"_id": "p2"}, {"$set": {"status": "spam"}})
    record_activity(post_message(site, guide, "p2", "notes.post.updated", status="spam"), None)
    record_activity(post_message(site, guide, "p1", "notes.post.deleted"), None)
    assert collection(ActivityEntry).count_documents({"node_type": "Post"}) == 0


def test_acl_and_role_events_are_not_activity(registry, site, run_reactors):
    run_reactors()
    topics = {e["topic"] for e in collection(ActivityEntry).find()}
    assert topics and not any(t.endswith(("acl.changed", "roles.changed")) for t in topics)


def test_titles_and_summaries_are_escaped(forge_app, registry, site, run_reactors):
    note(registry, site, "x", "<script>alert(1)</script>")
    guide = note(registry, site, "Guide", "Guide")
    attach_files(registry, guide, [("<img src=x onerror=alert(1)>.txt", io.BytesIO(b"a"),
                                    None)], site["ada"])
    run_reactors()
    text = browser(forge_app).get("/p/demo/@@activity").text
    assert "<script>alert(1)" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<img src=x" not in text and "attached &lt;img src=x onerror=alert(1)&gt;.txt" in text


def test_entries_read_as_sentences_of_plain_text(forge_app, registry, site, run_reactors):
    """"ada created the project" (not "created: created the project"); a
    comment's excerpt is the text a reader sees, not its Markdown."""
    note(registry, site, "Guide", "The Guide")
    ada = browser(forge_app, "ada")
    ada.post_form("/p/demo/notes/Guide/@@post",
                  {"text": "A **bold** idea, see [the plan](http://example.test/plan)"},
                  status=302)
    run_reactors()
    response = ada.get("/p/demo/@@activity")
    page = response.text
    words = " ".join(response.html.get_text(" ").split())
    assert "ada created the project" in words and "created: created" not in page
    assert "commented: A bold idea, see the plan" in page
    assert "**" not in page and "example.test/plan" not in page
    feed = ada.get("/p/demo/@@activity.atom").text
    assert "ada created the project" in feed
    assert "ada commented: A bold idea, see the plan" in feed


def test_a_batch_reads_its_comments_once_and_writes_its_entries_once(
        forge_app, registry, site, monkeypatch):
    """The worker hands the reactor a batch (``forge.bus.batches``): its
    comments are read in one query, the project's family once, its entries
    written in one insert; a deletion later in the batch still takes away
    the entry written before it."""
    from forge.activity import reactor
    guide = note(registry, site, "Guide", "Guide")
    posts = session.db["post"]
    for post_id in ("b1", "b2", "b3"):
        posts.insert_one({"_id": post_id, "thread_id": "t1", "slug": post_id,
                          "ref_id": guide._id, "ref_title": "Guide", "status": "ok",
                          "deleted": False, "text": "Comment %s" % post_id})
    calls = count_collection_calls(monkeypatch, reactor)
    batch = tuple(post_message(site, guide, post_id, "notes.post.created")
                  for post_id in ("b1", "b2", "b3"))
    record_activity(batch + (post_message(site, guide, "b2", "notes.post.deleted"),), None)
    assert calls == [("post", "find"), ("project", "find_one"), ("activity", "insert_many"),
                     ("activity", "delete_many")]
    assert sorted(e["node_id"] for e in collection(ActivityEntry).find(
        {"node_type": "Post"})) == ["b1", "b3"]
