"""``forge admin mail-in-log``, ``mail-in-show`` and ``mail-in-reprocess``:
the received messages (``forge.mail_in.model.InboundMail``) for audit and
re-processing.

The log lists the newest first, one line each, streamed as they are read
(``created`` index; ``--sender`` and ``--project`` use the ``(sender,
created)`` and ``(project_id, created)`` indexes).  ``show --raw`` writes
the message's exact bytes on stdout.  ``reprocess`` applies a kept message
again through the path a fresh message takes (``forge.mail_in.reprocess``).
"""
import click

from .admin import find_project
from .runtime import handles_user_errors, running_forge, runtime_options

SUBJECT_CHARS = 50
GONE = "(gone)"


@click.command("mail-in-log")
@click.option("--sender", default=None, metavar="ADDR", help="Only messages From this address.")
@click.option("--project", default=None, metavar="SHORTNAME|PATH",
              help="Only messages to this project (demo, demo/docs, or /u/ada).")
@click.option("--status", type=click.Choice(["applied", "held"]), default=None,
              help="Only applied, or only held, messages.")
@click.option("--limit", type=click.IntRange(1, None), default=50, show_default=True,
              help="At most this many messages.")
@runtime_options
@handles_user_errors
def mail_in_log_command(sender, project, status, limit, data_dir, config_file, db_port):
    """The received messages, newest first: time (UTC), id, status, kind, sender,
    the address it came to, the user it was applied as, subject, what it made."""
    from ..mail_in.model import InboundMail
    with running_forge(data_dir, config_file, db_port) as forge:
        query = {}
        if sender:
            query["sender"] = sender.strip().lower()
        if project:
            query["project_id"] = project_named(project)._id
        if status:
            query["status"] = status
        records = InboundMail.query.find(query).sort("created", -1).limit(limit)
        describe = Describer(forge.registry)
        shown = 0
        for record in records:
            click.echo(describe.line(record))
            shown += 1
        if not shown:
            click.echo("No received messages%s." % (" match" if query else ""), err=True)


@click.command("mail-in-show")
@click.argument("record_id", metavar="ID")
@click.option("--raw", is_flag=True,
              help="Write the message's exact bytes on stdout (nothing else).")
@runtime_options
@handles_user_errors
def mail_in_show_command(record_id, raw, data_dir, config_file, db_port):
    """A received message's record, or with --raw its bytes (> msg.eml)."""
    from ..mail_in.model import raw_message
    from ..mail_in.reprocess import find_record
    with running_forge(data_dir, config_file, db_port) as forge:
        record = find_record(record_id)
        if raw:
            # bytes go to stdout's binary stream as they are (click's
            # get_binary_stream is deprecated since Click 8.5)
            click.echo(raw_message(record), nl=False)
            return
        describe = Describer(forge.registry)
        for name, value in describe.fields(record):
            click.echo("%-17s %s" % (name + ":", "" if value is None else value))


@click.command("mail-in-reprocess")
@click.argument("record_id", metavar="ID")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@runtime_options
@handles_user_errors
def mail_in_reprocess_command(record_id, yes, data_dir, config_file, db_port):
    """Apply a received message again, when what it made is gone.

    Parsed with today's parser and applied through the path a fresh message
    to its address takes, every check at today's state; refused when what it
    made still exists, when it is held, or when today's checks refuse it."""
    from ..mail_in.reprocess import checked_record, reprocess
    with running_forge(data_dir, config_file, db_port) as forge:
        describe = Describer(forge.registry)
        old = checked_record(record_id)
        if not yes:
            click.echo(describe.line(old), err=True)
            click.confirm("Apply this message again?", abort=True, err=True)
        # checked again by reprocess: the record may have changed during the prompt
        outcome, new = reprocess(forge.registry, record_id)
        click.echo("Applied again as %s (%s): %s" % (new._id, new.status,
                                                     describe.made(new)))


def project_named(name):
    """``demo`` or ``demo/docs`` (in /p/), or a path such as ``/u/ada``."""
    name = name.strip()
    if name.startswith("/"):
        neighborhood, _, shortname = name.strip("/").partition("/")
        return find_project(shortname, neighborhood)
    return find_project(name)


class Describer:
    """Lines and fields of records, with each user's name and each result's
    URL read once (links built on forge.base_url, as mail links are)."""

    def __init__(self, registry):
        self.registry = registry
        self.usernames = {}

    def username(self, user_id):
        from ..model import User
        if user_id not in self.usernames:
            user = User.query.get(_id=user_id) if user_id else None
            self.usernames[user_id] = user.username if user is not None else "-"
        return self.usernames[user_id]

    def made(self, record):
        """The URL of the post or artifact ``record`` made, or why there is none."""
        from ..mail_in.reprocess import made_by
        from ..notifications.messages import mail_request
        from ..visibility import NodeResolver
        if record.status == "held":
            return "(held for a moderator)"
        artifact, post, gone = made_by(record)
        if gone or artifact is None:
            return GONE
        with mail_request(self.registry) as request:
            node = NodeResolver(request).artifact(artifact._id)
            if node is None:
                return GONE
            url = request.forge_url(node)
        return url + ("#post-%s" % post._id if post is not None and
                      record.kind != "new" else "")

    def line(self, record):
        subject = " ".join((record.subject or "").split())
        if len(subject) > SUBJECT_CHARS:
            subject = subject[:SUBJECT_CHARS - 1] + "…"
        return "  ".join([
            record.created.strftime("%Y-%m-%d %H:%M:%S"), record._id, record.status,
            record.kind or "-", sender_of(record), "to " + (record.recipient or "-"),
            "as " + self.username(record.user_id), repr(subject), self.made(record)])

    def fields(self, record):
        return [("id", record._id), ("received", record.created.strftime(
                    "%Y-%m-%d %H:%M:%S UTC")),
                ("status", record.status), ("kind", record.kind),
                ("from", record.sender), ("envelope from", record.envelope_from),
                ("to", record.recipient), ("message-id", record.message_id),
                ("subject", record.subject),
                ("applied as", self.username(record.user_id)),
                ("project id", record.project_id), ("tool id", record.tool_id),
                ("artifact id", record.artifact_id), ("post id", record.post_id),
                ("made", self.made(record)),
                ("reprocessed from", record.reprocessed_from),
                ("replaced by", record.replaced_by),
                ("raw", "%d bytes %s" % (record.length or 0, "in GridFS (%s)" %
                                         record.raw_file_id if record.raw_file_id
                                         else "inline"))]


def sender_of(record):
    """``From``, and the envelope sender when it differs."""
    sender, envelope = record.sender or "-", (record.envelope_from or "").lower()
    return sender if not envelope or envelope == sender else "%s (envelope %s)" % (
        sender, envelope)
