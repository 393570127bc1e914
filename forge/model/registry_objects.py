"""One object per forge (per registry), made at first use.

A test's forge, an embedding host's and ``forge serve``'s each have their own
registry, so state that belongs to one forge (the generation store, the outbox
numbering hint, the bus statistics) hangs on the registry rather than in a
module global.  Several threads may ask first at once: the check is repeated
under a lock so exactly one object is made.  In ``forge.model`` because the
outbox needs it and ``forge.model`` imports nothing above it.
"""
import threading

_LOCK = threading.Lock()


def registry_object(registry, name, make):
    """``getattr(registry, name)``, set to ``make()`` the first time."""
    value = getattr(registry, name, None)
    if value is None:
        with _LOCK:
            value = getattr(registry, name, None)
            if value is None:
                value = make()
                setattr(registry, name, value)
    return value
