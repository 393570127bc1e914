"""The leak suite's world (``tests/test_leaks.py``): built once per module that
uses the ``world`` fixture, read by every test there.

One world per module (``world``, module-scoped: built once, read by every test):

* ``pub`` (public project): a public wiki, a public tracker, a **private tool**
  ``vault``, a discussion tool ``forum`` and a private wiki ``gone`` that is
  **uninstalled** later; ``priv``, a **private project**;
* kinds of secret node: a private page, a private ticket with a comment, a
  page in the private tool, a page in the private project, two private pages
  **renamed** after their activity was recorded (one with an attachment and a
  comment, whose old name a public page then takes), a thread **held** for
  moderation (started by ``lurker``), a **private thread** (the forum's newest),
  the uninstalled private tool, a private page **deleted** later, a public
  project **deleted** later, a spam account's page (its author **disabled**),
  and a private project **renamed** after its activity (``hush`` -> ``hushed``);
* secret texts **mention** people who may not read them (``@outsider``...),
  and a public page names every ticket (``#2``: private; ``#3``: none);
  the private ticket and a public one are **assigned** to mallory;
* people: ``author`` (admin of both, makes most changes), ``ada`` (admin),
  ``dev`` (Developer of pub), ``mallory`` (Developer with a DENY of read on the
  private page and ticket), ``outsider`` and ``lurker`` (no role), anonymous.

Everybody watches the projects (``ada`` and ``lurker`` by daily digest).  The
site mails; ``world.quiet`` is the same site (the same database) without mail,
whose notification reactors keep in-app notifications instead.  Also here:
who may read which marker (``SECRETS``, ``MAILED_TO``) and the helpers every
surface uses (``browser``, ``answer``, ``check``).
"""
import io
import os
import subprocess

import pytest
from pyramid.testing import DummyRequest
from pyramid.traversal import find_resource

from forge import main
from forge.actions.acl import add_entry, set_privacy
from forge.actions.project_moves import move_project
from forge.actions.projects import create_project, install_tool, uninstall_tool
from forge.actions.roles import add_member, role_named
from forge.actions.site_admin import set_project_deleted
from forge.actions.spam_accounts import disable_as_spam
from forge.actions.tokens import create_token
from forge.actions.users import create_user
from forge.attachments.actions import attach_files
from forge.bus.registry import freeze
from forge.bus.worker import ReactorContext
from forge.discussion.actions import add_post
from forge.mail_in.server import MailInServer
from forge.mentions import MentionNotice, notify_mentions
from forge.model import Neighborhood, OutboxEvent, Project, ToolInstance, User, session
from forge.model.session import collection
from forge.notifications.digest import send_digests
from forge.notifications.reactor import notify
from forge.notifications.watches import add_watch, set_frequency
from forge.resources import SiteRoot
from forge.testing import (PASSWORD, ForgeBrowser, SmtpSink, deliver_to_reactors,
                           forge_test_settings, free_port, reset_database, served_in_thread,
                           smtp_settings)
from tools.code.commit_mail import mail_push
from tools.discussion.actions import create_forum, create_thread
from tools.tracker.actions import create_ticket
from tools.wiki.actions import create_page, delete_page, rename_page
from tools.wiki.model import WikiPage

