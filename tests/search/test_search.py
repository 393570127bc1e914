"""Search: relevance, phrases, fields (custom ones too), exclusion, scopes,
sorting, snippets, paging, the page and its parse errors, re-indexing after
ACL changes, deletion, comments, and a rebuilt index giving the same results."""
import pytest

from forge.actions.acl import add_entry, set_privacy
from forge.model import session
from forge.search import reindex
from forge.testing import ForgeBrowser
from tools.notes.actions import delete_note, update_note

from .helpers import count, find, indexed_ids, node_at, note, ranked, setup_site


@pytest.fixture
def site(registry, make_user, make_project, run_reactors):
    people = setup_site(registry, make_user, make_project)
    ada, tool = people["ada"], people["notes"]
    note(registry, tool, ada, "once", "Fruit basket", "An apple a day.")
    note(registry, tool, ada, "thrice", "Orchard report", "apple apple apple trees")
    note(registry, tool, ada, "title", "Apple harvest", "What we picked.")
    note(registry, tool, ada, "phrase", "Colours", "A red apple and a green pear.",
         labels=["fruit", "Needs-Review"], custom={"severity": "high"})
    note(registry, tool, ada, "reverse", "Reverse", "The apple is not red at all.",
         custom={"severity": "low"})
    note(registry, people["docs"], ada, "guide", "Install guide", "apt-get install forge")
    note(registry, people["subnotes"], ada, "deep", "Sub apple", "an apple in the sub project")
    note(registry, people["othernotes"], ada, "far", "Far apple", "an apple elsewhere")
    session.flush()
    run_reactors()
    return people


def test_relevance_title_and_frequency_first(registry, site):
    titles = find(registry, "apple")
    # a title match weighs most
    assert sorted(titles[:3]) == ["Apple harvest", "Far apple", "Sub apple"]
    assert titles.index("Orchard report") < titles.index("Fruit basket")
    assert count(registry, "apple") == 7


def test_phrase_and_words(registry, site):
    assert find(registry, '"red apple"') == ["Colours"]
    assert sorted(find(registry, "red apple")) == ["Colours", "Reverse"]
    assert find(registry, '"apple red"') == []


def test_field_queries(registry, site):
    assert find(registry, "title:orchard") == ["Orchard report"]
    assert find(registry, "label:needs-review") == ["Colours"]
    assert find(registry, "labels:fruit apple") == ["Colours"]
    assert sorted(find(registry, "author:ada tool:docs")) == ["Install guide"]
    assert count(registry, "type:notes.note") == 8 == count(registry, "type:note")
    assert find(registry, 'text:"apt-get install"') == ["Install guide"]
    assert find(registry, "project:other apple") == ["Far apple"]


def test_custom_fields(registry, site):
    assert find(registry, "severity:high") == ["Colours"]
    assert find(registry, "_severity:low") == ["Reverse"]
    assert find(registry, "severity:medium") == []
    assert find(registry, "nosuchfield:x") == []


def test_exclusion(registry, site):
    assert "Colours" not in find(registry, "apple -pear")
    assert count(registry, "apple -pear") == 6
    assert sorted(find(registry, "apple -severity:high -title:apple")) == [
        "Fruit basket", "Orchard report", "Reverse"]
    assert sorted(find(registry, '-"apple"')) == ["Install guide"]


def test_scopes(registry, site):
    project, sub = site["project"], node_at(registry, "/p/demo/sub/")
    assert count(registry, "apple", scope=("projects", project._id)) == 6   # with sub
    assert find(registry, "apple", scope=("projects", sub.doc._id)) == ["Sub apple"]
    assert find(registry, "install", scope=("tool_id", site["docs"]._id)) == ["Install guide"]
    assert find(registry, "install", scope=("tool_id", site["notes"]._id)) == []


def test_sort_by_date_and_paging(registry, site):
    ada = site["ada"]
    fruit = node_at(registry, "/p/demo/notes/once/").doc
    update_note(registry, fruit, fruit.version, {
        "title": "Fruit basket", "text": "An apple a day, newer.", "labels": [],
        "custom": {}, "ext": {}}, ada)
    session.flush()
    from forge.testing import deliver_to_reactors
    deliver_to_reactors(registry)
    assert find(registry, "apple", sort="date")[0] == "Fruit basket"
    first = find(registry, "apple", size=3, page=1)
    second = find(registry, "apple", size=3, page=2)
    third = find(registry, "apple", size=3, page=3)
    assert len(first) == 3 and len(second) == 3 and len(third) == 1
    assert len(set(first + second + third)) == 7


