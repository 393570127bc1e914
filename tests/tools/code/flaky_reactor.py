"""A reactor on ``scm.commit`` that is down for each event's first delivery
(a tracker that cannot be reached), loaded by a test forge through
``forge.tools``; ``HANDLED`` lists the commit ids it took, ``FAILED`` those it
refused."""
HANDLED = []
FAILED = []


def sometimes_down(event, context):
    sha = event["detail"]["sha"]
    if sha not in FAILED:
        FAILED.append(sha)
        raise ConnectionError("the tracker is down")
    HANDLED.append(sha)


def includeme(config):
    config.add_reactor("scm.commit", sometimes_down, name="tests.flaky_commit_reactor")
