"""``forge.spam.trusted_author`` (asked by the spam checker and the posting
rate limit on every post) reads the tool, the author's roles and the project
chain through the tree cache when the current request knows its tree
generation: a second post in the same generation costs it no find, and a new
role is seen at once (writing it moves the generation)."""
from forge.bus.auditing import Change
from forge.model import session
from forge.site_request import site_request
from forge.spam import trusted_author
from forge.testing import count_queries


def change_by(registry, user, tool):
    # a new post's change: no project_id of its own, the tool in the detail
    return Change("discussion.post.created", "Post", None, {}, {"text": "hello"}, user,
                  "mail", registry, {"tool_id": tool._id})


def test_trusted_author_uses_the_tree_cache_and_sees_new_roles(
        registry, make_user, make_project, install_tool, add_member):
    ada, stranger = make_user("ada"), make_user("stranger")
    parent = make_project("pub", ada)
    child = make_project("sub", ada, parent=parent)
    tool = install_tool(child, "wiki", "wiki")
    session.close()
    with site_request(registry):
        # ada holds a role in the parent project, whose roles the subproject uses
        assert trusted_author(change_by(registry, ada, tool))
        assert not trusted_author(change_by(registry, stranger, tool))
        with count_queries() as reads:
            assert trusted_author(change_by(registry, ada, tool))
            assert not trusted_author(change_by(registry, stranger, tool))
        assert reads == []
    session.close()
    add_member(parent, stranger)
    session.close()
    with site_request(registry):
        assert trusted_author(change_by(registry, stranger, tool))
    # without a request the same answers come from the database
    session.close()
    assert trusted_author(change_by(registry, stranger, tool))
    assert not trusted_author(change_by(registry, make_user("other"), tool))
