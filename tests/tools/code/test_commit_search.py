"""Pushed commit messages are found by ``@@search`` (site, project, repository),
by readers of the repository only."""
from types import SimpleNamespace
from urllib.parse import urlsplit

from forge.bus.registry import freeze
from forge.model import OutboxEvent
from forge.model.session import collection, session
from tools.code.commit_search import index_commit

from .conftest import with_credentials

REPO = "/p/demo/code"


def test_a_push_reindexes_no_tool():
    """The core's search reactor leaves ``scm.*`` events to the code tool: were it
    to re-index the tool, it would drop the commits' documents (it re-adds
    artifacts only)."""
    from forge.search.indexer import plan
    assert plan({"topic": "scm.commit", "node_type": "ToolInstance", "node_id": "t",
                 "tool_id": "t"}) is None


def push(git, server, site, work_tree, ref="main"):
    git("push", with_credentials(server + REPO, "dev", site["tokens"]["dev"]), ref,
        cwd=work_tree)


def hits(page):
    return [(a.text, urlsplit(a["href"]).path)
            for a in page.html.select("li.search-hit a.search-title")]


def head(git, work_tree):
    return git("rev-parse", "HEAD", cwd=work_tree).stdout.strip()


def test_commit_messages_are_found_where_the_repository_is(site, server, git, work_tree,
                                                           browse, run_reactors):
    push(git, server, site, work_tree)
    sha = head(git, work_tree)
    run_reactors()
    b = browse()
    for where in ("/", "/p/demo/", REPO + "/"):
        page = b.get(where + "@@search?q=body")      # a word of the message's body only
        assert hits(page) == [("Add the app", "%s/commit/%s" % (REPO, sha))], where
        assert " · commit · " in page.html.select_one("li.search-hit .search-where").text
    # the first commit, by its subject, and field queries
    assert [t for t, _ in hits(b.get("/@@search?q=first"))] == ["First commit"]
    assert [t for t, _ in hits(b.get("/@@search?q=sha:%s" % sha[:12]))] == ["Add the app"]
    assert [t for t, _ in hits(b.get("/@@search?q=sha:%s" % sha[:7]))] == ["Add the app"]
    assert len(hits(b.get("/@@search?q=type:commit branch:main"))) == 2
    assert hits(b.get("/@@search?q=branch:other")) == []


def test_the_linked_author_is_the_documents_author(site, server, git, work_tree, browse,
                                                   run_reactors):
    # work_tree's commits are by dev@example.test: dev's verified address
    push(git, server, site, work_tree)
    run_reactors()
    assert len(hits(browse().get("/@@search?q=author:dev"))) == 2
    assert hits(browse().get("/@@search?q=author:ada")) == []


def test_a_patch_applied_by_a_user_is_found_as_the_committers(site, server, git, work_tree,
                                                              browse, run_reactors):
    # the committer (dev@example.test) is dev; the author is no forge user
    (work_tree / "patch.txt").write_text("from a mailing list\n")
    git("add", "patch.txt", cwd=work_tree)
    git("commit", "--quiet", "-m", "A contributed patch",
        "--author=Grace Hopper <grace@elsewhere.test>", cwd=work_tree)
    push(git, server, site, work_tree)
    run_reactors()
    found = [t for t, _ in hits(browse().get("/@@search?q=author:dev"))]
    assert sorted(found) == ["A contributed patch", "Add the app", "First commit"]
    assert [t for t, _ in hits(browse().get("/@@search?q=author_name:grace"))] == [
        "A contributed patch"]


def test_a_private_repositorys_commits_are_found_by_its_readers_only(
        private_site, server, git, work_tree, browse, run_reactors):
    push(git, server, private_site, work_tree)
    run_reactors()
    assert [t for t, _ in hits(browse("mem").get("/@@search?q=app"))] == ["Add the app"]
    for who in (None, "out"):
        page = browse(who).get("/@@search?q=app")
        assert hits(page) == [] and "Add the app" not in page.text, who


