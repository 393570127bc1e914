"""Dedicated workers: ``forge worker --reactors`` (``forge.worker.reactors``)
chooses the reactors a worker runs (``forge.bus.worker_pool.select_reactors``);
a selection that chooses none, or names nothing registered, is a clear error.
And ``forge admin`` commands are one-shot: no relay thread (``forge.cli.runtime``)."""
import contextlib
from pathlib import Path
from types import SimpleNamespace

import click
import pytest
from click.testing import CliRunner
from pyramid.config import Configurator

from forge.bus.registry import Reactor
from forge.bus.relay import ONE_SHOT
from forge.bus.worker_pool import NoReactorSelected, WorkerPool, select_reactors
from forge.cli import main
from forge.cli.runtime import (is_one_shot, one_shot_commands, publish_saved_events,
                               watch_saved_events)
from forge.settings import parse_settings

TESTING_INI = str(Path(__file__).resolve().parent.parent.parent / "testing.ini")
NAMES = ["forge.activity", "forge.notify", "forge.search", "forge.search.web1",
         "forge.search.web2", "discussion.counters", "tracker.commit_refs"]


def reactors():
    return [Reactor(name=name, topic="#", fn=lambda event, context: None)
            for name in reversed(NAMES)]


def chosen(selection):
    return [r.name for r in select_reactors(reactors(), selection)]


def test_no_selection_runs_every_reactor_in_name_order():
    assert chosen(None) == chosen("") == chosen(" , ") == sorted(NAMES)


def test_patterns_choose_by_name_and_bang_leaves_out():
    assert chosen("forge.search.*") == ["forge.search.web1", "forge.search.web2"]
    assert chosen("forge.activity, discussion.*") == ["discussion.counters", "forge.activity"]
    assert chosen("forge.activity discussion.counters") == ["discussion.counters",
                                                            "forge.activity"]
    assert chosen("!forge.search*") == ["discussion.counters", "forge.activity",
                                        "forge.notify", "tracker.commit_refs"]
    assert chosen("forge.*,!forge.search.*") == ["forge.activity", "forge.notify",
                                                 "forge.search"]
    with pytest.raises(NoReactorSelected):        # names are case-sensitive
        select_reactors(reactors(), "Forge.activity")


def test_a_pattern_matching_no_reactor_is_an_error_naming_it_and_the_reactors():
    with pytest.raises(NoReactorSelected) as raised:
        select_reactors(reactors(), "forge.serch")
    message = str(raised.value)
    assert "'forge.serch' matches no reactor" in message
    assert "forge.search.web1" in message and "tracker.commit_refs" in message
    # one typo among good patterns is still an error (its queue would go unconsumed)
    with pytest.raises(NoReactorSelected, match="'nonesuch' matches no reactor"):
        select_reactors(reactors(), "forge.activity,nonesuch")
    with pytest.raises(NoReactorSelected, match="'web9' matches no reactor"):
        select_reactors(reactors(), "!web9")
    with pytest.raises(NoReactorSelected, match="leaves no reactor"):
        select_reactors(reactors(), "forge.activity,!forge.*")
    with pytest.raises(NoReactorSelected, match="the reactors are: none"):
        select_reactors([], "forge.activity")


def test_a_pool_runs_only_the_chosen_reactors(registry):
    pool = WorkerPool(registry, select_reactors(registry.forge_reactors.values(),
                                                "forge.activity,forge.notify"))
    assert [w.reactor.name for w in pool.workers] == ["forge.activity", "forge.notify"]


@pytest.fixture
def clean_environ(monkeypatch):
    import os
    for name in list(os.environ):
        if name.startswith(("FORGE_", "MING_")):
            monkeypatch.delenv(name)
    return monkeypatch


def test_forge_worker_refuses_a_selection_that_matches_nothing(clean_environ, tmp_path):
    result = CliRunner().invoke(main, ["worker", "--reactors", "forge.nonesuch", "--config",
                                       TESTING_INI, "--data-dir", str(tmp_path)])
    assert result.exit_code == 2, result.output           # a wrong command line
    assert "Invalid value for '--reactors'" in result.stderr
    assert "'forge.nonesuch' matches no reactor" in result.stderr
    assert "forge.activity" in result.stderr and "Traceback" not in result.output


