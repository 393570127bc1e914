"""A form field cleaned by one of a tool's action checks.

A tool's actions validate their input with ``check_*`` functions that raise
``ActionError`` (the same checks serve the web, mail and the REST API); a
form field that wants the same rule wraps the check instead of repeating it:
``CheckedField(check_subject, "Subject", required=True, max_length=200)``.
"""
from .actions import ActionError
from .forms import Field


class CheckedField(Field):
    """A field whose ``clean`` is ``check(raw)``; its ``ActionError`` is the
    field's message.  ``widget`` names the form macro ("line", "markdown", ...)."""

    def __init__(self, check, label, widget="line", **kw):
        super().__init__(label, **kw)
        self.check, self.widget = check, widget

    def clean(self, raw, form):
        try:
            return self.check(raw)
        except ActionError as e:
            raise ValueError(str(e)) from None