def test_a_second_delivery_writes_the_same_document(site, server, git, work_tree, browse,
                                                    run_reactors, registry):
    push(git, server, site, work_tree)
    run_reactors()
    session.close()
    events = [r["message"] for r in collection(OutboxEvent).find({"topic": "scm.commit"})]
    assert len(events) == 2
    context = SimpleNamespace(registry=registry, settings=registry.settings, attempt=2)
    for event in events:
        index_commit(freeze(event), context)
    assert len(hits(browse().get("/@@search?q=type:commit"))) == 2


def test_markup_in_a_message_is_shown_as_text(site, server, git, work_tree, browse,
                                              run_reactors):
    (work_tree / "x.txt").write_text("x\n")
    git("add", "x.txt", cwd=work_tree)
    git("commit", "--quiet", "-m", "<img src=x onerror=alert(1)> xsscheck", cwd=work_tree)
    push(git, server, site, work_tree)
    run_reactors()
    page = browse().get("/@@search?q=xsscheck")
    assert len(hits(page)) == 1
    assert "<img src=x" not in page.text and "&lt;img src=x" in page.text


def test_commits_follow_a_change_of_read_rights(site, server, git, work_tree, browse,
                                                run_reactors, registry):
    """Making the project private re-indexes its tools: the commits stay, with
    the new read terms (they used to vanish until the next push)."""
    from forge.actions.projects import update_project
    from forge.model import Project
    push(git, server, site, work_tree)
    run_reactors()
    assert len(hits(browse().get("/@@search?q=type:commit"))) == 2
    project = Project.query.get(_id=site["project"]._id)
    update_project(registry, project, project.title, project.description, True, site["ada"])
    session.close()
    run_reactors()
    assert hits(browse().get("/@@search?q=type:commit")) == []
    assert hits(browse("out").get("/@@search?q=type:commit")) == []
    found = hits(browse("mem").get("/@@search?q=type:commit"))
    assert sorted(t for t, _ in found) == ["Add the app", "First commit"]
    assert dict(found)["Add the app"] == "%s/commit/%s" % (REPO, head(git, work_tree))


def test_forge_admin_reindex_rebuilds_the_commits(site, server, git, work_tree, browse,
                                                  run_reactors, registry):
    from forge.search.indexer import reindex
    git("checkout", "--quiet", "-b", "feature", cwd=work_tree)
    (work_tree / "f.txt").write_text("f\n")
    git("add", "f.txt", cwd=work_tree)
    git("commit", "--quiet", "-m", "On the feature branch", cwd=work_tree)
    git("tag", "v1", cwd=work_tree)
    git("push", with_credentials(server + REPO, "dev", site["tokens"]["dev"]), "main",
        "feature", "v1", cwd=work_tree)
    with registry.forge_search_index().writing() as batch:
        batch.writer.delete_all_documents()        # an index lost, or never built
    assert hits(browse().get("/@@search?q=type:commit")) == []
    assert reindex(registry) == 3
    b = browse()
    assert len(hits(b.get("/@@search?q=type:commit branch:main"))) == 2
    assert [t for t, _ in hits(b.get("/@@search?q=branch:feature"))] == ["On the feature branch"]
    assert [t for t, _ in hits(b.get("/@@search?q=author:dev feature"))] == [
        "On the feature branch"]


def test_a_repository_made_private_takes_its_commits_from_strangers_search(
        site, server, git, work_tree, browse, run_reactors, registry):
    """The tool's own ACL, not the project's: the core re-indexes the tool and
    its search source, so the commits follow at once, both ways."""
    from pyramid.testing import DummyRequest
    from pyramid.traversal import find_resource

    from forge.actions.acl import set_privacy
    from forge.resources import SiteRoot

    def repository():
        session.clear()
        request = DummyRequest()
        request.registry = registry
        return find_resource(SiteRoot(request), REPO + "/")
    push(git, server, site, work_tree)
    run_reactors()
    assert len(hits(browse().get("/@@search?q=type:commit"))) == 2
    set_privacy(registry, repository(), True, site["ada"])
    session.close()
    run_reactors()
    for who in (None, "out"):
        assert hits(browse(who).get("/@@search?q=type:commit")) == [], who
    assert len(hits(browse("mem").get("/@@search?q=type:commit"))) == 2
    set_privacy(registry, repository(), False, site["ada"])
    session.close()
    run_reactors()
    assert len(hits(browse().get("/@@search?q=type:commit"))) == 2
