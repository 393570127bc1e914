"""The notes tool: notes and sub-notes, versions and 409s, privacy, deletion,
and safe Markdown (the XSS corpus)."""
import pytest

from forge.actions.projects import install_tool
from forge.actions.roles import add_member, role_named
from forge.model import Snapshot, session
from forge.rendering import render_cache, render_markdown, render_versioned
from forge.testing import XSS_CORPUS, assert_inert, browser
from forge.views.artifact_forms import MAX_PREVIEW
from tools.notes.model import Note

TOOL = "/p/demo/notes/"


ROLES = (("dev", "Developer"), ("mem", "Member"), ("mem2", "Member"))


def build_site(app):
    """ada admins demo (notes at /p/demo/notes/); dev is a Developer, mem and
    mem2 are Members: built once per configured app (``fresh_app(world=)``)
    and put back before each test that asks for the site."""
    from forge.actions.projects import create_project
    from forge.actions.users import create_user
    from forge.model import Neighborhood
    from forge.testing import PASSWORD
    registry = app.registry

    def make_user(name):
        return create_user(registry, name, "%s@example.test" % name, PASSWORD)
    ada = make_user("ada")
    project = create_project(registry, Neighborhood.query.get(name="p"), "demo", "Demo", ada)
    for name, role in ROLES:
        add_member(registry, project, role_named(project, role), make_user(name), ada)
    install_tool(registry, project, "notes", "notes", ada)


@pytest.fixture
def forge_app(request, forge_settings):
    from forge.testing_apps import fresh_app
    world = build_site if "site" in request.fixturenames else None
    return fresh_app(forge_settings, world=world)


@pytest.fixture
def site(forge_app):
    from forge.model import ToolInstance, User
    people = {name: User.by_username(name) for name in ["ada"] + [n for n, _ in ROLES]}
    people["tool"] = ToolInstance.query.get(mount="notes")
    session.close()
    return people


def stored(site, path):
    """The note as saved (a fresh read, not the session's cached copy)."""
    session.close()
    return Note.query.get(tool_id=site["tool"]._id, path=path)


def create(b, url, title, status=302, **fields):
    return b.post_form(url + "@@new", dict(fields, title=title), status=status)


def edit(b, url, version, status=302, **fields):
    return b.post_form(url + "@@edit", dict(fields, version=str(version)), status=status)


# -- notes and sub-notes --------------------------------------------------------

def test_notes_and_sub_notes_three_levels(forge_app, site):
    ada = browser(forge_app, "ada")
    response = create(ada, TOOL, "Guide", text="# Guide\n\nStart *here*.")
    assert response.location.endswith("/p/demo/notes/Guide/")
    create(ada, TOOL + "Guide/", "Install", name="install", text="Install it.")
    create(ada, TOOL + "Guide/install/", "On Linux", name="linux", text="apt-get it",
           labels="linux, howto, linux")
    assert stored(site, "Guide/install/linux").parent_path == "Guide/install"

    page = ada.get(TOOL + "Guide/install/linux/")
    assert "apt-get it" in page.text
    # the breadcrumbs name the whole lineage
    for title in ("Guide", "Install", "On Linux"):
        assert ">%s</a>" % title in page.text
    assert page.text.count('class="badge">linux<') == 1

    guide = ada.get(TOOL + "Guide/")
    assert "<em>here</em>" in guide.text
    assert 'href="http://localhost/p/demo/notes/Guide/install/"' in guide.text
    # sub-notes are not on the tool's list, top-level notes are
    listing = ada.get(TOOL)
    assert "Guide" in listing.text and "Install" not in listing.text


def test_edit_makes_a_new_version_with_a_snapshot(forge_app, site):
    ada = browser(forge_app, "ada")
    create(ada, TOOL, "Plan", text="one")
    form = ada.get(TOOL + "Plan/@@edit")
    assert 'name="version" value="1"' in form.text
    edit(ada, TOOL + "Plan/", 1, title="Plan", text="two", labels="q1", comment="second go")
    note = stored(site, "Plan")
    assert (note.version, note.text, list(note.labels)) == (2, "two", ["q1"])
    snap = Snapshot.query.get(artifact_id=note._id, version=2)
    assert snap.comment == "second go" and snap.data["text"] == "two"
    assert Snapshot.query.get(artifact_id=note._id, version=1).data["text"] == "one"
    assert "two" in ada.get(TOOL + "Plan/").text


