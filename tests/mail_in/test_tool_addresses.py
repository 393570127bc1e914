"""Mail to a tool's address: a new thread (the discussion's own handler) or a
new note (the core's generic handler), only from a verified address, and
announced to watchers like the same change on the web."""
import smtplib

import pytest

from forge.actions.acl import set_privacy
from forge.discussion.model import Post
from forge.mail_in.model import InboundMail
from forge.model import User, session
from forge.model.session import collection

from .conftest import DOMAIN, new_mail, node_at, send

FORUMS = "forums.demo@" + DOMAIN
NOTES = "notes.demo@" + DOMAIN




def threads():
    from tools.discussion.model import ForumThread
    session.close()
    return list(ForumThread.query.find({"type": "discussion.thread", "deleted": False}))


def test_a_new_thread_by_mail(registry, site, login, mail, mail_in):
    login("dev").post_form("/p/demo/forums/general/@@watch", {}, status=302)
    mail()
    send(mail_in, new_mail("Mem <MEM@example.test>", FORUMS, "Build fails on ARM",
                           "The linker crashes.\n\n-- \nMem, sent from a phone",
                           [("build.log", b"ld: fatal\n", "text", "plain")]),
         [FORUMS], sender="mem@example.test")
    [thread] = threads()
    assert thread.title == "Build fails on ARM" and thread.author_id == site["mem"]._id
    [post] = collection(Post).find({"ref_id": thread._id})
    assert post["text"] == "The linker crashes." and post["status"] == "ok"
    assert [a["filename"] for a in post["attachments"]] == ["build.log"]
    page = login().get("/p/demo/forums/%s/" % thread.path)
    assert "The linker crashes." in page.text and "build.log" in page.text
    sent = mail()
    # the forum's watchers (dev, and ada who made it) are told; the author is not
    assert sorted(sent) == ["ada@example.test", "dev@example.test"]
    assert "Build fails on ARM" in sent["dev@example.test"][0]["Subject"]
    # the author now watches it (as for the web) and gets the replies
    login("dev").post_form("/p/demo/forums/%s/@@post" % thread.path, {"text": "Which ld?"},
                           status=302)
    assert "mem@example.test" in mail()


def test_a_new_note_by_mail_through_the_generic_handler(registry, site, login, mail_in):
    send(mail_in, new_mail("ada@example.test", NOTES, "Meeting notes / Monday",
                           "* ship it\n* test it"), [NOTES], sender="ada@example.test")
    session.close()
    from tools.notes.model import Note
    [note] = Note.query.find({"tool_id": site["notes"]._id}).all()
    assert note.title == "Meeting notes / Monday" and note.path == "Meeting notes - Monday"
    assert note.text == "* ship it\n* test it" and note.author_id == site["ada"]._id
    # the same subject again gets a free name
    send(mail_in, new_mail("ada@example.test", NOTES, "Meeting notes / Monday", "again"),
         [NOTES], sender="ada@example.test")
    session.close()
    assert sorted(n.path for n in Note.query.find({"tool_id": site["notes"]._id})) == [
        "Meeting notes - Monday", "Meeting notes - Monday-2"]


@pytest.mark.parametrize("sender", ["stranger@example.test", "out@example.test"])
def test_only_a_verified_address_with_permission_creates(registry, site, mail_in, sender):
    """A stranger's address is no account; ``out`` is an account without
    ``create`` on the notes tool: both are refused at DATA, nothing saved."""
    with pytest.raises(smtplib.SMTPDataError) as refused:
        send(mail_in, new_mail(sender, NOTES, "Hello", "Text"), [NOTES], sender=sender)
    assert refused.value.smtp_code == 550
    session.close()
    from tools.notes.model import Note
    assert Note.query.find({"tool_id": site["notes"]._id}).count() == 0
    assert InboundMail.query.find().count() == 0


def test_an_unverified_address_is_not_an_account(registry, site, mail_in):
    user = User.query.get(username="mem")
    collection(User).update_one({"_id": user._id}, {"$unset": {"email": 1},
                                                    "$set": {"pending_email": "mem@example.test"}})
    with pytest.raises(smtplib.SMTPDataError) as refused:
        send(mail_in, new_mail("mem@example.test", FORUMS, "Hi", "Text"), [FORUMS],
             sender="mem@example.test")
    assert b"verified address" in refused.value.smtp_error
    assert threads() == []


def test_unknown_and_mailless_tools_are_refused_at_rcpt(registry, site, mail_in):
    for address in ("wiki.demo@" + DOMAIN,           # the wiki takes no mail (no handler)
                    "nothing.demo@" + DOMAIN, "notes.nope@" + DOMAIN,
                    "notes.demo@other.test", "postmaster@" + DOMAIN):
        with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
            send(mail_in, new_mail("ada@example.test", address, "Hi", "Text"), [address],
                 sender="ada@example.test")
        assert refused.value.recipients[address][0] == 550, address


def test_a_private_tool_exists_only_for_its_readers(registry, site, mail_in):
    set_privacy(registry, node_at(registry, "/p/demo/notes/"), True, site["ada"])
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        send(mail_in, new_mail("out@example.test", NOTES, "Hi", "Text"), [NOTES],
             sender="out@example.test")
    # same answer as for a tool that does not exist; a member gets through
    send(mail_in, new_mail("mem@example.test", NOTES, "Hi", "Text"), [NOTES],
         sender="mem@example.test")
    session.close()
    from tools.notes.model import Note
    assert [n.title for n in Note.query.find({"tool_id": site["notes"]._id})] == ["Hi"]
