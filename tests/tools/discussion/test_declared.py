"""Forums and threads are declared artifact types: the core's edit, delete
and form pages, with forums kept to admins (the tool's ``create``,
``update`` and ``delete`` are for threads), and the tool's custom fields in
the forum and thread forms and pages."""
from .test_forums import TOOL, browser, new_forum, new_thread, site, thread_doc  # noqa: F401

FORUM_LINK = 'href="http://localhost/p/demo/discussion/ideas/"'


def test_only_admins_make_edit_and_delete_forums(forge_app, site):
    ada, dev, mem = (browser(forge_app, n) for n in ("ada", "dev", "mem"))
    # the tool's @@new makes a forum: members hold "create" for threads only
    for b in (mem, dev):
        b.post_form(TOOL + "@@new", {"name": "ideas", "title": "Ideas"}, status=403)
    page = ada.post_form(TOOL + "@@new", {"name": "ideas", "title": "Ideas"}, status=302)
    assert page.location.endswith("/p/demo/discussion/ideas/")
    # developers hold "update" and "delete" for subjects and threads, not forums
    dev.get(TOOL + "ideas/@@edit", status=403)
    dev.post_form(TOOL + "ideas/@@delete", {}, status=403)
    assert FORUM_LINK in dev.get(TOOL).text
    assert "Delete this forum" in ada.get(TOOL + "ideas/@@edit").text
    ada.post_form(TOOL + "ideas/@@delete", {}, status=302)
    ada.get(TOOL + "ideas/", status=404)
    assert FORUM_LINK not in ada.get(TOOL).text


def test_custom_fields_are_in_the_forms_and_pages(forge_app, site):
    ada, mem = browser(forge_app, "ada"), browser(forge_app, "mem")
    ada.post_form(TOOL + "@@fields", {"form": "add", "name": "area", "label": "Area",
                                      "type": "string", "options": "", "required": ""},
                  status=302)
    assert 'name="custom.area"' in ada.get(TOOL + "@@new-forum").text
    new_forum(ada, "ideas", "Ideas", **{"custom.area": "north"})
    assert "north" in mem.get(TOOL + "ideas/").text
    assert 'name="custom.area"' in mem.get(TOOL + "ideas/@@new").text
    mem.post_form(TOOL + "ideas/@@new", {"subject": "Zoned", "text": "Here",
                                         "custom.area": "south"}, status=302)
    thread = thread_doc(site, "Zoned")
    assert dict(thread.custom) == {"area": "south"}
    assert "south" in mem.get(TOOL + thread.path + "/").text