def test_stale_edit_is_a_409_and_overwrites_nothing(forge_app, site):
    ada, dev = browser(forge_app, "ada"), browser(forge_app, "dev")
    create(ada, TOOL, "Shared", text="base")
    edit(dev, TOOL + "Shared/", 1, title="Shared", text="dev's text")
    page = edit(ada, TOOL + "Shared/", 1, status=409, title="Shared", text="ada's text")
    assert "ada&#39;s text" in page.text          # what ada typed is not lost
    assert "dev&#39;s text" in page.text          # and she sees what changed
    note = stored(site, "Shared")
    assert (note.version, note.text) == (2, "dev's text")
    assert Snapshot.query.find({"artifact_id": note._id}).count() == 2


@pytest.mark.parametrize("fields,field,message", [
    ({"title": ""}, "title", "A title is required."),
    ({"title": "x", "name": "a/b"}, "name", "may not be '.' or '..' nor contain '/'"),
    ({"title": "x", "name": "@@edit"}, "name", "may not start with '@@'"),
    ({"title": "x", "name": ".."}, "name", "may not be '.' or '..'"),
    ({"title": "x", "labels": "a" * 41}, "labels", "at most 40 characters"),
])
def test_bad_new_note_is_a_400_with_the_message(forge_app, site, fields, field, message):
    ada = browser(forge_app, "ada")
    page = ada.post_form(TOOL + "@@new", dict(fields, text="kept text"), status=400)
    assert 'id="error-%s"' % field in page.text
    assert message in page.text.replace("&#39;", "'")
    assert "kept text" in page.text
    session.close()
    assert Note.query.find({"tool_id": site["tool"]._id}).count() == 0


def test_duplicate_name_and_bad_version_are_refused(forge_app, site):
    ada = browser(forge_app, "ada")
    create(ada, TOOL, "Twice")
    page = create(ada, TOOL, "Twice", status=400)
    assert "The name “Twice” is not available here" in page.text
    page = ada.post_form(TOOL + "Twice/@@edit", {"title": "Changed", "version": "x"},
                         status=400)
    assert "which version" in page.text
    assert stored(site, "Twice").title == "Twice"


def test_a_private_notes_name_is_refused_without_telling_it_exists(forge_app, site):
    create(browser(forge_app, "ada"), TOOL, "Secret plans", name="plans", private="on")
    mem = browser(forge_app, "mem")
    mem.get(TOOL + "plans/", status=404)
    page = create(mem, TOOL, "Mine", name="plans", status=400)
    assert "The name “plans” is not available here" in page.text
    assert "already" not in page.text and "Secret plans" not in page.text


def test_who_may_create_and_edit(forge_app, site):
    create(browser(forge_app, "ada"), TOOL, "Rules")
    mem = browser(forge_app, "mem")
    assert "New note" in mem.get(TOOL).text
    create(mem, TOOL + "Rules/", "Member's sub-note")           # Members create
    mem.get(TOOL + "Rules/@@edit", status=403)                   # but do not update
    edit(mem, TOOL + "Rules/", 1, status=403, title="Hacked")
    anonymous = browser(forge_app)
    assert "New note" not in anonymous.get(TOOL).text
    assert anonymous.get(TOOL + "@@new").status_int == 302       # to sign in
    assert stored(site, "Rules").title == "Rules"


# -- privacy ----------------------------------------------------------------------

