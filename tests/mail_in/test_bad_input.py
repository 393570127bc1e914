"""Bad input over real SMTP: each gets a clear reply code, nothing is half
saved, and the server goes on answering.

This module's forge has small limits (200 KB messages, 4 messages per sender,
2 KB attachments) so the tests stay fast."""
import email.policy
import smtplib
import socket
from email.message import EmailMessage

import pytest

from forge.actions.users import set_disabled
from forge.discussion.model import Post
from forge.mail_in.addresses import reply_address
from forge.mail_in.model import InboundMail
from forge.model import session
from forge.model.session import collection

from .conftest import DOMAIN, mail_in_settings, node_at, send

FORUM = "/p/demo/forums/general/"
CRLF = email.policy.default.clone(linesep="\r\n")     # as on the wire


@pytest.fixture
def forge_settings(smtp_server):
    return mail_in_settings(smtp_server, **{
        "forge.mail_in.max_bytes": "200000", "forge.mail_in.max_per_sender": "4",
        "forge.attachments.max_bytes": "2000"})


@pytest.fixture
def thread(registry, site):
    from tools.discussion.actions import create_thread
    node, _post = create_thread(registry, node_at(registry, FORUM), "Release plans",
                                "When?", site["ada"], may_skip_moderation=True)
    session.close()
    return node.doc


def address_of(registry, site, username, thread):
    return reply_address(registry.settings, site[username]._id, thread._id)


def reply(to, text="A reply.", sender="mem@example.test", **headers):
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = "Re: Release plans"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(text)
    return message


def posts(thread):
    session.close()
    return list(collection(Post).find({"ref_id": thread._id}))


def assert_nothing_saved(thread, count=1):
    assert len(posts(thread)) == count            # the opening post only
    assert InboundMail.query.find().count() == 0


def test_still_answers(mail_in, registry, site, thread):
    """After every bad message: the server still takes a good one."""
    send(mail_in, reply(address_of(registry, site, "mem", thread), "Good one."),
         [address_of(registry, site, "mem", thread)])
    assert "Good one." in [p["text"] for p in posts(thread)]


def test_forged_and_foreign_tokens_are_refused_at_rcpt(mail_in, registry, site, thread):
    good = address_of(registry, site, "mem", thread)
    local = good.split("@")[0]
    flipped = local[:-1] + ("a" if local[-1] != "a" else "b")
    other_artifact = reply_address(registry.settings, site["mem"]._id, site["notes"]._id)
    for address in (flipped + "@" + DOMAIN, local + "@elsewhere.test", "reply+@" + DOMAIN,
                    "reply+" + "a" * 56 + "@" + DOMAIN, other_artifact):
        with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
            send(mail_in, reply(address), [address])
        assert refused.value.recipients[address][0] == 550, address
    assert_nothing_saved(thread)
    test_still_answers(mail_in, registry, site, thread)


def test_a_disabled_users_token_posts_nothing(mail_in, registry, site, thread):
    address = address_of(registry, site, "mem", thread)
    from forge.model import User
    set_disabled(User.query.get(username="mem"), True, site["ada"])
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        send(mail_in, reply(address), [address])
    code, text = refused.value.recipients[address]
    assert code == 550 and b"account is closed" in text
    assert_nothing_saved(thread)


def test_a_reply_to_a_deleted_artifact_posts_nothing(mail_in, registry, site, thread):
    from forge.artifact_actions import delete_artifact
    address = address_of(registry, site, "mem", thread)
    delete_artifact(registry, thread, site["ada"])
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        send(mail_in, reply(address), [address])
    assert refused.value.recipients[address][0] == 550
    assert_nothing_saved(thread)


