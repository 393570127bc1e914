"""End to end over real SMTP both ways: a comment mails the watchers with a
Reply-To of their own; a reply sent with smtplib to that address becomes a
comment by that user, the other watchers are mailed, the replier is not, and
nothing loops."""
import smtplib
from email.message import EmailMessage

import pytest

from forge.discussion.model import Post
from forge.mail_in.model import InboundMail, raw_message
from forge.model import User, session
from forge.model.session import collection

from .conftest import DOMAIN, body, node_at, send

FORUM = "/p/demo/forums/general/"


@pytest.fixture
def thread(registry, site):
    """A thread ada opened; mem and dev watch it."""
    from tools.discussion.actions import create_thread
    forum = node_at(registry, FORUM)
    node, _post = create_thread(registry, forum, "Release plans", "When is 2.0 due?",
                                site["ada"], may_skip_moderation=True)
    session.close()
    return "/p/demo/forums/%s/" % node.doc.path


def watch(login, username, path):
    login(username).post_form(path + "@@watch", {}, status=302)


def reply_to(original, text, sender, extra=()):
    message = EmailMessage()
    message["From"] = sender
    message["To"] = original["Reply-To"]
    message["Subject"] = "Re: " + original["Subject"]
    message["In-Reply-To"] = original["Message-ID"]
    message["References"] = original["Message-ID"]
    for name, value in extra:
        message[name] = value
    quoted = "\n".join("> " + line for line in body(original).splitlines())
    message.set_content("%s\n\nOn Mon, 1 Dec 2026 at 10:00, PyForge wrote:\n%s\n" % (text, quoted))
    return message


def comments(path_id):
    session.close()
    return list(collection(Post).find({"ref_id": path_id}).sort("slug", 1))


def thread_id_of(registry, path):
    return node_at(registry, path).doc._id


def test_a_reply_becomes_a_comment_and_mails_the_others(registry, site, thread, login, mail,
                                                        mail_in):
    for name in ("mem", "dev"):
        watch(login, name, thread)
    mail()
    login("dev").post_form(thread + "@@post", {"text": "Next month."}, status=302)
    sent = mail()
    assert sorted(sent) == ["ada@example.test", "mem@example.test"]
    to_mem = sent["mem@example.test"][0]
    to_ada = sent["ada@example.test"][0]
    # a reply address of their own, signed for this artifact
    assert to_mem["Reply-To"].startswith("reply+") and to_mem["Reply-To"].endswith("@" + DOMAIN)
    assert to_mem["Reply-To"] != to_ada["Reply-To"]
    artifact_id = thread_id_of(registry, thread)
    assert to_mem["References"] == to_mem["In-Reply-To"] == "<artifact.%s@%s>" % (
        artifact_id, DOMAIN)
    assert to_mem["Message-ID"].endswith("@%s>" % DOMAIN)
    assert to_mem["Message-ID"] != to_ada["Message-ID"]

    refused = send(mail_in, reply_to(to_mem, "Sounds good, I will test the RC.",
                                     "Mem <mem@example.test>"), [to_mem["Reply-To"]])
    assert refused == {}
    posts = comments(artifact_id)
    mine = [p for p in posts if p["author_id"] == site["mem"]._id]
    assert len(mine) == 1
    # the quote and the attribution line are cut; it is visible (mem is a Member)
    assert mine[0]["text"] == "Sounds good, I will test the RC."
    assert mine[0]["status"] == "ok"
    page = login("out").get(thread)
    assert "Sounds good, I will test the RC." in page.text
    # the others are told; the replier is not; no mail comes back to the forge
    sent = mail()
    assert sorted(sent) == ["ada@example.test", "dev@example.test"]
    assert "Sounds good" in body(sent["dev@example.test"][0])
    assert mail() == {}
    # activity and search follow as for a comment made on the web
    activity = login("out").get("/p/demo/@@activity").text
    assert "Sounds good, I will test the RC." in activity
    assert "Release plans" in login("out").get("/p/demo/@@search", {"q": "RC"}).text
    # the raw message is kept, and the record names what it made
    session.close()
    record = InboundMail.query.get(post_id=mine[0]["_id"])
    assert record.user_id == site["mem"]._id and record.kind == "reply"
    assert b"Sounds good, I will test the RC." in raw_message(record)