def test_private_note_readers_are_its_author_and_developers(forge_app, site):
    mem = browser(forge_app, "mem")
    create(mem, TOOL, "Diary", text="my secret", private="on")
    create(mem, TOOL, "Public", text="for all")
    assert stored(site, "Diary").acl[-1] == {"access": "deny",
                                             "principal": "system.Everyone",
                                             "permission": "read"}
    for b in (mem, browser(forge_app, "dev"), browser(forge_app, "ada")):
        assert "my secret" in b.get(TOOL + "Diary/").text
        assert "Diary" in b.get(TOOL).text
    for b in (browser(forge_app, "mem2"), browser(forge_app)):
        page = b.get(TOOL + "Diary/", status=404)
        assert "my secret" not in page.text and "Diary" not in page.text
        b.get(TOOL + "Diary/@@edit", status=404)
        listing = b.get(TOOL)
        assert "Diary" not in listing.text and "Public" in listing.text


# -- deletion ---------------------------------------------------------------------

def test_deleted_note_and_its_sub_notes_answer_404(forge_app, site):
    ada = browser(forge_app, "ada")
    create(ada, TOOL, "Old")
    create(ada, TOOL + "Old/", "Older", name="older")
    mem = browser(forge_app, "mem")
    mem.post_form(TOOL + "Old/@@delete", {}, status=403)
    response = browser(forge_app, "dev").post_form(TOOL + "Old/@@delete", {}, status=302)
    assert response.location == "http://localhost/p/demo/notes/"
    assert stored(site, "Old").deleted is True
    ada.get(TOOL + "Old/", status=404)
    ada.get(TOOL + "Old/older/", status=404)
    ada.post_form(TOOL + "Old/@@edit", {"title": "x", "version": "1"}, status=404)
    assert "Old" not in ada.get(TOOL).text


# -- rendering and the XSS corpus -----------------------------------------------------

def test_xss_corpus_is_inert_in_markdown_title_and_labels(forge_app, site):
    ada = browser(forge_app, "ada")
    text = "\n\n".join(XSS_CORPUS)
    for i, payload in enumerate(XSS_CORPUS):
        create(ada, TOOL, payload[:200], name="n%d" % i, text=text, labels=payload[:40])
    for i in range(len(XSS_CORPUS)):
        assert_inert(ada.get(TOOL + "n%d/" % i).text, "note n%d" % i)
    for url in (TOOL, TOOL + "n0/@@edit", TOOL + "n3/@@edit"):
        assert_inert(ada.get(url).text, url)


@pytest.mark.parametrize("payload", XSS_CORPUS)
def test_rendered_markdown_has_no_active_content(payload):
    html = str(render_markdown("before\n\n" + payload + "\n\nafter"))
    assert_inert(html)
    assert "<p>before</p>" in html     # (an unclosed <style> may swallow the rest)


def test_markdown_features_and_link_rel():
    html = str(render_markdown(
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n~~gone~~ [site](https://example.org)\n\n"
        "```python\ndef f():\n    return 1 < 2\n```\n"))
    assert "<table>" in html and "<td>2</td>" in html
    assert "<s>gone</s>" in html
    assert '<a href="https://example.org" rel="nofollow noopener">site</a>' in html
    assert '<span class="k">def</span>' in html          # pygments classes ...
    assert "style=" not in html                            # ... no inline styles
    assert "&lt;" in html


def test_rendered_once_per_version():
    render_cache.clear()
    first = render_versioned("id1", 1, "*a*")
    assert render_versioned("id1", 1, "*a*") is first
    assert len(render_cache) == 1
    assert str(render_versioned("id1", 2, "*b*")) == "<p><em>b</em></p>\n"
    assert len(render_cache) == 2


def test_preview_renders_safely(forge_app, site):
    ada = browser(forge_app, "ada")
    create(ada, TOOL, "Draft")
    for url in (TOOL + "@@preview", TOOL + "Draft/@@preview"):
        response = ada.post_form(url, {"text": "**bold** <script>alert(1)</script>"})
        assert response.text.strip() == "<p><strong>bold</strong> </p>"
    browser(forge_app, "mem").post_form(TOOL + "Draft/@@preview", {"text": "x"}, status=403)
    too_long = ada.post_form(TOOL + "@@preview", {"text": "x" * (MAX_PREVIEW + 1)}, status=400)
    assert "Too long to preview." in too_long.text
