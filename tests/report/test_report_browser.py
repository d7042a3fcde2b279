"""The HTML report in headless Chromium: the matrix renders, a failing cell's drill-down shows its evidence, filters work.

Needs Debian's chromium and chromium-driver (``.ci/run`` installs them) and selenium; skips, saying why, without.
A screenshot is saved to reports/ci-artifacts/ (a CI artefact, gitignored).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from reportkit import FAILING

from conformance.report.model import Report
from conformance.run.launch import write_report

ARTIFACTS = Path(__file__).resolve().parents[2] / "reports" / "ci-artifacts"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--window-size=1400,900")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """A headless system Chromium driven by selenium through the system chromedriver."""
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install -e '.[test]')")
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if chromium is None or driver is None:
        pytest.skip("no chromium / chromedriver on PATH (apt-get install chromium chromium-driver; .ci/run does)")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in FLAGS:
        options.add_argument(flag)
    session = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=driver))
    yield session
    session.quit()


def test_the_html_report_in_a_browser(browser: Any, sample_report: Report, tmp_path: Path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    write_report(sample_report, tmp_path, ["html"])
    browser.get((tmp_path / "report.html").as_uri())
    assert len(browser.find_elements(By.CSS_SELECTOR, "tr.check")) == 3
    assert len(browser.find_elements(By.CSS_SELECTOR, "td.v button")) == 6
    assert browser.find_element(By.ID, "detail").get_attribute("hidden") is not None
    findings = browser.find_elements(By.CSS_SELECTOR, "section#findings tr.finding")
    assert findings and all(row.is_displayed() for row in findings)
    assert any(FAILING[1] in row.text for row in findings)  # the violation, named with the check that saw it

    column = next(i for i, c in enumerate(sample_report.cells) if c.identity["region"] == FAILING[0])
    failing = browser.find_element(By.CSS_SELECTOR, f"button[data-cell='{column}'][data-check='{FAILING[1]}']")
    assert failing.text == "✘"
    failing.click()
    detail = browser.find_element(By.ID, "detail")
    assert detail.is_displayed()
    assert browser.find_element(By.ID, "d-check").text == FAILING[1]
    assert browser.find_element(By.ID, "d-verdict-name").text == "failed"
    assert browser.find_element(By.ID, "d-sentence").text == sample_report.checks[FAILING[1]]["sentence"]
    assert "findings seen on the way" in browser.find_element(By.ID, "d-findings").text
    evidence = browser.find_element(By.ID, "d-evidence").text
    assert "POST" in evidence and "/responses" in evidence and "SSE events" in evidence
    sequence = [td.text for td in detail.find_elements(By.CSS_SELECTOR, "table.events td.seq")]
    assert sequence[:3] == ["0", "1", "2"]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "report-drilldown.png"))
    browser.find_element(By.ID, "close").click()
    assert not detail.is_displayed()

    Select(browser.find_element(By.ID, "f-verdict")).select_by_visible_text("failed")
    shown = [row.get_attribute("data-feature") for row in browser.find_elements(By.CSS_SELECTOR, "tr.check") if row.is_displayed()]
    assert shown == ["streaming"]
    Select(browser.find_element(By.ID, "f-verdict")).select_by_visible_text("all")
    Select(browser.find_element(By.ID, "f-feature")).select_by_visible_text("errors")
    shown = [row.find_element(By.CSS_SELECTOR, "th").text for row in browser.find_elements(By.CSS_SELECTOR, "tr.check") if row.is_displayed()]
    assert shown == ["errors.auth.missing_key"]
    assert browser.find_element(By.ID, "shown").text == "1 check(s) shown"
    browser.save_screenshot(str(ARTIFACTS / "report-filtered.png"))
