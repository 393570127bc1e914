"""Signed webhooks: project and tool admins register a URL, topic patterns and
a secret; the ``forge.webhooks`` reactor POSTs each matching event the hook's
owner may read (see ``forge.webhooks.reactor``), with retries, dead letters
and a delivery log per hook (``@@webhooks`` and ``@@webhook?id=`` on a project
or a tool)."""
from .reactor import REACTOR_NAME, deliver
from .settings import webhook_settings


def includeme(config):
    config.registry.forge_webhook_settings = webhook_settings(config.registry.settings)
    # idempotent: each delivery's own state (delivered, dead) says what to skip,
    # and a redelivery must reach the reactor again
    config.add_reactor("#", deliver, name=REACTOR_NAME, idempotent=True)
    config.scan(".views")
