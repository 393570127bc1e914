"""Sending mail over SMTP, configured by ``forge.mail.*``.

``registry.forge_mailer`` is a ``Mailer``; its ``send`` raises on any SMTP
failure, so the reactor that called it fails and the bus retries the event
(nothing is lost).  With no ``forge.mail.host`` the forge has no mail: the
mailer logs and drops messages (``enabled`` is False), and the notify reactor
does not even compose them.
"""
import email.policy
import email.utils
import functools
import logging
import re
import smtplib
import ssl

from pyramid.exceptions import ConfigurationError

log = logging.getLogger(__name__)

TLS_MODES = ("none", "starttls", "ssl")


@functools.lru_cache(maxsize=1024)
def parsed_header(name, value):
    """``value`` as the ``email`` package's header object for ``name``, parsed
    once: ``EmailMessage`` parses every string it is given (most of the CPU of
    a notification when many watchers get the same change), and takes a parsed
    value as it is.  Parsed values are immutable, so they are shared; CR and
    LF are refused as when a string is given."""
    return email.policy.default.header_store_parse(name, value)[1]


@functools.lru_cache(maxsize=16)
def envelope_sender(sender):
    """The address of ``forge.mail.from`` (``MAIL FROM``), as smtplib's
    ``send_message`` takes it from the From header."""
    return email.utils.getaddresses([sender])[0][1]


@functools.lru_cache(maxsize=4096)
def quoted_address(address):
    """``smtplib.quoteaddr(address)``, once per address: smtplib parses the
    envelope's sender and recipient again for every message (``parseaddr``:
    about a tenth of the CPU of a notification mail)."""
    return smtplib.quoteaddr(address)


class QuotingOnce:
    """``MAIL FROM`` and ``RCPT TO`` written as smtplib writes them, with the
    addresses quoted through ``quoted_address``; SMTPUTF8 goes smtplib's way."""

    def mail(self, sender, options=()):
        if any(option.lower() == "smtputf8" for option in options):
            return super().mail(sender, options)
        extra = " " + " ".join(options) if options and self.does_esmtp else ""
        self.putcmd("mail", "FROM:%s%s" % (quoted_address(sender), extra))
        return self.getreply()

    def rcpt(self, recip, options=()):
        extra = " " + " ".join(options) if options and self.does_esmtp else ""
        self.putcmd("rcpt", "TO:%s%s" % (quoted_address(recip), extra))
        return self.getreply()


class Pipelining:
    """``sendmail`` of one message to one recipient, to a server that offers
    PIPELINING (RFC 2920): MAIL, RCPT and DATA go in one write and their
    three replies are read together, then the content: two round trips a
    mail instead of four.  Each reply is checked as smtplib checks it, and
    raises the same errors; anything else (several recipients, options, a
    server without PIPELINING) goes smtplib's way."""

    def sendmail(self, from_addr, to_addrs, msg, mail_options=(), rcpt_options=()):
        self.ehlo_or_helo_if_needed()
        if isinstance(to_addrs, str):
            to_addrs = [to_addrs]
        if mail_options or rcpt_options or len(to_addrs) != 1 or not isinstance(msg, bytes) \
                or not self.does_esmtp or not self.has_extn("pipelining"):
            return super().sendmail(from_addr, to_addrs, msg, mail_options, rcpt_options)
        recipient = to_addrs[0]
        size = " size=%d" % len(msg) if self.has_extn("size") else ""
        self.send("mail FROM:%s%s\r\nrcpt TO:%s\r\ndata\r\n" % (
            quoted_address(from_addr), size, quoted_address(recipient)))
        mail_reply, rcpt_reply, data_reply = self.getreply(), self.getreply(), self.getreply()
        if data_reply[0] == 354 and (mail_reply[0] != 250 or rcpt_reply[0] not in (250, 251)):
            # the server took DATA although it refused the envelope: an empty
            # message ends it (RFC 2920), which it refuses for want of recipients
            self.send(b".\r\n")
            data_reply = self.getreply()
        if mail_reply[0] != 250:
            self._refused(mail_reply[0])
            raise smtplib.SMTPSenderRefused(mail_reply[0], mail_reply[1], from_addr)
        if rcpt_reply[0] not in (250, 251):
            self._refused(rcpt_reply[0])
            raise smtplib.SMTPRecipientsRefused({recipient: rcpt_reply})
        if data_reply[0] != 354:
            self._refused(data_reply[0])
            raise smtplib.SMTPDataError(*data_reply)
        content = LEADING_DOT.sub(b"..", msg)
        if not content.endswith(b"\r\n"):
            content += b"\r\n"
        self.send(content + b".\r\n")
        code, reply = self.getreply()
        if code != 250:
            self._refused(code)
            raise smtplib.SMTPDataError(code, reply)
        return {}

    def _refused(self, code):
        """As smtplib after a refusal: 421 closes the session, others reset it."""
        if code == 421:
            self.close()
        else:
            self._rset()


