"""Files in and out: tables read from xlsx/csv/markdown with their row numbers (``tables``), what a
file that is no workbook seems to be (``sniff``), workbooks written with content-only bytes and no
formula from text (``xlsx``), large workbooks written as a stream of sheet XML through spool files
(``xlsx_stream``, many rows at once: ``xlsx_rows``; a large sheet deflated while its rows are made:
``xlsx_deflate``), how much room text takes in a cell (``xlsx_text``), durable files written once and
never replaced (``durable``), the cycle collector kept off what a large run has loaded (``heap``), and work
done in a forked child meanwhile (``forked``).

Owns no domain knowledge.  May use: :mod:`evalkit.problems`.
"""
