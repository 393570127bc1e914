"""A plugin extends another tool's artifact type (``config.extend_artifact``),
and two packages claiming one tool name are a configuration conflict."""
import pytest
from pyramid.config import Configurator
from pyramid.exceptions import ConfigurationConflictError

from forge.actions.projects import install_tool
from forge.model import Snapshot, session
from forge.testing import ForgeBrowser, forge_test_settings
from tools.notes.model import Note

TOOL = "/p/demo/notes/"


@pytest.fixture
def forge_settings():
    return forge_test_settings(**{"forge.tools": "tests.fixture_plugins.review_plugin"})


@pytest.fixture
def ada(forge_app, registry, make_user, make_project):
    user = make_user("ada")
    make_user("rita")
    project = make_project("demo", user)
    install_tool(registry, project, "notes", "notes", user)
    session.close()
    browser = ForgeBrowser(forge_app)
    browser.login("ada")
    return browser


def stored(path):
    session.close()
    return Note.query.get(path=path)


def test_plugin_fields_are_registered(registry):
    specs = registry.forge_extensions.fields_for("notes.note")["review"]
    assert [(s.name, s.type) for s in specs] == [("reviewed", "boolean"), ("reviewer", "user")]


def test_extension_fields_in_form_stored_versioned_and_shown(ada):
    form = ada.get(TOOL + "@@new")
    assert 'name="ext.review.reviewed"' in form.text
    assert 'name="ext.review.reviewer"' in form.text
    ada.post_form(TOOL + "@@new", {"title": "Spec", "ext.review.reviewed": "on",
                                   "ext.review.reviewer": "rita"}, status=302)
    note = stored("Spec")
    assert dict(note.ext) == {"review": {"reviewed": True, "reviewer": "rita"}}
    first = Snapshot.query.get(artifact_id=note._id, version=1)
    assert first.data["ext"] == {"review": {"reviewed": True, "reviewer": "rita"}}
    page = ada.get(TOOL + "Spec/")
    assert "Reviewer" in page.text and 'href="http://localhost/u/rita/"' in page.text
    assert "Reviewed" in page.text

    # the edit form starts from the stored values; unchecking is a new version
    edit = ada.get(TOOL + "Spec/@@edit")
    assert 'name="ext.review.reviewed" value="on" checked' in edit.text
    assert 'name="ext.review.reviewer" value="rita"' in edit.text
    ada.post_form(TOOL + "Spec/@@edit", {"title": "Spec", "version": "1",
                                         "ext.review.reviewer": "ada"}, status=302)
    note = stored("Spec")
    assert (note.version, dict(note.ext["review"])) == (2, {"reviewed": False,
                                                            "reviewer": "ada"})
    second = Snapshot.query.get(artifact_id=note._id, version=2)
    assert second.data["ext"]["review"] == {"reviewed": False, "reviewer": "ada"}
    assert Snapshot.query.get(artifact_id=note._id, version=1).data["ext"]["review"][
        "reviewer"] == "rita"


def test_extension_fields_are_validated(ada):
    page = ada.post_form(TOOL + "@@new", {"title": "Spec", "ext.review.reviewer": "nobody"},
                         status=400)
    assert 'id="field-ext-review-reviewer-error"' in page.text
    assert "Reviewer: there is no user named &#39;nobody&#39;." in page.text
    assert stored("Spec") is None
    ada.post_form(TOOL + "@@new", {"title": "Spec"}, status=302)
    ada.post_form(TOOL + "Spec/@@edit", {"title": "Spec", "version": "1",
                                         "ext.review.reviewer": "nobody"}, status=400)
    note = stored("Spec")
    assert note.version == 1 and dict(note.ext) == {"review": {"reviewed": False,
                                                               "reviewer": None}}


def test_two_tools_claiming_one_name_conflict():
    config = Configurator(settings=forge_test_settings())
    config.include("pyramid_jinja2")
    config.include("forge.plugins")
    config.include("tools.notes")
    config.include("tests.fixture_plugins.duplicate_notes")
    with pytest.raises(ConfigurationConflictError):
        config.commit()


def test_one_tool_alone_does_not_conflict():
    config = Configurator(settings=forge_test_settings())
    config.include("pyramid_jinja2")
    config.include("forge.plugins")
    config.include("tests.fixture_plugins.duplicate_notes")
    config.commit()
    assert config.registry.forge_tools["notes"].title == "Other notes"
