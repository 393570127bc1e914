"""The message bus: auditors before a change, reactors after it (after Roundup).

```
action -> auditors (sync, may modify or reject) -> flush (documents + outbox)
       -> relay publishes the outbox to the ``forge.events`` topic exchange
       -> one queue per reactor -> workers call the reactor, ack after success
```
"""
