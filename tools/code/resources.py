"""The code tool's resource: no artifacts, its pages are views with a subpath."""
import re

from zope.interface import implementer

from forge.api import ITool, ToolResource


class ICodeTool(ITool):
    """A mounted Git repository."""


@implementer(ICodeTool)
class CodeTool(ToolResource):
    def __getitem__(self, name):
        # /tree/main/src/a.py: "tree" is the view, the rest its subpath (no query)
        raise KeyError(name)


# "/p/demo/code.git/info/refs" -> "/p/demo/code/info/refs": git users add .git
GIT_SUFFIX = re.compile(r"^(.*/[^/]+)\.git(/(?:info/refs|git-upload-pack|git-receive-pack))$")


def git_suffix_tween_factory(handler, registry):
    """Accept the ``.git`` suffix on a repository's smart HTTP URLs (only those)."""
    def git_suffix_tween(request):
        match = GIT_SUFFIX.match(request.path_info)
        if match:
            request.path_info = match.group(1) + match.group(2)
        return handler(request)
    return git_suffix_tween
