"""The ``evalkit`` command line: parses arguments, calls one library function, prints.

Nothing imports this package but the ``evalkit`` entry point.  May use everything.
"""
