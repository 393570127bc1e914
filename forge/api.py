"""The one module a tool imports: everything the platform offers a tool, by concern.

A tool package writes ``from forge.api import ...`` and nothing else from
``forge`` (its tests may also use ``forge.testing``); ``tests/test_import_contract.py``
fails the build on any other import.  This module only re-exports: each name
is documented where it is defined, and a name missing here is a missing API to
add, never a reason to import a private one.

The configuration directives need no import; after ``config.include("forge")``
a tool's ``includeme`` calls them on its ``Configurator``:

* ``config.add_tool(name, title=, resource=, permissions=, default_acl=, ...)``
  mounts a tool type (``forge.plugins``);
* ``config.add_artifact_type(model, tool=, form=, private_readers=, ...)``
  declares a versioned artifact type: the core gives it its resources, pages,
  form, privacy, deletion and search document (``forge.artifact_types``);
* ``config.extend_artifact(...)`` adds fields to another tool's artifacts;
* ``config.add_search_type(artifact_type, to_document)``: how an artifact
  becomes a search document;
* ``config.add_auditor(topic, fn)`` and ``config.add_reactor(topic, fn, name=)``:
  synchronous checks before a change, asynchronous work after it (``forge.bus``);
* ``config.add_demo_content(tool, dotted_fn)``: what ``forge serve`` shows;
* ``config.add_mail_handler(tool, handler)``: the tool's instances take new
  artifacts by mail (``new_artifact_by_mail`` for a declared type, ``forge.mail_in``).

Every change a tool makes is one unit of work (``forge.unit_of_work``): the
auditors, the write, the audit-log entry, the event and the flush, in that
order and all or nothing.  Example, deleting a note::

    from forge.api import ArtifactDeleted, change, set_fields

    def delete_note(registry, note, actor):
        with change(registry, ArtifactDeleted, node=note, actor=actor,
                    old={"deleted": False}, new={"deleted": True}) as ch:
            set_fields(note, deleted=ch.new["deleted"])
            ch.log("notes.delete", "deleted note %s" % note.title, path=note.path)
"""
# ruff: noqa: F401  (every import here is a re-export, listed in __all__)

# -- resources and interfaces: the tool's place in the traversal tree --------
from .interfaces import IArtifact, ITool, IVersioned
from .resources import ArtifactResource, ToolResource, VersionedArtifactResource
from .resources.tool import ArtifactFamily, RawArtifact, artifact_type
from .model.cache import find_raw

# -- documents: base classes and the session they are saved through ----------
from .model import Artifact, Project, Snapshot, ToolInstance, User, VersionedArtifact
from .model.artifact import plain_value
from .model.session import collection, new_id, session, set_fields, utcnow

# -- artifact actions: validate, write, snapshot; errors shown as a 4xx ------
from .actions import ActionError, flush_or_refuse
from .actions.fields import add_custom_field
from .actions.tool_options import set_tool_options
from .actions.versions import StaleSave, create_versioned, history, save_versioned
from .names import InvalidName, check_artifact_path, check_segment, check_shortname, single_line
from .validation import check_description, check_title

# -- privacy and ACLs ---------------------------------------------------------
from .actions.acl import default_readers, set_privacy
from .model.acl import to_pyramid, user_principal, with_privacy

# -- permissions: roles and who a lineage lets in ---------------------------
from .actions.roles import role_named
from .visibility import held_acl, principals_allowed
from .security import can, user_principals
from .visibility import NodeResolver

# -- events: emitted after the flush, the bus carries them to reactors --------
from .events import AclChanged, ArtifactCreated, ArtifactDeleted, ArtifactModified, ForgeEvent
from .events import ToolInstalled, ToolUninstalled, ToolUpdated

# -- the unit of work: auditors, write, audit log, event, flush -------------
from .bus.auditing import Change, Rejected, run_auditors
from .unit_of_work import StaleSettings, change, form_version

# -- fields: custom fields and labels on forms ------------------------------
from .fields import (FieldErrors, clean_values, form_values, parse_labels, shown_field_values,
                     username_exists)

# -- rendering and links: safe Markdown, cached per version ----------------
from .links import link_context
from .rendering import render_markdown, render_versioned

# -- artifact types: declared with config.add_artifact_type, pages from the core
from .artifact_actions import (AUTHOR, ArtifactActions, create_artifact, delete_artifact,
                               save_artifact, undelete_artifact)
from .artifact_types import ArtifactType, ITypedArtifact, TypedArtifactResource
from .artifact_timeline import timeline
from .numbered_artifacts import NumberedActions
from .bulk_edit import BulkOutcome, bulk_edit, selected_numbers
from .forms import (ArtifactForm, CheckboxField, ChoiceField, Field, LabelsField, MarkdownField,
                    NameField, TextField, TitleField, UserField)

