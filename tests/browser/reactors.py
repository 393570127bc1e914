"""The live forge's reactors, run over one test's events only.

``forge.testing.deliver_to_reactors`` publishes the whole outbox again on each
call, for a database made for one test.  The live server's database lives as
long as the test process: the first call of a process delivered every event of
the tests before it (~20 s of reactors under ``make test``), and each later one
published them all again for the reactors to skip.  Here a test (or a module's
fixture) takes the outbox's highest number before it changes anything
(``outbox_mark``) and delivers what was written after it (``deliver_after``):
its own events, those the live server wrote for its pages, and those the
reactors emit in turn.
"""


def outbox_mark(registry):
    """The highest ``seq`` written to the outbox so far (by ``registry``'s
    forge: a lower mark when a module's own forge wrote to the same database,
    so the delivery takes more, never less).

    The forge's own number hint when it has one: on ``mim://`` reading the
    highest number sorts the whole outbox (~1.8 s at 5,000 records)."""
    from forge.model.outbox import highest_written
    from forge.model.session import session
    hint = getattr(registry, "forge_sequence_hint", None)
    if hint is not None and hint.last is not None:
        return hint.last
    mark = highest_written(floor=False)
    session.close()
    return mark


def deliver_after(registry, mark, max_rounds=20):
    """Run the registered reactors over the outbox records after ``mark``
    until idle: its own events, those the live server wrote for its pages,
    and those the reactors emit in turn (the queues are purged first of what
    the inline relay published, earlier tests' too); return how many
    messages they took."""
    from forge.testing import deliver_to_reactors
    return deliver_to_reactors(registry, max_rounds=max_rounds, after=mark)
