"""Resolving a URL costs the same number of database reads at any depth."""
import pytest

from forge.actions.projects import install_tool
from forge.actions.versions import create_versioned
from forge.testing import count_queries

DEPTH = 8


@pytest.fixture
def deep(registry, make_user, make_project):
    from tools.notes.model import Note
    ada = make_user("ada")
    parent = None
    chain = []
    for level in range(1, DEPTH + 1):
        parent = make_project("d%d" % level, ada, parent=parent)
        chain.append(parent)
    for project in (chain[0], chain[-1]):
        tool = install_tool(registry, project, "notes", "notes", ada)
        create_versioned(registry, Note, ada, path="page", title="Page", text="hello",
                         project_id=project._id, tool_id=tool._id, acl=[])
        if project is chain[0]:
            path = ""
            for level in range(1, DEPTH + 1):
                path = (path + "/" if path else "") + "n%d" % level
                create_versioned(registry, Note, ada, path=path, title="Note %d" % level,
                                 text="level %d" % level, project_id=project._id,
                                 tool_id=tool._id, acl=[])
    return chain


SHALLOW_PROJECT = "/p/d1/notes/page/"
DEEP_PROJECT = "/p/" + "/".join("d%d" % i for i in range(1, DEPTH + 1)) + "/notes/page/"
SHALLOW_ARTIFACT = "/p/d1/notes/n1/"
DEEP_ARTIFACT = "/p/d1/notes/" + "/".join("n%d" % i for i in range(1, DEPTH + 1)) + "/"


def reads_for(browser, url):
    browser.get(url)                      # warm: templates compiled, session cookie set
    with count_queries() as reads:
        page = browser.get(url)
    assert page.status_int == 200
    return len(reads)


@pytest.mark.parametrize("signed_in", [False, True])
def test_project_depth_costs_the_same(forge_browser, deep, signed_in):
    if signed_in:
        forge_browser.login("ada")
    shallow = reads_for(forge_browser, SHALLOW_PROJECT)
    deep_reads = reads_for(forge_browser, DEEP_PROJECT)
    assert shallow == deep_reads
    assert deep_reads <= 10


@pytest.mark.parametrize("signed_in", [False, True])
def test_artifact_depth_costs_the_same(forge_browser, deep, signed_in):
    if signed_in:
        forge_browser.login("ada")
    shallow = reads_for(forge_browser, SHALLOW_ARTIFACT)
    deep_reads = reads_for(forge_browser, DEEP_ARTIFACT)
    assert shallow == deep_reads
    assert deep_reads <= 10
