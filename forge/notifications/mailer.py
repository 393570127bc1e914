"""Sending mail over SMTP, configured by ``forge.mail.*``.

``registry.forge_mailer`` is a ``Mailer``; its ``send`` raises on any SMTP
failure, so the reactor that called it fails and the bus retries the event
(nothing is lost).  With no ``forge.mail.host`` the forge has no mail: the
mailer logs and drops messages (``enabled`` is False), and the notify reactor
does not even compose them.
"""
import logging
import smtplib
import ssl

from pyramid.exceptions import ConfigurationError

log = logging.getLogger(__name__)

TLS_MODES = ("none", "starttls", "ssl")


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
        if "From" not in message:
            message["From"] = self.sender
        if not self.enabled:
            log.info("mail not sent (no forge.mail.host): to=%s subject=%r",
                     message["To"], message["Subject"])
            return
        with self._connect() as smtp:
            if self.username:
                smtp.login(self.username, self.password)
            smtp.send_message(message)

    def _connect(self):
        if self.tls == "ssl":
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                    context=ssl.create_default_context())
        smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        if self.tls == "starttls":
            smtp.starttls(context=ssl.create_default_context())
        return smtp
