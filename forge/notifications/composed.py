"""A notification's bytes written directly, for the mails of one change.

``build_message`` makes an ``email.message.EmailMessage``: every header value
is parsed when set and folded again when smtplib flattens the message, and
the body is encoded by the content manager; for a change mailed to many
watchers that was most of the notify reactor's CPU.  ``compose`` writes the
same message as bytes: each header folded by the ``email`` package itself
(``parsed_header(...).fold``), the values the mails of one change share
(Subject, Date, From, the thread's ids) folded once per process and value,
the per-reader ASCII tokens (Message-ID, Reply-To, List-Unsubscribe) as
``VerbatimHeader`` does; the body encoded as the content manager does (7bit,
8bit, or quoted-printable when a line is longer than 78 bytes).  Any parser
reads it as it read the ``EmailMessage``.  An address that is not ASCII
(SMTPUTF8) goes through ``build_message`` instead.
"""
import email.policy
import email.utils
import functools
import secrets
from email import quoprimime

from pyramid.renderers import render

from ..names import one_line
from .mailer import parsed_header
from .messages import VerbatimHeader, build_message

POLICY = email.policy.SMTP          # CRLF, lines of at most 78 characters


@functools.lru_cache(maxsize=4096)
def folded(name, value):
    """``Name: value`` and CRLF as the ``email`` package sends it (RFC 2047
    words for non-ASCII text, folded at 78), for a value many mails share."""
    return parsed_header(name, value).fold(policy=POLICY)


def token(name, value):
    """A one-token ASCII value (a message id, an address, ``<URL>``) as it is."""
    try:
        return VerbatimHeader(name, value).fold(policy=POLICY)
    except ValueError:
        return parsed_header(name, value).fold(policy=POLICY)


def encoded_body(text):
    """(Content-Transfer-Encoding, body bytes with CRLF) of a text/plain UTF-8
    body, chosen as ``EmailMessage.set_content`` chooses (never base64)."""
    lines = text.encode("utf-8").splitlines()
    if max((len(line) for line in lines), default=0) <= POLICY.max_line_length:
        body = b"\r\n".join(lines) + b"\r\n"
        return ("7bit" if body.isascii() else "8bit"), body
    body = quoprimime.body_encode((b"\n".join(lines) + b"\n").decode("latin-1"),
                                  POLICY.max_line_length)
    return "quoted-printable", body.replace("\n", "\r\n").encode("ascii")


class ComposedMail:
    """One message as bytes, for ``MailConnection.send`` (``sendmail``)."""

    def __init__(self, to_address, to_header, subject, head, body):
        self.to_address, self.to_header, self.subject = to_address, to_header, subject
        self.head, self.body = head, body

    def __getitem__(self, name):        # what the disabled mailer logs
        return {"to": self.to_header, "subject": self.subject}.get(name.lower())

    def __contains__(self, name):
        return name.lower() in ("to", "subject")

    def as_bytes(self, sender):
        return (folded("From", sender) + self.head).encode("ascii") + b"\r\n" + self.body


# the same subject for a change's readers, the same name for a reader's mails
one_line_once = functools.lru_cache(maxsize=4096)(one_line)


@functools.lru_cache(maxsize=4096)
def to_header_of(name, address):
    """The To header's value (``formataddr``), once per reader."""
    return email.utils.formataddr((one_line(name), address))


class ReaderStandIn:
    """The reader in a body rendered once for all the readers of a change:
    every attribute the template reads is a marker (with a nonce nobody can
    put in a change's text), replaced by each reader's own value."""

    def __init__(self, nonce):
        self._nonce, self._names = nonce, set()

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        self._names.add(name)
        return marker(self._nonce, name)


def marker(nonce, name):
    return "\x00%s.%s\x00" % (nonce, name)


class SharedBodies:
    """The bodies of one change's mails (one template, the same values):
    rendered once per kind of reader (with or without a Reply-To), each
    reader's text made by putting their own values in the markers.  For
    templates that print the reader's values as they are (no filter on
    ``user.*``, ``unsubscribe``, ``reply_to``): rendering the template per
    reader was about a fifth of the notify reactor's CPU per mail."""

    def __init__(self, request, template, values):
        self.request, self.template, self.values = request, template, values
        self.nonce = secrets.token_hex(8)
        self._rendered = {}      # has a reply_to -> (text with markers, user names read)

    def text_for(self, user, unsubscribe, reply_to):
        key = bool(reply_to)
        if key not in self._rendered:
            stand_in = ReaderStandIn(self.nonce)
            text = render(self.template, dict(
                self.values, user=stand_in, unsubscribe=marker(self.nonce, "~unsubscribe"),
                reply_to=marker(self.nonce, "~reply_to") if reply_to else None),
                request=self.request)
            self._rendered[key] = (text, sorted(stand_in._names))
        text, names = self._rendered[key]
        for name in names:
            text = text.replace(marker(self.nonce, name),
                                str(getattr(user, name)))
        text = text.replace(marker(self.nonce, "~unsubscribe"), unsubscribe)
        if reply_to:
            text = text.replace(marker(self.nonce, "~reply_to"), reply_to)
        if "\x00" + self.nonce in text:     # a marker a filter changed: render it whole
            return render(self.template, dict(self.values, user=user, unsubscribe=unsubscribe,
                                              reply_to=reply_to), request=self.request)
        return text


def compose(request, user, subject, template, values, unsubscribe, message_id,
            thread=None, reply_to=None, bodies=None):
    """What ``build_message`` makes (same arguments, ``message_id`` required),
    as a ``ComposedMail``; an ``EmailMessage`` for a non-ASCII address.
    ``bodies``: the change's ``SharedBodies`` (of this template and values)."""
    if not user.email.isascii() or (reply_to and not reply_to.isascii()):
        return build_message(request, user, subject, template, values, unsubscribe,
                             message_id=message_id, thread=thread, reply_to=reply_to)
    to_header = to_header_of(user.display_name or user.username, user.email)
    subject = one_line_once(subject)
    if bodies is not None:
        text = bodies.text_for(user, unsubscribe, reply_to)
    else:
        text = render(template, dict(values, user=user, unsubscribe=unsubscribe,
                                     reply_to=reply_to), request=request)
    encoding, body = encoded_body(text)
    head = [folded("To", to_header), folded("Subject", subject),
            folded("Date", email.utils.formatdate(localtime=False)),
            token("Message-ID", message_id)]
    if thread:
        head += [folded("In-Reply-To", thread), folded("References", thread)]
    if reply_to:
        head.append(token("Reply-To", reply_to))
    head += [folded("Auto-Submitted", "auto-generated"),
             token("List-Unsubscribe", "<%s>" % unsubscribe),
             folded("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
             "MIME-Version: 1.0\r\n", 'Content-Type: text/plain; charset="utf-8"\r\n',
             "Content-Transfer-Encoding: %s\r\n" % encoding]
    return ComposedMail(user.email, to_header, subject, "".join(head), body)
