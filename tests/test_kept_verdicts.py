"""forge.security.kept_verdict: ACL verdicts kept across requests per node
lineage, principals and generations, never given to other principals, after
a change of ACL, to a request that is not a GET, or for nodes outside the tree."""
import pytest
from pyramid.authorization import ACLHelper, Deny, Everyone
from pyramid.traversal import find_resource

from forge import security
from forge.actions.acl import set_privacy
from forge.actions.projects import install_tool
from forge.model import session
from forge.model.cache import start_request
from forge.site_request import site_request

ANONYMOUS = (Everyone,)


class CountingHelper(ACLHelper):
    """Counts the ACL walks a check really makes."""

    def __init__(self):
        self.calls = 0

    def permits(self, context, principals, permission):
        self.calls += 1
        return super().permits(context, principals, permission)


@pytest.fixture
def demo(registry, make_user, make_project):
    ada = make_user("ada")
    project = make_project("demo", ada)
    install_tool(registry, project, "notes", "notes", ada, label="Notes")
    session.close()
    return ada


def check(registry, path, principals, permission="read", method="GET", wrap=None):
    """(verdict, ACL walks made, node) of one request's check on ``path``."""
    helper = CountingHelper()
    start_request()         # as the forge tween does: a new request may use the stores
    with site_request(registry) as request:
        request.method = method
        node = find_resource(request.root, path)
        if wrap is not None:
            node = wrap(node)
        result = security.permits(node, principals, permission, helper)
    return result, helper.calls, node


def test_a_verdict_is_kept_for_the_same_principals(registry, demo):
    first, walks, _ = check(registry, "/p/demo/notes/", ANONYMOUS)
    assert first and walks > 0
    again, walks, node = check(registry, "/p/demo/notes/", ANONYMOUS)
    assert again and walks == 0
    # made again about this request's nodes (the permission page names them)
    assert again.context in (node, node.__parent__, node.__parent__.__parent__,
                             node.__parent__.__parent__.__parent__)
    assert again.ace == first.ace and again.acl == first.acl


def test_other_principals_get_their_own_verdict(registry, demo):
    project = find_project(registry)
    set_privacy(registry, project, True, demo)
    session.close()
    member = tuple(security.user_principals(demo))
    assert check(registry, "/p/demo/notes/", member)[0]
    refused, walks, _ = check(registry, "/p/demo/notes/", ANONYMOUS)
    assert not refused and walks > 0


def test_a_changed_acl_is_seen_at_once(registry, demo):
    assert check(registry, "/p/demo/notes/", ANONYMOUS)[0]
    assert check(registry, "/p/demo/notes/", ANONYMOUS)[1] == 0
    set_privacy(registry, find_project(registry), True, demo)
    session.close()
    assert not check(registry, "/p/demo/notes/", ANONYMOUS)[0]


def test_a_request_that_is_not_a_get_walks_every_time(registry, demo):
    check(registry, "/p/demo/notes/", ANONYMOUS, method="POST")
    assert check(registry, "/p/demo/notes/", ANONYMOUS, method="POST")[1] > 0


class Borrowed:
    """Not a tree node: an object that hangs under one with its own ACL (as
    an activity entry carries its node's)."""

    def __init__(self, parent, acl):
        self.__parent__, self.__name__, self.__acl__ = parent, None, acl


def test_objects_outside_the_tree_are_not_kept(registry, demo):
    def closed(node):
        return Borrowed(node, [(Deny, Everyone, "read")])

    def open_(node):
        return Borrowed(node, [])
    assert not check(registry, "/p/demo/notes/", ANONYMOUS, wrap=closed)[0]
    assert check(registry, "/p/demo/notes/", ANONYMOUS, wrap=open_)[0]
    assert not check(registry, "/p/demo/notes/", ANONYMOUS, wrap=closed)[0]


def test_the_lineage_key_names_the_stored_documents(registry, demo):
    with site_request(registry) as request:
        node = find_resource(request.root, "/p/demo/notes/")
        key = security.lineage_key(node)
        assert key[2:] == ("notes", node.doc._id)
        assert key[0][2:] == ("demo", node.__parent__.doc._id)
        assert security.lineage_key(Borrowed(node, [])) is None


def find_project(registry):
    with site_request(registry) as request:
        return find_resource(request.root, "/p/demo/")
