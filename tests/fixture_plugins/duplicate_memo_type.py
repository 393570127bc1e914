"""Declares the memos' artifact type a second time: a configuration conflict."""
from .memos import Memo, MemoForm


def includeme(config):
    config.add_artifact_type(Memo, tool="memos", form=MemoForm)
