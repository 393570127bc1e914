"""Activity: what happened in a project, written by a reactor (see ``reactor``)."""


def includeme(config):
    pass
