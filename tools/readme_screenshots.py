"""The README's screenshots, taken from the real thing: ``python tools/readme_screenshots.py``.

Copies ``data/demo`` to a temporary folder, reruns it (``evalkit.rerun``: the HTML report),
starts ``evalkit serve`` on it on 127.0.0.1 (the test suite's ``tests/browser.Server``), and takes,
with Debian's Chromium through playwright, what a newcomer sees after ``make run``: the form
(``docs/images/form.png``) and a unit's page of the report (``docs/images/report.png``).  The PNGs
are reduced to a 256-colour palette to stay small.  Look at them before committing.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from browser import CHROMIUM, CHROMIUM_ARGS, Server, new_page, open_form  # noqa: E402

import evalkit  # noqa: E402

OUT = ROOT / "docs" / "images"
UNIT = "c1-12"


def small(path: Path) -> None:
    """The screenshot as a 256-colour palette PNG (a fraction of the size, the text still crisp)."""
    image = Image.open(path).convert("RGB")
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(path, optimize=True)
    print(f"{path.relative_to(ROOT)}: {image.width}×{image.height}, {path.stat().st_size // 1024} KB")


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="evalkit-readme-") as tmp:
        project = Path(tmp) / "demo"
        shutil.copytree(ROOT / "data" / "demo", project, ignore=shutil.ignore_patterns("out"))
        evalkit.rerun(project, project / "out")
        server = Server(project)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = new_page(browser, width=1000, height=760)
                open_form(page, server.url(instrument="hotline_test", unit=UNIT, assessor="王磊"))
                page.locator(".ek-status").first.wait_for()
                page.screenshot(path=str(OUT / "form.png"))
                report = browser.new_context(viewport={"width": 1000, "height": 760}, locale="zh-CN").new_page()
                report.goto((project / "out" / "units" / f"{UNIT}.html").as_uri())
                report.screenshot(path=str(OUT / "report.png"))
                browser.close()
        finally:
            server.stop()
    for name in ("form.png", "report.png"):
        small(OUT / name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