def test_state_changing_between_rcpt_and_data_is_checked_again(mail_in, registry, site,
                                                               thread):
    """RCPT said yes; by DATA the thread is gone: 550 then, nothing saved."""
    from forge.artifact_actions import delete_artifact
    address = address_of(registry, site, "mem", thread)
    with smtplib.SMTP(*mail_in.address) as client:
        client.ehlo()
        client.mail("mem@example.test")
        assert client.rcpt(address)[0] == 250
        delete_artifact(registry, thread, site["ada"])
        code, text = client.data(reply(address).as_bytes(policy=CRLF))
    assert code == 550 and b"no longer valid" in text
    assert_nothing_saved(thread)


def test_too_many_recipients(mail_in, registry, site, thread):
    """Thousands of recipients: the first ten are checked, the rest get 452
    at once, and the message goes to the accepted ones only."""
    address = address_of(registry, site, "mem", thread)
    with smtplib.SMTP(*mail_in.address) as client:
        client.ehlo()
        client.mail("mem@example.test")
        codes = [client.rcpt(address)[0] for _ in range(10)]
        codes += [client.rcpt("x%d@%s" % (n, DOMAIN))[0] for n in range(2000)]
        assert codes[:10] == [250] * 10 and set(codes[10:]) == {452}
        assert client.data(reply(address).as_bytes(policy=CRLF))[0] == 250
    assert len(posts(thread)) == 1 + 10     # the same address ten times: ten comments
    # (a real MTA never repeats a recipient; the count shows each was applied once)


def test_an_oversized_message_is_refused_while_received(mail_in, registry, site, thread):
    address = address_of(registry, site, "mem", thread)
    big = reply(address, "x" * 80 + "\n" + ("y" * 76 + "\n") * 3000)    # ~230 KB
    with smtplib.SMTP(*mail_in.address) as client:     # no SIZE= declared
        client.ehlo()
        client.mail("mem@example.test")
        client.rcpt(address)
        code, text = client.data(big.as_bytes(policy=CRLF))
    assert code == 552 and b"Too much mail data" in text
    # a client that declares the size is refused before it sends anything
    with smtplib.SMTP(*mail_in.address) as client:
        client.ehlo()
        code, _text = client.mail("mem@example.test", ["SIZE=%d" % (100 * 1024 * 1024)])
    assert code == 552
    assert_nothing_saved(thread)
    test_still_answers(mail_in, registry, site, thread)


def test_an_oversized_attachment_saves_nothing(mail_in, registry, site, thread):
    address = address_of(registry, site, "mem", thread)
    message = reply(address, "See the log.")
    message.add_attachment(b"z" * 5000, maintype="application", subtype="zip",
                           filename="bomb.zip")
    with pytest.raises(smtplib.SMTPDataError) as refused:
        send(mail_in, message, [address])
    assert refused.value.smtp_code == 552 and b"limit" in refused.value.smtp_error
    assert_nothing_saved(thread)


def test_only_quotes_is_no_comment(mail_in, registry, site, thread):
    address = address_of(registry, site, "mem", thread)
    with pytest.raises(smtplib.SMTPDataError) as refused:
        send(mail_in, reply(address, "On Mon, Ada wrote:\n> When?\n> Soon?\n"), [address])
    assert refused.value.smtp_code == 550 and b"no text" in refused.value.smtp_error
    assert_nothing_saved(thread)


@pytest.mark.parametrize("headers", [
    {"Auto_Submitted": "auto-replied"}, {"Precedence": "bulk"},
    {"Precedence": "auto_reply"}, {"X_Autoreply": "yes"}])
def test_automatic_replies_are_accepted_and_dropped(mail_in, registry, site, thread, headers):
    address = address_of(registry, site, "mem", thread)
    assert send(mail_in, reply(address, "I am out of the office.", **headers), [address]) == {}
    assert_nothing_saved(thread)


def test_a_null_sender_is_accepted_and_dropped(mail_in, registry, site, thread):
    address = address_of(registry, site, "mem", thread)
    with smtplib.SMTP(*mail_in.address) as client:
        client.ehlo()
        client.mail("<>")
        assert client.rcpt(address)[0] == 250
        code, text = client.data(reply(address, "Delivery failed.").as_bytes(policy=CRLF))
    assert code == 250 and b"ignored" in text
    assert_nothing_saved(thread)


