"""Mail in's pages in a real browser (DESIGN.md "Mail in"): a tool's
``@@mail-in`` page (its address, the mail policy form for admins, the
messages held for a moderator), the link to it from the project's tools
page, and the "Or comment by e-mail" address under a wiki page's comment form.

Mail in is off in the session's forge (no ``forge.mail_in.domain``), so this
module serves its own (same in-memory database, mail in on) and points the
conftest's ``base_url``/``live_registry`` at it, as test_comments.py does.
Messages arrive over real SMTP through a ``MailInServer`` of that forge.
"""
import smtplib
from email.message import EmailMessage

import pytest

from forge.testing import CSRF, free_port

from .conftest import login, own_forge, project_url, shot
from .test_accessibility import violations

pytestmark = pytest.mark.browser

DOMAIN = "mail.example.test"
# a subject with markup: the queue must show it as text, not as HTML
SPAM = "Buy <b>cheap</b> watches"
MODERATED = "From the same senders, but held until a moderator approves it"


forge_server, base_url, live_registry = own_forge(
    "forge-mail-in-pages-server", **{"forge.mail_in.domain": DOMAIN,
                                     "forge.mail_in.listen": "127.0.0.1:%d" % free_port()})


@pytest.fixture
def mail_in(live_registry):
    """The live forge's mail-in server, listening for this test."""
    from forge.mail_in.server import MailInServer
    server = MailInServer(live_registry, listen="127.0.0.1:%d" % free_port()).start()
    yield server
    server.stop()


@pytest.fixture
def team(seed):
    """A project with notes and a wiki: its admin, a Member and a Developer."""
    admin, member, developer = seed.user("mailadm"), seed.user("mailmem"), seed.user("maildev")
    project = seed.project(admin, prefix="mailin", tools=[("notes", "notes"), ("wiki", "wiki")])
    seed.member(project, "Member", member)
    seed.member(project, "Developer", developer)
    return {"admin": admin, "member": member, "developer": developer, "project": project,
            "url": project_url(project),
            "notes_address": "notes.%s@%s" % (project.shortname, DOMAIN)}


def send(server, sender, to, subject, text):
    """One message over real SMTP; returns the server's (code, text) for DATA."""
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, to, subject
    message.set_content(text)
    with smtplib.SMTP(*server.address, timeout=30) as client:
        client.ehlo()
        client.mail(sender)
        code, text = client.rcpt(to)
        assert code == 250, (code, text)
        return client.data(message.as_bytes())


def held_records(project_doc):
    from forge.mail_in.model import InboundMail
    from forge.model import ToolInstance, session
    session.close()
    tool = ToolInstance.query.get(project_id=project_doc._id, mount="notes")
    records = {r.subject: r for r in InboundMail.query.find({"tool_id": tool._id,
                                                             "status": "held"})}
    session.close()
    return records


def note_titles(project_doc):
    from forge.model import ToolInstance, session
    from tools.notes.model import Note
    session.close()
    tool = ToolInstance.query.get(project_id=project_doc._id, mount="notes")
    titles = sorted(n.title for n in Note.query.find({"tool_id": tool._id}))
    session.close()
    return titles


def open_mail_page(page, team):
    """From the project's tools page, follow the notes tool's "Mail" link."""
    page.goto(team["url"] + "@@tools")
    row = page.locator("tr", has=page.get_by_role("link", name="Permissions")) \
        .filter(has_text="notes")
    with page.expect_navigation():
        row.get_by_role("link", name="Mail", exact=True).click()
    assert page.url.endswith(team["url"] + "notes/@@mail-in")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Mail to ")


