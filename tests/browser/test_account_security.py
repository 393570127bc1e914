"""Password reset by mail (through a real SMTP server) and two-factor sign-in,
in Chromium at desktop and phone widths (issue 16)."""
import re
import time
from urllib.parse import urlsplit

import pyotp
import pytest

from forge.notifications.mailer import Mailer
from forge.testing import PASSWORD, SmtpSink

from .conftest import login, shot

pytestmark = pytest.mark.browser

WIDTHS = [pytest.param(1280, id="desktop"), pytest.param(390, id="phone")]
LINK = re.compile(r"(\S+/@@reset-password\?token=\S+)")
NEW = "a brand new password"


@pytest.fixture
def mail_sink(live_registry):
    """The live forge mails a real SMTP server for this test."""
    sink = SmtpSink().start()
    kept = live_registry.forge_mailer
    live_registry.forge_mailer = Mailer(sink.host, sink.port, sender="forge@example.test")
    yield sink
    live_registry.forge_mailer = kept
    sink.stop()


def sized(page, width):
    page.set_viewport_size({"width": width, "height": 844 if width < 600 else 800})
    return page


def fits(page):
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def header(page):
    return page.locator("header.site-header")


def sign_in_with_form(page, username, password):
    page.goto("/@@login")
    page.get_by_label("Username", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    with page.expect_navigation():
        page.locator("#login-form").get_by_role("button", name="Sign in").click()


def reset_link(sink, address, wait=5.0):
    deadline = time.time() + wait
    while not sink.to(address) and time.time() < deadline:
        time.sleep(0.05)
    [message] = sink.to(address)
    url = urlsplit(LINK.search(message.get_body(("plain",)).get_content()).group(1))
    return "%s?%s" % (url.path, url.query)


@pytest.mark.parametrize("width", WIDTHS)
def test_a_forgotten_password_is_reset_through_the_mailed_link(page, seed, mail_sink, width):
    user = seed.user("forgetful")
    sized(page, width)
    page.goto("/@@login")
    with page.expect_navigation():
        page.get_by_role("link", name="Forgot your password?").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Forgot your password?"
    page.get_by_label("User name or e-mail address").fill(user.username)
    with page.expect_navigation():
        page.get_by_role("button", name="Mail me a link").click()
    assert "is on its way" in page.get_by_role("status").inner_text()
    fits(page)

    page.goto(reset_link(mail_sink, "%s@example.test" % user.username))
    assert user.username in page.locator("main").inner_text()
    page.get_by_label("New password", exact=True).fill(NEW)
    page.get_by_label("New password again").fill(NEW)
    fits(page)
    shot(page, "reset-password-%d" % width)
    with page.expect_navigation():
        page.get_by_role("button", name="Set the new password").click()
    assert "/@@login" in page.url
    assert "Your password is changed" in page.get_by_role("status").inner_text()
    assert page.get_by_label("Username", exact=True).input_value() == user.username

    sign_in_with_form(page, user.username, PASSWORD)         # the old one is gone
    assert page.get_by_role("alert").inner_text() == "Wrong username or password."
    sign_in_with_form(page, user.username, NEW)
    assert header(page).get_by_role("button", name="Sign out").is_visible()

    # the link worked once
    page.goto(reset_link(mail_sink, "%s@example.test" % user.username))
    assert "not valid" in page.get_by_role("alert").inner_text()
    fits(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_two_factor_sign_in_with_an_app_code_and_a_recovery_code(page, seed, width):
    user = seed.user("careful")
    sized(page, width)
    login(page, user.username)
    page.goto("/@@account")
    with page.expect_navigation():
        page.get_by_role("link", name="Set it up").click()
    qr = page.locator("#qr-code svg")
    assert qr.is_visible() and qr.bounding_box()["width"] <= width
    fits(page)
    shot(page, "two-factor-setup-%d" % width)
    secret = page.locator("#totp-secret").inner_text()
    totp = pyotp.TOTP(secret)
    # the code of the step before: the next sign-in may then use the current one
    page.get_by_label("Code").fill(totp.at(time.time() - 30))
    with page.expect_navigation():
        page.get_by_role("button", name="Turn on two-factor sign-in").click()
    codes = page.locator("#recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    fits(page)

    with page.expect_navigation():
        header(page).get_by_role("button", name="Sign out").click()
    sign_in_with_form(page, user.username, PASSWORD)
    assert page.url.endswith("/@@sign-in-code")
    assert header(page).get_by_role("link", name="Sign in").is_visible()   # not yet
    fits(page)
    page.get_by_label("Code").fill(totp.now())
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    assert header(page).get_by_role("button", name="Sign out").is_visible()

    with page.expect_navigation():
        header(page).get_by_role("button", name="Sign out").click()
    sign_in_with_form(page, user.username, PASSWORD)
    page.get_by_label("Code").fill("000000" if totp.now() != "000000" else "111111")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Sign in").click()
    assert navigation.value.status == 400
    assert "not right" in page.get_by_role("alert").inner_text()
    page.get_by_label("Code").fill(codes[0])
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    assert header(page).get_by_role("button", name="Sign out").is_visible()
    page.goto("/@@two-factor")
    assert "9 recovery codes left" in page.locator("#two-factor-on").inner_text()
