"""What the discussion forms post, kept as typed strings so a refused form
comes back exactly as sent (with ``errors`` naming each field's problem)."""
from forge.api import ActionError, check_description, check_text, check_title

from .actions import check_forum_name, check_subject


class Form:
    fields = ()

    def __init__(self, **values):
        self.values = {name: "" for name in self.fields}
        self.values.update(values)
        self.errors = {}

    def read(self, post):
        for name in self.fields:
            self.values[name] = post.get(name, "")
        return self

    def check(self, name, fn):
        try:
            return fn(self.values[name])
        except ActionError as e:
            self.errors[name] = str(e)
            return None

    @property
    def valid(self):
        return not self.errors


class ForumForm(Form):
    fields = ("name", "title", "description", "private")

    def clean(self, with_name=True):
        cleaned = {"title": self.check("title", check_title),
                   "description": self.check("description", check_description),
                   "private": self.values["private"] not in ("", "0", "off", "false")}
        if with_name:
            cleaned["name"] = self.check("name", check_forum_name)
        return cleaned


class ThreadForm(Form):
    fields = ("subject", "text")

    def clean(self):
        return {"subject": self.check("subject", check_subject),
                "text": self.check("text", check_text)}
