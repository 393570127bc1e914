"""Seed the code benchmark's forge: a user, a public project, its code tool.

    python bench/code_seed.py MONGO_PORT   (FORGE_REPOS_PATH set, as for the server)

Creates ``benchadmin`` (password ``bench-password-123``), the public project
``c1`` and the code tool mounted at ``code`` (``git init --bare`` by the tool's
own subscriber), and an API token for git's HTTP Basic password.  Prints one
line: ``<repository directory><TAB><token>``; bench/code then puts the
benchmark repository in that directory.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import forge  # noqa: E402
from forge.actions.projects import create_project, install_tool  # noqa: E402
from forge.actions.tokens import create_token  # noqa: E402
from forge.actions.users import create_user  # noqa: E402
from forge.model import Neighborhood  # noqa: E402
from forge_settings import settings  # noqa: E402

USERNAME = "benchadmin"
PASSWORD = "bench-password-123"
PROJECT = "c1"


def main(argv):
    repos = os.environ.get("FORGE_REPOS_PATH")
    if len(argv) != 2 or not repos:
        sys.exit(__doc__)
    app = forge.main({}, **settings(int(argv[1])))
    registry = app.registry
    user = create_user(registry, USERNAME, "benchadmin@example.test", PASSWORD,
                       display_name="Bench Admin")
    project = create_project(registry, Neighborhood.query.get(name="p"), PROJECT,
                             "Code benchmark", user, description="The code benchmark.")
    tool = install_tool(registry, project, "code", "code", user)
    _record, token = create_token(user, "bench git")
    path = os.path.join(repos, str(tool._id) + ".git")
    if not os.path.isdir(path):
        sys.exit("the code tool made no repository at %s" % path)
    print("%s\t%s" % (path, token))


if __name__ == "__main__":
    main(sys.argv)
