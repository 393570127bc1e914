"""Wiki pages: home, create, edit, history/diff/revert, 409, sub-pages, lists."""
from forge.model import Snapshot

from .conftest import WIKI, create, edit, stored


def test_home_is_created_by_a_member_from_the_empty_state(site, browse):
    anonymous = browse()
    page = anonymous.get(WIKI)
    assert "has no page “Home”" in page.text
    assert stored(site, "Home") is None
    page = browse("mem").get(WIKI, status=200)          # a GET never writes
    assert stored(site, "Home") is None
    response = page.forms["create-home"].submit(status=302)
    assert response.location == "http://localhost/p/demo/wiki/Home/"
    home = stored(site, "Home")
    assert home.version == 1 and "Welcome" in home.text
    # from now on the tool's address leads to it, for everyone who may read
    assert anonymous.get(WIKI, status=302).location.endswith("/wiki/Home/")
    assert "Welcome" in anonymous.get(WIKI + "Home/").text


def test_home_is_not_created_for_who_may_not_create(site, browse):
    page = browse("out").get(WIKI)
    assert "has no page “Home”" in page.text and "Create “Home”" not in page.text
    assert stored(site, "Home") is None


def test_create_edit_history_diff_revert(site, browse):
    ada = browse("ada")
    response = create(ada, "Plan", text="# Plan\n\none", comment="first")
    assert response.location == "http://localhost/p/demo/wiki/Plan/"
    page = ada.get(WIKI + "Plan/")
    assert "<h1>Plan</h1>" in page.text and "version 1" in page.text
    form = ada.get(WIKI + "Plan/@@edit")
    assert 'name="version" value="1"' in form.text
    edit(ada, "Plan", 1, title="The plan", text="# Plan\n\ntwo", comment="second go")
    doc = stored(site, "Plan")
    assert (doc.version, doc.title, doc.text) == (2, "The plan", "# Plan\n\ntwo")
    assert Snapshot.query.get(artifact_id=doc._id, version=2).comment == "second go"

    history = ada.get(WIKI + "Plan/@@history")
    assert "second go" in history.text and "first" in history.text
    assert "Compare selected versions" in history.text
    diff = ada.get(WIKI + "Plan/@@diff?from=1&to=2")
    assert '<span class="del">-one</span>' in diff.text
    assert '<span class="add">+two</span>' in diff.text
    assert "Last change" in ada.get(WIKI + "Plan/").text

    ada.post_form(WIKI + "Plan/@@revert", {"version": "1", "edited_version": "2"},
                  status=302)
    doc = stored(site, "Plan")
    assert (doc.version, doc.title, doc.text) == (3, "Plan", "# Plan\n\none")
    assert "<p>one</p>" in ada.get(WIKI + "Plan/").text


def test_stale_edit_is_a_409_and_overwrites_nothing(site, browse):
    ada, dev = browse("ada"), browse("dev")
    create(ada, "Shared", text="base")
    edit(dev, "Shared", 1, title="Shared", text="dev's text")
    page = edit(ada, "Shared", 1, status=409, title="Shared", text="ada's text")
    assert "ada&#39;s text" in page.text and "dev&#39;s text" in page.text
    doc = stored(site, "Shared")
    assert (doc.version, doc.text) == (2, "dev's text")


def test_bad_input_is_a_400_with_the_message(site, browse):
    ada = browse("ada")
    for name, message in (("", "The page name is required."),
                          ("a/../b", "may not be"),
                          ("@@edit", "may not start with '@@'"),
                          ("Nowhere/Sub", "There is no page “Nowhere” to put “Sub” under")):
        page = create(ada, name, status=400, text="kept text")
        assert message in page.text.replace("&#39;", "'"), name
        assert "kept text" in page.text
    create(ada, "Once")
    assert "There is already a page named “Once”" in create(ada, "Once", status=400).text
    page = ada.post_form(WIKI + "Once/@@edit", {"title": "x", "version": "x"}, status=400)
    assert "which version" in page.text
    page = edit(ada, "Once", 1, status=400, title="", text="t")
    assert 'id="error-title"' in page.text


def test_sub_pages_by_path(site, browse):
    ada = browse("ada")
    create(ada, "Guide", text="guide")
    create(ada, "Guide/Install", text="install")             # a path from the wiki
    create(ada, "Linux", url=WIKI + "Guide/Install/", title="On Linux", text="apt")
    assert stored(site, "Guide/Install/Linux").parent_path == "Guide/Install"
    page = ada.get(WIKI + "Guide/Install/Linux/")
    assert "apt" in page.text and "On Linux" in page.text
    guide = ada.get(WIKI + "Guide/")
    assert 'href="http://localhost/p/demo/wiki/Guide/Install/"' in guide.text
    index = ada.get(WIKI + "@@index")
    positions = [index.text.index(">%s</a>" % t) for t in ("Guide", "Install", "On Linux")]
    assert positions == sorted(positions)
    assert 'class="depth-2"' in index.text


