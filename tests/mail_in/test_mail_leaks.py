"""The leak cases of mail in: an address never posts where its user may no
longer read or has no account any more, and the answer to a private page's
address is the same as to one that does not exist.  (The reply-token cases
of a deleted artifact and a forged token are in ``test_bad_input``.)"""
import smtplib
from email.message import EmailMessage

import pytest

from forge.actions.acl import set_privacy
from forge.actions.roles import remove_member, role_named
from forge.actions.users import set_disabled
from forge.discussion.model import Post
from forge.mail_in.addresses import artifact_address, reply_address
from forge.mail_in.held import approve_held
from forge.mail_in.model import InboundMail
from forge.mail_in.policy import set_mail_policy
from forge.model import ToolInstance, User, session
from forge.model.session import collection
from forge.notifications.messages import mail_request

from .conftest import DOMAIN, node_at, send


def message(sender, to, text="A comment."):
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = sender, to, "Re: Guide"
    mail.set_content(text)
    return mail


@pytest.fixture
def guide(registry, site):
    from forge.artifact_actions import create_artifact
    from tools.wiki.model import WikiPage
    doc = create_artifact(registry, WikiPage, site["project"], site["wiki"], None, "Guide",
                          {"title": "Guide", "text": "How to build."}, site["ada"])
    session.close()
    return doc


def nothing_posted(doc):
    session.close()
    assert collection(Post).count_documents({"ref_id": doc._id}) == 0
    assert InboundMail.query.find().count() == 0


def rcpt_answer(server, sender, address):
    with smtplib.SMTP(*server.address) as client:
        client.ehlo()
        client.mail(sender)
        return client.rcpt(address)


def test_a_private_pages_address_is_no_address_to_outsiders(registry, site, guide, mail_in):
    address = artifact_address(registry.settings, "demo", "wiki", guide._id)
    set_privacy(registry, node_at(registry, "/p/demo/wiki/Guide/"), True, site["ada"])
    missing = "wiki.demo+%s@%s" % ("0" * 24, DOMAIN)
    # the same answer as for a page that does not exist, to an outsider and to nobody
    for sender in ("out@example.test", "stranger@example.test"):
        assert rcpt_answer(mail_in, sender, address) == rcpt_answer(mail_in, sender, missing)
        assert rcpt_answer(mail_in, sender, address)[0] == 550
    # ...and if an outsider forges a reader's RCPT, DATA checks the From's account
    with smtplib.SMTP(*mail_in.address) as client:
        client.ehlo()
        client.mail("dev@example.test")                 # a Developer reads private pages
        assert client.rcpt(address)[0] == 250
        code, _text = client.data(message("out@example.test", address).as_bytes())
    assert code == 550
    nothing_posted(guide)
    # a reader gets through
    send(mail_in, message("dev@example.test", address, "Seen."), [address],
         sender="dev@example.test")
    session.close()
    assert [p["text"] for p in collection(Post).find({"ref_id": guide._id})] == ["Seen."]


def test_a_page_made_private_between_rcpt_and_data_gets_nothing(registry, site, guide,
                                                                 mail_in):
    address = artifact_address(registry.settings, "demo", "wiki", guide._id)
    with smtplib.SMTP(*mail_in.address) as client:
        client.ehlo()
        client.mail("mem@example.test")
        assert client.rcpt(address)[0] == 250
        # Developers only: mem (a Member) may no longer read it
        set_privacy(registry, node_at(registry, "/p/demo/wiki/Guide/"), True, site["ada"],
                    readers=["role:%s" % role_named(site["project"], "Developer")._id])
        code, _text = client.data(message("mem@example.test", address).as_bytes())
    assert code == 550
    nothing_posted(guide)


def test_a_token_of_a_member_removed_from_a_private_wiki_posts_nothing(registry, site, guide,
                                                                        mail_in):
    """A reply token issued while mem could read; the wiki is now members-only
    and mem no member: nothing is posted (the same answer as a deleted page)."""
    address = reply_address(registry.settings, site["mem"]._id, guide._id)
    set_privacy(registry, node_at(registry, "/p/demo/wiki/"), True, site["ada"])
    project = site["project"]
    remove_member(registry, project, role_named(project, "Member"),
                  User.query.get(username="mem"), site["ada"])
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        send(mail_in, message("mem@example.test", address), [address],
             sender="mem@example.test")
    code, text = refused.value.recipients[address]
    assert code == 550 and b"no longer valid" in text
    nothing_posted(guide)


def test_a_token_of_a_user_disabled_between_rcpt_and_data_posts_nothing(registry, site,
                                                                         guide, mail_in):
    address = reply_address(registry.settings, site["mem"]._id, guide._id)
    with smtplib.SMTP(*mail_in.address) as client:
        client.ehlo()
        client.mail("mem@example.test")
        assert client.rcpt(address)[0] == 250
        set_disabled(User.query.get(username="mem"), True, site["ada"])
        code, text = client.data(message("mem@example.test", address).as_bytes())
    assert code == 550 and b"account is closed" in text
    nothing_posted(guide)


def test_a_held_message_of_a_now_disabled_sender_cannot_be_approved(registry, site,
                                                                    mail_in):
    from forge.actions import ActionError
    session.close()
    tool = ToolInstance.query.get(_id=site["forums"]._id)
    set_mail_policy(registry, tool, "moderated", site["ada"])
    forums = "forums.demo@" + DOMAIN
    send(mail_in, message("mem@example.test", forums), [forums], sender="mem@example.test")
    session.close()
    [held] = InboundMail.query.find({"status": "held"}).all()
    set_disabled(User.query.get(username="mem"), True, site["ada"])
    session.close()
    with mail_request(registry) as request:
        with pytest.raises(ActionError, match="account is closed"):
            approve_held(request, node_at(registry, "/p/demo/forums/"), held._id,
                         User.query.get(username="ada"))
    session.close()
    assert InboundMail.query.get(_id=held._id).status == "held"
    from tools.discussion.model import ForumThread
    assert ForumThread.query.find({"type": "discussion.thread"}).count() == 0
