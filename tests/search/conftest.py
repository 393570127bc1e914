"""Fixtures shared by the search tests."""
import pytest

from forge.search import documents


@pytest.fixture
def thread_reads(monkeypatch):
    """The artifacts whose whole thread the reactor read, in order."""
    calls = []
    real = documents.visible_posts_text

    def counted(artifact_id):
        calls.append(artifact_id)
        return real(artifact_id)
    monkeypatch.setattr(documents, "visible_posts_text", counted)
    return calls
