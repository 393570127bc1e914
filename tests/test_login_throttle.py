"""Sign-in throttling (``forge.actions.sign_in``): per (account, network), per
network, and a slowdown per account that never locks the owner out."""
import time

import pytest

from forge.actions import users
from forge.model.session import collection
from forge.model.throttle import ThrottleCounter, current_count, give_back, take
from forge.testing import PASSWORD, forge_test_settings

from .test_auth import login, signed_in_as

A = {"REMOTE_ADDR": "203.0.113.9"}          # the attacker
B = {"REMOTE_ADDR": "198.51.100.7"}         # the owner, somewhere else


def guesses(browser, name, count, environ, status=400):
    return [login(browser, name, "wrong password", status=status, environ=environ)
            for _ in range(count)]


def test_the_pair_locks_after_max_failures_even_for_the_right_password(forge_browser,
                                                                        make_user):
    make_user("ada")
    guesses(forge_browser, "ada", 5, A)
    page = login(forge_browser, "ada", PASSWORD, status=429, environ=A)
    assert "Too many failed sign-in attempts. Try again in" in page.text
    assert 1 <= int(page.headers["Retry-After"]) <= 61
    assert signed_in_as(forge_browser) is None


def test_an_attacker_at_one_address_cannot_lock_out_the_owner_at_another(forge_browser,
                                                                         make_user):
    make_user("ada")
    guesses(forge_browser, "ada", 5, A)
    guesses(forge_browser, "ada", 3, A, status=429)
    login(forge_browser, "ada", environ=B)
    assert signed_in_as(forge_browser) == "ada"


def test_unknown_names_get_the_same_answers_as_known_ones(forge_browser, make_user):
    make_user("ada")
    known = guesses(forge_browser, "ada", 5, A) + guesses(forge_browser, "ada", 1, A, 429)
    unknown = guesses(forge_browser, "nobody", 5, B) + guesses(forge_browser, "nobody", 1, B,
                                                               429)
    for ada_page, nobody_page in zip(known, unknown):
        assert ada_page.status_int == nobody_page.status_int
        assert ada_page.headers.get("Retry-After") == nobody_page.headers.get("Retry-After")
        message = ada_page.html.find(id="login-error")
        assert message is not None
        assert message.text == nobody_page.html.find(id="login-error").text


def test_unknown_names_cost_an_argon2_verification_like_known_ones(forge_browser, make_user,
                                                                   monkeypatch):
    make_user("ada")
    calls = []
    real = users.hasher

    class CountingHasher:
        def __getattr__(self, name):
            return getattr(real, name)

        def verify(self, *args):
            calls.append("verify")
            return real.verify(*args)

    monkeypatch.setattr(users, "hasher", CountingHasher())
    login(forge_browser, "ada", "wrong password", status=400)
    login(forge_browser, "nobody", "wrong password", status=400)
    assert calls == ["verify", "verify"]


def test_success_clears_the_pairs_failures(forge_browser, make_user):
    make_user("ada")
    guesses(forge_browser, "ada", 4, A)
    login(forge_browser, "ada", environ=A)
    forge_browser.logout()
    guesses(forge_browser, "ada", 4, A)
    login(forge_browser, "ada", environ=A)


def test_the_lock_ends_with_its_window(forge_browser, make_user):
    make_user("ada")
    guesses(forge_browser, "ada", 5, A)
    login(forge_browser, "ada", status=429, environ=A)
    collection(ThrottleCounter, bump=False).update_many(
        {}, {"$set": {"expires": time.time() - 1}})
    login(forge_browser, "ada", environ=A)


class TestAddressThrottle:
    @pytest.fixture
    def forge_settings(self):
        return forge_test_settings(**{"forge.login.address_max_failures": "3"})

    def test_one_address_spraying_accounts_is_refused(self, forge_browser, make_user):
        make_user("ada")
        make_user("bob")
        for name in ("ada", "bob", "nobody"):
            login(forge_browser, name, "guess", status=400, environ=A)
        page = login(forge_browser, "bob", PASSWORD, status=429, environ=A)
        assert "Too many failed sign-in attempts" in page.text
        assert int(page.headers["Retry-After"]) > 0
        # the accounts themselves are not locked: another client signs in
        login(forge_browser, "bob", environ=B)

    def test_successes_do_not_use_up_the_address(self, forge_browser, make_user):
        make_user("ada")
        for _ in range(5):
            login(forge_browser, "ada", environ=A)
            forge_browser.logout()

    def test_ipv6_counts_per_64(self, forge_browser, make_user):
        make_user("ada")
        for host in ("1", "2", "3"):
            login(forge_browser, "ada", "guess", status=400,
                  environ={"REMOTE_ADDR": "2001:db8:1:2::%s" % host})
        login(forge_browser, "ada", status=429, environ={"REMOTE_ADDR": "2001:db8:1:2::ff"})
        login(forge_browser, "ada", environ={"REMOTE_ADDR": "2001:db8:1:3::1"})


class TestAccountUnderAttack:
    @pytest.fixture
    def forge_settings(self):
        return forge_test_settings(**{"forge.login.account_max_failures": "3"})

    def test_many_addresses_get_one_try_each_and_the_owner_still_gets_in(self, forge_browser,
                                                                        make_user):
        make_user("ada")
        bots = [{"REMOTE_ADDR": "192.0.2.%d" % n} for n in range(1, 5)]
        for bot in bots[:3]:
            guesses(forge_browser, "ada", 1, bot)
        # the account is under attack: a network that failed at it waits ...
        guesses(forge_browser, "ada", 1, bots[0], status=429)
        # ... a new one gets a single try ...
        guesses(forge_browser, "ada", 1, bots[3])
        guesses(forge_browser, "ada", 1, bots[3], status=429)
        # ... and the owner, from a network that never failed, signs in
        login(forge_browser, "ada", environ=B)
        assert signed_in_as(forge_browser) == "ada"


def test_counters_take_up_to_the_limit_and_expire(registry):
    now = 1000.0
    assert [take("k", 2, 60, now) for _ in range(3)] == [0, 0, 60]
    give_back("k")
    assert current_count("k", now) == 1
    assert take("k", 2, 60, now + 1) == 0 and take("k", 2, 60, now + 1) == 59
    assert take("k", 2, 60, now + 61) == 0          # a new window
    assert current_count("k", now + 61) == 1


class TestSignupThrottle:
    @pytest.fixture
    def forge_settings(self):
        return forge_test_settings(**{"forge.signup.max_per_window": "3"})

    def test_sign_ups_are_counted_per_network(self, forge_browser, make_user):
        from .test_auth import signup
        make_user("ada")
        # refused attempts count like accepted ones
        for _ in range(3):
            signup(forge_browser, status=400, username="ada", extra_environ=A)
        page = signup(forge_browser, status=429, extra_environ=A)
        assert "Too many sign-ups from your network. Try again in" in page.text
        assert int(page.headers["Retry-After"]) > 3500
        signup(forge_browser, status=302, extra_environ=B)