# -- trees of artifacts: move a subtree with redirects, delete and undelete one
from .artifact_tree import (ArtifactRedirect, HomeTreeToolResource, IHomeTreeTool,
                            IMovedArtifact, ITreeArtifact, ITreeTool, LeafTitleField,
                            MovedArtifact, NameTaken, PathField, TreeActions,
                            TreeArtifactResource, TreeToolResource, clean_artifact_path,
                            live_nodes, move_artifact, stored_nodes)

# -- views: forms, conflicts, errors, redirects, request parameters ----------
from .redirects import redirect
from .scope import in_forge
from .views.artifact_forms import ArtifactFormView
from .views.artifact_tree import TreeArtifactViews, TreeToolViews, TreeViews
from .views.errors import error_response
from .views.generic import TypedArtifactViews
from .views.params import parse_int
from .views.versions import conflict_response

# -- listing and paging: only what the viewer may read is counted ----------
from .listing import PAGE_SIZE, page_number, readable_page
from .queries import (COUNT_CAP, CompiledQuery, Conditions, ParsedQuery, QueryError,
                      QueryLanguage, Segment, Term, Word, choose, custom_field, custom_field_term,
                      custom_value, iter_matches, query_page, readable_match, serving_index,
                      title_words, unparse, user_ids)
from .counters import last_number, next_number

# -- settings a tool reads: where Git repositories live, how large a push may be
from .settings import HOOK_PYTHON_SETTING, repository_hook_python, repository_settings

# -- user lookups -------------------------------------------------------------
from .user_lookup import SYSTEM_PERSON, Person, people, usernames

# -- attachments, comment threads (the core's discussion), watches -----------
from .attachments import attachments_of
from .discussion.actions import add_post, check_text, set_thread_locked, thread_for
from .discussion.events import DiscussionEvent, PostCreated
from .discussion.model import Post, Thread
from .discussion.render import thread_view
from .discussion.views import uploads_of
from .notifications.watches import add_watch, set_watch

# -- mail to watchers from a tool's own reactor (forge.notifications) ----------
from .notifications.messages import build_message, mail_request, unsubscribe_url
from .notifications.reactor import lineage_watchers, recipient
from .notifications.watches import frequency_of

# -- mail in: tools that take new artifacts by mail (config.add_mail_handler) --
from .mail_in.events import MailReceived
from .mail_in.handlers import ToolMail, new_artifact_by_mail

# -- search documents a tool indexes itself: the read terms of a node's lineage
from .resources.base import lineage_list
from .search.acl import acl_terms, lineage_clauses

# -- artifacts named in outside text (commits, mail) and idempotent reactors ---
from .references import (ArtifactRef, keyword_pattern, keyword_references, markdown_escape,
                         may_quote, project_by_name, referenced_artifact,
                         user_by_verified_email)
from .reactor_marks import mark_for, post_containing
from .commit_events import on_default_branch, repository_default_branch

# -- smaller helpers: a form field that wraps a check, one artifact by path, ACLs
from .checked_fields import CheckedField
from .one_path_family import OnePathFamily
from .acl_restrictions import restricts
from .dashboard import DashboardItem

