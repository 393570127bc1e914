"""Mail in: replies to notifications become comments, mail to a tool address
becomes a new artifact, through the same auditors and actions as the web.

* ``addresses``: ``reply+TOKEN@DOMAIN`` (signed per user and artifact, the
  Reply-To of every notification) and ``MOUNT.PROJECT@DOMAIN`` (a tool);
* ``parsing``: the standard library's ``email`` (``policy.default``, parsed
  headers kept for the next reads), text preferred, HTML made text by
  ``html_text``, quotes and signatures cut by ``mailparser_reply``, automatic
  mail recognised;
* ``receive``: recipient checks (``RCPT TO``) and the ``mail.received`` unit
  of work that applies a message;
* ``handlers``: ``config.add_mail_handler(tool, handler)``, and the generic
  ``new_artifact_by_mail`` for declared artifact types;
* ``server``: aiosmtpd (SMTP or LMTP) on ``forge.mail_in.listen``, run by
  ``forge mail-in`` or, when that setting is set, by ``forge serve``;
* ``recipients``: what an address names, checked at ``RCPT TO`` and again
  at ``DATA``;
* ``policy``: a tool's mail policy (verified, moderated, refused), and
  ``held``: the messages a moderated tool keeps for a moderator;
* ``views``: ``@@mail-in`` of a tool (its addresses, policy, held messages),
  and ``request.mail_address(node)`` for pages that show an address;
* ``model``: ``InboundMail`` records and the raw messages in GridFS, and
  ``pruning``: deleting them after ``forge.mail_in.keep_days``.

Settings: ``forge.mail_in.*`` (``forge.mail_in.settings``); with no
``forge.mail_in.domain`` the forge takes no mail and notifications carry no
Reply-To.
"""
from .request_address import mail_address
from .settings import parse_mail_in_settings


def includeme(config):
    from . import model  # noqa: F401  (mapped before indexes are made)
    parse_mail_in_settings(config.registry.settings)
    config.include(".handlers")
    config.add_request_method(mail_address, "mail_address")
    config.scan(".views")
