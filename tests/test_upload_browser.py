"""The clerks' publishing page in headless Chromium: log in with Mikkeli's credential, upload a description
with violations (refused, with the report in Finnish), upload a valid one, preview the change, publish."""

from __future__ import annotations

import httpx
import pytest
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from conftest import DATA, SHARED, Server, run_cli
from test_browser import AXE, browser  # noqa: F401  (the Chromium fixture)
from test_publish import G491, SYSTEM_LIST_TEXT, token


@pytest.fixture(scope="module")
def mikkeli(tmp_path_factory):
    store = tmp_path_factory.mktemp("upload") / "store"
    assert run_cli("load", DATA, "--store", store).returncode == 0
    secret = token(store, "--kunta", "491")
    server = Server("--store", store)
    yield server, secret, tmp_path_factory.mktemp("files")
    server.stop()


def click_and_wait(browser, element):  # noqa: F811
    """Submit and wait for the next page (reading the old one would find stale elements). The old page is marked,
    and the next one is the first page without the mark to finish loading; ChromeDriver may answer with an error
    while the page changes, which only means "not yet"."""
    browser.execute_script("window.__leaving = true")
    element.click()
    WebDriverWait(browser, 60, ignored_exceptions=(WebDriverException,)).until(
        lambda b: b.execute_script("return window.__leaving === undefined && document.readyState === 'complete'"))


def _axe(browser):  # noqa: F811
    browser.execute_script(AXE.read_text(encoding="utf-8"))
    return browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run({runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
        ".then(r => done(r.violations.map(v => [v.id, v.nodes.length])))")


def test_upload_flow(browser, mikkeli):  # noqa: F811
    server, secret, files = mikkeli
    browser.delete_all_cookies()
    browser.get(server.url + "/publish")
    assert _axe(browser) == []
    browser.find_element(By.ID, "secret").send_keys(secret)
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "form[action^='/publish/login'] button"))
    assert "491" in browser.find_element(By.TAG_NAME, "main").text
    assert secret not in browser.current_url
    assert all(secret not in c["value"] for c in browser.get_cookies())
    assert all(c["httpOnly"] and c["sameSite"] == "Strict" for c in browser.get_cookies())

    # a description with a violation: refused, the report in Finnish, no publish button
    bad = files / "jarjestelmat.txt"
    bad.write_text(SYSTEM_LIST_TEXT, encoding="utf-8")
    browser.find_element(By.ID, "file").send_keys(str(bad))
    click_and_wait(browser, browser.find_element(By.ID, "send"))
    main = browser.find_element(By.TAG_NAME, "main").text
    assert "Tietojärjestelmää ei ole liitetty yhteenkään tietovarantoon" in main
    assert browser.find_elements(By.ID, "confirm") == [] and browser.find_elements(By.ID, "violations")
    assert _axe(browser) == []
    before = httpx.get(server.url + "/store", params={"graph": G491})

    # seed 001's text: imported, checked, previewed against what is published, published
    seed = next((SHARED / "seeds").glob("001_*.txt"))
    browser.get(server.url + "/publish")
    browser.find_element(By.ID, "file").send_keys(str(seed))
    click_and_wait(browser, browser.find_element(By.ID, "send"))
    main = browser.find_element(By.TAG_NAME, "main").text
    assert "Ei virheitä" in main and "Perusopetuksen tietovaranto" in main  # the change lists the new resources
    assert "Esityslistat, pöytäkirjat" in main  # what the import could not place, with its line
    assert httpx.get(server.url + "/store", params={"graph": G491}).content == before.content  # not yet published
    click_and_wait(browser, browser.find_element(By.ID, "confirm"))
    assert "Julkaistu: versio 2" in browser.find_element(By.ID, "published").text
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "#published a"))
    assert "Perusopetuksen tietovaranto" in browser.find_element(By.TAG_NAME, "main").text
    published = httpx.get(server.url + "/store", params={"graph": G491}).text
    assert "perusopetuksen-tietovaranto" in published
    # the page shows the history, and the earlier version can be restored by the admin (test_publish)
    browser.get(server.url + "/publish")
    assert "upload" in browser.find_element(By.TAG_NAME, "table").text
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []  # nothing refused by the CSP


def test_forms_need_the_sessions_csrf_token(mikkeli):
    server, secret, _ = mikkeli
    with httpx.Client(base_url=server.url) as client:
        client.get("/publish")
        r = client.post("/publish/login", data={"secret": secret, "csrf": "forged"})
        assert r.status_code == 403
        r = client.post("/publish/upload", files={"file": ("a.ttl", b"")}, data={"csrf": "forged"})
        assert r.status_code == 401  # not logged in: nothing to forge
    # a request from another site carries no session cookie (SameSite=Strict) and no token
    r = httpx.post(server.url + "/publish/login", data={"secret": secret})
    assert r.status_code == 403
