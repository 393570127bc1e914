"""A host application's security policy and session factory, next to the forge's.

The forge needs its own: its pages ask the policy for ``principals`` (the
forge's users and roles, matched against stored ACLs), and sign-in keeps the
user in the forge's server-side session.  A host that sets its own policy or
session factory replaces the forge's for the whole application, so the forge
would fail at request time (every page a 500, or a sign-in that never sticks).

Instead the two compose through these adapters, which give requests under the
forge's mounts (``forge.scope``) to the forge and every other request to the
host::

    config.set_security_policy(MountedSecurityPolicy(HostPolicy()))
    config.set_session_factory(MountedSessionFactory(host_session_factory))

and anything else is refused when the configuration is committed
(``refuse_unfit_policies``: a ``ConfigurationError`` saying what to write).
"""
from pyramid.authorization import Everyone
from pyramid.config import PHASE3_CONFIG
from pyramid.exceptions import ConfigurationError
from pyramid.interfaces import ISecurityPolicy, ISessionFactory
from zope.interface import implementer

from .scope import in_forge
from .security import ForgeSecurityPolicy
from .sessions import SessionFactory


@implementer(ISecurityPolicy)
class MountedSecurityPolicy:
    """The forge's policy under the forge's mounts, ``host_policy`` elsewhere."""

    def __init__(self, host_policy):
        self.host_policy = host_policy

    def policy_for(self, request):
        return request.registry.forge_security_policy if in_forge(request) else self.host_policy

    def identity(self, request):
        return self.policy_for(request).identity(request)

    def authenticated_userid(self, request):
        return self.policy_for(request).authenticated_userid(request)

    def permits(self, request, context, permission):
        return self.policy_for(request).permits(request, context, permission)

    def remember(self, request, userid, **kw):
        return self.policy_for(request).remember(request, userid, **kw)

    def forget(self, request, **kw):
        return self.policy_for(request).forget(request, **kw)

    def principals(self, request):
        """Forge principals: a host page holds none but ``system.Everyone``."""
        if in_forge(request):
            return request.registry.forge_security_policy.principals(request)
        return [Everyone]


class MountedSessionFactory:
    """The forge's sessions under the forge's mounts, ``host_factory``'s elsewhere."""

    def __init__(self, host_factory):
        self.host_factory = host_factory

    def __call__(self, request):
        if in_forge(request):
            return request.registry.forge_session_factory(request)
        return self.host_factory(request)


def refuse_unfit_policies(registry):
    policy = registry.queryUtility(ISecurityPolicy)
    if not isinstance(policy, (ForgeSecurityPolicy, MountedSecurityPolicy)):
        raise ConfigurationError(
            "The security policy %s replaces the forge's: forge pages need the forge's "
            "principals. Compose the two instead: config.set_security_policy("
            "forge.host_policies.MountedSecurityPolicy(%s(...))) gives requests under "
            "the forge's mounts to the forge and the rest to yours."
            % (type(policy).__name__, type(policy).__name__))
    factory = registry.queryUtility(ISessionFactory)
    if not isinstance(factory, (SessionFactory, MountedSessionFactory)):
        name = getattr(factory, "__name__", type(factory).__name__)
        raise ConfigurationError(
            "The session factory %s replaces the forge's: forge sign-in keeps the user "
            "in the forge's server-side session. Compose the two instead: "
            "config.set_session_factory(forge.host_policies.MountedSessionFactory(%s)) "
            "gives requests under the forge's mounts to the forge and the rest to yours."
            % (name, name))


def includeme(config):
    registry = config.registry
    # after every set_security_policy / set_session_factory, the host's included
    config.action(None, refuse_unfit_policies, args=(registry,), order=PHASE3_CONFIG + 10)
