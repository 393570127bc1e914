"""The wiki's custom fields (``@@fields``) are in its page forms and on its pages,
as for every declared artifact type (they used to be accepted and never shown)."""
from .conftest import WIKI, create, edit, stored


def test_custom_fields_appear_in_the_forms_and_on_the_page(site, browse):
    ada = browse("ada")
    ada.post_form(WIKI + "@@fields", {"form": "add", "name": "area", "label": "Area",
                                      "type": "string", "options": "", "required": ""},
                  status=302)
    assert 'name="custom.area"' in ada.get(WIKI + "@@new").text
    create(ada, "Zoned", text="x", **{"custom.area": "north"})
    assert dict(stored(site, "Zoned").custom) == {"area": "north"}
    page = ada.get(WIKI + "Zoned/").text
    assert "Area" in page and "north" in page
    assert 'value="north"' in ada.get(WIKI + "Zoned/@@edit").text
    edit(ada, "Zoned", 1, title="Zoned", text="x", **{"custom.area": "south"})
    assert dict(stored(site, "Zoned").custom) == {"area": "south"}
    assert "south" in ada.get(WIKI + "Zoned/").text
