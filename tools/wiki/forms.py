"""The page form: what it shows and the checked fields it yields.

Everything typed is kept as strings in ``values`` so a refused form comes back
as it was sent, with ``errors`` mapping each field to its message.
"""
from forge.api import ActionError, FieldErrors, check_title, single_line

from .actions import clean_path

MAX_TEXT = 256 * 1024
MAX_COMMENT = 500


class PageForm:
    def __init__(self, prefix=""):
        # ``prefix``: the parent page's path + "/" for a new sub-page
        self.prefix = prefix
        self.errors = {}
        self.values = {"name": "", "title": "", "text": "", "comment": "", "private": ""}

    def fill_from(self, doc):
        self.values.update(name=doc.path, title=doc.title, text=doc.text)

    def read(self, post):
        for key in self.values:
            self.values[key] = post.get(key, "")
        return self

    def clean(self, with_name=False):
        """{"path", "title", "text", "comment"}; raises FieldErrors (all at once)."""
        errors, fields = {}, {}
        if with_name:
            try:
                fields["path"] = clean_path(self.prefix + self.values["name"].strip())
            except ActionError as e:
                errors["name"] = str(e)
        title = self.values["title"].strip()
        if not title and with_name and "path" in fields:
            title = fields["path"].rsplit("/", 1)[-1]
        try:
            fields["title"] = check_title(title)
        except ActionError as e:
            errors["title"] = str(e)
        text = self.values["text"].replace("\r\n", "\n")
        if len(text) > MAX_TEXT:
            errors["text"] = "The text may be at most %d characters." % MAX_TEXT
        elif "\x00" in text:
            errors["text"] = "The text may not contain NUL characters."
        fields["text"] = text
        comment = self.values["comment"].strip()
        if len(comment) > MAX_COMMENT or not single_line(comment):
            errors["comment"] = ("The comment is one line of at most %d characters."
                                 % MAX_COMMENT)
        fields["comment"] = comment
        self.errors = errors
        if errors:
            raise FieldErrors(errors)
        return fields

    @property
    def private(self):
        return self.values["private"] not in ("", "0", "off", "false")
