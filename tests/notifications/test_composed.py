"""A notification written as bytes (``forge.notifications.composed``) reads
as the ``EmailMessage`` that ``build_message`` makes: the same headers, the
same text, whatever the subject, the name or the body hold."""
import email
from email import policy

import pytest

from forge.notifications.composed import SharedBodies, compose, encoded_body
from forge.notifications.mailer import Mailer
from forge.notifications.messages import build_message, mail_request

TEMPLATE = "forge:templates/notifications/change_mail.jinja2"
SENDER = "Forge <forge@example.test>"


class Person:
    def __init__(self, display_name, address="mem@example.test"):
        self.display_name, self.username, self.email = display_name, "mem", address


CASES = [
    ("[Demo] Re: #1 Crash: new comment", "Mem Ber", "Fixed."),
    ("[Démo] Ré: 😀 " + "long words " * 12, "Zoë Ünicode, Jr.", "Déjà vu.\n" * 3),
    ("Plain", "Quote \"this\" <odd>", "a line of text " * 30),          # a long line
    ("Dots", "Dot", ".\n.. leading dots\nend"),
]


@pytest.mark.parametrize("subject, name, text", CASES)
def test_the_composed_mail_reads_as_the_built_one(registry, subject, name, text):
    values = {"change": {"title": "T", "what": "new comment", "url": "http://x.test/t",
                         "text": text, "kind": "artifact"}, "actor": "ada"}
    user = Person(name)
    headers = {"message_id": "<ev1.u1@mail.example.test>",
               "thread": "<artifact.a1@mail.example.test>",
               "reply_to": "reply+abc@mail.example.test"}
    unsubscribe = "http://forge.example.test/" + "long/" * 20 + "@@unsubscribe?token=xyz"
    with mail_request(registry) as request:
        built = build_message(request, user, subject, TEMPLATE, values, unsubscribe, **headers)
        composed = compose(request, user, subject, TEMPLATE, values, unsubscribe, **headers)
    built["From"] = SENDER
    raw = composed.as_bytes(SENDER)
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
    assert b"\n" not in raw.replace(b"\r\n", b"")
    ours = email.message_from_bytes(raw, policy=policy.default)
    theirs = email.message_from_bytes(built.as_bytes(policy=policy.SMTP), policy=policy.default)
    names = ["To", "From", "Subject", "Message-ID", "In-Reply-To", "References", "Reply-To",
             "Auto-Submitted", "List-Unsubscribe", "List-Unsubscribe-Post", "Content-Type",
             "MIME-Version"]
    for header in names:
        assert str(ours[header]) == str(theirs[header]), header
    assert ours.get_content() == theirs.get_content()
    assert ours["To"].addresses[0].display_name == name
    assert composed.to_address == user.email


def test_a_non_ascii_address_goes_the_way_of_build_message(registry):
    """(Which refuses it, as before: no SMTPUTF8 mail.)"""
    args = (Person("Zo\u00eb", "zo\u00eb@example.test"), "Hi", TEMPLATE,
            {"change": {}, "actor": "ada"}, "http://x.test/u")
    with mail_request(registry) as request:
        with pytest.raises(UnicodeEncodeError):
            build_message(request, *args, message_id="<e.u@x.test>")
        with pytest.raises(UnicodeEncodeError):
            compose(request, *args, message_id="<e.u@x.test>")


def test_the_body_is_encoded_as_set_content_encodes_it():
    assert encoded_body("short\n") == ("7bit", b"short\r\n")
    assert encoded_body("d\u00e9j\u00e0\n")[0] == "8bit"
    encoding, body = encoded_body("x" * 200 + "\n")
    assert encoding == "quoted-printable" and all(
        len(line) <= 78 for line in body.split(b"\r\n"))


def test_a_composed_mail_goes_over_smtp(registry, smtp_server):
    mailer = Mailer(smtp_server.host, smtp_server.port, sender=SENDER)
    with mail_request(registry) as request:
        composed = compose(request, Person("Mem"), "Hello", TEMPLATE,
                           {"change": {"title": "T", "what": "w", "url": "u", "text": ".x"},
                            "actor": "ada"}, "http://x.test/u", message_id="<e.u@x.test>")
    with mailer.connection() as smtp:
        smtp.send(composed)
    [received] = smtp_server.messages
    assert received["Subject"] == "Hello" and received["From"] == SENDER
    assert ".x" in received.get_content()


def test_a_body_shared_by_a_change_s_readers_reads_as_each_one_s_own(registry):
    """``SharedBodies`` renders the change once per kind of reader and puts
    each reader's name, unsubscribe link and reply address in: the text each
    one gets is the text rendered for them alone."""
    values = {"change": {"title": "T", "what": "new comment", "url": "http://x.test/t",
                         "text": "quoting \x00 and {{ user.username }}", "kind": "artifact"},
              "actor": "ada"}
    readers = [(Person("Ann"), "http://x.test/u?token=a", "reply+a@m.test"),
               (Person("Bob"), "http://x.test/u?token=b", None),
               (Person("Cy"), "http://x.test/u?token=c", "reply+c@m.test")]
    readers[1][0].username = "bob"
    readers[2][0].username = "cy"
    with mail_request(registry) as request:
        bodies = SharedBodies(request, TEMPLATE, values)
        for user, unsubscribe, reply_to in readers:
            alone = compose(request, user, "S", TEMPLATE, values, unsubscribe,
                            message_id="<e.%s@x.test>" % user.username, reply_to=reply_to)
            shared = compose(request, user, "S", TEMPLATE, values, unsubscribe,
                             message_id="<e.%s@x.test>" % user.username, reply_to=reply_to,
                             bodies=bodies)
            assert shared.body == alone.body
            text = email.message_from_bytes(shared.as_bytes(SENDER),
                                            policy=policy.default).get_content()
            assert unsubscribe in text
            assert ("comment as %s" % user.username in text) == bool(reply_to)


def test_the_unsubscribe_link_is_the_one_forge_url_builds(registry):
    """(Its base is built once per request, the token's query added to it.)"""
    from forge.notifications.messages import unsubscribe_url
    from forge.notifications.tokens import make_token
    with mail_request(registry) as request:
        for user_id, target in (("u1", "w:n1"), ("u2", "all"), ("u1", "w:n1")):
            token = make_token(registry.settings["forge.secret"], user_id, target)
            assert unsubscribe_url(request, user_id, target) == request.forge_url(
                request.root, "@@unsubscribe", query={"token": token})
