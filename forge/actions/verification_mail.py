"""Mails about an account (``account_mail``; the password reset mail is
``forge.actions.reset_mail``), here the two an address can get when someone
gives it to the forge: the verification link (a free address) or a notice to
its owner (an address another account verified).  Links are absolute on ``forge.base_url``, like
every forge mail (``forge.notifications.messages.mail_request``).  No
``List-Unsubscribe``: these are answers to something a person just did.
"""
import email.utils
from email.message import EmailMessage

from pyramid.renderers import render

from ..names import one_line
from ..notifications.messages import mail_request


def account_mail(registry, to_address, to_name, subject, template, values):
    with mail_request(registry) as request:
        values = dict(values, site_url=request.forge_url(request.root))
        if "token" in values:
            values["link"] = request.forge_url(request.root, "@@verify-email",
                                               query={"token": values["token"]})
        values["account_url"] = request.forge_url(request.root, "@@account")
        text = render(template, values, request=request)
    message = EmailMessage()
    message["To"] = email.utils.formataddr((one_line(to_name), to_address))
    message["Subject"] = one_line(subject)
    message["Date"] = email.utils.formatdate(localtime=False)
    message["Message-ID"] = email.utils.make_msgid(domain="pyforge")
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text)
    return message


def verification_message(registry, user, token):
    # the username, not the display name: no text of the newcomer's choosing
    # goes to an address not yet proven theirs
    return account_mail(registry, user.pending_email, user.username,
                        "Verify your e-mail address",
                        "forge:templates/auth/verify_email_mail.jinja2",
                        {"user": user, "token": token})


def address_in_use_message(registry, owner, newcomer):
    return account_mail(registry, owner.email, owner.title,
                        "Someone gave your e-mail address to another account",
                        "forge:templates/auth/address_in_use_mail.jinja2",
                        {"owner": owner, "newcomer": newcomer})
