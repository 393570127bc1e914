"""``@@admin-users-spam``: disable an account as spam, hiding what it wrote,
or bring it back (``forge.actions.spam_accounts``); site admins only, from
the buttons of ``@@admin-users``."""
from pyramid.view import view_config

from ..actions import ActionError
from ..actions.site_admin import find_user
from ..actions.spam_accounts import disable_as_spam, restore_from_spam
from ..interfaces import ISiteRoot
from .site_admin import admin_users_answer


@view_config(context=ISiteRoot, name="admin-users-spam", permission="admin",
             request_method="POST", renderer="forge:templates/site_admin/users.jinja2")
def spam_account(context, request):
    return admin_users_answer(request, lambda: spam_action(request))


def spam_action(request):
    action = request.POST.get("action", "")
    user = find_user(request.POST.get("username", ""))
    if action == "spam":
        artifacts, posts = disable_as_spam(request.registry, user, request.user)
        return ("Disabled %s as spam and hid %d artifacts and %d comments."
                % (user.username, artifacts, posts))
    if action == "unspam":
        artifacts, posts = restore_from_spam(request.registry, user, request.user)
        return ("Enabled %s and showed %d artifacts and %d comments again."
                % (user.username, artifacts, posts))
    raise ActionError("Unknown action %r." % action[:40])