def set_policy_with_keyboard(page, label):
    """Choose ``label`` among the policy radios with the arrow keys, then Save
    from the keyboard."""
    form = page.locator("#mail-policy-form")
    form.locator("input[name=policy]:checked").focus()
    target = form.get_by_role("radio", name=label)
    for _ in range(3):
        if target.is_checked():
            break
        page.keyboard.press("ArrowDown")
    assert target.is_checked()
    form.get_by_role("button", name="Save").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_an_admin_finds_the_mail_page_and_sets_the_policy(new_page, team, live_registry):
    admin = login(new_page(), team["admin"].username)
    open_mail_page(admin, team)
    addresses = admin.locator("#mail-in-addresses").inner_text()
    assert team["notes_address"] in addresses
    # notes take no comments: no reply address is promised
    assert "Replies to this tool" not in addresses
    form = admin.locator("#mail-policy-form")
    assert form.get_by_role("group", name="Mail to this tool's addresses").is_visible()
    assert form.get_by_role("radio", name="Applied when it comes from").is_checked()
    shown_version = form.locator("input[name=version]").input_value()
    set_policy_with_keyboard(admin, MODERATED)
    assert admin.get_by_role("status").first.inner_text() == "Mail policy: moderated."
    assert admin.locator("#mail-policy-form").get_by_role("radio", name=MODERATED).is_checked()
    admin.reload()
    assert admin.get_by_role("radio", name=MODERATED).is_checked()
    shot(admin, "mail-in-policy")

    # a forged value, sent as a request: a 400 with the reason, nothing changed
    url = team["url"] + "notes/@@mail-in"
    token = admin.locator("#mail-policy-form input[name=csrf_token]").input_value()
    version = admin.locator("#mail-policy-form input[name=version]").input_value()
    refused = admin.request.post(url, max_redirects=0, form={
        "form": "policy", "policy": "anything", "version": version, "csrf_token": token})
    assert refused.status == 400
    assert "Choose one of: verified, moderated, refused." in refused.text()
    # the same through the page: the form shows it as an alert
    admin.locator("#mail-policy-form input[name=policy]:checked").evaluate(
        "radio => radio.value = 'anything'")
    with admin.expect_navigation():
        admin.get_by_role("button", name="Save").click()
    assert admin.get_by_role("alert").inner_text() == \
        "Choose one of: verified, moderated, refused."
    admin.goto(url)
    assert admin.get_by_role("radio", name=MODERATED).is_checked()
    # a form shown before the last save (another tab) is refused, not saved over it
    stale = admin.request.post(url, max_redirects=0, form={
        "form": "policy", "policy": "refused", "version": shown_version, "csrf_token": token})
    assert stale.status == 409
    assert "Someone else saved these settings after you opened this form" in stale.text()
    # a form without its security token is the forge's "Form expired" page
    forged = admin.request.post(url, max_redirects=0, form={
        "form": "policy", "policy": "refused", "version": version})
    assert forged.status == 400 and "Form expired" in forged.text()
    admin.goto(url)
    assert admin.get_by_role("radio", name=MODERATED).is_checked()


def test_a_held_message_is_approved_and_another_discarded(new_page, team, mail_in,
                                                          live_registry):
    from forge.mail_in.policy import set_mail_policy
    from forge.model import ToolInstance, User, session
    tool = ToolInstance.query.get(project_id=team["project"]._id, mount="notes")
    set_mail_policy(live_registry, tool, "moderated", User.query.get(_id=team["admin"]._id))
    session.close()
    sender = "%s@example.test" % team["member"].username
    for subject in ("Release checklist", SPAM):
        code, text = send(mail_in, sender, team["notes_address"], subject,
                          "Text of %s." % subject)
        assert code == 250 and b"moderator" in text, (code, text)
    assert note_titles(team["project"]) == []              # nothing shows yet
    held = held_records(team["project"])
    assert sorted(held) == [SPAM, "Release checklist"]

    admin = login(new_page(), team["admin"].username)
    open_mail_page(admin, team)
    table = admin.get_by_role("table")
    assert [h.strip() for h in table.locator("thead th").all_inner_texts()][:3] == \
        ["Received", "From", "Subject"]
    for subject, record in held.items():
        row = admin.locator("#held-%s" % record._id)
        assert sender in row.inner_text() and subject in row.inner_text()
    assert admin.locator("#held-mail b").count() == 0
    shot(admin, "mail-in-held")

    # Approve: the note is made, as the member, and shows in the tool
    with admin.expect_navigation():
        admin.locator("#held-%s" % held["Release checklist"]._id) \
            .get_by_role("button", name="Approve").click()
    assert admin.get_by_role("status").first.inner_text() == \
        "Approved: “Release checklist” is created."
    assert admin.locator("#held-%s" % held["Release checklist"]._id).count() == 0
    admin.goto(team["url"] + "notes/")
    assert admin.get_by_role("link", name="Release checklist").is_visible()
    with admin.expect_navigation():
        admin.get_by_role("link", name="Release checklist").click()
    assert "Text of Release checklist." in admin.locator("main").inner_text()

    # Discard: gone from the queue, nothing made
    open_mail_page(admin, team)
    with admin.expect_navigation():
        admin.locator("#held-%s" % held[SPAM]._id) \
            .get_by_role("button", name="Discard").click()
    assert admin.get_by_role("status").first.inner_text() == "Discarded."
    assert admin.locator("#no-held-mail").inner_text() == "No mail is waiting."
    assert note_titles(team["project"]) == ["Release checklist"]
    assert held_records(team["project"]) == {}
    from forge.mail_in.model import InboundMail
    assert InboundMail.query.get(_id=held[SPAM]._id) is None
    session.close()

    # approving what is no longer waiting (another tab): a 404 page saying so
    token = CSRF.search(admin.content()).group(1)
    late = admin.request.post(team["url"] + "notes/@@mail-in", max_redirects=0, form={
        "form": "approve", "id": str(held[SPAM]._id), "csrf_token": token})
    assert late.status == 404 and "no longer waiting" in late.text()


