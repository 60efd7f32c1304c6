"""The Voila pages and their widgets: the assessor's form, 我的记录, review, sampling, scoring and
ledger pages, and ``evalkit serve``.  Only here are ipywidgets and voila imported; the pages
show what the library returns and hold no rules of their own.

The form: ``fields`` (one input), ``choices`` (radio rows, likert scales, the searched unit),
``photo``, ``repeats`` (levels and repeat entries, delete and undo), ``formparts`` (status line,
signals to the page script, pages of field-list groups), ``formlife`` (drafts, submit, read-only,
corrections) and ``formview`` (the controller); ``people`` says who the assessor is and where they
may record.  ``pages`` builds the pages; ``share/voila/templates/evalkit`` is the page template
with its script and stylesheet.

May use everything but :mod:`evalkit.cli`.

The page modules are imported one by one (by the notebooks and by ``evalkit serve``), never
all at once here: ``evalkit serve`` must start without loading ipywidgets.
"""
