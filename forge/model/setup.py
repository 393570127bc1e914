"""Binding the datastore when the app is configured."""
from pyramid.events import ApplicationCreated

from .session import bind_datastore, ensure_indexes
from .site import ensure_site


def includeme(config):
    settings = config.registry.settings
    # every index is ensured at start (below): not again at each collection's first use
    bind_datastore(settings["ming.main.uri"], settings["ming.main.database"],
                   auto_ensure_indexes=not settings["forge.ensure_indexes"])

    if settings["forge.ensure_indexes"]:
        def on_created(event):
            ensure_indexes(settings["forge.db.equality_indexes"])
            ensure_site()
        config.add_subscriber(on_created, ApplicationCreated)
