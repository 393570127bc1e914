"""Form fields of a tree type: a path typed relative to where it is asked, a title from it."""
from ..artifact_types import ITypedArtifact
from ..forms import Field, TitleField
from ..names import check_artifact_path


class PathField(Field):
    """A new artifact's path, typed relative to the artifact it goes under:
    "Install" on Guide's ``@@new`` is "Guide/Install", as is "Guide/Install"
    on the tool's."""

    def __init__(self, label="Name", on_edit=False, required=True, max_length=1000, **kw):
        super().__init__(label, on_edit=on_edit, required=required, max_length=max_length, **kw)

    def clean(self, raw, form):
        context = form.request.context
        prefix = ("" if form.editing or not ITypedArtifact.providedBy(context)
                  else context.doc.path + "/")
        return check_artifact_path((prefix + raw).strip(), "%s name" % form.noun)


class LeafTitleField(TitleField):
    """A title that defaults, on a new artifact, to the last segment of its
    path (the form's ``name``)."""

    def clean(self, raw, form):
        default = "" if form.editing else form.values["name"].strip().rsplit("/", 1)[-1]
        return super().clean(raw.strip() or default, form)
