"""Sign up, sign in and out, the account page, the public profile, keyboard use."""
import pytest

from forge.testing import PASSWORD

from .conftest import login, shot

pytestmark = pytest.mark.browser


def header(page):
    return page.locator("header.site-header")


def wait_for_autofocus(page):
    """Chromium applies autofocus a moment after the load event."""
    page.wait_for_function("document.activeElement && document.activeElement.id === 'login-username'")


def test_sign_up_lands_on_the_personal_page(page, seed):
    username = seed.name("newbie")
    page.goto("/")
    with page.expect_navigation():
        header(page).get_by_role("link", name="Sign up").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Create an account"
    page.get_by_label("Username", exact=True).fill(username)
    page.get_by_label("E-mail address").fill("%s@example.test" % username)
    page.get_by_label("Display name").fill("New Bie")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    shot(page, "signup-form")
    with page.expect_navigation():
        page.get_by_role("button", name="Sign up").click()

    assert page.url.endswith("/u/%s/" % username)
    # this site has no mail: the address waits for a site admin (test_signup_verification.py)
    assert page.get_by_role("status").inner_text() == (
        "Welcome, New Bie! Your account is ready. This site cannot send mail, so "
        "%s@example.test stays unverified (and gets no mail) until a site admin "
        "verifies it." % username)
    assert header(page).get_by_role("link", name="New Bie").is_visible()
    assert header(page).get_by_role("button", name="Sign out").is_visible()
    shot(page, "personal-page")


def test_sign_up_refusal_keeps_the_input_and_says_why(page, seed):
    taken = seed.user("taken")
    page.goto("/@@signup")
    page.get_by_label("Username", exact=True).fill(taken.username)
    page.get_by_label("E-mail address").fill("someone-else@example.test")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Sign up").click()
    assert navigation.value.status == 400
    assert page.get_by_role("alert").inner_text() == "The username %r is taken." % taken.username
    assert page.get_by_label("E-mail address").input_value() == "someone-else@example.test"
    assert page.get_by_label("Password", exact=True).input_value() == ""
    shot(page, "signup-refused")


def test_sign_in_wrong_password_then_right_then_sign_out(page, seed):
    user = seed.user("carol", display_name="Carol C")
    page.goto("/")
    with page.expect_navigation():
        header(page).get_by_role("link", name="Sign in").click()
    page.get_by_label("Username", exact=True).fill(user.username)
    page.get_by_label("Password", exact=True).fill("not the password")
    with page.expect_navigation() as navigation:
        page.locator("#login-form").get_by_role("button", name="Sign in").click()
    assert navigation.value.status == 400
    assert page.get_by_role("alert").inner_text() == "Wrong username or password."
    assert page.get_by_label("Username", exact=True).input_value() == user.username
    assert header(page).get_by_role("link", name="Sign in").is_visible()
    shot(page, "login-wrong-password")

    page.get_by_label("Password", exact=True).fill(PASSWORD)
    with page.expect_navigation():
        page.locator("#login-form").get_by_role("button", name="Sign in").click()
    assert header(page).get_by_role("link", name="Carol C").is_visible()
    shot(page, "signed-in-front-page")

    with page.expect_navigation():
        header(page).get_by_role("button", name="Sign out").click()
    assert header(page).get_by_role("link", name="Sign in").is_visible()
    assert header(page).get_by_role("link", name="Carol C").count() == 0
    # the session is gone: the account page asks to sign in again
    page.goto("/@@account")
    assert "/@@login" in page.url
    assert page.get_by_role("heading", level=1).inner_text() == "Sign in"


