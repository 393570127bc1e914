"""Where an import puts a project: ``--as``, ``--parent``, and a subproject
exported alone, whose ACL grants roles of the project above it."""
from forge.actions.projects import create_project, install_tool
from forge.actions.users import create_user
from forge.archive import ArchiveReader, export_project, import_archive, plan_import
from forge.model import Neighborhood, Project, ProjectRole, session
from forge.testing import PASSWORD
from tools.wiki.actions import create_page


def import_file(registry, path, **options):
    with ArchiveReader(str(path)) as reader:
        plan = plan_import(registry, reader, **options)
        summary = import_archive(registry, reader, plan)
    session.close()
    return plan, Project.query.get(_id=summary.root_id)


def build(registry):
    ada = create_user(registry, "ada", "ada@example.test", PASSWORD)
    nb = Neighborhood.query.get(name="p")
    top = create_project(registry, nb, "top", "Top", ada)
    sub = create_project(registry, nb, "sub", "Sub", ada, parent=top, private=True)
    wiki = install_tool(registry, sub, "wiki", "wiki", ada)
    create_page(registry, sub, wiki, "Home", "Home", "Words", ada)
    other = create_project(registry, nb, "other", "Other", ada)
    session.flush()
    session.close()
    return top, sub, other


def principals(project):
    return [entry["principal"] for entry in project.acl]


def test_a_subproject_alone_under_another_parent(registry, tmp_path):
    top, sub, other = build(registry)
    member_of_top = ProjectRole.query.get(project_id=top._id, name="Member").principal
    assert member_of_top in principals(Project.query.get(_id=sub._id))
    path = tmp_path / "sub.zip"
    export_project(registry, sub._id, str(path))
    plan, copy = import_file(registry, path, parent_path="other", as_path="copy")
    assert copy.shortname == "other/copy" and copy.family == "other"
    assert copy.parent_id == other._id
    member_of_other = ProjectRole.query.get(project_id=other._id, name="Member").principal
    # the private subproject's readers are the new parent's members now
    assert member_of_other in principals(copy) and member_of_top not in principals(copy)
    assert plan.warnings == []


def test_a_subproject_alone_at_the_top_loses_the_outside_grant(registry, tmp_path):
    top, sub, _other = build(registry)
    path = tmp_path / "sub.zip"
    export_project(registry, sub._id, str(path))
    plan, copy = import_file(registry, path, as_path="alone")
    assert copy.shortname == "alone" and copy.parent_id is None
    # the roles it granted were top's: no project above it here has them
    assert not any(p.startswith("role:") for p in principals(copy))
    assert sorted(w.split()[4] for w in plan.warnings) == ["Admin", "Developer", "Member"]
    # still private: the final deny to everyone stayed
    assert copy.acl[-1] == {"access": "deny", "principal": "system.Everyone",
                            "permission": "read"}


def test_as_renames_the_whole_tree(registry, tmp_path):
    top, sub, _other = build(registry)
    path = tmp_path / "top.zip"
    export_project(registry, top._id, str(path))
    _plan, copy = import_file(registry, path, as_path="renamed")
    paths = sorted(p.shortname for p in Project.query.find({"family": "renamed"}))
    assert paths == ["renamed", "renamed/sub"]
    assert copy.family == "renamed"
