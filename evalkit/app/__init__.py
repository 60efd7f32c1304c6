"""The Voila pages and their widgets: the assessor's form, 我的记录, review, sampling, scoring and
ledger pages, and ``evalkit serve``.  Only here are ipywidgets and voila imported; the pages
show what the library returns and hold no rules of their own.

The form: ``fields`` (one input), ``choices`` (radio rows, likert scales, the searched unit),
``photo``, ``repeats`` (levels and repeat entries, delete and undo), ``formparts`` (status line,
signals to the page script, pages of field-list groups), ``formlife`` (drafts, submit, read-only,
corrections) and ``formview`` (the controller); ``people`` says who the assessor is and where they
may record.  ``pages`` builds the pages (``links``: links and names they share; ``record``: one record as
it is read; ``review``, ``records``, ``sampling``, ``scoring`` with ``whatif``, ``ledger``: the lead's and the
assessor's pages; ``busy``: the one busy indicator of every slow action); ``share/voila/templates/evalkit`` is the page template
with its script and stylesheet.  ``pages.gate`` decides, in team mode, what the JupyterHub login may open.

``serve`` starts the forms on one machine (``evalkit serve``) and ``voilad`` is the hardened Voila
process behind it (and behind every user's server of ``team``, ``evalkit team`` on JupyterHub).

May use everything but :mod:`evalkit.cli`.

The page modules are imported one by one (by the notebooks and by ``evalkit serve``), never
all at once here: ``evalkit serve`` must start without loading ipywidgets.
"""
