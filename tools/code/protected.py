"""Protected branches: a repository setting refusing force-push and deletion of
the branches it lists (``ToolInstance.options["protected_branches"]``).

A listed name is a branch name or a pattern with ``*`` (``release/*``).  The
rule is an ordinary ``scm.push`` auditor, so it runs before the push is
accepted (``pre_receive``) and applies to everyone, admins included: to
rewrite a protected branch an admin first takes it off the list.
"""
import fnmatch
import re

from forge.api import ActionError, Rejected

MAX_PATTERNS = 50
PATTERN = re.compile(r"^(?!-)(?!.*\.\.)(?!.*//)[A-Za-z0-9._/*+@-]{1,200}(?<!/)$")


def protected_patterns(tool_doc):
    return list((tool_doc.options or {}).get("protected_branches") or [])


def is_protected(patterns, branch):
    return any(fnmatch.fnmatchcase(branch, pattern) for pattern in patterns)


def clean_patterns(raw):
    """The list an admin typed (one per line or comma-separated), checked."""
    patterns = []
    for item in re.split(r"[,\n]", raw or ""):
        item = item.strip()
        if not item:
            continue
        if not PATTERN.match(item):
            raise ActionError("%r is not a branch name or pattern (letters, digits, "
                              "'.', '_', '-', '/', '*')." % item[:100])
        if item not in patterns:
            patterns.append(item)
    if len(patterns) > MAX_PATTERNS:
        raise ActionError("At most %d protected branches or patterns." % MAX_PATTERNS)
    return patterns


def refuse_rewriting_protected_branches(change):
    """The ``scm.push`` auditor: no deletion, no force-push of a listed branch."""
    patterns = protected_patterns(change.node)
    if not patterns:
        return
    for update in change.new["updates"]:
        if not update["ref"].startswith("refs/heads/"):
            continue
        branch = update["ref"][len("refs/heads/"):]
        if not is_protected(patterns, branch):
            continue
        if update["kind"] == "deleted":
            raise Rejected("the branch %s is protected: it may not be deleted." % branch, 403)
        if update["forced"]:
            raise Rejected("the branch %s is protected: it may not be force-pushed "
                           "(rewritten); push commits on top of it instead." % branch, 403)


def includeme(config):
    config.add_auditor("scm.push", refuse_rewriting_protected_branches)
