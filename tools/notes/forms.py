"""The note form: what it shows, and turning what was posted into note fields.

Everything the user typed is kept as strings in ``values`` so a refused form
comes back exactly as it was sent, with ``errors`` mapping each form field
name to its message.  Custom fields post as ``custom.NAME``, plugin
extension fields as ``ext.PLUGIN.NAME``.
"""
from forge.api import (ActionError, FieldErrors, InvalidName, check_segment, check_title,
                       clean_values, form_values, parse_labels, single_line, username_exists)

MAX_TEXT = 256 * 1024
MAX_COMMENT = 500
ARTIFACT_TYPE = "notes.note"


class NoteForm:
    def __init__(self, request, tool_node):
        self.request = request
        self.custom_specs = tool_node.custom_fields()
        self.ext_specs = request.registry.forge_extensions.fields_for(ARTIFACT_TYPE)
        self.errors = {}
        self.values = {"name": "", "title": "", "text": "", "labels": "", "comment": "",
                       "private": ""}
        self.values.update(form_values(self.custom_specs, {}, "custom."))
        for plugin, specs in self.ext_specs.items():
            self.values.update(form_values(specs, {}, "ext.%s." % plugin))

    def fill_from(self, doc):
        """Start an edit form from the stored note."""
        self.values.update(title=doc.title, text=doc.text, labels=", ".join(doc.labels or ()),
                           name=doc.name)
        self.values.update(form_values(self.custom_specs, doc.custom, "custom."))
        for plugin, specs in self.ext_specs.items():
            self.values.update(form_values(specs, (doc.ext or {}).get(plugin), "ext.%s." % plugin))

    def read(self, post):
        """Keep the posted strings (unknown keys are ignored)."""
        for key in self.values:
            self.values[key] = post.get(key, "")
        return self

    def clean(self, with_name=False):
        """The note's fields from ``values``; raise FieldErrors (all errors at once)."""
        errors, fields = {}, {}
        if with_name:
            name = self.values["name"].strip() or self.values["title"].strip().replace("/", "-")
            try:
                fields["name"] = check_segment(name, "note's name in its address")
            except InvalidName as e:
                errors["name"] = str(e)
        try:
            fields["title"] = check_title(self.values["title"])
        except ActionError as e:
            errors["title"] = str(e)
        text = self.values["text"].replace("\r\n", "\n")
        if len(text) > MAX_TEXT:
            errors["text"] = "The text may be at most %d characters." % MAX_TEXT
        elif "\x00" in text:
            errors["text"] = "The text may not contain NUL characters."
        fields["text"] = text
        try:
            fields["labels"] = parse_labels(self.values["labels"], "A note")
        except ValueError as e:
            errors["labels"] = str(e)
        try:
            fields["custom"] = clean_values(self.custom_specs, self.values, username_exists,
                                            prefix="custom.")
        except FieldErrors as e:
            errors.update(e.errors)
        ext = {}
        for plugin, specs in self.ext_specs.items():
            try:
                ext[plugin] = clean_values(specs, self.values, username_exists,
                                           prefix="ext.%s." % plugin)
            except FieldErrors as e:
                errors.update(e.errors)
        fields["ext"] = ext
        comment = self.values["comment"].strip()
        if len(comment) > MAX_COMMENT or not single_line(comment):
            errors["comment"] = ("The comment is one line of at most %d characters."
                                 % MAX_COMMENT)
        self.errors = errors
        if errors:
            raise FieldErrors(errors)
        return fields

    @property
    def private(self):
        return self.values["private"] not in ("", "0", "off", "false")