ADMINS, DEVS, MEMBERS = {"ada"}, {"ada", "dev"}, {"ada", "dev", "mallory"}
MODERATORS_AND_AUTHOR = MEMBERS | {"lurker"}
# the spam account's page and comment were mailed to every watcher before it was hidden
EVERYBODY = {"ada", "dev", "mallory", "outsider", "lurker"}
# marker -> who may read it
SECRETS = {
    "Sealedpage": DEVS, "Sealedtext": DEVS,                       # private page
    "Ticketsecret": DEVS, "Ticketbody": DEVS, "Commentsecret": DEVS,  # ticket + comment
    "Vaultpage": MEMBERS, "Vaulttext": MEMBERS,                   # page in private tool
    "Privpage": ADMINS, "Privtext": ADMINS,                       # private project
    "Movedtitle": MEMBERS, "Attachsecret": MEMBERS, "Movedcomment": MEMBERS,  # renamed
    "Movedtwo": MEMBERS,                                          # renamed, old name free
    "Heldsubject": MODERATORS_AND_AUTHOR, "Heldtext": MODERATORS_AND_AUTHOR,  # held thread
    "Privthread": MEMBERS, "Privthreadtext": MEMBERS,             # private thread
    "Gonelabel": set(),                                           # uninstalled private tool
    "Deletedmark": set(),                                         # deleted private page
    "Deadproject": set(), "Deadtext": set(),                      # page in a deleted project
    "Spampage": set(), "Spamtext": set(),                         # by a spam account
    "Spamcomment": MEMBERS,         # its comment: held as spam, for the moderators only
    # a private project renamed after its activity: title, page, text, new name
    "Hushproject": ADMINS, "Hushpage": ADMINS, "Hushtext": ADMINS, "Hushed": ADMINS,
    # commits pushed to a private repository (a private tool) and to one in the
    # private project
    "Codesecret": MEMBERS, "Privcommit": ADMINS,
    # a public page (mailed to every watcher) made private afterwards
    "Latersecret": MEMBERS,
}
# repositories (tools/code) and the marker of the commit pushed to each
REPOSITORIES = {"/p/pub/code": "Codesecret", "/p/priv/code": "Privcommit"}
# mail went out before the tool was uninstalled and the page deleted (to their
# readers then); a held thread is mailed to nobody
# the deleted project was public when its page mentioned outsider
MAILED_TO = dict(SECRETS, Gonelabel=MEMBERS, Deletedmark=MEMBERS, Heldsubject=set(),
                 Heldtext=set(), Spampage=EVERYBODY, Spamtext=EVERYBODY,
                 Spamcomment=EVERYBODY, Deadproject={"outsider"}, Deadtext={"outsider"},
                 Latersecret=EVERYBODY)
PUBLIC = ["Openpage", "Openticket", "Openthread", "Takeover"]
VIEWERS = [None, "outsider", "lurker", "mallory", "dev", "ada"]
WATCHERS = ["ada", "dev", "mallory", "outsider", "lurker"]
DIGEST = ("ada", "lurker")
# what activity shows: titles, attachment names and comments (not a page's text)
IN_ACTIVITY = {"Sealedpage", "Ticketsecret", "Commentsecret", "Vaultpage", "Privpage",
               "Movedtitle", "Attachsecret", "Movedcomment", "Movedtwo", "Heldsubject",
               "Privthread", "Privthreadtext", "Deadproject", "Spampage", "Hushproject",
               "Hushpage", "Hushed", "Codesecret", "Privcommit", "Latersecret"}


def node(registry, url):
    session.clear()
    request = DummyRequest()
    request.registry = registry
    return find_resource(SiteRoot(request), url)


class World:
    """``app`` mails (``smtp``); ``quiet``, the same site without mail, keeps
    in-app notifications instead (the same database)."""

    def __init__(self, app, smtp, quiet, files, mail_in):
        self.app, self.registry, self.smtp, self.quiet = app, app.registry, smtp, quiet
        self.files, self.mail_in = files, mail_in
        self.threads = {}
        self.commits = {}           # repository -> its commit's page
        self.told_in_app = 0        # the last outbox seq the quiet site's reactors saw


MAIL_IN_DOMAIN = "mail.example.test"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    smtp = SmtpSink().start()
    files = tmp_path_factory.mktemp("leaks")
    settings = forge_test_settings(**smtp_settings(smtp),
                                   **{"forge.events.stream_seconds": "0.3",
                                      "forge.repos.path": str(files / "repos"),
                                      "forge.mail_in.domain": MAIL_IN_DOMAIN,
                                      "forge.mail_in.listen": "127.0.0.1:%d" % free_port()})
    reset_database(settings)
    app = main({}, **settings)
    quiet = main({}, **{k: v for k, v in settings.items() if not k.startswith("forge.mail.")})
    mail_in = MailInServer(app.registry).start()
    try:
        yield build(World(app, smtp, quiet, files, mail_in))
    finally:
        mail_in.stop()
        smtp.stop()


