"""A sign-up challenge for tests (``config.add_signup_challenge``): a riddle."""
from markupsafe import Markup

from forge.api import ChallengeFailed


class Riddle:
    def render(self, request):
        return Markup('<div><label for="riddle">Two plus two?</label>'
                      '<input id="riddle" name="riddle" required></div>')

    def __call__(self, request):
        if request.POST.get("riddle", "").strip() != "4":
            raise ChallengeFailed("That is not the answer to the riddle.")


def includeme(config):
    config.add_signup_challenge(Riddle())
