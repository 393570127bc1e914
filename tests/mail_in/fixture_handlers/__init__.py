"""What the mail-in tests plug in through ``forge.tools``: an auditor of
``mail.received`` (the tools register their own mail handlers)."""


def test_auditor(change):
    """A ``mail.received`` auditor: refuses a marker word, else marks the text."""
    from forge.api import Rejected
    if "FORBIDDEN-WORD" in change.new["text"]:
        raise Rejected("No forbidden words, please.", status=422)
    if "Fine words" in change.new["text"]:
        change.new["text"] += "\n\n(checked by the test auditor)"


def includeme(config):
    config.add_auditor("mail.received", test_auditor)