def build(world):
    registry = world.registry
    users = {name: create_user(registry, name, "%s@example.test" % name, PASSWORD)
             for name in ["author", "spammer", "root"] + WATCHERS}
    author = users["author"]
    nb = Neighborhood.query.get(name="p")
    pub = create_project(registry, nb, "pub", "Pub", author)
    priv = create_project(registry, nb, "priv", "Priv", author, private=True)
    hush = create_project(registry, nb, "hush", "Hushproject", author, private=True)
    for project in (pub, priv, hush):
        add_member(registry, project, role_named(project, "Admin"), users["ada"], author)
    for name in ("dev", "mallory"):
        add_member(registry, pub, role_named(pub, "Developer"), users[name], author)
    for name, user in users.items():
        if name not in WATCHERS:
            continue
        for project in (pub, priv, hush):
            add_watch(user._id, "project", project)
        if name in DIGEST:
            set_frequency(registry, user, "digest")
    wiki = install_tool(registry, pub, "wiki", "wiki", author)
    tickets = install_tool(registry, pub, "tracker", "tickets", author)
    vault = install_tool(registry, pub, "wiki", "vault", author)
    forum_tool = install_tool(registry, pub, "discussion", "forum", author)
    gone = install_tool(registry, pub, "wiki", "gone", author)
    gone.label = "Gonelabel"
    privwiki = install_tool(registry, priv, "wiki", "wiki", author)
    hushwiki = install_tool(registry, hush, "wiki", "wiki", author)
    for project in (pub, priv):
        install_tool(registry, project, "code", "code", author)
    session.flush()
    session.close()
    for url in ("/p/pub/vault/", "/p/pub/gone/", "/p/pub/code/"):
        set_privacy(registry, node(registry, url), True, author)

    create_page(registry, pub, wiki, "Openpage", "Openpage", "Opentext words", author)
    create_page(registry, pub, wiki, "Laterpage", "Latersecret page", "words", author)
    # secret texts mention people who may not read them (forge.mentions)
    create_page(registry, pub, wiki, "Sealedpage", "Sealedpage title",
                "Sealedtext words @outsider @mallory @dev", author, private=True)
    create_page(registry, pub, wiki, "Oldname", "Movedtitle page", "Movedtext words", author,
                private=True)
    create_page(registry, pub, wiki, "Oldtwo", "Movedtwo page", "text", author, private=True)
    create_page(registry, pub, wiki, "Doomed", "Deletedmark page", "text", author,
                private=True)
    # both assigned to mallory (the dashboard's "Assigned to you"), who is denied #2
    mallory_id = users["mallory"]._id
    create_ticket(registry, pub, tickets, {"title": "Openticket", "description": "x",
                                           "assigned_to_id": mallory_id}, author)
    create_ticket(registry, pub, tickets, {"title": "Ticketsecret",
                                           "description": "Ticketbody words @outsider @mallory",
                                           "assigned_to_id": mallory_id}, author,
                  private=True)
    create_page(registry, pub, vault, "Vaultpage", "Vaultpage", "Vaulttext words @outsider",
                author)
    create_page(registry, priv, privwiki, "Privpage", "Privpage", "Privtext words @dev @lurker",
                author)
    create_page(registry, hush, hushwiki, "Hushpage", "Hushpage", "Hushtext words @outsider",
                author)
    create_forum(registry, pub, forum_tool, "general", "General", "Talk.", author)
    # a public project deleted later, and a spam account's page and comment
    dead = create_project(registry, nb, "dead", "Deadproject", author)
    create_page(registry, dead, install_tool(registry, dead, "wiki", "wiki", author),
                "Deadproject", "Deadproject page", "Deadtext words @outsider", author)
    create_page(registry, pub, wiki, "Spampage", "Spampage title", "Spamtext words",
                users["spammer"])
    session.close()
    attach_files(registry, WikiPage.query.get(tool_id=wiki._id, path="Oldname"),
                 [("Attachsecret.txt", io.BytesIO(b"x"), "text/plain")], author)
    add_post(registry, node(registry, "/p/pub/tickets/2/"), "Commentsecret words @outsider",
             author, may_skip_moderation=True)
    add_post(registry, node(registry, "/p/pub/wiki/Oldname/"), "Movedcomment words @lurker",
             author, may_skip_moderation=True)
    add_post(registry, node(registry, "/p/pub/wiki/Openpage/"), "Spamcomment words",
             users["spammer"], may_skip_moderation=True)
    general = "/p/pub/forum/general/"
    for subject, text, who, moderated in (("Openthread", "Opentext", "author", True),
                                          ("Privthread", "Privthreadtext words @outsider",
                                           "author", True),
                                          ("Heldsubject", "Heldtext words @outsider", "lurker",
                                           False)):
        thread, _post = create_thread(registry, node(registry, general), subject, text,
                                      users[who], may_skip_moderation=moderated)
        world.threads[subject] = general + thread.doc.path.split("/")[-1] + "/"
    set_privacy(registry, node(registry, world.threads["Privthread"]), True, author)
    add_entry(registry, node(registry, "/p/pub/wiki/Sealedpage/"), "deny", "mallory", "read",
              author)
    add_entry(registry, node(registry, "/p/pub/tickets/2/"), "deny", "mallory", "read",
              author)
    push_commits(world, author)
    deliver_to_reactors(registry)
    tell_in_app(world)
    session.close()
    # after their activity, mail, notifications and index entries exist: rename,
    # take over, uninstall, delete
    rename_page(registry, WikiPage.query.get(tool_id=wiki._id, path="Oldname"), "Newname",
                author)
    rename_page(registry, WikiPage.query.get(tool_id=wiki._id, path="Oldtwo"), "Newtwo",
                author)
    create_page(registry, pub, wiki, "Oldname", "Takeover", "public words", author)
    set_privacy(registry, node(registry, "/p/pub/wiki/Laterpage/"), True, author)
    move_project(registry, Project.query.get(_id=hush._id), None, "hushed", author)
    # a public page naming every ticket and people (forge.autolinks)
    create_page(registry, pub, wiki, "Linkpage", "Linkpage", "See #1, #2, #3, @dev, "
                "@spammer and @nobody.", author)
    uninstall_tool(registry, Project.query.get(_id=pub._id),
                   ToolInstance.query.get(_id=gone._id), author)
    delete_page(registry, WikiPage.query.get(tool_id=wiki._id, path="Doomed"), author)
    root = User.by_username("root")
    root.site_admin = True
    session.flush()
    set_project_deleted(registry, Project.query.get(_id=dead._id), True, root)
    disable_as_spam(registry, User.by_username("spammer"), root)
    # twice: under heavy load a drain can end with messages fetched and not yet
    # handled (once, no activity for the last pages); the reactors are idempotent
    deliver_to_reactors(registry)
    deliver_to_reactors(registry)
    tell_in_app(world)
    session.close()
    send_digests(registry, "2026-01-01")
    return world


