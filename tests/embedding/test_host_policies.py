"""A host's own security policy or session factory: composed through
forge.host_policies, or refused when the configuration is committed (never a
500 or a sign-in that silently fails at request time)."""
import pytest
from pyramid.config import Configurator
from pyramid.exceptions import ConfigurationError
from pyramid.session import SignedCookieSessionFactory

from forge.settings import parse_settings
from forge.testing import reset_database
from tests.embedding.conftest import host_settings


class HostPolicy:
    """A typical host policy: no ``principals`` (the forge's pages need them)."""

    def identity(self, request):
        return None

    def authenticated_userid(self, request):
        return None

    def permits(self, request, context, permission):
        return True

    def remember(self, request, userid, **kw):
        return []

    def forget(self, request, **kw):
        return []


def build(host_setup):
    settings = parse_settings(host_settings())
    reset_database(settings)
    with Configurator(settings=settings) as config:
        host_setup(config)
        config.include("forge")
        config.include("forge.embedding")
        config.mount_forge("/forge", workers=False)
    return config.make_wsgi_app()


def test_a_host_security_policy_alone_is_refused_with_what_to_write():
    with pytest.raises(ConfigurationError) as refused:
        build(lambda config: config.set_security_policy(HostPolicy()))
    message = str(refused.value)
    assert "HostPolicy replaces the forge's" in message
    assert "MountedSecurityPolicy(HostPolicy(...))" in message


def test_a_host_session_factory_alone_is_refused_with_what_to_write():
    factory = SignedCookieSessionFactory("host-secret")
    with pytest.raises(ConfigurationError) as refused:
        build(lambda config: config.set_session_factory(factory))
    assert "MountedSessionFactory(" in str(refused.value)


def test_composed_policy_and_sessions_serve_forge_pages():
    import webtest
    from forge.host_policies import MountedSecurityPolicy, MountedSessionFactory

    def setup(config):
        config.set_security_policy(MountedSecurityPolicy(HostPolicy()))
        config.set_session_factory(MountedSessionFactory(SignedCookieSessionFactory("s")))

    app = webtest.TestApp(build(setup))
    assert app.get("/forge/").status_int == 200
    assert app.get("/forge/@@login").status_int == 200
