"""``ArtifactForm``: an artifact type's form, declared as fields.

A tool lists the fields its artifacts are typed in; the base adds what every
artifact form has: the tool's custom fields (``custom.NAME``), the plugins'
extension fields of the type (``ext.PLUGIN.NAME``), the private flag when the
type has private readers, and the history comment.  One core template
(``forge:templates/artifact/form.jinja2``) renders any of them::

    class NoteForm(ArtifactForm):
        title = TitleField()
        name = NameField(from_field="title")
        text = MarkdownField(max_length=256 * 1024)
        labels = LabelsField()

Everything the user typed stays a string in ``values``, so a refused form
comes back exactly as it was sent; ``errors`` maps a form field's name to
its message.  Hand-written forms are not needed: colander/deform would bring
a second widget and template system beside Jinja2 and the typed custom fields
of ``forge.fields``, which these fields reuse as they are.
"""
from .actions import ActionError
from .fields import FieldErrors, clean_values, form_values, parse_labels, username_exists
from .model import User
from .names import InvalidName, check_segment, single_line
from .validation import MAX_TITLE, check_title


class Field:
    """One declared form field.  ``widget`` names the macro of
    ``forge:templates/forms.jinja2`` that renders it; ``on_edit=False`` shows
    it on the new form only (a name, a flag set once); ``attr`` is the
    document's attribute it edits (default: its name); ``initial(form)`` is what
    a new form shows before anything is typed."""

    widget = "line"

    def __init__(self, label=None, hint="", note="", on_edit=True, max_length=255,
                 required=False, attr=None, initial=None):
        self.label, self.hint, self.note = label, hint, note
        self.on_edit, self.max_length, self.required = on_edit, max_length, required
        self.attr, self.initial = attr, initial

    def __set_name__(self, owner, name):
        self.name = name
        self.label = self.label or name.capitalize()
        self.attr = self.attr or name

    def to_form(self, value):
        """The stored value as the string the form shows."""
        return "" if value is None else str(value)

    def clean(self, raw, form):
        """The value to store, from the posted string; ValueError: the message."""
        value = raw.strip()
        if len(value) > self.max_length or not single_line(value):
            raise ValueError("The %s is one line of at most %d characters."
                             % (self.label.lower(), self.max_length))
        return value


class TitleField(Field):
    def __init__(self, label="Title", max_length=MAX_TITLE, required=True, **kw):
        super().__init__(label, max_length=max_length, required=required, **kw)

    def clean(self, raw, form):
        try:
            return check_title(raw)
        except ActionError as e:
            # named as the form labels it: "A summary is required."
            raise ValueError(str(e).replace("title", self.label.lower()).replace(
                "Title", self.label)) from None


class NameField(Field):
    """The artifact's segment in its address, new forms only; empty means
    ``from_field``'s value with '/' replaced."""

    def __init__(self, label="Name in the address", from_field="title",
                 note="(optional)", hint="Defaults to the title. No '/'.", **kw):
        super().__init__(label, hint=hint, note=note, on_edit=False, **kw)
        self.from_field = from_field

    def clean(self, raw, form):
        name = raw.strip() or form.values[self.from_field].strip().replace("/", "-")
        try:
            return check_segment(name, "%s's name in its address" % form.noun)
        except InvalidName as e:
            raise ValueError(str(e)) from None


class MarkdownField(Field):
    """Multi-line Markdown with a live preview (``forge:static/preview.js``)."""

    widget = "markdown"

    def __init__(self, label="Text", note="(Markdown)", max_length=256 * 1024, **kw):
        super().__init__(label, note=note, max_length=max_length, **kw)

    def clean(self, raw, form):
        text = raw.replace("\r\n", "\n")
        if len(text) > self.max_length:
            raise ValueError("The %s may be at most %d characters."
                             % (self.label.lower(), self.max_length))
        if "\x00" in text:
            raise ValueError("The %s may not contain NUL characters." % self.label.lower())
        return text


class TextField(MarkdownField):
    """Multi-line plain text, shown as typed (no Markdown, no preview)."""

    widget = "text"

    def __init__(self, label="Text", note="", **kw):
        super().__init__(label, note=note, **kw)


class LabelsField(Field):
    def __init__(self, label="Labels", note="(comma-separated)", max_length=None, **kw):
        super().__init__(label, note=note, max_length=max_length, **kw)

    def to_form(self, value):
        return ", ".join(value or ())

    def clean(self, raw, form):
        return parse_labels(raw, "A " + form.noun)


class CheckboxField(Field):
    widget = "checkbox"

    def to_form(self, value):
        return "on" if value else ""

    def clean(self, raw, form):
        return raw not in ("", "0", "off", "false")


