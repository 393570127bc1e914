"""Custom fields: the project admin's ``@@fields`` page, and values of every
type on notes (valid ones stored typed, invalid ones a 400 next to the field)."""
import pytest

from forge.model.change_log import entries_for
from forge.actions.projects import install_tool
from forge.actions.roles import add_member, role_named
from forge.events import ToolUpdated
from forge.fields import FieldSpec, clean_values, FieldErrors, new_field_spec
from forge.model import ToolInstance, session
from forge.testing import ForgeBrowser
from tools.notes.model import Note

TOOL = "/p/demo/notes/"

# name, type, options, a valid form value -> what is stored, an invalid value -> message
FIELDS = [
    ("summary", "string", "", ("short one", "short one"), ("x\ny", "must be one line")),
    ("details", "text", "", ("line 1\nline 2", "line 1\nline 2"),
     ("x" * (64 * 1024 + 1), "may be at most")),
    ("estimate", "integer", "", ("42", 42), ("4.5", "must be a whole number")),
    ("urgent", "boolean", "", ("on", True), None),
    ("due", "date", "", ("2026-01-31", "2026-01-31"), ("31/01/2026", "must be a date like")),
    ("severity", "select", "low\nhigh", ("high", "high"), ("medium", "must be one of: low, high")),
    ("owner", "user", "", ("dev", "dev"), ("nobody", "there is no user named 'nobody'")),
]


def build_site(app):
    """ada's project "demo" with dev as a Developer and a notes tool: built once
    (``fresh_app(world=)``), put back before each test that asks for it."""
    from forge.actions.projects import create_project
    from forge.actions.users import create_user
    from forge.model import Neighborhood
    from forge.testing import PASSWORD
    registry = app.registry
    ada = create_user(registry, "ada", "ada@example.test", PASSWORD)
    project = create_project(registry, Neighborhood.query.get(name="p"), "demo", "Demo", ada)
    dev = create_user(registry, "dev", "dev@example.test", PASSWORD)
    add_member(registry, project, role_named(project, "Developer"), dev, ada)
    install_tool(registry, project, "notes", "notes", ada)


def build_site_with_fields(app):
    """The site with a field of every type added by ada; her browser's cookies."""
    build_site(app)
    ada = login(app, "ada")
    for name, type_, options, _, _ in FIELDS:
        add_field(ada, name, type_, options)
    return dict(ada.cookies)


@pytest.fixture
def forge_app(request, forge_settings):
    from forge.testing_apps import fresh_app
    names = request.fixturenames
    world = (build_site_with_fields if "with_fields" in names
             else build_site if "site" in names else None)
    return fresh_app(forge_settings, world=world)


@pytest.fixture
def site(forge_app):
    from forge.model import User
    session.close()
    site = {"ada": User.by_username("ada"), "dev": User.by_username("dev"),
            "tool": ToolInstance.query.get(mount="notes")}
    session.close()
    return site


def login(forge_app, username):
    browser = ForgeBrowser(forge_app)
    browser.login(username)
    return browser


def tool_doc(site):
    session.close()
    return ToolInstance.query.get(_id=site["tool"]._id)


def add_field(browser, name, type_, options="", required="", status=302, label=None):
    return browser.post_form(TOOL + "@@fields", {
        "form": "add", "name": name, "label": label or name.title(), "type": type_,
        "options": options, "required": required}, status=status)


def test_admin_adds_a_field_of_every_type(forge_app, registry, site):
    events = []
    registry.registerHandler(events.append, (ToolUpdated,))
    ada = login(forge_app, "ada")
    assert ada.get(TOOL + "@@fields").status_int == 200
    for name, type_, options, _, _ in FIELDS:
        add_field(ada, name, type_, options)
    stored = tool_doc(site).custom_fields
    assert [(f["name"], f["type"]) for f in stored] == [(f[0], f[1]) for f in FIELDS]
    assert stored[5]["options"] == ["low", "high"]
    assert len(events) == len(FIELDS)
    actions = [e.action for e in entries_for(tool_doc(site))]
    assert actions.count("fields.add") == len(FIELDS)
    page = ada.get(TOOL + "@@fields")
    for name, *_ in FIELDS:
        assert 'id="field-%s"' % name in page.text


@pytest.mark.parametrize("name,type_,options,message", [
    ("Bad Name", "string", "", "A field name is 1-40 lowercase letters"),
    ("", "string", "", "A field name is 1-40 lowercase letters"),
    ("kind", "colour", "", "The type must be one of"),
    ("kind", "select", "\n  \n", "A select field needs at least one option."),
    ("first", "string", "", "There is already a field named 'first'."),
])
def test_bad_field_definitions_are_a_400(forge_app, site, name, type_, options, message):
    ada = login(forge_app, "ada")
    add_field(ada, "first", "string")
    page = add_field(ada, name, type_, options, status=400)
    assert message in page.text.replace("&#39;", "'")
    assert 'value="%s"' % name in page.text          # the form keeps what was typed
    assert [f["name"] for f in tool_doc(site).custom_fields] == ["first"]