def test_who_may_not_moderate_gets_the_forges_error_pages(new_page, seed, team):
    url = team["url"] + "notes/@@mail-in"
    # a Member (and a Developer: notes have no "moderate", only admin) gets the 403 page
    for who in ("member", "developer"):
        page = login(new_page(), team[who].username)
        response = page.goto(url)
        assert response.status == 403, who
        assert page.get_by_role("heading", level=1).inner_text() == "Forbidden"
        assert page.get_by_role("alert").inner_text() == \
            "You may see this page but not do that here."
        assert page.locator("#mail-in-addresses, #held-mail, #mail-policy-form").count() == 0
        assert "Traceback" not in page.content()
    shot(page, "mail-in-403")
    # a POST by a member is refused too, not only the page
    token = CSRF.search(page.content()).group(1)
    refused = page.request.post(url, max_redirects=0, form={
        "form": "policy", "policy": "refused", "csrf_token": token})
    assert refused.status == 403
    # an anonymous reader of the public project is sent to sign in, as elsewhere
    visitor = new_page()
    visitor.goto(url)
    assert "/@@login?next=" in visitor.url
    assert visitor.get_by_role("heading", level=1).inner_text() == "Sign in"
    # a private project's page is not found for who may not read it
    outsider = seed.user("mailout")
    private = seed.project(team["admin"], prefix="mailpriv", private=True,
                           tools=[("notes", "notes")])
    page = login(new_page(), outsider.username)
    response = page.goto(project_url(private) + "notes/@@mail-in")
    assert response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "Not found"


def wiki_page(registry, team, title):
    from forge.artifact_actions import create_artifact
    from forge.model import Project, ToolInstance, User, session
    from tools.wiki.model import WikiPage
    project = Project.query.get(_id=team["project"]._id)
    tool = ToolInstance.query.get(project_id=project._id, mount="wiki")
    doc = create_artifact(registry, WikiPage, project, tool, None, title,
                          {"title": title, "text": "How to build."},
                          User.query.get(_id=team["admin"]._id))
    session.close()
    return team["url"] + "wiki/%s/" % title, "wiki.%s+%s@%s" % (
        project.shortname, doc._id, DOMAIN)


def deny_post_on_wiki(registry, team, user):
    """``deny user post`` on the team's wiki (who may read it but not post)."""
    from pyramid.traversal import find_resource

    from forge.actions.acl import add_entry
    from forge.model import User, session
    from forge.notifications.messages import mail_request
    session.close()
    with mail_request(registry) as request:
        wiki = find_resource(request.root, team["url"] + "wiki")
        add_entry(registry, wiki, "deny", user.username, "post",
                  User.query.get(_id=team["admin"]._id))
    session.close()


