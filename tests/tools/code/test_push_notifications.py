"""On a forge that sends no mail, a push reaches its watchers' in-app
notifications: one item per push, only for those who may read the repository."""
from forge.model.session import collection, session
from forge.notifications.in_app import InAppNotification
from forge.notifications.watches import add_watch

from .conftest import with_credentials

REPO = "/p/demo/code"


def watch(people, name):
    add_watch(people[name]._id, "tool", people["tool"])
    session.flush()
    session.close()


def push(git, server, site, work_tree):
    git("push", with_credentials(server + REPO, "dev", site["tokens"]["dev"]), "main",
        cwd=work_tree)


def test_watchers_read_the_push_in_the_app(site, server, git, work_tree, browse,
                                           run_reactors):
    for name in ("mem", "dev"):
        watch(site, name)
    push(git, server, site, work_tree)
    run_reactors()
    [item] = list(collection(InAppNotification).find({"user_id": site["mem"]._id}))
    assert item["_id"].startswith("push:")
    assert collection(InAppNotification).count_documents({"user_id": site["dev"]._id}) == 0
    page = browse("mem").get("/@@notifications")
    assert "2 new commits on main by dev" in page.text
    assert "First commit; Add the app" in page.text


def test_who_may_not_read_gets_no_item(private_site, server, git, work_tree, run_reactors):
    watch(private_site, "out")      # a watch kept from before it went private
    watch(private_site, "mem")
    push(git, server, private_site, work_tree)
    run_reactors()
    assert collection(InAppNotification).count_documents(
        {"user_id": private_site["out"]._id}) == 0
    assert collection(InAppNotification).count_documents(
        {"user_id": private_site["mem"]._id}) == 1
