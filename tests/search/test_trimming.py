"""Security trimming: the index's read filter agrees with ``request.can("read")``.

1. A table: people x nodes of a real forge (public/private project, private
   subproject, private tool, private artifact and its child, a user DENY on a
   project and on a tool, unusual ACE orders) -- for each pair the reduction
   (``clauses_allow``), the search (a word only that node's text holds) and
   ``forge.security.can`` (what ``request.can`` calls) give the same answer.
2. Random lineages of random ACLs (a seeded generator, so the run is
   deterministic) against Pyramid's ACLHelper through ``forge.security.can``.
"""
import pytest
import random

from pyramid.authorization import Authenticated, Everyone

from forge.actions.acl import add_entry, set_privacy
from forge.actions.projects import install_tool
from forge.actions.roles import add_member, role_named
from forge.model import session
from forge.model.acl import ace, to_pyramid, user_principal, with_privacy
from forge.resources import lineage_list
from forge.search.acl import clauses_allow, lineage_clauses
from forge.security import can

from .helpers import find, node_at, note, principals_of

PEOPLE = ("anonymous", "outsider", "member", "developer", "admin", "siteadmin", "denied",
          "reader")

# node url -> the unique word in its text
NODES = {
    "/p/pub/notes/open/": "wordpublic",
    "/p/pub/notes/plans/": "wordprivateartifact",
    "/p/pub/notes/plans/child/": "wordchildofprivate",
    "/p/pub/hidden/inside/": "wordprivatetool",
    "/p/pub/secret/notes/sub/": "wordprivatesubproject",
    "/p/priv/notes/inpriv/": "wordprivateproject",
    "/p/pub/notes/order1/": "wordallowbeforedeny",
    "/p/pub/notes/order2/": "worddenybeforeallow",
    "/p/pub/notes/authonly/": "wordauthenticatedonly",
    "/p/pub/closed/note/": "wordtooldeniesreader",
    "/p/pub/notes/userdeny/": "worduserdenyonartifact",
}


@pytest.fixture
def world(registry, make_user, make_project, run_reactors):
    people = {name: make_user(name, site_admin=(name == "siteadmin"))
              for name in PEOPLE if name != "anonymous"}
    admin = people["admin"]
    pub = make_project("pub", admin, title="Public Project")
    priv = make_project("priv", admin, title="Private Project", private=True)
    secret = make_project("secret", admin, parent=pub, title="Secret", private=True)
    for project in (pub, priv):
        for who, role in (("member", "Member"), ("developer", "Developer"),
                          ("denied", "Developer")):
            add_member(registry, project, role_named(project, role), people[who], admin)
    member = role_named(pub, "Member").principal
    developer = role_named(pub, "Developer").principal
    reader = user_principal(people["reader"]._id)
    notes = install_tool(registry, pub, "notes", "notes", admin)
    hidden = install_tool(registry, pub, "notes", "hidden", admin, label="Hidden")
    closed = install_tool(registry, pub, "notes", "closed", admin, label="Closed")
    subnotes = install_tool(registry, secret, "notes", "notes", admin)
    privnotes = install_tool(registry, priv, "notes", "notes", admin)
    session.flush()
    words = {url.strip("/").split("/")[-1]: word for url, word in NODES.items()}
    note(registry, notes, admin, "open", "Open", words["open"])
    plans = note(registry, notes, admin, "plans", "Plans", words["plans"], private=True)
    note(registry, notes, admin, "child", "Child", words["child"], parent=plans)
    note(registry, hidden, admin, "inside", "Inside", words["inside"])
    note(registry, subnotes, admin, "sub", "Sub", words["sub"])
    note(registry, privnotes, admin, "inpriv", "In private", words["inpriv"])
    order1 = note(registry, notes, admin, "order1", "Order one", words["order1"])
    order2 = note(registry, notes, admin, "order2", "Order two", words["order2"])
    authonly = note(registry, notes, admin, "authonly", "Auth only", words["authonly"])
    note(registry, closed, admin, "note", "Closed note", words["note"])
    userdeny = note(registry, notes, admin, "userdeny", "User deny", words["userdeny"])
    # ACE orders the forms do not make, written directly: the first match decides
    order1.acl = [ace("allow", member, "read"), ace("deny", member, "read"),
                  ace("deny", Everyone, "read")]
    order2.acl = [ace("deny", member, "read"), ace("allow", developer, "read"),
                  ace("allow", reader, "*"), ace("deny", Everyone, "read")]
    authonly.acl = with_privacy([], True, [Authenticated])
    userdeny.acl = [ace("deny", reader, "read")]
    session.flush()
    set_privacy(registry, node_at(registry, "/p/pub/hidden/"), True, admin)
    # the closed tool denies the reader (whom the note in it does not mention)
    add_entry(registry, node_at(registry, "/p/pub/closed/"), "deny", reader, "read", admin)
    # a DENY of read for one developer on both projects
    for shortname in ("pub", "priv"):
        add_entry(registry, node_at(registry, "/p/%s/" % shortname), "deny",
                  "user:%s" % people["denied"]._id, "read", admin)
    session.flush()
    run_reactors()
    session.close()
    return people


