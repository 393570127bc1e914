"""A commit-message policy a test forge loads through ``forge.tools``: an
``scm.commit`` auditor refusing "WIP" commits, and an ``scm.push`` auditor
that records what it saw (the tests read ``SEEN``)."""
from forge.api import Rejected

SEEN = []


def no_wip_commits(change):
    if change.new["subject"].startswith("WIP"):
        raise Rejected("commit %s is marked WIP: finish it before pushing."
                       % change.new["sha"][:10], 422)


def record_push(change):
    SEEN.append({"updates": change.new["updates"], "commits": change.new["commits"],
                 "actor": change.actor.username if change.actor else None,
                 "source": change.source})


def includeme(config):
    config.add_auditor("scm.commit", no_wip_commits)
    config.add_auditor("scm.push", record_push)