def test_wiki_links_existing_missing_and_after_creation(site, browse):
    ada = browse("ada")
    create(ada, "Target", text="here")
    create(ada, "Source", text="See [[Target]], [[Later Page]], [[Guide/Deep]] "
                               "and `[[in code]]`.")
    page = ada.get(WIKI + "Source/")
    assert ('<a href="http://localhost/p/demo/wiki/Target/" class="wiki-link" '
            'rel="nofollow noopener">Target</a>') in page.text
    assert ('<a href="http://localhost/p/demo/wiki/@@new?title=Later+Page" '
            'class="wiki-link missing"') in page.text
    assert "<code>[[in code]]</code>" in page.text
    # the missing link leads to a form that already has the name
    form = ada.get(WIKI + "@@new?title=Later+Page")
    assert 'value="Later Page"' in form.text
    create(ada, "Later Page", text="now")
    page = ada.get(WIKI + "Source/")       # same version of Source, the link exists now
    assert ('<a href="http://localhost/p/demo/wiki/Later%20Page/" class="wiki-link" '
            'rel="nofollow noopener">Later Page</a>') in page.text
    ada.post_form(WIKI + "Target/@@delete", {}, status=302)
    page = ada.get(WIKI + "Source/")
    assert 'title=Target" class="wiki-link missing"' in page.text
    # renamed pages: links to the old name turn missing, to the new one exist
    ada.post_form(WIKI + "Later%20Page/@@rename", {"name": "Moved"}, status=302)
    create(ada, "Other", text="[[Moved]] [[Later Page]]")
    page = ada.get(WIKI + "Other/")
    assert 'href="http://localhost/p/demo/wiki/Moved/" class="wiki-link"' in page.text
    assert 'title=Later+Page" class="wiki-link missing"' in page.text


def test_short_links_to_other_tools_and_pages(site, browse):
    ada = browse("ada")
    create(ada, "Guide")
    create(ada, "Guide/Install")
    create(ada, "Linker", text="[wiki:Guide/Install] and [nothere:x] and [wiki:@@bad]")
    page = ada.get(WIKI + "Linker/")
    assert ('<a href="http://localhost/p/demo/wiki/Guide/Install/" class="short-link"'
            in page.text)
    assert "[nothere:x]" in page.text


def test_preview_renders_links_and_is_safe(site, browse):
    ada = browse("ada")
    create(ada, "Draft")
    for url in (WIKI + "@@preview", WIKI + "Draft/@@preview"):
        response = ada.post_form(url, {"text": "**b** [[Draft]] <script>alert(1)</script>"})
        assert response.text.startswith("<p><strong>b</strong> <a href=")
        assert "<script" not in response.text
    browse("out").post_form(WIKI + "Draft/@@preview", {"text": "x"}, status=403)


def test_recent_changes_newest_first_with_comment(site, browse):
    ada = browse("ada")
    create(ada, "One", text="1")
    create(ada, "Two", text="2")
    edit(ada, "One", 1, title="One", text="1b", comment="touched one")
    page = ada.get(WIKI + "@@recent")
    table = page.text[page.text.index('id="recent-changes"'):]
    assert table.index(">One</a>") < table.index(">Two</a>")
    assert "touched one" in table and ">ada<" in table


def test_who_may_do_what(site, browse):
    create(browse("ada"), "Rules")
    mem = browse("mem")
    create(mem, "Mine", text="a member creates")              # Members create
    mem.get(WIKI + "Rules/@@edit", status=403)                  # but do not update
    edit(mem, "Rules", 1, status=403, title="Hacked")
    mem.post_form(WIKI + "Rules/@@delete", {}, status=403)
    mem.post_form(WIKI + "Rules/@@rename", {"name": "X"}, status=403)
    out = browse("out")
    create(out, "Intruder", status=403)
    assert "Edit" not in out.get(WIKI + "Rules/").text
    anonymous = browse()
    assert "Rules" in anonymous.get(WIKI + "Rules/").text       # public project
    assert anonymous.get(WIKI + "@@new").status_int == 302      # to sign in
    dev = browse("dev")
    edit(dev, "Rules", 1, title="Rules", text="developers update")
    mem.get(WIKI + "@@deleted", status=403)
    dev.get(WIKI + "@@deleted", status=200)


def test_rendered_once_per_version_and_links_cost_one_read(site, browse, monkeypatch):
    from forge import rendering
    from forge.signed_pages import SignedInPages
    from forge.testing import count_queries
    # the pages rendered each time: not taken whole from the page cache (forge.signed_pages)
    monkeypatch.setattr(SignedInPages, "key", lambda self, request: None)
    ada = browse("ada")
    create(ada, "Plain", text="no links here")
    create(ada, "Linked", text="see [[Plain]]")
    ada.get(WIKI + "Plain/")
    ada.get(WIKI + "Linked/")
    renders = []
    original = rendering.render_markdown
    monkeypatch.setattr(rendering, "render_markdown",
                        lambda *a, **kw: renders.append(a) or original(*a, **kw))
    # another session: the pages' content is kept per reader (views.kept_page),
    # the rendered text for every reader with the same link key
    again = browse("ada")
    again.get(WIKI + "@@index")
    with count_queries() as plain:
        again.get(WIKI + "Plain/")
    with count_queries() as linked:
        again.get(WIKI + "Linked/")
    assert renders == []                       # both served from the render cache
    assert len(linked) == len(plain) + 1       # the wiki's link generation
    create(ada, "New")                         # moves the generation: Linked renders again
    ada.get(WIKI + "Plain/")
    ada.get(WIKI + "Linked/")
    assert [a[0] for a in renders] == ["see [[Plain]]"]


def test_the_home_page_is_a_setting(site, browse):
    ada = browse("ada")
    create(ada, "Start", text="start here")
    browse("dev").post_form(WIKI + "@@options", {"home": "Start"}, status=403)
    page = ada.post_form(WIKI + "@@options", {"home": "a/../b"}, status=400)
    assert "may not be" in page.text
    ada.post_form(WIKI + "@@options", {"home": "Start"}, status=302)
    assert 'value="Start"' in ada.get(WIKI + "@@options").text
    assert browse().get(WIKI, status=302).location.endswith("/wiki/Start/")
    assert stored(site, "Home") is None
