"""Collection pages read from stored documents (``forge.rest.shapes``), with
the read check asked once per parent and ACL (``forge.rest.paging``): the
items are what the form and the single node show, and readers see exactly
what ``request.can("read", node)`` lets them."""
from types import SimpleNamespace

from forge.actions.fields import add_custom_field
from forge.actions.projects import install_tool
from forge.model import Artifact, session
from forge.model.session import collection
from forge.rest.declared import field_value, shown_fields
from forge.rest.paging import SiblingsReadable
from forge.testing import count_queries

ITEMS = "/rest/p/demo/tickets/@@items"


def tracker(world, registry):
    tool = install_tool(registry, world["project"], "tracker", "tickets", world["ada"])
    add_custom_field(registry, tool, "area", "Area", "string", world["ada"])
    session.close()
    return tool


def post_tickets(c):
    c.send("POST", ITEMS, {"title": "Crash", "labels": ["ui", "db"], "assigned_to": "dev",
                           "custom": {"area": "core"}}, status=201)
    c.send("POST", ITEMS, {"title": "Hidden", "private": True}, status=201)
    c.send("POST", ITEMS, {"title": "Slow", "status": "closed"}, status=201)


def test_items_are_what_the_form_and_the_node_show(client, world, registry, forge_app):
    tool = tracker(world, registry)
    ada = client("ada")
    post_tickets(ada)
    items = ada.get(ITEMS).json["items"]
    assert [i["title"] for i in items] == ["Crash", "Hidden", "Slow"]
    for item in items:
        assert item == ada.get(item["url"]).json
    # each declared field as the type's form shows the Ming document
    kind = registry.forge_artifact_types["tracker.ticket"]
    request = SimpleNamespace(registry=registry)
    tool_node = SimpleNamespace(doc=tool, custom_fields=lambda: [])
    for item in items:
        doc = Artifact.query.get(tool_id=tool._id, path=item["name"])
        form = kind.form(request, tool_node, kind, editing=False)
        form.fill_from(doc)
        for field in shown_fields(kind):
            assert item[field.name] == field_value(field, form.values[field.name]), field.name
    crash = items[0]
    assert crash["labels"] == ["ui", "db"] and crash["assigned_to"] == "dev"
    assert crash["custom"] == {"area": "core"} and crash["author"] == "ada"
    assert items[1]["private"] is True and items[2]["status"] == "closed"


def test_a_field_the_stored_document_lacks_reads_as_ming_gives_it(client, world, registry):
    tracker(world, registry)
    ada = client("ada")
    post_tickets(ada)
    # written before the fields existed: the model's if_missing, as Ming fills it in
    collection(Artifact).update_many({"path": "3"}, {"$unset": {
        "labels": "", "priority": "", "custom": "", "ext": "", "assigned_to_id": ""}})
    session.close()
    [slow] = [i for i in ada.get(ITEMS).json["items"] if i["name"] == "3"]
    doc = Artifact.query.get(path="3")
    assert (slow["labels"], slow["priority"], slow["custom"], slow["ext"],
            slow["assigned_to"]) == (list(doc.labels), doc.priority, {}, {}, "")
    assert slow == ada.get(slow["url"]).json


def test_private_items_follow_the_readers_own_check(client, world, registry):
    tracker(world, registry)
    post_tickets(client("dev"))
    names = {who: [i["name"] for i in client(who).get(ITEMS).json["items"]]
             for who in ("ada", "dev", "mem", "out", None)}
    # a private ticket: its author, the project's developers and admins
    assert names["ada"] == names["dev"] == ["1", "2", "3"]
    assert names["mem"] == names["out"] == names[None] == ["1", "3"]
    # pages of one item: the cursors step over what the reader may not see
    page = client("mem").get(ITEMS, params={"limit": "1"}).json
    second = client("mem").get(page["next"]).json
    assert [i["name"] for i in second["items"]] == ["3"] and second["next"] is None


class Node:
    def __init__(self, parent, acl):
        self.__parent__, self.acl = parent, acl

    def __acl__(self):
        return self.acl


def test_siblings_with_the_same_acl_share_one_check():
    asked = []
    request = SimpleNamespace(can=lambda permission, node: asked.append(node) or node.acl == [])
    tool, other_tool = object(), object()
    private = [("Deny", "system.Everyone", "read")]
    plain = [Node(tool, []) for _ in range(5)]
    closed = [Node(tool, list(private)) for _ in range(3)]
    elsewhere = Node(other_tool, [])
    readable = SiblingsReadable(request)
    assert [readable(n) for n in plain + closed + [elsewhere]] == [True] * 5 + [False] * 3 + [True]
    assert asked == [plain[0], closed[0], elsewhere]


def test_a_token_request_reads_the_token_and_nothing_more(client, world, forge_app):
    """The token's user comes from the tree cache at the generation the
    forge tween reads with the site's document, which the root then reuses."""
    url = "/rest/p/demo/notes/"
    answers = forge_app.registry.forge_page_cache

    def reads(c):
        c.get(url)
        answers.__init__(answers.max_bytes)     # the token's answer is kept: forget it
        with count_queries() as found:
            c.get(url)
        return len(found)

    assert reads(client("mem")) == reads(client()) + 1
    # and once kept, a token's answer costs the generations' read alone
    client("mem").get(url)
    with count_queries() as found:
        assert client("mem").get(url).headers["X-Forge-Page-Cache"] == "hit"
    assert len(found) == 1
