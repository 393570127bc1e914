"""Batch delivery: a reactor that takes its events a batch at a time.

A reactor whose work has a fixed cost per call (a search index commit, a
connection, a query that can cover many events) may declare that it takes
events in batches.  The worker then gathers what its queue already holds
(up to ``max_events``) and, while the queue is busy, waits a little after the
first message for more to come (``forge.bus.fetches.BatchWindow``: nothing
after a quiet second, growing with the messages of the last second up to
``forge.bus.batch_window_seconds`` or ``max_seconds``, whichever is longer),
and calls the reactor once with all of them::

    from forge.bus.batches import Batching

    def index_events(events, context):
        with index.writing() as batch:  # one commit for them all
            for event in events:
                ...

    config.add_reactor("#", index_events, name="search", batch=Batching(100, 0.02))

or, declared on the function (``add_reactor`` takes it from there when its
``batch`` argument is not given)::

    @takes_batches(max_events=100, max_seconds=0.02)
    def index_events(events, context): ...

``events`` is a tuple of read-only events (``freeze``) in queue order, and
``context`` one ``ReactorContext`` for the call (``attempt`` 1; ``first_copy``
when every event of the batch is a first copy).  A batch reactor is *always*
called with a tuple, also with a single event.

What the worker promises, and what it asks of the reactor:

* Only first attempts are gathered.  An event already processed (a second
  copy) is skipped as for any reactor, and a retried event (attempt 2 and
  later) is handed over alone, as a batch of one.
* After the call returns, the worker flushes the session, records every
  event of the batch as processed in one write (unless the reactor is
  ``idempotent``) and acks them all (one ``basic.ack``).
* When the call raises, the worker throws away the session's unflushed
  changes and hands the batch's events over one at a time (each as a batch
  of one): the events that work are applied, recorded and acked; the one
  that fails is retried and dead-lettered alone, as for any reactor.  Those
  runs are never called a first copy (``context.first_copy`` False): the
  failed call may have done part of their work outside the session (a mail
  sent), so a reactor that skips its own markers' read on a first copy reads
  them there.  So the
  reactor's call must be **all or nothing** (write nothing outside the
  session that stays when it raises: the search index's writer rolls back),
  or ``idempotent``; otherwise an event applied before the failure would be
  applied again.
"""
from dataclasses import dataclass

DECLARED = "forge_reactor_batching"      # the attribute takes_batches sets


@dataclass(frozen=True)
class Batching:
    """How a reactor's batches are gathered: at most ``max_events`` events;
    ``max_seconds``: the longest wait after the first message for the rest,
    when longer than ``forge.bus.batch_window_seconds`` (reached only while
    the queue is busy: ``forge.bus.fetches.BatchWindow``)."""

    max_events: int = 100
    max_seconds: float = 0.02

    def __post_init__(self):
        if isinstance(self.max_events, bool) or not isinstance(self.max_events, int) \
                or self.max_events < 1:
            raise ValueError("max_events must be a positive integer, not %r"
                             % (self.max_events,))
        if not isinstance(self.max_seconds, (int, float)) or not 0 <= self.max_seconds <= 10:
            raise ValueError("max_seconds must be between 0 and 10, not %r"
                             % (self.max_seconds,))

    @classmethod
    def of(cls, value):
        """A ``Batching`` from itself or a number of events."""
        if isinstance(value, cls):
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            return cls(max_events=value)
        raise TypeError("batch must be a Batching or a number of events, not %r" % (value,))


def takes_batches(max_events=100, max_seconds=0.02):
    """Declare on a reactor function that it takes ``(events, context)``."""
    batching = Batching(max_events, max_seconds)

    def declare(fn):
        setattr(fn, DECLARED, batching)
        return fn
    return declare


def declared_batching(fn):
    """What ``fn`` declared with ``takes_batches`` (None: one event at a time)."""
    return getattr(fn, DECLARED, None)


def split_into_batches(items, batching, can_join):
    """``items`` in order, as runs to hand over together: consecutive items
    for which ``can_join(item, run)`` holds, at most ``max_events`` a run;
    any other item is a run of its own."""
    runs, run = [], []
    for item in items:
        if can_join(item, run) and len(run) < batching.max_events:
            run.append(item)
            continue
        if run:
            runs.append(run)
        if can_join(item, []):
            run = [item]
        else:
            runs.append([item])
            run = []
    if run:
        runs.append(run)
    return runs
