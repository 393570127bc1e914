"""bench/mail_in.py's site: ada's project, its members and watchers, and
what the messages go to (``--into``: a ticket, the tracker, a forum thread)."""
from mail_in_report import WATCHERS

DOMAIN = "mail.bench.test"
MEMBERS = 20


def seed(registry, into):
    """ada's project with what the messages go to (``into``): a ticket of its
    tracker (``tickets``, ``new-tickets``) or a forum thread (``forum``);
    MEMBERS members, WATCHERS of them and ada watching it (the tracker, for
    ``new-tickets``).  Returns the page the paced replies show on, the members'
    (sender, address) pairs the load sends from and to (for ``new-tickets``
    the tracker's address), and the paced replies' pairs (reply addresses)."""
    from pyramid.traversal import find_resource
    from forge.actions.projects import create_project, install_tool
    from forge.actions.roles import add_member, role_named
    from forge.actions.users import create_user
    from forge.mail_in.addresses import reply_address
    from forge.model import Neighborhood, session
    from forge.notifications.messages import mail_request
    from forge.notifications.watches import add_watch
    ada = create_user(registry, "ada", "ada@bench.test", "bench password 1")
    project = create_project(registry, Neighborhood.query.get(name="p"), "bench", "Bench", ada)
    members = []
    for number in range(MEMBERS):
        user = create_user(registry, "m%d" % number, "m%d@bench.test" % number,
                           "bench password 1")
        add_member(registry, project, role_named(project, "Member"), user, ada)
        members.append(user)
    if into == "forum":
        from tools.discussion.actions import create_forum, create_thread
        tool = install_tool(registry, project, "discussion", "forums", ada)
        create_forum(registry, project, tool, "general", "General", "", ada)
        with mail_request(registry) as request:
            forum = find_resource(request.root, "/p/bench/forums/general")
            thread, _ = create_thread(registry, forum, "Benchmark thread", "Reply here.",
                                      ada, may_skip_moderation=True)
        artifact, path = thread.doc, "/p/bench/forums/%s/" % thread.doc.path
    else:
        from tools.tracker.actions import create_ticket
        tool = install_tool(registry, project, "tracker", "tickets", ada)
        artifact = create_ticket(registry, project, tool, {
            "title": "Benchmark ticket", "description": "Reply here."}, ada)
        path = "/p/bench/tickets/%d/" % artifact.number
    # ada too, at once: the notifications reactor makes authors watch what they
    # created, but only when it handles the creation (after the baseline)
    for user in [ada] + members[:WATCHERS]:
        if into == "new-tickets":
            add_watch(user._id, "tool", tool)
        else:
            add_watch(user._id, "artifact", artifact)
    replies = [(u.email, reply_address(registry.settings, u._id, artifact._id))
               for u in members]
    load = replies if into != "new-tickets" else \
        [(u.email, "tickets.bench@%s" % DOMAIN) for u in members]
    session.close()
    return path, load, replies