def push_commits(world, author):
    """One commit into each repository with the real ``git`` client, over
    HTTP (the app on a free port for the time of the pushes)."""
    token = create_token(author, "git")[1]
    session.close()
    home = world.files / "home"
    home.mkdir()
    env = {"PATH": os.environ["PATH"], "HOME": str(home), "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", "GIT_AUTHOR_NAME": "Author",
           "GIT_AUTHOR_EMAIL": "author@example.test", "GIT_COMMITTER_NAME": "Author",
           "GIT_COMMITTER_EMAIL": "author@example.test"}

    def git(*args, cwd):
        subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True,
                       timeout=60)
    with served_in_thread(world.app, threads=2) as server:
        for repo, marker in REPOSITORIES.items():
            work = world.files / repo.strip("/").replace("/", "_")
            git("init", "--quiet", "--initial-branch=main", str(work), cwd=world.files)
            (work / "notes.txt").write_text("%s file\n" % marker)
            git("add", "notes.txt", cwd=work)
            git("commit", "--quiet", "-m", "%s commit words" % marker, cwd=work)
            git("push", "--quiet", "http://author:%s@127.0.0.1:%s%s" % (
                token, server.effective_port, repo), "main", cwd=work)
    reader = browser(world, "author")
    for repo in REPOSITORIES:
        log = reader.get(repo + "/commits").html.find(id="log")
        world.commits[repo] = log.find("a")["href"]


