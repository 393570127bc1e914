"""The fuzz test (issue 10, "Done when"): hostile URLs, headers, multipart
bodies and form values to every registered view, as every role, through the
WSGI app; any 5xx fails, and no request body ever reaches the logs.

The views come from Pyramid's introspector and each is sent to every node of
the world it answers on (``tests/fuzz_world.py``); the inputs are hypothesis
strategies (``tests/fuzz_inputs.py``).  Each example goes out once per role
with that role's CSRF token (so it reaches the view, not only the CSRF check)
and once more without a token.

Bounded and repeatable: ``FORGE_FUZZ_EXAMPLES`` examples per view (5 by
default, a few minutes in all; raise it for a long local run), derandomized.
A view that changes the world (a delete, a rename, a sign-out) runs late, and
the world is built again when a view finds its nodes or sessions changed.
"""
import logging
import os
import zlib
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings

from forge.testing import forge_test_settings, worker_database
import forge
import tools

from .fuzz_inputs import MARK, fuzz_requests
from .fuzz_world import ROLES, FuzzWorld, registered_views, source_param_names

EXAMPLES = int(os.environ.get("FORGE_FUZZ_EXAMPLES", "5"))
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES, derandomize=True, database=None,
    deadline=timedelta(seconds=30),       # one example is 6 requests on a loaded machine
    phases=[Phase.explicit, Phase.generate],   # the request is printed; no shrinking
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.filter_too_much,
                           HealthCheck.function_scoped_fixture])

# views that change what later views need: they run last
WORLD_CHANGING = {"delete", "rename", "post-delete", "attachment-delete", "logout", "tools",
                  "roles", "permissions", "undelete", "bulk", "moderate", "flags", "edit",
                  "account", "options", "fields"}


def fuzz_settings():
    return forge_test_settings(**{"ming.main.database": worker_database("forge_fuzz")})


def view_order(view):
    changes = set(view.methods) <= {"POST"} or view.name in WORLD_CHANGING
    return (changes and view.name in WORLD_CHANGING, changes, view.label)


def views_to_fuzz():
    """The registered views, enumerated at collection from a bare app."""
    from forge import main
    from forge.testing import reset_database
    settings = forge_test_settings(**{"ming.main.database": worker_database("forge_fuzz_views")})
    reset_database(settings)
    return sorted(registered_views(main({}, **settings).registry), key=view_order)


VIEWS = views_to_fuzz()


class LogCapture(logging.Handler):
    """Everything logged while the app runs, as text."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records = []

    def emit(self, record):
        text = record.getMessage()
        if record.exc_info:
            text += "\n" + logging.Formatter().formatException(record.exc_info)
        self.records.append("%s %s: %s" % (record.levelname, record.name, text))


@pytest.fixture(scope="module")
def captured_logs():
    handler = LogCapture()
    root = logging.getLogger()
    levels = {name: logging.getLogger(name).level for name in ("", "forge", "tools")}
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    # the forge's own loggers down to DEBUG: stricter than production's WARN
    logging.getLogger("forge").setLevel(logging.DEBUG)
    logging.getLogger("tools").setLevel(logging.DEBUG)
    yield handler
    root.removeHandler(handler)
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


@pytest.fixture(scope="module")
def world():
    return FuzzWorld(fuzz_settings())


@pytest.fixture(scope="module")
def param_names():
    return source_param_names(forge, tools)


def test_every_view_answers_on_some_node_of_the_world(world):
    assert len(VIEWS) > 80
    assert {v.label for v in VIEWS} == {v.label for v in world.views}
    homeless = [view.label for view in world.views if not world.targets(view)]
    assert not homeless, "views no node of the fuzz world answers: %s" % homeless


@pytest.mark.filterwarnings("ignore:http.cookiejar bug")   # a hostile Host header
@pytest.mark.parametrize("view", VIEWS, ids=[v.label for v in VIEWS])
def test_fuzz_view(world, captured_logs, param_names, view):
    targets = world.targets(view)
    if not world.intact(targets):
        world.build()
        targets = world.targets(view)
    captured_logs.records.clear()
    reached = []

    @FUZZ_SETTINGS
    @seed(zlib.crc32(view.label.encode()))     # repeatable, and different for each view
    @given(request=fuzz_requests(view, targets, world.harvest, param_names))
    def fuzz(request):
        sends = [(role, True) for role in ROLES]
        if request.encoding:
            sends.append(("member", False))
        for role, csrf in sends:
            before = len(captured_logs.records)
            try:
                response = request.send(world.client, world.cookies[role],
                                        world.tokens[role] if csrf else None)
                status = response.status_int
                if csrf and not (status == 400 and "security token" in response.text):
                    reached.append(status)
            except Exception as error:   # the app (or WSGI lint) raised: as a 500 would
                raise AssertionError("the app raised %r on\n%s" % (
                    error, request.describe(role, csrf))) from error
            if status >= 500:
                logged = "\n".join(captured_logs.records[before:])[-3000:]
                raise AssertionError("%d on\n%s\n--- logged:\n%s" % (
                    status, request.describe(role, csrf), logged))

    fuzz()
    assert reached, "every request with a CSRF token was refused as without one"
    leaked = [record for record in captured_logs.records if MARK in record]
    assert not leaked, "request bodies in the logs:\n%s" % "\n".join(leaked)[:3000]
