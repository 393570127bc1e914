"""Sending the events of a flush once it succeeded (see ``forge.model.outbox``)."""
from ming.odm import state
from ming.odm.odmsession import ObjectState, SessionExtension


class DispatchAfterFlush(SessionExtension):
    """After a successful flush, send the events whose records it wrote."""

    def after_flush(self, obj=None):
        pending = getattr(self.session, "forge_pending_events", None)
        if not pending:
            return
        written, waiting = [], []
        for item in pending:
            record = item[2]
            st = state(record)
            if self.session.imap.get(type(record), record._id) is not record:
                continue        # the session was cleared after a failed flush
            (written if st.status == ObjectState.clean else waiting).append(item)
        pending[:] = waiting
        for registry, event, record in written:
            registry.notify(event)
            wake = getattr(registry, "forge_bus_wake", None)
            if wake is not None:
                wake()


def forget_pending():
    """Called at the start of a request: nothing carries over."""
    from .session import session
    session._get().forge_pending_events = []