def test_remove_a_field_and_only_admins_may(forge_app, site):
    ada = login(forge_app, "ada")
    add_field(ada, "first", "string")
    add_field(ada, "second", "integer")
    dev = login(forge_app, "dev")
    dev.get(TOOL + "@@fields", status=403)
    add_field(dev, "third", "string", status=403)
    dev.post_form(TOOL + "@@fields", {"form": "remove", "name": "first"}, status=403)
    ada.post_form(TOOL + "@@fields", {"form": "remove", "name": "first"}, status=302)
    page = ada.post_form(TOOL + "@@fields", {"form": "remove", "name": "first"}, status=400)
    assert "There is no field named" in page.text
    ada.post_form(TOOL + "@@fields", {"form": "other"}, status=400)
    assert [f["name"] for f in tool_doc(site).custom_fields] == ["second"]
    ForgeBrowser(forge_app).get(TOOL + "@@fields", status=302)     # anonymous: sign in


@pytest.fixture
def with_fields(forge_app, site):
    """ada's browser, signed in, on the site with a field of every type."""
    from forge.testing_apps import world_value
    ada = ForgeBrowser(forge_app)
    for name, value in world_value(forge_app, build_site_with_fields).items():
        ada.set_cookie(name, value)
    ada._user = "ada"          # signed in (its csrf() reads the account page)
    return ada


def valid_form():
    return {"custom." + name: valid[0] for name, _, _, valid, _ in FIELDS}


def test_valid_values_of_every_type_are_stored_typed_and_shown(forge_app, site, with_fields):
    ada = with_fields
    form = ada.get(TOOL + "@@new")
    for name, *_ in FIELDS:
        assert 'name="custom.%s"' % name in form.text
    ada.post_form(TOOL + "@@new", dict(valid_form(), title="Typed"), status=302)
    session.close()
    note = Note.query.get(tool_id=site["tool"]._id, path="Typed")
    assert dict(note.custom) == {name: valid[1] for name, _, _, valid, _ in FIELDS}
    page = ada.get(TOOL + "Typed/")
    assert "short one" in page.text and "2026-01-31" in page.text and ">42<" in page.text
    assert 'href="http://localhost/u/dev/"' in page.text
    edit_form = ada.get(TOOL + "Typed/@@edit")
    assert 'value="42"' in edit_form.text and 'value="on" checked' in edit_form.text


@pytest.mark.parametrize("name,invalid,message",
                         [(f[0], f[4][0], f[4][1]) for f in FIELDS if f[4]])
def test_an_invalid_value_is_a_400_next_to_its_field(forge_app, site, with_fields, name,
                                                      invalid, message):
    ada = with_fields
    # creating: nothing saved
    fields = dict(valid_form(), title="Bad", **{"custom." + name: invalid})
    page = ada.post_form(TOOL + "@@new", fields, status=400)
    assert 'id="field-custom-%s-error"' % name in page.text
    assert message in page.text.replace("&#39;", "'")
    session.close()
    assert Note.query.get(tool_id=site["tool"]._id, path="Bad") is None
    # editing: the stored note stays as it was
    ada.post_form(TOOL + "@@new", dict(valid_form(), title="Good"), status=302)
    fields = dict(valid_form(), title="Good", version="1", **{"custom." + name: invalid})
    page = ada.post_form(TOOL + "Good/@@edit", fields, status=400)
    assert message in page.text.replace("&#39;", "'")
    session.close()
    note = Note.query.get(tool_id=site["tool"]._id, path="Good")
    assert note.version == 1
    assert dict(note.custom) == {n: valid[1] for n, _, _, valid, _ in FIELDS}


def test_required_field(forge_app, site):
    ada = login(forge_app, "ada")
    add_field(ada, "ticket", "integer", required="on", label="Ticket")
    page = ada.post_form(TOOL + "@@new", {"title": "No ticket"}, status=400)
    assert "Ticket is required." in page.text
    ada.post_form(TOOL + "@@new", {"title": "Ticket", "custom.ticket": "0"}, status=302)
    assert "<th scope=\"row\">Ticket</th><td>0</td>" in ada.get(TOOL + "Ticket/").text


def test_clean_values_unit():
    specs = [FieldSpec("n", "N", "integer"), FieldSpec("b", "B", "boolean")]
    assert clean_values(specs, {"n": " 12 "}, lambda u: False) == {"n": 12, "b": False}
    with pytest.raises(FieldErrors) as caught:
        clean_values(specs, {"n": "twelve"}, lambda u: False)
    assert caught.value.errors == {"n": "N must be a whole number."}
    spec = new_field_spec("sev", "", "select", options=[" a ", "", "b"])
    assert (spec.label, spec.options) == ("sev", ("a", "b"))


def test_xss_corpus_in_custom_fields_is_inert(forge_app, site):
    from forge.testing import XSS_CORPUS as XSS, active_content
    ada = login(forge_app, "ada")
    add_field(ada, "summary", "string")
    add_field(ada, "details", "text")
    add_field(ada, "kind", "select", options="\n".join(p[:60] for p in XSS[:4]))
    for i, payload in enumerate(XSS):
        ada.post_form(TOOL + "@@new", {"title": "x%d" % i, "custom.summary": payload,
                                       "custom.details": payload + "\n" + payload,
                                       "custom.kind": XSS[i % 4][:60]}, status=302)
        for url in (TOOL + "x%d/" % i, TOOL + "x%d/@@edit" % i):
            page = ada.get(url)
            assert active_content(page.text) == [], (url, payload)
            assert "<" not in payload or "&lt;" in page.text     # shown, escaped
    assert active_content(ada.get(TOOL + "@@fields").text) == []
