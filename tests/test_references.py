"""forge.references, forge.reactor_marks and forge.commit_events: what a
reactor on outside text (a commit message, a mail) needs from the core."""
import contextlib
import subprocess

import pytest
from ming.odm import FieldProperty, MappedClass
from pyramid.request import Request
from pyramid.scripting import prepare
from pyramid.traversal import find_resource

from forge.actions.projects import install_tool
from forge.commit_events import on_default_branch
from forge.discussion.actions import add_post
from forge.model import User, session
from forge.reactor_marks import mark_for, post_containing
from forge.references import (ArtifactRef, keyword_references, markdown_escape, may_quote,
                              referenced_artifact, user_by_verified_email)
from forge.testing import forge_test_settings
from tools.tracker.actions import create_ticket
from tools.tracker.resources import ITicket

KEYWORDS = {"fixes": "fixed", "closes": "closed", "refs": None}


@pytest.fixture
def forge_settings():
    return forge_test_settings(**{"forge.tools": "tools.notes tools.tracker",
                                  "forge.load_tool_entry_points": "false"})


@pytest.fixture
def site(registry, make_user, make_project):
    """demo: notes at "aaa" (sorts first, no hash links), trackers at "tickets"
    (#1, #2) and "bugs" (#1); demo/sub and the private "secret" each a tracker (#1)."""
    ada = make_user("ada")
    demo = make_project("demo", ada)
    install_tool(registry, demo, "notes", "aaa", ada)
    for mount, count in (("tickets", 2), ("bugs", 1)):
        tool = install_tool(registry, demo, "tracker", mount, ada)
        for n in range(count):
            create_ticket(registry, demo, tool, {"title": "%s %d" % (mount, n + 1)}, ada)
    for name, kw in (("sub", {"parent": demo}), ("secret", {"private": True})):
        project = make_project(name, ada, **kw)
        tool = install_tool(registry, project, "tracker", "tickets", ada)
        create_ticket(registry, project, tool, {"title": name}, ada)
    session.close()
    return ada


@contextlib.contextmanager
def node_at(registry, path):
    request = Request.blank(path)
    env = prepare(request=request, registry=registry)
    request.root = env["root"]
    try:
        yield find_resource(env["root"], path)
    finally:
        env["closer"]()


@pytest.mark.parametrize("text, expected", [
    ("fixes #1", [(None, None, 1, "fixed")]),
    ("Closes: bugs:#5 & [demo:tickets:#6]", [(None, "bugs", 5, "closed"),
                                             ("demo", "tickets", 6, "closed")]),
    ("REFS team/sub:tickets:#7", [("team/sub", "tickets", 7, None)]),
    ("refs #2 and #3, then fixes #2", [(None, None, 2, "fixed"), (None, None, 3, None)]),
    ("fixes #1, #2, #3, #4", [(None, None, n, "fixed") for n in (1, 2, 3)]),   # the limit
    ("#1 alone, prefixes #3, fixes#2, fixes #1234567890", []),
    (None, []),
])
def test_keyword_references(text, expected):
    refs = keyword_references(text, KEYWORDS, limit=3)
    assert [(r.project, r.mount, r.number, r.meaning) for r in refs] == expected


def test_a_ref_class_of_the_callers_own():
    class Mine(ArtifactRef):
        pass
    [ref] = keyword_references("refs #9", KEYWORDS, 5, ref_class=Mine)
    assert isinstance(ref, Mine) and ref.target == (None, None, 9)


@pytest.mark.parametrize("project, mount, number, title", [
    (None, None, 1, "bugs 1"),              # the first hash-links tool by mount, not "aaa"
    (None, "bugs", 1, "bugs 1"),
    ("demo", "tickets", 2, "tickets 2"),
    ("demo/sub", "tickets", 1, "sub"),
    ("secret", "tickets", 1, "secret"),     # the caller checks permissions
    (None, "bugs", 2, None),                # no such ticket
    (None, "aaa", 1, None),                 # not a ticket
    (None, "nowhere", 1, None),
    ("nobody", "tickets", 1, None),
    ("demo/@@edit", "tickets", 1, None),
])
def test_referenced_artifact(registry, site, project, mount, number, title):
    with node_at(registry, "/p/demo/") as demo:
        found = referenced_artifact(demo, ArtifactRef(project, mount, number), ITicket)
        assert (found.doc.title if found is not None else None) == title


def test_user_by_verified_email(registry, site, make_user):
    assert user_by_verified_email(" ada@example.test ").username == "ada"
    assert user_by_verified_email("Ada@Example.Test").username == "ada"
    assert user_by_verified_email("nobody@example.test") is None
    assert user_by_verified_email("ada") is None and user_by_verified_email(None) is None
    User.query.get(username="ada").disabled = True
    session.flush()
    assert user_by_verified_email("ada@example.test") is None


def test_may_quote_only_to_a_narrower_audience(registry, site):
    with node_at(registry, "/p/demo/tickets/1/") as public, \
            node_at(registry, "/p/secret/tickets/1/") as private:
        assert may_quote(public, private)
        assert may_quote(private, private)
        assert not may_quote(private, public)


def test_markdown_escape():
    assert markdown_escape("*a* [b](c) `d` #1") == r"\*a\* \[b\]\(c\) \`d\` \#1"


class Mark(MappedClass):
    class __mongometa__:
        session = session
        name = "test_reference_mark"

    _id = FieldProperty(str)
    done = FieldProperty(bool, if_missing=False)


def test_mark_for_loads_or_makes_one(registry, site):
    mark = mark_for(Mark, "k1")
    assert mark._id == "k1" and not mark.done
    mark.done = True
    session.flush()
    session.close()
    assert mark_for(Mark, "k1").done
    assert not mark_for(Mark, "k2", done=False).done


def test_post_containing(registry, site):
    with node_at(registry, "/p/demo/tickets/1/") as ticket:
        assert post_containing(ticket.doc, "](/commit/abc)") is None     # no thread yet
        post = add_post(registry, ticket, "See [abc](/commit/abc).", site, trusted=True)
        assert post_containing(ticket.doc, "](/commit/abc)") == post._id
        assert post_containing(ticket.doc, "](/commit/abd)") is None


def test_on_default_branch(registry, tmp_path):
    def event(ref, **detail):
        return {"tool_id": "repo1", "detail": dict(detail, ref=ref)}
    assert on_default_branch(registry, event("refs/heads/dev", default_branch="dev"))
    assert not on_default_branch(registry, event("refs/heads/main", default_branch="dev"))
    # no default_branch in the event: the bare repository's HEAD
    registry.code_repos_root = str(tmp_path)
    git = ["git", "-c", "user.name=a", "-c", "user.email=a@b.c"]
    subprocess.run(git + ["init", "-q", "--bare", "-b", "trunk", str(tmp_path / "repo1.git")],
                   check=True)
    assert not on_default_branch(registry, event("refs/heads/trunk"))     # no branch yet
    work = tmp_path / "work"
    subprocess.run(git + ["init", "-q", "-b", "trunk", str(work)], check=True)
    subprocess.run(git + ["-C", str(work), "commit", "-q", "--allow-empty", "-m", "x"],
                   check=True)
    subprocess.run(git + ["-C", str(work), "push", "-q", str(tmp_path / "repo1.git"),
                          "trunk"], check=True)
    assert on_default_branch(registry, event("refs/heads/trunk"))
    assert not on_default_branch(registry, event("refs/heads/other"))
    assert not on_default_branch(registry, {"tool_id": "../x", "detail": {"ref": "r"}})