class ChoiceField(Field):
    """One of a list the form computes: ``choices(form)`` is what the form
    offers, ``valid(form)`` what a post may name (default: the same);
    an empty post is ``default(form)``, or nothing with ``blank=True`` (shown
    as "—").  A stored value no longer offered stays selectable, so saving
    a form does not change it silently.  ``message`` (``%r`` = the value)
    replaces "The <label> must be one of: ..."."""

    widget = "select"

    def __init__(self, label=None, choices=None, valid=None, default=None, blank=False,
                 message=None, **kw):
        super().__init__(label, initial=kw.pop("initial", default), **kw)
        self.offered, self.valid = choices, valid or choices
        self.default, self.blank, self.message = default, blank, message

    def choices(self, form):
        offered = list(self.offered(form))
        current = form.values.get(self.name)
        return offered + [current] if current and current not in offered else offered

    def clean(self, raw, form):
        value = raw.strip() or (self.default(form) if self.default else "")
        valid = list(self.valid(form))
        if value in valid or (self.blank and value == ""):
            return value
        if self.message:
            raise ValueError(self.message % (value[:80],))
        raise ValueError("The %s must be one of: %s." % (self.label.lower(), ", ".join(valid)))


class UserField(Field):
    """A username typed, the user's id stored (None when empty)."""

    def __init__(self, label=None, note="(username)", **kw):
        super().__init__(label, note=note, **kw)

    def to_form(self, value):
        user = User.query.get(_id=value) if value else None
        return user.username if user is not None else ""

    def clean(self, raw, form):
        name = raw.strip()
        if not name:
            return None
        user = User.by_username(name)
        if user is None or user.disabled:
            raise ValueError("There is no user named %r." % name[:80])
        return user._id


class ArtifactForm:
    """The form of one artifact type (see the module docstring).  The generic
    views build it as ``form_class(request, tool_node, kind, editing)``."""

    fields = ()        # the declared fields, in declaration order (set per subclass)
    comment = Field("Comment", note="(optional, shown in the history)", max_length=500)
    private = CheckboxField("Private", on_edit=False)

    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        # a subclass may restyle the base's comment and private flag (a note, a
        # label); they stay trailing fields, not declared ones
        cls.fields = tuple(f for c in reversed(cls.__mro__) for n, f in vars(c).items()
                           if isinstance(f, Field) and c is not ArtifactForm
                           and n not in ("comment", "private"))

    def __init__(self, request, tool_node, kind, editing=False):
        self.request, self.kind, self.editing = request, kind, editing
        self.noun = kind.noun
        self.custom_specs = tool_node.custom_fields()
        self.ext_specs = request.registry.forge_extensions.fields_for(kind.name)
        self.errors = {}
        self.values = {f.name: "" for f in self.shown_fields + self.trailing_fields}
        self.values.update(form_values(self.custom_specs, {}, "custom."))
        for plugin, specs in self.ext_specs.items():
            self.values.update(form_values(specs, {}, "ext.%s." % plugin))

    @property
    def shown_fields(self):
        return tuple(f for f in self.fields if self.editing is False or f.on_edit)

    @property
    def trailing_fields(self):
        """The private flag (new forms of a type with private readers) and the comment."""
        private = () if self.editing or not self.kind.private_readers else (self.private,)
        return private + (self.comment,)

    def fill_defaults(self):
        """Start a new form with the fields' ``initial`` values."""
        self.values.update({f.name: f.initial(self) for f in self.shown_fields if f.initial})

    def fill_from(self, doc):
        """Start an edit form from the stored artifact."""
        self.values.update({f.name: f.to_form(getattr(doc, f.attr, None))
                            for f in self.shown_fields})
        self.values.update(form_values(self.custom_specs, doc.custom, "custom."))
        for plugin, specs in self.ext_specs.items():
            self.values.update(form_values(specs, (doc.ext or {}).get(plugin), "ext.%s." % plugin))

    def read(self, post):
        """Keep the posted strings (unknown keys are ignored)."""
        for key in self.values:
            self.values[key] = post.get(key, "")
        return self

    def clean(self):
        """The artifact's fields from ``values`` (with ``custom``, ``ext``,
        ``private`` and ``comment``); raise FieldErrors with every error at once."""
        errors, fields = {}, {}
        for field in self.shown_fields + self.trailing_fields:
            try:
                fields[field.attr] = field.clean(self.values[field.name], self)
            except ValueError as e:
                errors[field.name] = str(e)
        try:
            fields["custom"] = clean_values(self.custom_specs, self.values, username_exists,
                                            prefix="custom.")
        except FieldErrors as e:
            errors.update(e.errors)
        fields["ext"] = {}
        for plugin, specs in self.ext_specs.items():
            try:
                fields["ext"][plugin] = clean_values(specs, self.values, username_exists,
                                                     prefix="ext.%s." % plugin)
            except FieldErrors as e:
                errors.update(e.errors)
        self.errors = errors
        if errors:
            raise FieldErrors(errors)
        return fields
