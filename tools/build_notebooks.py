"""Write the thin Voila notebooks in notebooks/ (run once after changing them here).

Each notebook: cell 1 imports and loads the project, and prepares what the page can compute before
it is asked for (it runs while the kernel is preheated); cell 2 waits for the page's query string
and shows the page (through ``safely``: whatever goes wrong is a Chinese page, never Voila's English error).
"""

from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
PAGES = {
    "form.ipynb": ("form_page", "评估表单"),
    "records.ipynb": ("records_page", "我的记录"),
    "review.ipynb": ("review_page", "记录审核"),
    "sampling.ipynb": ("sampling_page", "抽样与实地进度"),
    "scoring.ipynb": ("scoring_page", "计分与排名"),
    "ledger.ipynb": ("ledger_page", "任务台账与进度"),
}


MODULES = {"form_page": "pages", "records_page": "review", "review_page": "review", "sampling_page": "sampling",
           "scoring_page": "scoring", "ledger_page": "ledger"}
PREPARED = {"scoring_page"}  # pages whose module has prepare(project), run in the preheated kernel


def main() -> None:
    for name, (func, title) in PAGES.items():
        nb = nbformat.v4.new_notebook()
        nb.metadata["title"] = title
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        module = MODULES[func]
        first = (f"from evalkit.app.pages import current_project, query_params, safely\n"
                 f"from evalkit.app.{module} import {func}{', prepare' if func in PREPARED else ''}\n"
                 "project = current_project()")
        if func in PREPARED:
            first += "\nprepare(project)"
        nb.cells = [nbformat.v4.new_code_cell(first), nbformat.v4.new_code_cell(f"safely({func}, project, query_params())")]
        for i, cell in enumerate(nb.cells):
            cell["id"] = f"{name.split('.')[0]}-{i}"  # fixed ids: the same notebook gives the same bytes
        nbformat.write(nb, ROOT / "notebooks" / name)
        print("wrote", name)


if __name__ == "__main__":
    main()
