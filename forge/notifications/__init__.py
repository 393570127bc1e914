"""Notifications: watches, and e-mail to watchers of what changed.

* ``Watch`` a project, a tool or an artifact (``@@watch`` / ``@@unwatch`` on
  each; tools show the button with ``{% include "forge:templates/notifications/watch.jinja2" %}``).
* Each user picks "each change", "daily digest" or "none" (account page).
* The ``forge.notify`` reactor mails watchers (read-checked when sending)
  or queues the change for the digest; ``forge admin send-digests`` and a
  thread in ``forge worker`` send digests once per day.
* SMTP: ``registry.forge_mailer`` (``forge.mail.*`` settings).  A site
  without SMTP keeps the changes as in-app notifications instead
  (``forge.notifications.in_app``, ``/@@notifications``).
"""
from .mailer import Mailer

REACTOR_NAME = "forge.notify"


def includeme(config):
    from . import model  # noqa: F401  (mapped before indexes are made)
    from .digest import start_digest_thread
    from .reactor import notify
    from .in_app import unread_count
    from .views import add_watch_views, is_watching, mail_frequency, watcher_count
    registry = config.registry
    registry.forge_mailer = Mailer.from_settings(registry.settings)
    # periodic work `forge worker` starts beside the reactors (forge.cli.worker)
    registry.forge_worker_tasks = getattr(registry, "forge_worker_tasks", []) + [
        start_digest_thread]
    # idempotent: sent mail and digest items are keyed by (event, user)
    config.add_reactor("#", notify, name=REACTOR_NAME, idempotent=True)
    config.add_request_method(is_watching, "is_watching")
    config.add_request_method(watcher_count, "watcher_count")
    config.add_request_method(mail_frequency, "mail_frequency", reify=True)
    config.add_request_method(unread_count, "unread_notifications", reify=True)
    add_watch_views(config)
    config.scan(".views")