def test_index_filter_equals_request_can(registry, world):
    rows = []
    for url, word in NODES.items():
        node = node_at(registry, url)
        clauses = lineage_clauses(lineage_list(node))
        for person in PEOPLE:
            user = world.get(person)
            principals = principals_of(user)
            allowed = can(node, principals, "read")
            reduced = clauses_allow(clauses, principals)
            found = bool(find(registry, word, user))
            rows.append((url, person, allowed, reduced, found))
    wrong = [r for r in rows if not (r[2] == r[3] == r[4])]
    assert not wrong, wrong
    # the table is not trivial: every node is found by someone and hidden from someone
    public = {"/p/pub/notes/open/", "/p/pub/closed/note/", "/p/pub/notes/userdeny/"}
    for url in NODES:
        answers = {r[1]: r[2] for r in rows if r[0] == url}
        assert answers["siteadmin"] and not answers["denied"], url
        assert answers["anonymous"] == (url in public), url
    assert {r[0] for r in rows if r[1] == "reader" and not r[2]} >= {
        "/p/pub/closed/note/", "/p/pub/notes/userdeny/"}


def test_counts_and_facets_are_trimmed(registry, world):
    from forge.search import search
    index = registry.forge_search_index()
    anonymous = search(index, "word*", principals_of(None))
    admin = search(index, "word*", principals_of(world["siteadmin"]))
    assert anonymous.count == 3 and admin.count == len(NODES)
    assert dict(anonymous.facets["type"]) == {"notes.note": 3}
    assert dict(admin.facets["type"]) == {"notes.note": len(NODES)}


# -- random ACLs ----------------------------------------------------------------

PRINCIPALS = ["user:a", "user:b", "role:m", "role:d", Authenticated, Everyone]


class FakeNode:
    def __init__(self, acl, parent):
        self.acl = [ace(*entry) for entry in acl]
        self.__parent__ = parent

    def __acl__(self):
        return to_pyramid(self.acl)


def test_reduction_equals_pyramid_for_random_lineages():
    rng = random.Random(20261127)
    checked = set()
    for _case in range(4000):
        node = None
        for _level in range(rng.randint(1, 6)):
            acl = [(rng.choice(["allow", "deny"]), rng.choice(PRINCIPALS),
                    rng.choice(["read", "*", "update"])) for _ in range(rng.randint(0, 5))]
            node = FakeNode(acl, node)
        clauses = lineage_clauses(lineage_list(node))
        for _who in range(4):
            principals = [Everyone] + sorted(
                p for p in PRINCIPALS[:-1] if rng.random() < 0.4)
            allowed = can(node, principals, "read")
            assert clauses_allow(clauses, principals) == allowed, (
                [n.acl for n in lineage_list(node)], principals)
            checked.add(bool(allowed))
    assert checked == {True, False}
