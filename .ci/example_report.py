"""Regenerate reports/example/: a core-tier run against the embedded reference servers, and its screenshot.

Usage: python .ci/example_report.py (or `nox -s example`). Needs chromium + chromedriver and selenium for the PNG.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.common.by import By

OUT = Path(__file__).resolve().parents[1] / "reports" / "example"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--window-size=1400,900", "--hide-scrollbars")


def main() -> int:
    run = ["responses-conformance", "run", "--tier", "core", "--fail-on", "never", "--out", str(OUT.relative_to(Path.cwd()))]
    subprocess.run(run, check=True)
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if chromium is None or driver is None:
        print("no chromium / chromedriver: the screenshot was not taken", file=sys.stderr)
        return 1
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in FLAGS:
        options.add_argument(flag)
    browser = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=driver))
    try:
        browser.get((OUT / "report.html").as_uri())
        for selector in ("button.v-failed", "button.v-known_issue", "td.v button:not(.v-passed)"):
            shown = browser.find_elements(By.CSS_SELECTOR, selector)
            if shown:  # open the drill-down of the most telling verdict there is
                shown[0].click()
                break
        browser.save_screenshot(str(OUT / "screenshot.png"))
    finally:
        browser.quit()
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
