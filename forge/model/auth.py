"""Users and project roles."""
from ming import schema as S
from ming.odm import FieldProperty, MappedClass
from ming.odm.property import FieldPropertyWithMissingNone

from .session import new_id, session, utcnow


class User(MappedClass):
    class __mongometa__:
        session = session
        name = "user"
        unique_indexes = [("username",)]
        # A verified address belongs to one account.  An account without one
        # has no ``email`` field at all (not a null: MongoDB's sparse index
        # counts explicit nulls), so the index skips it on every server.
        custom_indexes = [dict(fields=("email",), unique=True, sparse=True)]

    _id = FieldProperty(str, if_missing=new_id)
    username = FieldProperty(str)
    # The verified address, the only one mail goes to; None when there is none.
    # Users stored before verification existed have one: theirs counts as verified.
    email = FieldPropertyWithMissingNone(S.String(if_missing=S.Missing))
    # An address given at sign-up or on the account page, until its owner
    # follows the mailed link (``forge.actions.email_verification``).
    pending_email = FieldProperty(str, if_missing="")
    email_token_hash = FieldProperty(str, if_missing="")    # SHA-256 of the mailed token
    email_token_expires = FieldProperty(float, if_missing=0.0)
    display_name = FieldProperty(str, if_missing="")
    password_hash = FieldProperty(str, if_missing="")
    site_admin = FieldProperty(bool, if_missing=False)
    disabled = FieldProperty(bool, if_missing=False)
    created = FieldProperty(S.DateTime, if_missing=utcnow)
    version = FieldProperty(int, if_missing=0)     # the profile form's (forge.unit_of_work)
    # password reset by mail (forge.actions.password_reset): SHA-256 of the
    # mailed token and its expiry; a site admin's "force password reset" sets
    # must_reset_password, and the next sign-in must choose a new password
    reset_token_hash = FieldProperty(str, if_missing="")
    reset_token_expires = FieldProperty(float, if_missing=0.0)
    must_reset_password = FieldProperty(bool, if_missing=False)
    # TOTP two-factor sign-in (forge.actions.two_factor): the base32 secret
    # ("" when off), the last time step a code was accepted for (no replay),
    # and the SHA-256 of each unused recovery code; recovery_serial guards
    # the list against two requests spending the same code
    totp_secret = FieldProperty(str, if_missing="")
    totp_last_step = FieldProperty(int, if_missing=0)
    recovery_code_hashes = FieldProperty([str])
    recovery_serial = FieldProperty(int, if_missing=0)
    # sign-in failures are counted in forge.model.throttle, per name and network

    @property
    def title(self):
        return self.display_name or self.username

    @classmethod
    def by_username(cls, username):
        return cls.query.get(username=username)


class ProjectRole(MappedClass):
    """A named role in a project (Admin, Developer, Member or a custom one).

    ``includes`` names the roles this one contains (Admin contains Developer);
    ``implied_ids`` is their transitive closure, kept up to date by
    ``forge.actions.roles`` so that a user's principals come from one query.
    """

    class __mongometa__:
        session = session
        name = "project_role"
        indexes = [("user_ids",)]
        unique_indexes = [("project_id", "name")]

    _id = FieldProperty(str, if_missing=new_id)
    project_id = FieldProperty(str, if_missing=None)
    name = FieldProperty(str)
    includes = FieldProperty([str])
    implied_ids = FieldProperty([str])
    user_ids = FieldProperty([str])
    position = FieldProperty(int, if_missing=100)

    @property
    def principal(self):
        return "role:%s" % self._id

    @classmethod
    def held_by(cls, user_id):
        """The roles a user holds anywhere.  ``$in`` rather than an equality:
        nx-27017 0.8 matches nothing for an equality on an indexed array field
        (``$in`` works, with a scan there; MongoDB uses the index for both).
        The result is cached per tree generation (``forge.model.cache``)."""
        return cls.query.find(cls.held_by_query(user_id))

    @staticmethod
    def held_by_query(user_id):
        """``held_by``'s query, for a caller that reads the stored documents."""
        return {"user_ids": {"$in": [user_id]}}
