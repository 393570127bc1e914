"""Projects and subprojects: children are tool mounts first, then subprojects."""
from zope.interface import implementer

from ..interfaces import IProject
from .base import Node
from .missing_project import on_miss


@implementer(IProject)
class ProjectResource(Node):
    kind = "project"

    def __init__(self, doc, name, parent, family):
        super().__init__(doc, name, parent)
        self.family = family

    @property
    def project(self):
        return self

    @property
    def neighborhood(self):
        node = self.__parent__
        while isinstance(node, ProjectResource):
            node = node.__parent__
        return node

    @property
    def is_user_project(self):
        return self._doc.user_id is not None

    def tool_docs(self):
        return self.family.tools_of(self.doc)

    def subproject_docs(self):
        return self.family.subprojects_of(self.doc)

    def tool(self, doc):
        tool_type = self.request.registry.forge_tools.get(doc.tool)
        if tool_type is None:      # a tool whose plugin is not loaded any more
            return None
        return tool_type.resource(doc, doc.mount, self, tool_type)

    def subproject(self, doc):
        return ProjectResource(doc, doc.shortname.rsplit("/", 1)[-1], self, self.family)

    def tools(self):
        """The project's tool resources, as a tuple (callers share it: never
        change it); their documents are built into Ming objects only when a
        caller asks for ``.doc`` (``StoredTool``).

        Built once per resource, i.e. per request (traversal makes the tree
        anew for each): a project page asks for them two or three times (its
        list, the side nav, Markdown links), and the same tool resources keep
        their memoised read verdicts (``forge.security.readable``) for the
        next asker.  The family is this request's snapshot, so the tools only
        change when ``tool_docs`` builds their Ming objects; then they are
        made again around those."""
        built = self.family.tools_built(self._doc)
        memo = self.__dict__.get("_tools_memo")
        if memo is None or memo[0] != built:
            tools = tuple(t for t in (self.tool(d) for d in self.family.stored_tools_of(self._doc))
                          if t is not None)
            memo = self.__dict__["_tools_memo"] = (built, tools)
        return memo[1]

    def subprojects(self):
        prefix = self._doc.shortname + "/"
        return [self.subproject(self.family.projects.stored(name))
                for name in sorted(self.family.projects)
                if name.startswith(prefix) and "/" not in name[len(prefix):]]

    def __getitem__(self, name):
        if name.startswith("@@"):
            raise KeyError(name)
        doc = self.family.tool_mounted(self._doc, name)
        if doc is not None:
            tool = self.tool(doc)
            if tool is None:
                raise KeyError(name)
            return tool
        path = self._doc.shortname + "/" + name
        doc = self.family.projects.stored(path)
        if doc is None:
            return on_miss(self, self.neighborhood, path, name)
        return self.subproject(doc)
