"""How wiki pages are indexed (``forge.search``): title, text, labels, the page name."""


def page_document(doc, node):
    return {"title": doc.title or doc.path, "text": doc.text or "",
            "labels": list(doc.labels or ()), "fields": {"page": doc.path}}


def includeme(config):
    config.add_search_type("wiki.page", page_document)
