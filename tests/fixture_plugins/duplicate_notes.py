"""A plugin that wrongly claims the tool name "notes" (a configuration conflict)."""


def includeme(config):
    config.add_tool("notes", title="Other notes")
