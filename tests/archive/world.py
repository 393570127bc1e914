"""A project with everything an archive must carry: subprojects three deep,
every tool, private items, custom and extension fields, tickets with
histories, comments with replies, attachments (on tickets and posts),
watches, saved searches, milestones, activity and a Git repository."""
import io
import os
import subprocess
import tempfile

from pyramid.testing import DummyRequest
from pyramid.traversal import find_resource

from forge.actions.acl import set_privacy
from forge.actions.fields import add_custom_field
from forge.actions.projects import create_project, install_tool
from forge.actions.roles import add_member, role_named
from forge.actions.users import create_user
from forge.attachments.actions import attach_files
from forge.discussion.actions import add_post
from forge.model import Neighborhood, session
from forge.model.session import collection
from forge.notifications.watches import add_watch
from forge.resources import SiteRoot
from forge.testing import PASSWORD, deliver_to_reactors
from tools.code.repository import repository_path
from tools.discussion.actions import create_forum, create_thread
from tools.notes.actions import create_note
from tools.tracker.actions import create_ticket, update_ticket
from tools.tracker.admin_actions import add_milestone
from tools.tracker.model import Ticket
from tools.tracker.searches import save_search
from tools.wiki.actions import create_page

TOOLS = (("wiki", "wiki"), ("tracker", "tickets"), ("discussion", "forum"),
         ("notes", "notes"), ("code", "code"))


def node(registry, url):
    session.clear()
    request = DummyRequest()
    request.registry = registry
    return find_resource(SiteRoot(request), url)


def build_world(registry, tickets=3):
    """Project ``big`` (big/one/two/three below it); returns its id."""
    people = {name: create_user(registry, name, "%s@example.test" % name, PASSWORD,
                                display_name=name.title() + " Person")
              for name in ("ada", "dev", "mem")}
    ada = people["ada"]
    nb = Neighborhood.query.get(name="p")
    big = create_project(registry, nb, "big", "Big project", ada)
    add_member(registry, big, role_named(big, "Developer"), people["dev"], ada)
    add_member(registry, big, role_named(big, "Member"), people["mem"], ada)
    parent, projects = big, [big]
    for name in ("one", "two", "three"):
        parent = create_project(registry, nb, name, name.title(), ada, parent=parent,
                                private=(name == "two"))
        projects.append(parent)
    tools = {}
    for tool_name, mount in TOOLS:       # every tool at the top, a wiki below
        tools["big", mount] = install_tool(registry, big, tool_name, mount, ada)
    for project in projects[1:]:
        tools[project.shortname, "wiki"] = install_tool(registry, project, "wiki", "wiki", ada)
    session.flush()
    session.close()
    tracker = tools["big", "tickets"]
    add_custom_field(registry, tracker, "severity", "Severity", "string", ada)
    add_milestone(registry, tracker, "1.0", "2027-01-31", "First release", ada)
    session.flush()
    session.close()
    _tickets(registry, big, tracker, people, tickets)
    _pages_notes_forum(registry, big, tools, ada)
    for project in projects[1:]:
        create_page(registry, project, tools[project.shortname, "wiki"], "Home",
                    "Home of " + project.shortname, "Words of %s" % project.shortname, ada)
    set_privacy(registry, node(registry, "/p/big/wiki/Secret/"), True, ada)
    save_search(registry, tracker, ada, "Mine", "status:open", lambda query: None)
    add_watch(people["dev"]._id, "tool", tracker)
    _repository(registry, tools["big", "code"])
    deliver_to_reactors(registry)
    session.flush()
    session.close()
    return big._id


def _tickets(registry, big, tracker, people, count):
    ada = people["ada"]
    for number in range(1, count + 1):
        private = number == 2
        create_ticket(registry, big, tracker, {
            "title": "Ticketsecret %d" % number if private else "Openticket %d" % number,
            "description": "Body of ticket %d" % number,
            "custom": {"severity": "high"}, "milestone": "1.0"}, ada, private=private)
        session.flush()
        session.close()
        ticket = Ticket.query.get(tool_id=tracker._id, number=number)
        for step in range(3):
            ticket, _changed = update_ticket(
                registry, ticket, ticket.version,
                {"title": ticket.title + " v%d" % (step + 2),
                 "assigned_to_id": people["dev"]._id}, ada, comment="step %d" % step)
            session.flush()
        # an extension field as a plugin stores it (ext.{plugin}.{field})
        collection(Ticket).update_one({"_id": ticket._id},
                                      {"$set": {"ext": {"estimate": {"hours": number}}}})
        session.close()
        url = "/p/big/tickets/%d/" % number
        first = add_post(registry, node(registry, url), "Comment on %d" % number, ada,
                         may_skip_moderation=True)
        add_post(registry, node(registry, url), "Reply on %d" % number, people["dev"],
                 parent_id=_post_id(first), may_skip_moderation=True,
                 uploads=[("reply.txt", io.BytesIO(b"reply file %d" % number),
                           "text/plain")])
        session.close()
    attach_files(registry, Ticket.query.get(tool_id=tracker._id, number=1),
                 [("notes.txt", io.BytesIO(b"attached bytes"), "text/plain"),
                  ("logo.png", io.BytesIO(b"\x89PNG\r\n\x1a\nrest"), "image/png")], ada)
    session.close()


def _post_id(result):
    post = result[0] if isinstance(result, tuple) else result
    return getattr(post, "_id", None) or post["_id"]


def _pages_notes_forum(registry, big, tools, ada):
    wiki = tools["big", "wiki"]
    create_page(registry, big, wiki, "Home", "Home", "Welcome [#1]", ada)
    create_page(registry, big, wiki, "Home/Child", "Child", "A sub-page", ada)
    create_page(registry, big, wiki, "Secret", "Sealedpage", "Sealedtext words", ada)
    create_note(registry, big, tools["big", "notes"], None, "first", {"title": "A note"}, ada)
    create_forum(registry, big, tools["big", "forum"], "general", "General", "Talk.", ada)
    session.flush()
    session.close()
    create_thread(registry, node(registry, "/p/big/forum/general/"), "Hello", "First words",
                  ada, may_skip_moderation=True)
    session.close()


def _repository(registry, tool):
    """One commit on main, pushed into the tool's bare repository."""
    bare = repository_path(registry, tool._id)
    env = dict(os.environ, GIT_AUTHOR_NAME="Ada", GIT_AUTHOR_EMAIL="ada@example.test",
               GIT_COMMITTER_NAME="Ada", GIT_COMMITTER_EMAIL="ada@example.test")
    with tempfile.TemporaryDirectory() as work:
        def run(*args):
            subprocess.run(["git", *args], cwd=work, env=env, check=True,
                           capture_output=True)
        run("init", "--quiet", "--initial-branch=main")
        with open(os.path.join(work, "README"), "w") as readme:
            readme.write("hello\n")
        run("add", "README")
        run("commit", "--quiet", "-m", "First commit")
        run("push", "--quiet", bare, "main")
