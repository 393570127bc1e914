"""``config.add_artifact_type``: a declared type gets the core's pages, form,
privacy, deletion and search; a tool's own view for its interface wins; two
declarations of one type conflict."""
import pytest
from pyramid.config import Configurator
from pyramid.exceptions import ConfigurationConflictError, ConfigurationError

from forge.actions.projects import install_tool
from forge.artifact_actions import delete_artifact, undelete_artifact
from forge.model import ChangeLogEntry, Snapshot, session
from forge.testing import ForgeBrowser, forge_test_settings
from tests.fixture_plugins.memos import Memo, MemoForm

TOOL = "/p/demo/memos/"


@pytest.fixture
def forge_settings():
    return forge_test_settings(**{"forge.tools": "tests.fixture_plugins.memos"})


@pytest.fixture
def site(forge_app, registry, make_user, make_project):
    """ada admins demo, with the memos tool at /p/demo/memos/; browser: ada's."""
    ada = make_user("ada")
    project = make_project("demo", ada)
    tool = install_tool(registry, project, "memos", "memos", ada)
    session.close()
    browser = ForgeBrowser(forge_app)
    browser.login("ada")
    return {"ada": ada, "project": project, "tool": tool, "browser": browser}


def stored(path):
    session.close()
    return Memo.query.get(path=path)


def test_the_type_is_registered_once_and_introspectable(registry):
    kind = registry.forge_artifact_types["memos.memo"]
    assert (kind.model, kind.tool, kind.noun, kind.form) == (Memo, "memos", "memo", MemoForm)
    assert registry.forge_artifact_types.of(Memo) is kind
    assert registry.forge_search_types["memos.memo"] is kind.to_document
    intr = registry.introspector.get("forge artifact types", "memos.memo")
    assert intr["artifact_type"] is kind


def test_two_declarations_of_one_type_conflict():
    config = Configurator(settings=forge_test_settings())
    config.include("forge.plugins")
    config.include("tests.fixture_plugins.memos")
    config.include("tests.fixture_plugins.duplicate_memo_type")
    with pytest.raises(ConfigurationConflictError):
        config.commit()


def test_a_model_that_is_not_versioned_is_refused():
    from forge.model import Artifact
    config = Configurator(settings=forge_test_settings())
    config.include("forge.plugins")
    with pytest.raises(ConfigurationError, match="not a VersionedArtifact"):
        config.add_artifact_type(Artifact, tool="x", form=MemoForm)


def test_a_resource_base_is_a_typed_artifact_resource():
    from forge.artifact_types import TypedArtifactResource
    from forge.resources.tool import VersionedArtifactResource
    config = Configurator(settings=forge_test_settings())
    config.include("forge.plugins")
    with pytest.raises(ConfigurationError, match="not a TypedArtifactResource"):
        config.add_artifact_type(Memo, tool="x", form=MemoForm,
                                 resource=VersionedArtifactResource)

    class Sealed(TypedArtifactResource):
        sealed = True
    config.add_artifact_type(Memo, tool="x", form=MemoForm, resource=Sealed)
    config.commit()
    kind = config.registry.forge_artifact_types["memos.memo"]
    assert issubclass(kind.resource, Sealed) and kind.resource.kind_info is kind


def test_a_declared_type_gets_the_cores_pages(site):
    b = site["browser"]
    assert "No memos yet." in b.get(TOOL).text
    form = b.get(TOOL + "@@new")
    assert 'id="memo-form"' in form.text and 'id="memo-body"' in form.text
    assert 'name="private"' not in form.text          # the type has no private readers
    refused = b.post_form(TOOL + "@@new", {"title": "", "body": "kept"}, status=400)
    assert 'id="error-title"' in refused.text and "kept" in refused.text
    created = b.post_form(TOOL + "@@new", {"title": "Plan", "body": "*one*"}, status=302)
    assert created.location.endswith(TOOL + "Plan/")
    assert 'id="memo-list"' in b.get(TOOL).text
    # the tool's own display page wins over the generic one
    assert b.get(TOOL + "Plan/").text == "memo page: Plan"
    # memos do not nest: no sub-memo form
    b.get(TOOL + "Plan/@@new", status=404)
    edit = b.get(TOOL + "Plan/@@edit")
    assert 'name="version" value="1"' in edit.text and "*one*" in edit.text
    b.post_form(TOOL + "Plan/@@edit", {"title": "Plan", "body": "two", "version": "1",
                                       "comment": "second"}, status=302)
    memo = stored("Plan")
    assert (memo.version, memo.body) == (2, "two")
    assert Snapshot.query.get(artifact_id=memo._id, version=2).comment == "second"
    stale = b.post_form(TOOL + "Plan/@@edit", {"title": "Plan", "body": "old", "version": "1"},
                        status=409)
    assert "old" in stale.text
    assert "<em>x</em>" in b.post_form(TOOL + "Plan/@@preview", {"text": "*x*"}).text
    assert 'id="v2"' in b.get(TOOL + "Plan/@@history").text
    b.post_form(TOOL + "Plan/@@delete", {}, status=302)
    b.get(TOOL + "Plan/", status=404)


def test_custom_fields_appear_in_form_list_and_page(site):
    b = site["browser"]
    b.post_form(TOOL + "@@fields", {"form": "add", "name": "area", "label": "Area",
                                    "type": "string", "options": "", "required": ""},
                status=302)
    assert 'name="custom.area"' in b.get(TOOL + "@@new").text
    b.post_form(TOOL + "@@new", {"title": "Zoned", "custom.area": "north"}, status=302)
    assert dict(stored("Zoned").custom) == {"area": "north"}
    listing = b.get(TOOL).text
    assert "Area" in listing and "north" in listing


def test_delete_and_undelete_are_logged_and_reach_the_page_again(registry, site):
    b = site["browser"]
    b.post_form(TOOL + "@@new", {"title": "Back"}, status=302)
    delete_artifact(registry, stored("Back"), site["ada"])
    b.get(TOOL + "Back/", status=404)
    undelete_artifact(registry, stored("Back"), site["ada"])
    assert b.get(TOOL + "Back/").text == "memo page: Back"
    memo = stored("Back")
    actions = sorted(e.action for e in ChangeLogEntry.query.find({"node_id": memo._id}))
    assert actions == ["memos.delete", "memos.undelete"]


def test_create_says_where_the_change_comes_from(registry, site):
    from forge.artifact_actions import create_artifact
    from forge.model import OutboxEvent
    create_artifact(registry, Memo, site["project"], site["tool"], None, "Scripted",
                    {"title": "Scripted"}, None, source="system")
    created = [e for e in OutboxEvent.query.find({"topic": "memos.memo.created"})]
    assert [e.message.get("source") for e in created] == ["system"]