def test_search_page_snippets_are_escaped_and_highlighted(forge_app, registry, site,
                                                          run_reactors):
    note(registry, site["notes"], site["ada"], "xss", "Markup <b>title</b>",
         # a code span: the reader sees the markup as text, and so does the index
         "Beware `<script>alert(1)</script>` of the zebra & co.")
    session.flush()
    run_reactors()
    browser = ForgeBrowser(forge_app)
    page = browser.get("/@@search", {"q": "zebra"})
    assert "1 result<" in page.text
    assert "<mark>zebra</mark>" in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "<script>alert" not in page.text
    assert "Markup &lt;b&gt;title&lt;/b&gt;" in page.text
    assert 'href="http://localhost/p/demo/notes/xss/"' in page.text
    # project and tool pages are scoped
    assert "1 result<" in browser.get("/p/demo/@@search", {"q": "zebra"}).text
    assert "0 results" in browser.get("/p/demo/docs/@@search", {"q": "zebra"}).text
    assert "0 results" in browser.get("/p/other/@@search", {"q": "zebra"}).text
    # the empty form
    assert 'id="search-q"' in browser.get("/p/demo/@@search").text


@pytest.mark.parametrize("query,message", [
    ('"unclosed phrase', "quotation mark is not closed"),
    ("title:", "title: needs a value"),
    ("-", "minus must be followed"),
    ("x" * 600, "too long"),
])
def test_parse_error_is_a_friendly_message(forge_app, site, query, message):
    page = ForgeBrowser(forge_app).get("/@@search", {"q": query}, status=400)
    assert message in page.text
    assert 'role="alert"' in page.text and 'id="search-q"' in page.text


def test_bad_sort_and_page_are_friendly(forge_app, site):
    browser = ForgeBrowser(forge_app)
    assert "Sort by relevance or date" in browser.get(
        "/@@search", {"q": "apple", "sort": "random"}, status=400).text
    assert "results" in browser.get("/@@search", {"q": "apple", "page": "x"}).text
    assert browser.get("/@@search?q=%ff", status="*").status_int in (200, 400)


def test_acl_change_reindexes_the_subtree(registry, site, run_reactors):
    ada, mem, out = site["ada"], site["mem"], site["out"]
    note(registry, site["notes"], ada, "sub-of-once", "Child apple", "apple child",
         parent=node_at(registry, "/p/demo/notes/once/").doc)
    session.flush()
    run_reactors()
    assert "Child apple" in find(registry, "apple", out)
    # the tool becomes private to members: everything in it leaves outsiders' results
    set_privacy(registry, node_at(registry, "/p/demo/notes/"), True, ada)
    session.flush()
    run_reactors()
    assert count(registry, "apple", out) == 2          # sub project and other project
    assert count(registry, "apple", None) == 2
    assert count(registry, "apple", mem) == 8
    # a note made private to developers + author: members lose it and its child
    set_privacy(registry, node_at(registry, "/p/demo/notes/once/"), True, ada,
                readers=["role:%s" % _role(site, "Developer")])
    session.flush()
    run_reactors()
    assert "Fruit basket" not in find(registry, "apple", mem)
    assert "Child apple" not in find(registry, "apple", mem)
    assert "Child apple" in find(registry, "apple", ada)
    # a DENY for one user on the project
    add_entry(registry, node_at(registry, "/p/demo/"), "deny", "user:%s" % mem._id, "read",
              ada)
    session.flush()
    run_reactors()
    assert count(registry, "apple", mem) == 1          # only the other project
    # the project itself made private
    from forge.actions.projects import update_project
    set_privacy(registry, node_at(registry, "/p/demo/notes/"), False, ada)
    update_project(registry, node_at(registry, "/p/demo/").doc, "Demo", "", True, ada)
    session.flush()
    run_reactors()
    assert find(registry, "apple", out) == ["Far apple"]


def _role(site, name):
    from forge.actions.roles import role_named
    return role_named(site["project"], name)._id


def test_deletion_removes_and_comments_are_indexed(registry, site, run_reactors):
    """Visible comments are part of their artifact's text; pending ones are not."""
    from forge.discussion.actions import add_post
    ada, out = site["ada"], site["out"]
    add_post(registry, node_at(registry, "/p/demo/docs/guide/"), "A comment about kiwis",
             ada, may_skip_moderation=True)
    add_post(registry, node_at(registry, "/p/demo/docs/guide/"), "A pending word: quince",
             out)
    session.flush()
    run_reactors()
    assert find(registry, "kiwis") == ["Install guide"]
    assert find(registry, "quince", ada) == []
    delete_note(registry, node_at(registry, "/p/demo/docs/guide/").doc, ada)
    session.flush()
    run_reactors()
    assert find(registry, "kiwis") == [] and find(registry, "install", ada) == []


def test_rebuilt_index_gives_the_same_results(registry, site):
    queries = ["apple", '"red apple"', "severity:high", "apple -pear", "label:fruit",
               "install"]
    users = [None, site["out"], site["mem"], site["ada"]]
    before = {(q, u and u.username): ranked(registry, q, u) for q in queries for u in users}
    ids = indexed_ids(registry)
    index = registry.forge_search_index()
    with index.writing() as batch:
        batch.writer.delete_all_documents()
    assert find(registry, "apple") == []
    reindex(registry)
    assert indexed_ids(registry) == ids
    after = {(q, u and u.username): ranked(registry, q, u) for q in queries for u in users}
    assert after == before
    # one project only
    with index.writing() as batch:
        batch.writer.delete_all_documents()
    reindex(registry, project=site["project"])
    assert sorted(find(registry, "apple")) == sorted(
        t for _s, t in before[("apple", None)] if t != "Far apple")