def test_forge_worker_refuses_a_setting_that_matches_nothing(clean_environ, tmp_path):
    clean_environ.setenv("FORGE_WORKER_REACTORS", "!forge.*,nonesuch.*")
    result = CliRunner().invoke(main, ["worker", "--config", TESTING_INI,
                                       "--data-dir", str(tmp_path)])
    assert result.exit_code == 1, result.output
    assert "forge.worker.reactors (FORGE_WORKER_REACTORS)" in result.stderr
    assert "'nonesuch.*' matches no reactor" in result.stderr


def test_forge_admin_commands_are_one_shot_and_others_are_not():
    seen = {}

    @click.group()
    @click.pass_context
    def group(context):
        one_shot_commands(context)

    @group.command()
    def inner():
        seen["inner"] = is_one_shot()

    @click.command()
    def alone():
        seen["alone"] = is_one_shot()
    assert CliRunner().invoke(group, ["inner"]).exit_code == 0
    assert CliRunner().invoke(alone, []).exit_code == 0
    assert seen == {"inner": True, "alone": False}
    assert is_one_shot() is False                # outside any command


def relay_settings(**extra):
    return parse_settings({"ming.main.uri": "mongodb://127.0.0.1:1/",
                           "forge.bus.relay": "thread",
                           "forge.bus.url": "amqp://guest:guest@127.0.0.1:1//", **extra},
                          environ={})


def test_a_one_shot_forge_starts_no_relay_thread():
    """The relay's thread starts when the app is made, unless one-shot."""
    config = Configurator(settings=relay_settings(**{ONE_SHOT: True}))
    config.include("forge.bus.registry")
    config.include("forge.bus.relay")
    app = config.make_wsgi_app()
    assert not app.registry.forge_relay.running
    assert getattr(app.registry, "forge_bus_wake", None) is None


def test_a_one_shot_forge_notes_its_saves_only_where_a_thread_would_relay():
    def registry(**extra):
        return SimpleNamespace(settings=relay_settings(**extra))
    one_shot = registry(**{ONE_SHOT: True})
    saved = watch_saved_events(one_shot)
    assert not saved.is_set()
    one_shot.forge_bus_wake()                     # what a save that wrote an event calls
    assert saved.is_set()
    assert watch_saved_events(registry()) is None                    # not one-shot
    assert watch_saved_events(registry(**{ONE_SHOT: True, "forge.bus.relay": "off"})) is None
    # memory://: forge serve relays from the outbox; nobody consumes this process's bus
    assert watch_saved_events(registry(**{ONE_SHOT: True,
                                          "forge.bus.url": "memory://"})) is None


def test_a_one_shot_command_whose_broker_is_away_says_its_events_wait():
    closed, said = [], []

    class Relay:
        def publish_pending(self):
            raise OSError("connection refused")

        def disconnect(self):
            closed.append(True)
    publish_saved_events(SimpleNamespace(forge_relay=Relay()),
                         echo=lambda text, err=False: said.append((text, err)))
    assert closed == [True]
    [(text, err)] = said
    assert err and "wait in the outbox" in text and "connection refused" in text


# (import-trac converts a Trac environment first, then imports as ``import`` does)
@pytest.mark.parametrize("args", [["export", "demo", "out.zip"], ["import", "in.zip"]])
def test_the_archive_commands_are_one_shot(args, monkeypatch, tmp_path):
    """They run once and return, as ``forge admin`` commands do: no relay
    thread that could outlive the database client at exit (a traceback was
    printed once after ``forge import``)."""
    from forge.cli import archive
    asked = []

    @contextlib.contextmanager
    def recording(*args, **kw):
        asked.append(kw.get("one_shot"))
        raise click.ClickException("stopped here")
        yield
    monkeypatch.setattr(archive, "running_forge", recording)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "in.zip").write_bytes(b"")
    result = CliRunner().invoke(main, args)
    assert "stopped here" in result.output and asked == [True]
