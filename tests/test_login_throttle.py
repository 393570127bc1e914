"""Sign-in throttling: per account (stored) and per client network (in memory)."""
import pytest

from forge.actions.users import AddressThrottle
from forge.model import User, session
from forge.testing import PASSWORD, forge_test_settings

from .test_auth import fresh, login, signed_in_as


def test_account_locks_after_max_failures_even_for_right_password(forge_browser, make_user):
    make_user("ada")
    for _ in range(5):
        login(forge_browser, "ada", "wrong password", status=400)
    page = login(forge_browser, "ada", PASSWORD, status=429)
    assert "Too many failed sign-in attempts. Try again in" in page.text
    assert 1 <= int(page.headers["Retry-After"]) <= 61
    assert signed_in_as(forge_browser) is None


def test_success_resets_the_failure_count(forge_browser, make_user):
    make_user("ada")
    for _ in range(4):
        login(forge_browser, "ada", "wrong password", status=400)
    login(forge_browser, "ada")
    assert fresh(User, username="ada").failed_logins == 0
    forge_browser.logout()
    for _ in range(4):
        login(forge_browser, "ada", "wrong password", status=400)
    login(forge_browser, "ada")


def test_lockout_ends_after_lockout_seconds(forge_browser, make_user):
    make_user("ada")
    for _ in range(5):
        login(forge_browser, "ada", "wrong password", status=400)
    login(forge_browser, "ada", status=429)
    user = fresh(User, username="ada")
    user.last_failed_login = user.last_failed_login - 61
    session.flush()
    login(forge_browser, "ada")


class TestAddressThrottle:
    @pytest.fixture
    def forge_settings(self):
        return forge_test_settings(**{"forge.login.address_max_failures": "3"})

    def test_one_address_spraying_accounts_is_refused(self, forge_browser, make_user):
        make_user("ada")
        make_user("bob")
        attacker = {"REMOTE_ADDR": "203.0.113.9"}
        for name in ("ada", "bob", "nobody"):
            login(forge_browser, name, "guess", status=400, environ=attacker)
        page = login(forge_browser, "bob", PASSWORD, status=429, environ=attacker)
        assert "Too many failed sign-in attempts" in page.text
        assert int(page.headers["Retry-After"]) > 0
        # the accounts themselves are not locked: another client signs in
        login(forge_browser, "bob", environ={"REMOTE_ADDR": "198.51.100.7"})

    def test_ipv6_counts_per_64(self, forge_browser, make_user):
        make_user("ada")
        for host in ("1", "2", "3"):
            login(forge_browser, "ada", "guess", status=400,
                  environ={"REMOTE_ADDR": "2001:db8:1:2::%s" % host})
        login(forge_browser, "ada", status=429, environ={"REMOTE_ADDR": "2001:db8:1:2::ff"})
        login(forge_browser, "ada", environ={"REMOTE_ADDR": "2001:db8:1:3::1"})


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_address_throttle_window_slides():
    clock = FakeClock()
    throttle = AddressThrottle(max_failures=2, window=300, clock=clock)
    throttle.record_failure("192.0.2.1")
    clock.now += 100
    throttle.record_failure("192.0.2.1")
    assert throttle.retry_after("192.0.2.1") == 201
    assert throttle.retry_after("192.0.2.2") == 0
    clock.now += 201
    assert throttle.retry_after("192.0.2.1") == 0


def test_address_throttle_is_bounded_lru():
    clock = FakeClock()
    throttle = AddressThrottle(max_failures=1, window=300, max_tracked=2, clock=clock)
    for address in ("192.0.2.1", "192.0.2.2"):
        throttle.record_failure(address)
    throttle.record_failure("192.0.2.1")      # refreshed: now the most recent
    throttle.record_failure("192.0.2.3")      # evicts 192.0.2.2
    assert len(throttle) == 2
    assert throttle.retry_after("192.0.2.1") and throttle.retry_after("192.0.2.3")
    assert throttle.retry_after("192.0.2.2") == 0


def test_address_throttle_ignores_missing_address():
    throttle = AddressThrottle(max_failures=1)
    throttle.record_failure(None)
    assert throttle.retry_after(None) == 0 and len(throttle) == 0


