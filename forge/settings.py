"""Settings: one defaults table, parsed once, overridable from the environment.

Every key lives in a namespace (``forge.*``, ``ming.*``).  An environment
variable named after the key in upper case with dots as underscores
(``forge.session.secure`` -> ``FORGE_SESSION_SECURE``) overrides the INI file,
so containers and CI can configure the forge without editing files.
"""
import os

from pyramid.exceptions import ConfigurationError
from pyramid.settings import asbool, aslist

DEV_SECRET = "development-only-secret-change-me"

#: names the interpreter of the code tool's pre-receive hook
HOOK_PYTHON_SETTING = "forge.repos.hook_python"

# key -> (default, parser)
DEFAULTS = {
    "ming.main.uri": ("mim://", str),
    "ming.main.database": ("forge", str),
    "forge.secret": (None, str),
    "forge.production": (False, asbool),
    "forge.data_dir": ("", str),
    "forge.tools": ([], aslist),
    "forge.load_tool_entry_points": (True, asbool),
    "forge.ensure_indexes": (True, asbool),
    # prefixes of compound indexes for the embedded server (forge.model.equality_indexes):
    # auto (only on nx-27017), true or false
    "forge.db.equality_indexes": ("auto", str),
    "forge.session.secure": (False, asbool),
    "forge.session.max_age": (14 * 24 * 3600, int),
    "forge.session.cookie_name": ("forge_session", str),
    "forge.max_body_bytes": (1024 * 1024, int),
    # whole pages kept for readers not signed in (forge.page_cache), MiB per process; 0: off
    "forge.page_cache.max_mb": (64.0, float),
    "forge.attachments.max_bytes": (10 * 1024 * 1024, int),
    # sign-in throttles (forge.actions.sign_in): failures per (account, network) and
    # per network in their windows; past account_max_failures (all networks) one
    # try per network and window
    "forge.login.max_failures": (5, int),
    "forge.login.lockout_seconds": (300, int),
    "forge.login.address_max_failures": (20, int),
    "forge.login.address_window_seconds": (300, int),
    "forge.login.account_max_failures": (50, int),
    # a site admin without two-factor sign-in must set it up before anything else
    "forge.auth.require_2fa_for_site_admins": (False, asbool),
    # sign-up attempts per network within the window (forge.actions.sign_in)
    "forge.signup.max_per_window": (10, int),
    "forge.signup.window_seconds": (3600, int),
    # per-user limits (forge.rate_limits): comments and artifacts by people without a
    # role in the project, and top-level projects; 0 turns a limit off
    "forge.limits.posts_per_window": (30, int),
    "forge.limits.posts_window_seconds": (60, int),
    "forge.limits.projects_per_window": (10, int),
    "forge.limits.projects_window_seconds": (3600, int),
    # search without a shared disk (forge.search.node): this machine's node name, whose
    # own queue and index it keeps; unset: the one shared index
    "forge.search.node": (None, str),
    # addresses allowed to read /@@metrics besides site admins (forge.metrics)
    "forge.metrics.allow": ([], aslist),
    "forge.bus.url": ("memory://", str),
    # prefix of every exchange and queue name: forges sharing a broker each take their own
    "forge.bus.namespace": ("forge", str),
    # the relay (forge.bus.relay): auto, thread, inline or off; seconds between polls
    "forge.bus.relay": ("auto", str),
    "forge.bus.poll_seconds": (1.0, float),
    # workers: attempts before the dead-letter queue, back-off base and cap (seconds)
    "forge.bus.max_attempts": (5, int),
    "forge.bus.retry_base_seconds": (1.0, float),
    "forge.bus.retry_max_seconds": (60.0, float),
    "forge.bus.prefetch": (10, int),
    # a batch reactor's longest wait for its batch to fill, reached only while its queue
    # is busy (forge.bus.fetches.BatchWindow; a reactor's own longer max_seconds wins)
    "forge.bus.batch_window_seconds": (0.1, float),
    # the reactors `forge worker` runs (forge.bus.worker_pool.select_reactors): patterns
    # on their names, "!" leaving some out; empty: every reactor
    "forge.worker.reactors": ("", str),
    # sent outbox records and processed markers older than this are pruned (0: never)
    "forge.bus.keep_days": (7.0, float),
    # live event streams (@@events): open at once per process, of those at most so many
    # per client address and per signed-in user, and seconds each
    "forge.events.max_streams": (2, int),
    "forge.events.max_streams_per_address": (1, int),
    "forge.events.max_streams_per_user": (1, int),
    "forge.events.stream_seconds": (30, float),
    # pages ask @@changes this often whether others changed them (0: never)
    "forge.live.poll_seconds": (20, int),
    # absolute links in mail (and anything made outside a web request)
    "forge.base_url": ("http://127.0.0.1:6543", str),
    # outgoing mail (forge.notifications): no host = no mail; tls none|starttls|ssl
    "forge.mail.host": ("", str),
    "forge.mail.port": (25, int),
    "forge.mail.tls": ("none", str),
    "forge.mail.username": ("", str),
    "forge.mail.password": ("", str),
    "forge.mail.from": ("PyForge <forge@localhost>", str),
    # seconds between the worker's digest checks (digests go out once a day)
    "forge.mail.digest_interval": (3600.0, float),
    # search index directory (default: <forge.data_dir>/search-index; none: in memory)
    "forge.search.path": ("", str),
    # Git repositories of the code tool, one directory per tool instance id
    # (default: <forge.data_dir>/repos, else a temporary directory)
    "forge.repos.path": ("", str),
    # a push whose body is larger is refused with a message the git client shows
    "forge.repos.max_push_bytes": (100 * 1024 * 1024, int),
    # the interpreter of the pre-receive hook (default: this Python, else python3)
    HOOK_PYTHON_SETTING: ("", str),
    # argon2id cost; the defaults are argon2-cffi's (RFC 9106 low-memory profile)
    "forge.password.time_cost": (3, int),
    "forge.password.memory_kib": (65536, int),
    "forge.password.parallelism": (4, int),
}


