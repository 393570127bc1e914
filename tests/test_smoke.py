def test_front_page_lists_public_projects(forge_browser, make_user, make_project):
    ada = make_user("ada")
    make_project("demo", ada, title="Demo project")
    page = forge_browser.get("/")
    assert "Demo project" in page.text


def test_stylesheet_is_served(forge_browser):
    response = forge_browser.get("/@@static-forge/forge.css")
    assert response.content_type == "text/css"
    assert "--accent" in response.text