def test_the_event_goes_through_the_auditors(registry, site, thread, login, mail, mail_in):
    """``fixture_handlers`` adds a ``mail.received`` auditor that refuses a
    marker word and appends a line otherwise."""
    watch(login, "mem", thread)
    mail()
    login("dev").post_form(thread + "@@post", {"text": "Next month."}, status=302)
    to_mem = mail()["mem@example.test"][0]
    artifact_id = thread_id_of(registry, thread)
    before = len(comments(artifact_id))
    with pytest.raises(smtplib.SMTPDataError) as refused:
        send(mail_in, reply_to(to_mem, "This has FORBIDDEN-WORD in it.", "mem@example.test"),
             [to_mem["Reply-To"]])
    assert refused.value.smtp_code == 550
    assert b"No forbidden words" in refused.value.smtp_error
    assert len(comments(artifact_id)) == before        # nothing saved
    session.close()
    assert InboundMail.query.find().count() == 0
    send(mail_in, reply_to(to_mem, "Fine words only.", "mem@example.test"),
         [to_mem["Reply-To"]])
    texts = [p["text"] for p in comments(artifact_id)]
    assert "Fine words only.\n\n(checked by the test auditor)" in texts


def test_a_token_for_what_the_user_may_no_longer_read_posts_nothing(registry, site, thread,
                                                                    login, mail, mail_in):
    from forge.actions.roles import remove_member, role_named
    from forge.model import Project
    watch(login, "mem", thread)
    mail()
    login("dev").post_form(thread + "@@post", {"text": "Next month."}, status=302)
    to_mem = mail()["mem@example.test"][0]
    artifact_id = thread_id_of(registry, thread)
    before = len(comments(artifact_id))
    # the forum becomes members-only, and mem is no member any more
    project = Project.query.get(shortname="demo")
    from forge.actions.acl import set_privacy
    forum = node_at(registry, FORUM)
    set_privacy(registry, forum, True, site["ada"])
    remove_member(registry, project, role_named(project, "Member"), User.query.get(
        username="mem"), site["ada"])
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        send(mail_in, reply_to(to_mem, "Still there?", "mem@example.test"),
             [to_mem["Reply-To"]])
    code, text = refused.value.recipients[to_mem["Reply-To"]]
    assert code == 550 and b"no longer valid" in text
    assert len(comments(artifact_id)) == before
    assert InboundMail.query.find().count() == 0


def test_no_reply_to_where_the_watcher_may_not_comment(registry, site, login, mail):
    """Notes take no comments: their mail threads but offers no reply address."""
    from forge.artifact_actions import create_artifact, save_artifact
    from tools.notes.model import Note
    note = create_artifact(registry, Note, site["project"], site["notes"], None, "plan",
                           {"title": "Plan", "text": "v1"}, site["ada"])
    session.close()
    watch(login, "out", "/p/demo/notes/plan/")
    mail()
    note = Note.query.get(_id=note._id)
    save_artifact(registry, note, note.version, {"text": "v2"}, User.query.get(username="ada"))
    [to_out] = mail()["out@example.test"]
    assert to_out["Reply-To"] is None
    assert to_out["References"] == "<artifact.%s@%s>" % (note._id, DOMAIN)


def test_a_reply_from_someone_held_for_moderation(registry, site, thread, login, mail, mail_in):
    """``out`` (no role) may post in the forum, held for a moderator: the reply
    is kept as pending, the answer says so, and nobody is mailed yet."""
    from forge.mail_in.addresses import reply_address
    artifact_id = thread_id_of(registry, thread)
    address = reply_address(registry.settings, site["out"]._id, artifact_id)
    mail()
    with smtplib.SMTP(*mail_in.address) as client:
        client.ehlo()
        client.mail("out@example.test")
        assert client.rcpt(address)[0] == 250
        message = EmailMessage()
        message["From"], message["Subject"] = "out@example.test", "Re"
        message.set_content("A real question: does it build on ARM?")
        code, text = client.data(message.as_bytes(policy=message.policy.clone(linesep="\r\n")))
    assert code == 250 and b"moderator" in text
    [held] = [p for p in comments(artifact_id) if p["author_id"] == site["out"]._id]
    assert held["status"] == "pending"
    assert mail() == {}
