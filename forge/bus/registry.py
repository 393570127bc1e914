"""``config.add_auditor`` and ``config.add_reactor``: who hears of which topics.

Both are real Pyramid directives (``config.action`` with a discriminator, and
introspectable under "forge auditors" / "forge reactors")::

    def includeme(config):
        config.add_auditor("notes.note.*", no_shouting, priority=50)
        config.add_reactor("notes.note.created", mail_watchers, name="notes.mail")

* An **auditor** runs synchronously, inside the action, before anything is
  saved (see ``forge.bus.auditing``).  Its discriminator is
  ``("forge.auditor", name, topic)``; the name defaults to the function's
  dotted name, so registering one function twice for one topic conflicts.
* A **reactor** runs after the change is saved, in a worker fed by the message
  bus, and is called as ``fn(event, context)`` with ``event`` a read-only view
  of the message (``freeze``).  Its name is required and unique (it names the
  reactor's queue and its record of processed events): the discriminator is
  ``("forge.reactor", name)``, so two reactors with one name are a
  ``ConfigurationConflictError``.

A reactor may take its events in **batches** (``forge.bus.batches``): it is
then called as ``fn(events, context)`` with a tuple of events, once for what
the worker has fetched (up to ``max_events``, waiting up to ``max_seconds``
for more to come), instead of once per event::

    config.add_reactor("#", index_events, name="search", batch=Batching(100))

Auditor order is deterministic: by ``priority`` (lower first, default 100),
then by name, then by topic pattern.  Registration order never matters, so
the order does not change when tools are loaded in another order.
"""
import re
import types
from dataclasses import dataclass

from pyramid.exceptions import ConfigurationError

from .batches import Batching, declared_batching
from .topics import matches, validate_pattern

DEFAULT_PRIORITY = 100
REACTOR_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,99}$")


@dataclass(frozen=True)
class Auditor:
    name: str
    topic: str          # a pattern: ``*`` one word, ``#`` zero or more
    fn: object          # fn(change)
    priority: int = DEFAULT_PRIORITY

    @property
    def sort_key(self):
        return (self.priority, self.name, self.topic)


@dataclass(frozen=True)
class Reactor:
    name: str
    topic: str          # a pattern, also the AMQP binding key of its queue
    fn: object          # fn(event, context)
    # the reactor makes a second run on one event harmless itself (it keys what
    # it writes by the event id, or writes what the database holds now), so the
    # worker keeps no processed markers for it: no query, no insert per event
    idempotent: bool = False
    # None: ``fn(event, context)``; else ``fn(events, context)`` with a tuple
    # of events gathered as this says (``forge.bus.batches``)
    batch: Batching = None


def dotted_name(fn):
    """``package.module.function`` (or ``...Class.method``) of a callable."""
    qualname = getattr(fn, "__qualname__", None) or type(fn).__qualname__
    module = getattr(fn, "__module__", None) or type(fn).__module__
    return "%s.%s" % (module, qualname)


def add_auditor(config, topic, fn, priority=DEFAULT_PRIORITY, name=None):
    """Run ``fn(change)`` before every change whose topic matches ``topic``.

    The auditor may modify ``change.new`` in place or raise
    ``forge.bus.auditing.Rejected``; nothing is saved when it raises.
    ``fn`` may be a dotted name.  Lower ``priority`` runs first; equal
    priorities run in name order.
    """
    validate_pattern(topic)
    fn = config.maybe_dotted(fn)
    if not callable(fn):
        raise ConfigurationError("auditor for %r is not callable: %r" % (topic, fn))
    if isinstance(priority, bool) or not isinstance(priority, int):
        raise ConfigurationError("auditor priority must be an integer, got %r" % (priority,))
    auditor = Auditor(name=name or dotted_name(fn), topic=topic, fn=fn, priority=priority)

    def register():
        auditors = config.registry.forge_auditors
        auditors.append(auditor)
        auditors.sort(key=lambda a: a.sort_key)

    intr = config.introspectable("forge auditors", (auditor.name, topic),
                                 "%s on %s" % (auditor.name, topic), "forge auditor")
    intr["auditor"] = auditor
    config.action(("forge.auditor", auditor.name, topic), register, introspectables=(intr,))


def add_reactor(config, topic, fn, name, idempotent=False, batch=None):
    """Call ``fn(event, context)`` in a worker after each saved change whose
    topic matches ``topic``.  ``name`` is required, unique, and names the
    reactor's queue (letters, digits, ``_ . -``; at most 100 characters).

    Delivery is at least once; the worker records which events a reactor
    processed and skips a second copy.  ``idempotent=True`` says the reactor
    makes a second run harmless itself (it writes documents keyed by the event
    id, or recomputes from what the database holds now): the worker then keeps
    no markers for it, which saves a query and an insert per event.

    ``batch`` (a ``Batching``, or a number of events; default: what ``fn``
    declares with ``forge.bus.batches.takes_batches``, else none) makes the
    worker call ``fn(events, context)`` with a tuple of events at a time; see
    ``forge.bus.batches`` for what such a reactor must promise."""
    validate_pattern(topic)
    if not isinstance(name, str) or not REACTOR_NAME.match(name):
        raise ConfigurationError(
            "reactor name %r: use 1-100 letters, digits, '_', '.' or '-'" % (name,))
    fn = config.maybe_dotted(fn)
    if not callable(fn):
        raise ConfigurationError("reactor %r is not callable: %r" % (name, fn))
    try:
        batch = Batching.of(batch) if batch is not None else declared_batching(fn)
    except (TypeError, ValueError) as error:
        raise ConfigurationError("reactor %r: %s" % (name, error))
    reactor = Reactor(name=name, topic=topic, fn=fn, idempotent=bool(idempotent), batch=batch)

    def register():
        config.registry.forge_reactors[name] = reactor

    intr = config.introspectable("forge reactors", name, "%s on %s" % (name, topic),
                                 "forge reactor")
    intr["reactor"] = reactor
    config.action(("forge.reactor", name), register, introspectables=(intr,))


def auditors_for(registry, topic):
    """The auditors whose pattern matches ``topic``: by priority, then name."""
    return [a for a in getattr(registry, "forge_auditors", ()) if matches(a.topic, topic)]


def reactors_for(registry, topic):
    """The reactors whose pattern matches ``topic``, in name order."""
    reactors = getattr(registry, "forge_reactors", {})
    return [reactors[name] for name in sorted(reactors) if matches(reactors[name].topic, topic)]


def freeze(message):
    """A deep read-only copy of a message: dicts become ``MappingProxyType``
    over new dicts, lists and tuples become tuples, sets frozensets.

    Workers hand this to reactors, so a reactor cannot change the event that
    the next reactor (or a retry) sees: ``event["topic"] = "x"`` raises
    TypeError, and so does assigning into a nested list.
    """
    if isinstance(message, (dict, types.MappingProxyType)):
        return types.MappingProxyType({key: freeze(value) for key, value in message.items()})
    if isinstance(message, (list, tuple)):
        return tuple(freeze(value) for value in message)
    if isinstance(message, (set, frozenset)):
        return frozenset(freeze(value) for value in message)
    return message


def includeme(config):
    registry = config.registry
    if not hasattr(registry, "forge_auditors"):
        registry.forge_auditors = []
    if not hasattr(registry, "forge_reactors"):
        registry.forge_reactors = {}
    config.add_directive("add_auditor", add_auditor, action_wrap=False)
    config.add_directive("add_reactor", add_reactor, action_wrap=False)
