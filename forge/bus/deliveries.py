"""What a delivered message says about itself: its event's id, which attempt
it is (``x-forge-attempt``, set on retries), and whether it is the event's
first copy (``x-forge-first-copy``, set by the relay); and what a reactor is
handed with it (``ReactorContext``)."""
from dataclasses import dataclass

from . import amqp

ATTEMPT_HEADER = "x-forge-attempt"


def event_id(body, message):
    return message.properties.get("message_id") or body.get("id")


def attempt(message):
    return int((message.headers or {}).get(ATTEMPT_HEADER, 1))


def first_copy(message):
    """The message is the event's first publication, delivered for the first
    time, on its first attempt: no reactor can have processed the event yet.
    A relay's re-sent copy, a broker's redelivery, a retry and a replayed dead
    letter are not (replays and retries drop or keep the header, but a retry
    counts attempts and a replay is published without ``x-`` headers)."""
    headers = message.headers or {}
    return (bool(headers.get(amqp.FIRST_COPY_HEADER))
            and int(headers.get(ATTEMPT_HEADER, 1)) == 1
            and not (message.delivery_info or {}).get("redelivered"))


@dataclass(frozen=True)
class ReactorContext:
    """What a reactor gets besides the event."""

    registry: object
    settings: dict
    attempt: int          # 1 on first delivery
    # the event's first publication delivered the first time on its first
    # attempt (``first_copy`` above): no run of this reactor saw it before, so
    # there are no records of an earlier run to look for
    first_copy: bool = False