def repository_hook_python(settings):
    """The configured interpreter of the code tool's pre-receive hook, or ''."""
    return ((settings or {}).get(HOOK_PYTHON_SETTING) or "").strip()


def repository_settings(settings):
    """``(directory or "", max push bytes)`` of the Git repositories a tool
    keeps (``forge.repos.*``): the directory is ``forge.repos.path``, else
    ``<forge.data_dir>/repos``, else "" (the tool then takes a temporary one)."""
    path = settings.get("forge.repos.path") or (
        os.path.join(settings["forge.data_dir"], "repos") if settings.get("forge.data_dir")
        else "")
    return path, int(settings.get("forge.repos.max_push_bytes", DEFAULTS[
        "forge.repos.max_push_bytes"][0]))


def env_name(key):
    return key.upper().replace(".", "_")


def parse_settings(raw, environ=None):
    """Return a new dict: ``raw`` merged over the defaults, env over both, parsed."""
    environ = os.environ if environ is None else environ
    settings = dict(raw)
    for key, (default, parse) in DEFAULTS.items():
        value = environ.get(env_name(key), settings.get(key, default))
        settings[key] = parse(value) if isinstance(value, str) and parse is not str else value
    # pyramid/ming keys the table does not list may still come from the environment
    if environ.get("FORGE_MONGODB_URL"):
        settings["ming.main.uri"] = environ["FORGE_MONGODB_URL"]
    if not settings["forge.secret"]:
        if settings["forge.production"]:
            raise ConfigurationError(
                "forge.secret is required when forge.production is true "
                "(set it in the INI file or FORGE_SECRET)")
        settings["forge.secret"] = DEV_SECRET
    return settings