__all__ = [
    # resources and interfaces
    "IArtifact", "ITool", "IVersioned",
    "ArtifactResource", "ToolResource", "VersionedArtifactResource",
    "ArtifactFamily", "RawArtifact", "artifact_type", "find_raw",
    # documents
    "Artifact", "Project", "Snapshot", "ToolInstance", "User", "VersionedArtifact",
    "plain_value", "collection", "new_id", "session", "set_fields", "utcnow",
    # artifact actions and validation
    "ActionError", "flush_or_refuse", "add_custom_field", "set_tool_options",
    "StaleSave", "create_versioned", "history", "save_versioned",
    "InvalidName", "check_artifact_path", "check_segment", "check_shortname", "single_line",
    "check_description", "check_title",
    # privacy and ACLs
    "default_readers", "set_privacy", "to_pyramid", "user_principal", "with_privacy",
    # permissions
    "role_named", "held_acl", "principals_allowed", "can", "user_principals", "NodeResolver",
    # events
    "AclChanged", "ArtifactCreated", "ArtifactDeleted", "ArtifactModified", "ForgeEvent",
    "ToolInstalled", "ToolUninstalled", "ToolUpdated",
    # the unit of work and its auditors
    "Change", "Rejected", "StaleSettings", "change", "form_version", "run_auditors",
    # fields
    "FieldErrors", "clean_values", "form_values", "parse_labels", "shown_field_values",
    "username_exists",
    # rendering and links
    "link_context", "render_markdown", "render_versioned",
    # artifact types
    "AUTHOR", "ArtifactActions", "create_artifact", "delete_artifact", "save_artifact",
    "undelete_artifact", "ArtifactType", "ITypedArtifact", "TypedArtifactResource", "timeline",
    "NumberedActions", "BulkOutcome", "bulk_edit", "selected_numbers",
    "ArtifactForm", "CheckboxField", "ChoiceField", "Field", "LabelsField", "MarkdownField",
    "NameField", "UserField",
    "TextField", "TitleField",
    # trees of artifacts
    "ArtifactRedirect", "HomeTreeToolResource", "IHomeTreeTool", "IMovedArtifact",
    "ITreeArtifact", "ITreeTool", "LeafTitleField",
    "MovedArtifact", "NameTaken", "PathField", "TreeActions", "TreeArtifactResource",
    "TreeToolResource", "clean_artifact_path", "live_nodes", "move_artifact", "stored_nodes",
    # views
    "redirect", "in_forge", "ArtifactFormView", "TypedArtifactViews", "error_response",
    "TreeViews", "TreeArtifactViews", "TreeToolViews",
    "parse_int", "conflict_response",
    # listing and paging
    "PAGE_SIZE", "page_number", "readable_page",
    "CompiledQuery", "Conditions", "ParsedQuery", "QueryError", "QueryLanguage", "Segment",
    "Term", "Word", "choose", "custom_field", "custom_field_term", "custom_value",
    "iter_matches", "serving_index", "title_words", "unparse", "user_ids",
    "COUNT_CAP", "query_page", "readable_match", "last_number", "next_number",
    # settings
    "repository_settings", "repository_hook_python", "HOOK_PYTHON_SETTING",
    # user lookups
    "usernames", "Person", "people", "SYSTEM_PERSON",
    # attachments, comment threads, watches
    "attachments_of", "add_post", "check_text", "set_thread_locked", "thread_for",
    "DiscussionEvent", "PostCreated", "Post", "Thread", "thread_view", "uploads_of",
    "add_watch", "set_watch",
    # mail to watchers from a tool's reactor
    "build_message", "mail_request", "unsubscribe_url", "lineage_watchers", "recipient",
    "frequency_of",
    # mail in
    "MailReceived", "ToolMail", "new_artifact_by_mail",
    # search documents a tool indexes itself
    "lineage_list", "acl_terms", "lineage_clauses",
    # artifacts named in outside text, idempotent reactors
    "ArtifactRef", "keyword_pattern", "keyword_references", "markdown_escape", "may_quote",
    "project_by_name", "referenced_artifact", "user_by_verified_email",
    "mark_for", "post_containing", "on_default_branch", "repository_default_branch",
    # a checked form field, one artifact by path, ACL restrictions
    "CheckedField", "OnePathFamily", "restricts",
    # a panel on the signed-in front page
    "DashboardItem",
]

# a tool's data kept outside its records, in project archives (forge.archive)
from .archive.parts import add_archive_part  # noqa: E402

__all__ += ["add_archive_part"]

# spam checking of comments and artifacts (forge.spam)
from .spam import Verdict  # noqa: E402

__all__ += ["Verdict"]

# sign-up challenges (config.add_signup_challenge) and per-user rate limits
from .signup_guards import ChallengeFailed  # noqa: E402
from .rate_limits import RateLimited  # noqa: E402

__all__ += ["ChallengeFailed", "RateLimited"]

# pieces of pages kept while the generations are unchanged (forge.fragments)
from .fragments import generation_cached, reader_cached  # noqa: E402

__all__ += ["generation_cached", "reader_cached"]

# a tool's own item in the daily digest (forge.notifications: an event whose
# detail may say ``summary`` and ``summary_text``, as the code tool's pushes)
from .notifications.reactor import queue_for_digest  # noqa: E402

__all__ += ["queue_for_digest"]

# how long a reactor's own once-only records are worth keeping (forge.bus.retention)
from .bus.retention import redelivery_seconds  # noqa: E402

__all__ += ["redelivery_seconds"]

# a tool's own item in a user's in-app notifications (/@@notifications; the
# forge records them when it sends no mail)
from .notifications.in_app import record as record_in_app  # noqa: E402

__all__ += ["record_in_app"]

# a tool's part of ``forge import-trac`` (forge.archive.trac): config-time, in
# its includeme, ``add_trac_import(config, tool, convert, order=)``
from .archive.trac import add_trac_import  # noqa: E402

__all__ += ["add_trac_import"]

# a reactor's own once-only records pruned at most once a period per process
from .bus.retention import pruning_due  # noqa: E402

__all__ += ["pruning_due"]

# a raw write made with ``collection(cls, bump=False)`` whose bump is owed
# (the caller's next write did not happen): bump the generations now
from .model.cache import note_change  # noqa: E402

__all__ += ["note_change"]

# a tool's page reading its artifact as stored, without building the Ming
# object: a StoredFields subclass naming the class's defaults, and shown_as
from .stored_fields import StoredFields, shown_as  # noqa: E402

__all__ += ["StoredFields", "shown_as"]

# a reactor that takes its events a batch at a time (forge.bus.batches):
# add_reactor(..., batch=Batching(max_events, max_seconds)) or @takes_batches
from .bus.batches import Batching, takes_batches  # noqa: E402

__all__ += ["Batching", "takes_batches"]

# HTML kept once for every reader who may do the same there (forge.fragments):
# verdict_cached(request, key, verdicts, load), its forms carrying CSRF_SLOT
from .fragments import CSRF_SLOT, verdict_cached  # noqa: E402

__all__ += ["CSRF_SLOT", "verdict_cached"]