def test_senders_are_rate_limited(mail_in, registry, site, thread):
    address = address_of(registry, site, "mem", thread)
    for number in range(4):
        send(mail_in, reply(address, "Number %d." % number), [address])
    with pytest.raises(smtplib.SMTPDataError) as refused:
        send(mail_in, reply(address, "One too many."), [address])
    assert refused.value.smtp_code == 451
    assert len(posts(thread)) == 1 + 4
    # another sender is not held back
    dev = address_of(registry, site, "dev", thread)
    send(mail_in, reply(dev, "From dev.", sender="dev@example.test"), [dev],
         sender="dev@example.test")
    assert len(posts(thread)) == 1 + 5


MALFORMED = [
    # no headers at all, 8-bit garbage
    b"\xff\xfe\x00garbage\r\n\r\n\xc3\x28 body",
    # a multipart without its boundary, and a broken base64 part
    b"From: mem@example.test\r\nContent-Type: multipart/mixed\r\n\r\n--x\r\nbody\r\n",
    b"From: mem@example.test\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
    b"--b\r\nContent-Type: text/plain; charset=no-such-charset\r\n"
    b"Content-Transfer-Encoding: base64\r\n\r\n!!!not base64!!!\r\n--b--\r\n",
    # an encoded header that is not, and a From that is not an address
    b"From: =?utf-8?b?!!!?= <<<>>>\r\nSubject: =?x-unknown?q?=FF?=\r\n\r\nHello there.\r\n",
    # multiparts nested 3,000 deep
    b"From: mem@example.test\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
    + b"--b\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" * 3000,
]


@pytest.mark.parametrize("raw", MALFORMED)
def test_malformed_mime_gets_an_answer_not_a_crash(mail_in, registry, site, thread, raw):
    address = address_of(registry, site, "mem", thread)
    with smtplib.SMTP(*mail_in.address) as client:
        client.ehlo()
        client.mail("mem@example.test")
        client.rcpt(address)
        code, _text = client.data(raw)
    assert code in (250, 550)
    session.close()
    # whatever was taken is whole: each record names its post
    for record in InboundMail.query.find():
        assert collection(Post).find_one({"_id": record.post_id}) is not None
    test_still_answers(mail_in, registry, site, thread)


def test_a_client_that_hangs_up_mid_message(mail_in, registry, site, thread):
    address = address_of(registry, site, "mem", thread)
    with socket.create_connection(mail_in.address, timeout=10) as raw:
        reader = raw.makefile("rb")
        reader.readline()
        for line in (b"EHLO x", b"MAIL FROM:<mem@example.test>", b"RCPT TO:<%s>" % (
                address.encode()), b"DATA"):
            raw.sendall(line + b"\r\n")
            while True:
                answer = reader.readline()
                if answer[3:4] != b"-":
                    break
        raw.sendall(b"Subject: half\r\n\r\nhalf a message")
    assert_nothing_saved(thread)
    test_still_answers(mail_in, registry, site, thread)


def test_a_message_sent_again_is_applied_once(mail_in, registry, site, thread):
    """A sending server that lost our 250 sends again: one comment."""
    address = address_of(registry, site, "mem", thread)
    message = reply(address, "Only once, please.", Message_ID="<once.1@client.example.test>")
    answers = []
    for _ in range(2):
        with smtplib.SMTP(*mail_in.address) as client:
            client.ehlo()
            client.mail("mem@example.test")
            client.rcpt(address.upper().replace(DOMAIN.upper(), DOMAIN))
            answers.append(client.data(message.as_bytes(policy=CRLF)))
    assert [code for code, _text in answers] == [250, 250]
    assert b"already" in answers[1][1]
    assert [p["text"] for p in posts(thread)].count("Only once, please.") == 1
