"""Guards of the sign-up form besides its per-network throttle
(``forge.actions.sign_in.count_signup``): a honeypot field and pluggable
challenges.

The **honeypot** is a field people never see (``website``: hidden from
sight and from screen readers, out of the tab order); form-filling bots fill
it.  A sign-up that fills it is answered as if it had worked, and no account
is made, so the bot learns nothing to adapt to.

A **challenge** is anything a site wants a person to pass at sign-up (a
CAPTCHA, a question, an invitation code).  None by default::

    from forge.api import ChallengeFailed

    class Riddle:
        def render(self, request):           # optional: markup inside the form
            return Markup('<label for="riddle">2 + 2?</label>'
                          '<input id="riddle" name="riddle" required>')

        def __call__(self, request):         # raise ChallengeFailed to refuse
            if request.POST.get("riddle", "").strip() != "4":
                raise ChallengeFailed("That is not the answer to the riddle.")

    def includeme(config):
        config.add_signup_challenge(Riddle())

Challenges run in the order they were added, after the throttle and the
honeypot and before the account is created; a refusal is a 400 showing the
form again with what was typed.
"""
from markupsafe import Markup

from .actions import ActionError

HONEYPOT_FIELD = "website"


class ChallengeFailed(ActionError):
    """A sign-up challenge was not passed (400, its message shown)."""


def filled_honeypot(request):
    return bool(request.POST.get(HONEYPOT_FIELD, "").strip())


def run_challenges(request):
    """Raise ``ChallengeFailed`` (or any ``ActionError``) from the first
    challenge the request does not pass."""
    for challenge in request.registry.forge_signup_challenges:
        challenge(request)


def challenge_markup(request):
    """What the challenges add to the sign-up form (a request method)."""
    parts = [challenge.render(request) for challenge in request.registry.forge_signup_challenges
             if callable(getattr(challenge, "render", None))]
    return Markup("\n").join(Markup(p) for p in parts if p)


def add_signup_challenge(config, challenge):
    """``config.add_signup_challenge(callable_or_dotted_name)``: one more
    check of every sign-up (``challenge(request)``, raising ``ChallengeFailed``)."""
    challenge = config.maybe_dotted(challenge)
    if not callable(challenge):
        from pyramid.exceptions import ConfigurationError
        raise ConfigurationError("a sign-up challenge must be callable: %r" % (challenge,))

    def register():
        config.registry.forge_signup_challenges.append(challenge)

    # no discriminator: several challenges may be added; order is the config's
    config.action(None, register)


def includeme(config):
    config.registry.forge_signup_challenges = []
    config.add_directive("add_signup_challenge", add_signup_challenge, action_wrap=False)
    config.add_request_method(challenge_markup, "signup_challenge_markup")
