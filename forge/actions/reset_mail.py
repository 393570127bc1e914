"""The password reset mail: a link to ``@@reset-password`` with the token,
to the account's verified address (``forge.actions.password_reset``)."""
from ..notifications.messages import mail_request
from .verification_mail import account_mail


def reset_message(registry, user, token):
    with mail_request(registry) as request:
        link = request.forge_url(request.root, "@@reset-password", query={"token": token})
    return account_mail(registry, user.email, user.title, "Reset your password",
                        "forge:templates/auth/reset_password_mail.jinja2",
                        {"user": user, "link": link})