def test_sign_in_returns_to_the_page_that_asked_for_it(page, seed):
    user = seed.user("dora")
    page.goto("/@@account")
    assert "/@@login?next=" in page.url
    page.get_by_label("Username", exact=True).fill(user.username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    with page.expect_navigation():
        page.locator("#login-form").get_by_role("button", name="Sign in").click()
    assert page.url.endswith("/@@account")
    assert page.get_by_role("heading", level=1).inner_text() == "Your account"


def test_login_form_works_with_the_keyboard_only(page, seed):
    user = seed.user("keys")
    page.goto("/@@login")
    # the username field has autofocus; nothing here touches the mouse
    wait_for_autofocus(page)
    page.keyboard.type(user.username)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "login-password"
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert header(page).get_by_role("button", name="Sign out").is_visible()
    assert header(page).get_by_role("link", name=user.username).is_visible()


def test_tab_reaches_the_sign_in_button(page, seed):
    """From the password field one Tab lands on the submit button, and Enter on it signs in."""
    user = seed.user("tabby")
    page.goto("/@@login")
    wait_for_autofocus(page)
    page.keyboard.type(user.username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Tab")
    focused = page.evaluate("[document.activeElement.tagName, document.activeElement.textContent]")
    assert focused == ["BUTTON", "Sign in"]
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert header(page).get_by_role("button", name="Sign out").is_visible()


def test_account_page_changes_display_name_and_password(page, seed):
    user = seed.user("erin")
    login(page, user.username)
    with page.expect_navigation():
        header(page).get_by_role("link", name="Account").click()
    assert page.get_by_text("Signed in as %s." % user.username).is_visible()
    assert page.locator("#session-list").get_by_text("(this browser)").is_visible()
    shot(page, "account")
    with page.expect_navigation():
        page.get_by_role("button", name="Sign out everywhere else").click()
    assert page.get_by_role("status").inner_text() == (
        "Signed out everywhere else (0 other sessions ended).")
    assert page.get_by_text("Signed in as %s." % user.username).is_visible()

    page.get_by_label("Display name").fill("Erin Example")
    with page.expect_navigation():
        page.get_by_role("button", name="Save profile").click()
    assert page.get_by_role("status").inner_text() == "Your profile is saved."
    assert page.get_by_label("Display name").input_value() == "Erin Example"
    assert header(page).get_by_role("link", name="Erin Example").is_visible()

    # a wrong current password is refused with a message, nothing changes
    page.get_by_label("Current password").fill("wrong wrong wrong")
    page.get_by_label("New password", exact=True).fill("a brand new secret")
    page.get_by_label("New password again").fill("a brand new secret")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Change password").click()
    assert navigation.value.status == 400
    assert page.locator("#password-error").inner_text() == "The current password is not correct."
    shot(page, "account-password-refused")

    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill("a brand new secret")
    page.get_by_label("New password again").fill("a brand new secret")
    with page.expect_navigation():
        page.get_by_role("button", name="Change password").click()
    assert page.get_by_role("status").inner_text() == (
        "Your password is changed. Every other session is signed out.")

    # the new password works in a fresh browser, the old one does not
    with page.expect_navigation():
        header(page).get_by_role("button", name="Sign out").click()
    page.goto("/@@login")
    page.get_by_label("Username", exact=True).fill(user.username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    with page.expect_navigation():
        page.locator("#login-form").get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").inner_text() == "Wrong username or password."
    login(page, user.username, "a brand new secret")


def test_profile_page_shows_the_user_and_their_projects(new_page, seed):
    owner = seed.user("fay", display_name="Fay Owner")
    project = seed.project(owner, prefix="fayproj", title="Fay's Project")
    visitor = seed.user("gus")

    page = new_page()
    login(page, visitor.username)
    page.goto("/u/%s/@@profile" % owner.username)
    assert page.get_by_role("heading", level=1).inner_text() == "Fay Owner"
    facts = page.locator("#profile-facts")
    assert facts.get_by_role("row", name="Username").inner_text().endswith(owner.username)
    assert page.locator("#profile-email").count() == 0      # not shown to others
    projects = page.locator("#profile-projects")
    row = projects.get_by_role("row").filter(has_text="Fay's Project")
    assert row.get_by_role("link", name="Fay's Project").is_visible()
    assert "Admin" in row.inner_text()
    shot(page, "profile-by-visitor")

    own = new_page()
    login(own, owner.username)
    own.goto("/u/%s/@@profile" % owner.username)
    assert own.locator("#profile-email").inner_text() == owner.email
    assert own.get_by_role("link", name="Edit your account").is_visible()
    with own.expect_navigation():
        own.locator("#profile-projects").get_by_role("link", name="Fay's Project").click()
    assert own.url.endswith("/p/%s/" % project.shortname)
