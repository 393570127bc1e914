"""The wiki's sample content in the demo project (``config.add_demo_content``)."""
from .actions import create_page

HOME = """\
# Welcome to the demo wiki

This wiki belongs to the **demo** project. Pages are written in Markdown and
every save is a version: see a page's *History* to compare or revert.

* [[Getting Started]] shows how links between pages work.
* Tickets are in the tracker: [#1] is the first one.
* Questions go to the discussion forums.

```python
print("code blocks are highlighted")
```
"""

GETTING_STARTED = """\
# Getting started

Link to another page with its name in double brackets: [[Home]].
A link to a page that does not exist yet, like [[Roadmap]], offers to create it.

| Where | What |
|-------|------|
| Wiki | documentation, notes |
| Tickets | bugs and tasks |
| Discussion | questions and announcements |
"""


def demo_content(registry, project, tool, admin):
    create_page(registry, project, tool, "Home", "Home", HOME, admin, comment="demo")
    create_page(registry, project, tool, "Getting Started", "Getting Started",
                GETTING_STARTED, admin, comment="demo")
