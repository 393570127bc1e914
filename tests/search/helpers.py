"""Shared set-up for the search tests: people, a project with notes, and a
way to search as someone (the same function the page uses)."""
from pyramid.traversal import find_resource

from forge.actions.projects import install_tool
from forge.actions.roles import add_member, role_named
from forge.model import session
from forge.model.session import collection
from forge.search import search
from forge.search.indexer import make_request
from forge.security import user_principals
from pyramid.authorization import Everyone
from tools.notes.actions import create_note


def principals_of(user):
    return [Everyone] if user is None else user_principals(user)


def find(registry, text, user=None, **kw):
    """Titles found for ``user`` (None: anonymous)."""
    results = search(registry.forge_search_index(), text, principals_of(user), **kw)
    return [hit.title for hit in results.hits]


def ranked(registry, text, user=None, **kw):
    """(score, title) best first, ties by title: what "the same results" compares."""
    results = search(registry.forge_search_index(), text, principals_of(user), **kw)
    return sorted(((round(-hit.score, 4), hit.title) for hit in results.hits))


def count(registry, text, user=None, **kw):
    return search(registry.forge_search_index(), text, principals_of(user), **kw).count


def node_at(registry, url):
    return find_resource(make_request(registry).root, url)


def note(registry, tool, author, name, title, text="", labels=(), custom=None, private=False,
         parent=None):
    from forge.model import Project
    project = Project.query.get(_id=tool.project_id)
    return create_note(registry, project, tool, parent, name,
                       {"title": title, "text": text, "labels": list(labels),
                        "custom": custom or {}, "ext": {}}, author, private=private)


def setup_site(registry, make_user, make_project):
    """ada admins demo (notes at /p/demo/notes/, a sub project demo/sub with notes);
    mem is a Member, out is nobody's."""
    ada = make_user("ada")
    people = {"ada": ada, "mem": make_user("mem"), "out": make_user("out")}
    project = make_project("demo", ada, title="Demo")
    add_member(registry, project, role_named(project, "Member"), people["mem"], ada)
    sub = make_project("sub", ada, parent=project, title="Sub")
    other = make_project("other", ada, title="Other")
    people["project"] = project
    people["notes"] = install_tool(registry, project, "notes", "notes", ada)
    people["docs"] = install_tool(registry, project, "notes", "docs", ada, label="Docs")
    people["subnotes"] = install_tool(registry, sub, "notes", "notes", ada)
    people["othernotes"] = install_tool(registry, other, "notes", "notes", ada)
    session.flush()
    return people


def indexed_ids(registry):
    index = registry.forge_search_index()
    searcher = index.searcher()
    import tantivy
    result = searcher.search(tantivy.Query.all_query(), limit=100000)
    return sorted(searcher.doc(a).get_first("id") for _s, a in result.hits)


__all__ = ["collection"]