LEADING_DOT = re.compile(br"(?m)^\.")


class SMTP(Pipelining, QuotingOnce, smtplib.SMTP):
    pass


class SMTP_SSL(Pipelining, QuotingOnce, smtplib.SMTP_SSL):
    pass


class Mailer:
    def __init__(self, host, port=25, tls="none", username="", password="",
                 sender="forge@localhost", timeout=30.0):
        if tls not in TLS_MODES:
            raise ConfigurationError("forge.mail.tls must be one of %s, not %r"
                                     % ("|".join(TLS_MODES), tls))
        self.host, self.port, self.tls = host, int(port), tls
        self.username, self.password = username, password
        self.sender = sender
        self.timeout = timeout

    @classmethod
    def from_settings(cls, settings):
        return cls(settings["forge.mail.host"], settings["forge.mail.port"],
                   settings["forge.mail.tls"], settings["forge.mail.username"],
                   settings["forge.mail.password"], settings["forge.mail.from"])

    @property
    def enabled(self):
        return bool(self.host)

    def send(self, message):
        """Send one ``email.message.EmailMessage`` (its From is set here)."""
        with self.connection() as connection:
            connection.send(message)

    def connection(self):
        """A ``MailConnection`` (a context manager) that sends several messages
        over one SMTP connection, opened at the first of them::

            with mailer.connection() as smtp:
                for message in messages:
                    smtp.send(message)
        """
        return MailConnection(self)

    def _open(self):
        smtp = self._connect()
        try:
            if self.username:
                smtp.login(self.username, self.password)
        except BaseException:
            smtp.close()
            raise
        return smtp

    def _connect(self):
        if self.tls == "ssl":
            return SMTP_SSL(self.host, self.port, timeout=self.timeout,
                            context=ssl.create_default_context())
        smtp = SMTP(self.host, self.port, timeout=self.timeout)
        if self.tls == "starttls":
            smtp.starttls(context=ssl.create_default_context())
        return smtp


class MailConnection:
    """Messages sent through one SMTP session (see ``Mailer.connection``): the
    connect, greeting and login once, not per message.  A failure raises and
    closes the session (the next ``send`` opens another)."""

    def __init__(self, mailer):
        self.mailer = mailer
        self._smtp = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def send(self, message):
        """Send an ``EmailMessage`` (its From is set here), or a message
        written as bytes (``forge.notifications.composed.ComposedMail``)."""
        mailer = self.mailer
        composed = hasattr(message, "as_bytes") and hasattr(message, "to_address")
        if not composed and "From" not in message:
            message["From"] = parsed_header("From", mailer.sender)
        if not mailer.enabled:
            log.info("mail not sent (no forge.mail.host): to=%s subject=%r",
                     message["To"], message["Subject"])
            return
        if self._smtp is None:
            self._smtp = mailer._open()
        try:
            if composed:
                self._smtp.sendmail(envelope_sender(mailer.sender), [message.to_address],
                                    message.as_bytes(mailer.sender))
            else:
                self._smtp.send_message(message)
        except BaseException:
            self.close()
            raise

    def close(self):
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()
