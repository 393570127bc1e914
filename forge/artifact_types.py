"""``config.add_artifact_type``: an artifact type declared once, its pages from the core.

A tool declares each of its versioned artifact types with the model (which
carries the type string, its Ming ``polymorphic_identity``), the tool that
holds it and its form; the core then resolves its artifacts to resources,
loads their family lazily, builds a private artifact's ACL, deletes and
undeletes them, indexes them for search and answers ``@@new``, ``@@edit``,
``@@preview``, ``@@delete`` and the display page (``forge.views.generic``;
``@@history``, ``@@diff`` and ``@@revert`` are the core's ``IVersioned``
pages)::

    config.add_artifact_type(Note, tool="notes", form=NoteForm, noun="note",
                             private_readers=("Developer", AUTHOR))

A tool changes a page by registering a view of the same name for its own
``interface=`` (more specific than ``ITypedArtifact``, so it wins), and
changes an action by passing ``actions=`` (a subclass of ``ArtifactActions``).
Two declarations of one type string are a configuration conflict.
"""
from dataclasses import dataclass

from pyramid.exceptions import ConfigurationError
from zope.interface import classImplements, implementer

from .artifact_actions import ArtifactActions
from .interfaces import IVersioned
from .resources.tool import ArtifactFamily, VersionedArtifactResource
from .search.documents import default_document


class ITypedArtifact(IVersioned):
    """An artifact of a type declared with ``config.add_artifact_type``."""


@implementer(ITypedArtifact)
class TypedArtifactResource(VersionedArtifactResource):
    """The resource of a declared type; ``kind_info`` is its ``ArtifactType``."""

    kind_info = None

    def __init__(self, doc, name, parent, family=None):
        super().__init__(doc, name, parent, family)

    @property
    def family(self):
        """Loaded on first use: a list page builds artifacts without their family."""
        if self._family is None:
            self._family = ArtifactFamily(self.doc.tool_id, self.doc.family)
        return self._family

    @family.setter
    def family(self, value):
        self._family = value


@dataclass(frozen=True)
class ArtifactType:
    """What ``add_artifact_type`` declared (see the module docstring)."""

    name: str                  # the type string: the model's polymorphic_identity
    model: type
    tool: str
    form: type
    noun: str
    resource: type
    actions: ArtifactActions
    private_readers: tuple = ()
    to_document: object = default_document
    display_renderer: str = "forge:templates/artifact/show.jinja2"
    list_renderer: str = "forge:templates/artifact/list.jinja2"
    form_renderer: str = "forge:templates/artifact/form.jinja2"
    # the flash messages of the generic @@new and @@delete ({Noun}, {doc.attr})
    created_message: str = "{Noun} “{doc.title}” created."
    deleted_message: str = "{Noun} “{doc.title}” deleted."

    @property
    def nested(self):
        """Whether artifacts of the type hold others under them (a ``parent_path``)."""
        return hasattr(self.model, "parent_path")

    def node(self, doc, parent, family=None):
        return self.resource(doc, doc.name, parent, family)

    def markdown_text(self, doc, data=None):
        """The text of an artifact's Markdown fields, in the form's order (of
        ``data``, a snapshot's fields, when given): what mentions read and
        what a new artifact's notification quotes."""
        names = [f.name for f in self.form.fields if f.widget == "markdown"]
        if data is not None:
            return "\n\n".join(str(data.get(name) or "") for name in names)
        return "\n\n".join(str(getattr(doc, name, "") or "") for name in names)

    def message(self, template, doc):
        return template.format(Noun=self.noun.capitalize(), doc=doc)


class ArtifactTypes(dict):
    """Type string -> ArtifactType, kept on the registry."""

    def of(self, doc_or_model):
        """The type of a document, a stored (raw) one or a model class."""
        if isinstance(doc_or_model, type):
            return self.get(doc_or_model.__mongometa__.polymorphic_identity)
        return self.get(getattr(doc_or_model, "type", None))

    def addable_in(self, tool_name):
        """The type a tool's own ``@@new`` creates: the first declared for it."""
        return next((t for t in self.values() if t.tool == tool_name), None)


def add_artifact_type(config, model, tool, form, noun=None, interface=None,
                      private_readers=(), to_document=None, actions=ArtifactActions,
                      display_renderer=None, list_renderer=None, form_renderer=None,
                      resource=TypedArtifactResource, created_message=None,
                      deleted_message=None):
    """Declare ``model``'s type (see the module docstring).  ``private_readers``:
    role names and ``AUTHOR`` who read an artifact created private (empty: no
    private flag); ``to_document(doc, node)``: the search document (default:
    title, text, labels; custom and extension fields are always indexed);
    ``resource``: the ``TypedArtifactResource`` subclass the type's resource
    class derives from (a tool's own ``__acl__`` or child lookup);
    ``created_message``/``deleted_message``: the generic pages' flash messages,
    ``str.format`` templates of ``Noun`` and ``doc`` ("Ticket #{doc.number} created.")."""
    name = model.__mongometa__.polymorphic_identity
    if getattr(model, "type", None) is None or not hasattr(model, "versioned_fields"):
        raise ConfigurationError("artifact type %r: the model is not a VersionedArtifact" % name)
    base = config.maybe_dotted(resource)
    if not (isinstance(base, type) and issubclass(base, TypedArtifactResource)):
        raise ConfigurationError("artifact type %r: resource= is not a TypedArtifactResource"
                                 % name)
    resource = type(model.__name__ + "Resource", (base,), {})
    if interface is not None:
        classImplements(resource, interface)
    defaults = ArtifactType.__dataclass_fields__
    kind = ArtifactType(
        name=name, model=model, tool=tool, form=config.maybe_dotted(form),
        noun=noun or model.__name__.lower(), resource=resource, actions=actions(),
        private_readers=tuple(private_readers),
        to_document=config.maybe_dotted(to_document) or default_document,
        display_renderer=display_renderer or defaults["display_renderer"].default,
        list_renderer=list_renderer or defaults["list_renderer"].default,
        form_renderer=form_renderer or defaults["form_renderer"].default,
        created_message=created_message or defaults["created_message"].default,
        deleted_message=deleted_message or defaults["deleted_message"].default)
    resource.kind_info = kind

    def register():
        config.registry.forge_artifact_types[name] = kind

    intr = config.introspectable("forge artifact types", name, name, "forge artifact type")
    intr["artifact_type"] = kind
    config.action(("forge.artifact_type", name), register, introspectables=(intr,))
    config.add_search_type(name, kind.to_document)


class DeclaresArtifactsPredicate:
    """View predicate ``declares_artifacts=True``: the tool holds a declared type."""

    def __init__(self, value, config):
        self.value = bool(value)

    def text(self):
        return "declares_artifacts = %s" % self.value

    phash = text

    def __call__(self, context, request):
        tool = getattr(context, "tool_type", None)
        declared = tool is not None and request.registry.forge_artifact_types.addable_in(
            tool.name) is not None
        return declared == self.value


def includeme(config):
    config.registry.forge_artifact_types = ArtifactTypes()
    config.add_directive("add_artifact_type", add_artifact_type, action_wrap=False)
    config.add_view_predicate("declares_artifacts", DeclaresArtifactsPredicate)
