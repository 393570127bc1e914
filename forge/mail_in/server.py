"""The inbound mail server: aiosmtpd, speaking SMTP or LMTP.

``MailInServer(registry).start()`` listens on ``forge.mail_in.listen`` in a
thread of its own (aiosmtpd's ``Controller``); ``stop()`` ends it.  The
event loop only talks; the database work of each ``RCPT TO`` and ``DATA``
runs on a small thread pool (``forge.mail_in.threads``), so one slow
message never stops the server answering others.

* ``RCPT TO``: an address we do not take mail for is a 550 at once (no
  bounce later); past ``forge.mail_in.max_recipients`` a 452 (the client
  sends the rest in another transaction).
* ``DATA``: past ``forge.mail_in.max_bytes`` aiosmtpd stops keeping the
  bytes while it reads on, then answers 552 (and a ``MAIL FROM`` that
  declares a larger ``SIZE=`` is refused at once).  The answer is the
  outcome of applying the message: in LMTP one line per recipient, in SMTP
  one for all (250 when any recipient took it, else the first refusal).
* Whatever fails inside is logged and answered 451: the server never dies of
  a message.

The server also prunes old ``InboundMail`` records and raw messages about
once an hour (``forge.mail_in.keep_days``, ``forge.mail_in.pruning``).
"""
import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP

from .pruning import PeriodicPrune
from .receive import Outcome, apply_message, check_recipient
from .settings import parse_listen

log = logging.getLogger(__name__)
TEMPORARY_FAILURE = "451 4.3.0 The forge could not take this message now; try again later."


class MailInHandler:
    """aiosmtpd's handler: each hook hands the database work to the pool."""

    def __init__(self, registry, executor, lmtp=False):
        self.registry = registry
        self.executor = executor
        self.lmtp = lmtp
        self.max_recipients = registry.settings["forge.mail_in.max_recipients"]

    async def _run(self, fn, *args):
        return await asyncio.get_running_loop().run_in_executor(self.executor, fn, *args)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if len(envelope.rcpt_tos) >= self.max_recipients:
            return "452 4.5.3 Too many recipients; send the rest in another message."
        # where each accepted address's artifact was found, walked first at DATA
        seen = envelope.__dict__.setdefault("forge_seen", {})
        outcome = await self._run(check_recipient, self.registry, address, envelope.mail_from,
                                  seen)
        if outcome.accepted:
            envelope.rcpt_tos.append(address)
            envelope.rcpt_options.extend(rcpt_options)
        return outcome.smtp()

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or b""
        outcomes = await self._run(apply_message, self.registry, raw, envelope.mail_from,
                                   list(envelope.rcpt_tos),
                                   envelope.__dict__.get("forge_seen"))
        if self.lmtp:
            return "\r\n".join(o.smtp() for o in outcomes)
        return combined(outcomes).smtp()

    async def handle_exception(self, error):
        log.exception("mail in: the SMTP session failed", exc_info=error)
        return TEMPORARY_FAILURE


def combined(outcomes):
    """One SMTP answer for several recipients: accepted if any took the message."""
    accepted = [o for o in outcomes if o.accepted]
    if accepted:
        return accepted[0]
    return outcomes[0] if outcomes else Outcome(554, "5.5.1 No valid recipients.")


class MailInController(Controller):
    """aiosmtpd's ``Controller`` serving SMTP, or LMTP with ``lmtp=True``."""

    def __init__(self, handler, lmtp=False, **kw):
        self.lmtp = lmtp
        super().__init__(handler, **kw)

    def factory(self):
        return (LMTP if self.lmtp else SMTP)(self.handler, **self.SMTP_kwargs)


class MailInServer:
    """The server of ``forge.mail_in.*`` (``listen=`` overrides the setting)."""

    def __init__(self, registry, listen=None, lmtp=None):
        settings = registry.settings
        self.host, self.port = parse_listen(listen or settings["forge.mail_in.listen"])
        self.lmtp = settings["forge.mail_in.lmtp"] if lmtp is None else lmtp
        self.executor = ThreadPoolExecutor(max_workers=settings["forge.mail_in.threads"],
                                           thread_name_prefix="forge-mail-in")
        handler = MailInHandler(registry, self.executor, self.lmtp)
        self.controller = MailInController(
            handler, lmtp=self.lmtp, hostname=self.host, port=self.port,
            server_hostname=settings["forge.mail_in.domain"] or None,
            data_size_limit=settings["forge.mail_in.max_bytes"],
            enable_SMTPUTF8=True, decode_data=False, ident="PyForge mail in")
        self.pruning = PeriodicPrune(settings["forge.mail_in.keep_days"])

    def start(self):
        self.controller.start()
        self.pruning.start()
        return self

    @property
    def address(self):
        return self.host, self.port

    def stop(self):
        try:
            self.pruning.stop()
            self.controller.stop()
        finally:
            self.executor.shutdown(wait=True)
