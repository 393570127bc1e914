"""The per-sender limit of mail in (``forge.rate_limits.LeasedLimit``): the
shared counter is leased a few counts at a time, and never more than the
limit is allowed per window, in one process or across several."""
from forge.model.throttle import current_count
from forge.rate_limits import LeasedLimit


def allowed(limit, key, count, now, max_limit=24, window=60):
    return [limit.take(key, max_limit, window, now) == 0 for _ in range(count)]


def test_one_process_allows_the_limit_then_says_how_long_to_wait(registry):
    limit, now = LeasedLimit(), 1000.0
    assert allowed(limit, "mail_in:a@x", 24, now) == [True] * 24
    assert limit.take("mail_in:a@x", 24, 60, now + 10) == 50
    assert current_count("mail_in:a@x", now + 10) == 24
    # another sender is not held back; a new window counts afresh
    assert allowed(limit, "mail_in:b@x", 1, now + 10) == [True]
    assert allowed(limit, "mail_in:a@x", 1, now + 61) == [True]


def test_leases_grow_while_a_sender_keeps_writing(registry):
    limit, now = LeasedLimit(), 1000.0
    assert allowed(limit, "mail_in:a@x", 1, now) == [True]
    assert current_count("mail_in:a@x", now) == 1          # a one-off sender leases one
    allowed(limit, "mail_in:a@x", 2, now)
    assert current_count("mail_in:a@x", now) == 3          # then two at once
    allowed(limit, "mail_in:a@x", 1, now)
    assert current_count("mail_in:a@x", now) == 3 + 3      # then three (an eighth of 24)


def test_processes_together_never_pass_the_limit(registry):
    # each process leases from the one shared counter: what one leased and has
    # not used counts as used for the others
    first, second, now = LeasedLimit(), LeasedLimit(), 1000.0
    answers = []
    for _ in range(20):
        answers += allowed(first, "mail_in:a@x", 1, now)
        answers += allowed(second, "mail_in:a@x", 1, now)
    assert answers.count(True) <= 24
    assert answers.count(True) >= 24 - 2 * LeasedLimit.MAX_LEASE
    assert current_count("mail_in:a@x", now) == 24
    assert not any(allowed(LeasedLimit(), "mail_in:a@x", 1, now))      # a third process


def test_a_small_limit_is_leased_one_by_one(registry):
    first, second, now = LeasedLimit(), LeasedLimit(), 1000.0
    answers = []
    for _ in range(4):
        answers += allowed(first, "mail_in:a@x", 1, now, max_limit=4)
        answers += allowed(second, "mail_in:a@x", 1, now, max_limit=4)
    assert answers == [True] * 4 + [False] * 4
