"""The Voila pages and their widgets: the assessor's form, 我的记录, review, sampling, scoring and
ledger pages, and ``evalkit serve``.  Only here are ipywidgets and voila imported; the pages
show what the library returns and hold no rules of their own.

May use everything but :mod:`evalkit.cli`.

The page modules are imported one by one (by the notebooks and by ``evalkit serve``), never
all at once here: ``evalkit serve`` must start without loading ipywidgets.
"""
