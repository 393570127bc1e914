"""How notes are indexed (``forge.search``): title, Markdown text, labels."""


def note_document(doc, node):
    return {"title": doc.title, "text": doc.text or "", "labels": list(doc.labels or ())}


def includeme(config):
    config.add_search_type("notes.note", note_document)
