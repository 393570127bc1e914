"""Artifact types whose artifacts form a tree by path: move a subtree, delete and undelete one.

Any declared type whose model has ``parent_path`` nests ("Guide/Install");
a tree type also moves, with its sub-artifacts, leaving redirects from the
old paths, and deletes and undeletes whole subtrees.  A tool declares it::

    config.add_tool("wiki", resource=TreeToolResource, ...)
    config.add_artifact_type(Page, tool="wiki", form=PageForm, noun="page",
                             actions=TreeActions, resource=TreeArtifactResource)

and gets, from ``forge.views.artifact_tree``: ``@@new`` with a path typed
relative to where it is asked, ``@@rename`` (move), ``@@delete`` of a subtree,
the tool's ``@@index``, ``@@deleted`` and ``@@undelete``, and old URLs (with
their ``@@history``, ``@@diff``, ``@@version``, ``@@edit``) that redirect.  A
tool whose resource is a ``HomeTreeToolResource`` opens its home artifact at
its address (``@@create-home`` when there is none, ``@@options`` to name it).
The tool's ``nav_template`` is shown above these pages.
"""
from .actions import NameTaken, TreeActions, clean_artifact_path, move_artifact
from .forms import LeafTitleField, PathField
from .model import ArtifactRedirect
from .resources import (HomeTreeToolResource, IHomeTreeTool, IMovedArtifact, ITreeArtifact,
                        ITreeTool, MovedArtifact, TreeArtifactResource, TreeToolResource,
                        live_nodes, stored_nodes)

__all__ = ["NameTaken", "TreeActions", "clean_artifact_path", "move_artifact", "LeafTitleField",
           "PathField", "ArtifactRedirect", "IMovedArtifact", "ITreeArtifact", "ITreeTool",
           "MovedArtifact", "TreeArtifactResource", "TreeToolResource", "live_nodes",
           "stored_nodes", "HomeTreeToolResource", "IHomeTreeTool"]
