"""The state of the bus in one place: per-reactor counters, queue depths and the
outbox backlog (for ``forge admin bus-status`` and the ``@@bus`` admin page)."""
from dataclasses import dataclass, field

from ..model.outbox import OutboxEvent
from ..model.session import collection
from .dead_letters import queue_depths
from .processed import COUNTERS, read_stats


@dataclass
class ReactorStatus:
    name: str
    topic: str
    counters: dict
    lag_seconds: float = None
    queues: dict = field(default_factory=dict)


@dataclass
class BusStatus:
    reactors: list
    unsent: int
    broker_error: str = None


def bus_status(registry):
    stats = read_stats()
    try:
        depths, broker_error = queue_depths(registry), None
    except Exception as error:          # counters are still worth showing
        depths, broker_error = {}, str(error) or type(error).__name__
    reactors = registry.forge_reactors
    rows = []
    for name in sorted(set(stats) | set(depths) | set(reactors)):
        counters = stats.get(name, {})
        reactor = reactors.get(name)
        rows.append(ReactorStatus(
            name=name, topic=reactor.topic if reactor else "(not registered here)",
            counters={k: int(counters.get(k, 0)) for k in COUNTERS},
            lag_seconds=counters.get("lag_seconds"), queues=depths.get(name, {})))
    unsent = len(list(collection(OutboxEvent).find({"sent": False}, {"_id": 1})))
    return BusStatus(reactors=rows, unsent=unsent, broker_error=broker_error)