def test_the_comment_by_mail_address_shows_to_who_may_post(new_page, seed, team,
                                                           live_registry):
    url, address = wiki_page(live_registry, team, "Guide")
    silenced = seed.user("mailsil")
    deny_post_on_wiki(live_registry, team, silenced)
    member = login(new_page(), team["member"].username)
    member.goto(url)
    line = member.locator("#comment-by-mail")
    assert line.inner_text() == \
        "Or comment by e-mail from your verified address: %s" % address
    link = line.get_by_role("link", name=address)
    assert link.get_attribute("href") == "mailto:" + address
    # it sits with the comment form it is an alternative to
    assert member.locator("#discussion").get_by_label("Add a comment").is_visible()
    shot(member, "mail-in-comment-by-mail")
    # an anonymous reader may not post: no form, no address, a sign-in link
    visitor = new_page()
    visitor.goto(url)
    assert visitor.get_by_role("heading", name="Guide").is_visible()
    assert visitor.locator("#comment-by-mail").count() == 0
    assert address not in visitor.content()
    assert visitor.locator("#discussion").get_by_role("link", name="Sign in").is_visible()
    # a signed-in reader denied "post" on the wiki: neither
    reader = login(new_page(), silenced.username)
    reader.goto(url)
    assert reader.get_by_role("heading", name="Guide").is_visible()
    assert reader.locator("#discussion").get_by_label("Add a comment").count() == 0
    assert reader.locator("#comment-by-mail").count() == 0
    assert address not in reader.content()


def test_the_comment_by_mail_address_goes_when_the_wiki_refuses_mail(new_page, team,
                                                                     live_registry):
    from forge.mail_in.policy import set_mail_policy
    from forge.model import ToolInstance, User, session
    url, address = wiki_page(live_registry, team, "Quiet")
    tool = ToolInstance.query.get(project_id=team["project"]._id, mount="wiki")
    set_mail_policy(live_registry, tool, "refused", User.query.get(_id=team["admin"]._id))
    session.close()
    member = login(new_page(), team["member"].username)
    member.goto(url)
    assert member.locator("#discussion").get_by_label("Add a comment").is_visible()
    assert member.locator("#comment-by-mail").count() == 0
    assert address not in member.content()


def test_the_mail_pages_have_no_serious_accessibility_violations(new_page, team, mail_in,
                                                                 live_registry):
    """axe-core as in test_accessibility.py (its page list is not this
    module's to edit), over @@mail-in with a held message and over a wiki
    page with its comment-by-mail line; and the landmarks and names a
    keyboard or screen-reader user finds them by."""
    from forge.mail_in.policy import set_mail_policy
    from forge.model import ToolInstance, User, session
    tool = ToolInstance.query.get(project_id=team["project"]._id, mount="notes")
    set_mail_policy(live_registry, tool, "moderated", User.query.get(_id=team["admin"]._id))
    session.close()
    send(mail_in, "%s@example.test" % team["member"].username, team["notes_address"],
         "Waiting note", "Text.")
    url, _address = wiki_page(live_registry, team, "Checked")

    admin = login(new_page(), team["admin"].username)
    admin.goto(team["url"] + "notes/@@mail-in")
    assert admin.get_by_role("main").count() == 1
    assert admin.get_by_role("table").count() == 1
    found = violations(admin)
    assert not found, "\n".join(found)
    # every control has a name: the radios by their labels, one Save, and an
    # Approve and a Discard for the one held message
    for radio in admin.get_by_role("radio").all():
        assert radio.evaluate("r => r.labels.length") == 1
    assert admin.get_by_role("button", name="Approve").count() == 1
    assert admin.get_by_role("button", name="Discard").count() == 1
    # the keyboard reaches Approve and Discard in the row of the held message
    admin.get_by_role("button", name="Save").focus()
    admin.keyboard.press("Tab")
    assert admin.evaluate("document.activeElement.textContent.trim()") == "Approve"
    admin.keyboard.press("Tab")
    assert admin.evaluate("document.activeElement.textContent.trim()") == "Discard"

    member = login(new_page(), team["member"].username)
    member.goto(url)
    assert member.locator("#comment-by-mail").is_visible()
    found = violations(member)
    assert not found, "\n".join(found)