def tell_in_app(world):
    """The quiet site's notification reactors over the events since the last
    call, as its worker would have run them then: the watchers' (of changes
    and of pushes) and the mentioned people's in-app notifications (the mailing site told them by
    mail; its mention markers would make the quiet one skip them)."""
    registry = world.quiet.registry
    context = ReactorContext(registry=registry, settings=registry.settings, attempt=1)
    collection(MentionNotice).delete_many({})
    for record in collection(OutboxEvent).find({"seq": {"$gt": world.told_in_app}}).sort("seq"):
        message = freeze(record["message"])
        for reactor in (notify, notify_mentions):
            reactor(message, context)
        if record["topic"] == "scm.commit":
            mail_push(message, context)     # the code tool's: a push's commits
        world.told_in_app = record["seq"]
    session.close()


def browser(world, username=None, app=None):
    b = ForgeBrowser(app or world.app)
    if username:
        b.login(username)
    return b


def answer(b, url, **kw):
    """A page's text and where it redirects: a renamed project's old name
    redirects those who may read it (only them: 404 for the others)."""
    response = b.get(url, status=(200, 301, 302, 404), **kw)
    return response.text + " " + response.headers.get("Location", "")


def check(text, who, where, readers=SECRETS):
    """No marker ``who`` may not read is in ``text``; return the ones shown."""
    shown = {word for word in readers if word.lower() in text.lower()}
    leaked = {word for word in shown if who not in readers[word]}
    assert not leaked, "%s leaks %s to %s" % (where, sorted(leaked), who or "anonymous")
    return shown


def may_read(who, readers=SECRETS):
    return {word for word, allowed in readers.items() if who in allowed}


def activity_urls(world):
    threads = [world.threads[s] for s in ("Heldsubject", "Privthread", "Openthread")]
    return (["/p/pub/@@activity", "/p/pub/wiki/@@activity", "/p/pub/tickets/@@activity",
             "/p/pub/vault/@@activity", "/p/pub/forum/@@activity", "/p/priv/@@activity",
             "/p/pub/forum/general/@@activity", "/p/pub/wiki/Sealedpage/@@activity",
             "/p/pub/tickets/2/@@activity", "/p/pub/wiki/Openpage/@@activity",
             "/p/pub/wiki/Oldname/@@activity", "/p/pub/wiki/Newname/@@activity",
             "/p/pub/wiki/Oldtwo/@@activity", "/u/author/@@contributions",
             "/u/lurker/@@contributions", "/p/dead/@@activity",
             "/p/dead/wiki/Deadproject/@@activity", "/p/pub/wiki/Spampage/@@activity",
             "/u/spammer/@@contributions", "/p/hush/@@activity", "/p/hushed/@@activity",
             "/p/hushed/wiki/Hushpage/@@activity", "/p/hush/wiki/Hushpage/@@activity",
             "/p/pub/code/@@activity", "/p/priv/code/@@activity",
             "/p/pub/wiki/Laterpage/@@activity"] + [t + "@@activity" for t in threads])
