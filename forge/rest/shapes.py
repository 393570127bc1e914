"""Artifacts as JSON straight from their stored documents, shaped once per type.

A collection page of 50 tickets used to build 50 Ming objects (validating
each document), fill the type's form once per item and look each assignee
up: most of the page's time.  Here the type's declaration is read once per
type into an ``ArtifactShape``: for each shown field of its ``ArtifactForm``,
the stored attribute and how its value becomes JSON (the same value the form
would show, ``forge.rest.declared.field_value``): a plain field's string, a
checkbox's boolean, labels as an array, a ``UserField``'s username from the
tree cache (users are tree documents: no find when warm).  A form that fills
itself in its own way (``fill_from`` overridden, as a thread's subject is its
title) is still filled per item, from the stored document.

Stored documents are read as pymongo returns them; a field the document
lacks (written before the field existed) takes the model's ``if_missing``,
as Ming would have given it.
"""
from ming.odm import state

from ..forms import ArtifactForm, CheckboxField, Field, LabelsField, UserField
from ..model import User
from ..model.acl import is_private
from ..model.cache import cached_raw
from ..resources.tool import RawArtifact
from ..user_lookup import DELETED_USER
from .declared import field_value, shown_fields

PLAIN, CHECKBOX, LABELS, USER, FORM = "plain", "checkbox", "labels", "user", "form"


def _how(field):
    """How a stored value becomes JSON, without the form when the field's
    class shows it as its base does."""
    to_form = type(field).to_form
    if isinstance(field, UserField) and to_form is UserField.to_form:
        return USER
    if isinstance(field, LabelsField) and to_form is LabelsField.to_form:
        return LABELS
    if isinstance(field, CheckboxField) and to_form is CheckboxField.to_form:
        return CHECKBOX
    if not isinstance(field, (LabelsField, CheckboxField)) and to_form is Field.to_form:
        return PLAIN
    return FORM


def _defaults(model):
    """{field: if_missing} of the model's schema, for the constant ones (a
    callable one, a new id or the time now, is never missing in practice)."""
    schema = model.query.mapper.collection.m.schema
    defaults = {}
    for name, validator in getattr(schema, "fields", {}).items():
        missing = getattr(validator, "if_missing", None)
        if isinstance(missing, (str, int, float, bool, list)):
            defaults[name] = missing
        elif missing is not None and callable(missing) and name in ("ext", "custom"):
            defaults[name] = {}
    return defaults


class StoredDoc:
    """A stored document read as attributes (what a form's ``fill_from`` and a
    resource ask of it), with the model's defaults for missing fields."""

    __slots__ = ("raw", "defaults")

    def __init__(self, raw, defaults):
        self.raw, self.defaults = raw, defaults

    def __getattr__(self, name):
        try:
            return self.raw[name]
        except KeyError:
            return self.defaults.get(name)


class ArtifactShape:
    """What the JSON of an artifact of one type is made of (one per type)."""

    def __init__(self, kind):
        self.kind = kind
        self.fields = [(f, f.name, f.attr, _how(f)) for f in shown_fields(kind)]
        self.form_fills = kind.form.fill_from is not ArtifactForm.fill_from
        self.user_attrs = [attr for _f, _n, attr, how in self.fields if how == USER]
        self.defaults = _defaults(kind.model)

    def get(self, raw, attr):
        value = raw.get(attr)
        return self.defaults.get(attr) if value is None and attr not in raw else value


def shape_of(registry, kind):
    """The type's shape, made on first use and kept on the registry."""
    shapes = registry.forge_rest_shapes
    shape = shapes.get(kind.name)
    if shape is None or shape.kind is not kind:
        shape = shapes[kind.name] = ArtifactShape(kind)
    return shape


def stored_document(node):
    """The node's document as stored: the raw one traversal or a list read,
    or the validated dict behind a Ming object (after a write)."""
    doc = node._doc
    if isinstance(doc, RawArtifact):
        return doc.raw
    return state(doc).document


class UserNames:
    """Usernames by id from the tree cache (the request's generation keeps it
    exact), memoised for one answer."""

    def __init__(self, request):
        self.request, self.names = request, {}

    def __call__(self, user_id):
        """The username, or None for an id whose account is gone."""
        if user_id not in self.names:
            users = cached_raw(self.request, User, {"_id": user_id})
            self.names[user_id] = users[0].get("username") if users else None
        return self.names[user_id]


def fields_json(request, shape, raw, names, form=None):
    """The declared fields' JSON of one stored artifact (``form``: the type's
    form, needed only when it fills itself, ``shape.form_fills``)."""
    data = {}
    if shape.form_fills:
        form.fill_from(StoredDoc(raw, shape.defaults))
        for field, name, _attr, _how in shape.fields:
            data[name] = field_value(field, form.values.get(name, ""))
        return data
    defaults = shape.defaults
    for field, name, attr, how in shape.fields:
        value = raw.get(attr, MISSING)
        if value is MISSING:
            value = defaults.get(attr)
        if how is PLAIN:
            data[name] = "" if value is None else str(value)
        elif how is CHECKBOX:
            data[name] = bool(value)
        elif how is LABELS:
            data[name] = [label for label in ", ".join(value or ()).split(", ") if label]
        elif how is USER:
            data[name] = (names(value) or "") if value else ""
        else:
            data[name] = field_value(field, field.to_form(value))
    return data


MISSING = object()


def author_name(names, user_id):
    if not user_id:
        return None
    return names(user_id) or DELETED_USER


def private_of(raw):
    return is_private(raw.get("acl"))
