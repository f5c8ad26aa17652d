"""The pages in a real headless Chromium (Debian's chromium + chromedriver, installed by `make test`)."""

import shutil
import tempfile

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from conftest import LUMME_CODES

CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")


@pytest.fixture(scope="module")
def browser():
    if not (CHROMIUM and CHROMEDRIVER):
        pytest.fail("Debian's chromium and chromium-driver are missing: `make test` installs them (make browser)")
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", f"--user-data-dir={tempfile.mkdtemp()}", "--window-size=1280,1000"]:
        opts.add_argument(flag)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    yield driver
    driver.quit()


def visit(browser, url):
    browser.get(url)
    body = browser.find_element(By.TAG_NAME, "body").text
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == [], errors
    return body


def follow(browser, element):
    """Click something that goes to another page, and wait for that page: click() can return before the
    navigation begins (under load it did, and the test read the old page)."""
    old = browser.find_element(By.TAG_NAME, "html")
    element.click()
    wait = WebDriverWait(browser, 20)
    wait.until(EC.staleness_of(old))
    wait.until(lambda b: b.execute_script("return document.readyState") == "complete")


def test_home_page_lists_every_municipality(browser, server):
    body = visit(browser, server.url + "/")
    for name in ["Enonkoski", "Heinävesi", "Joroinen", "Mikkeli", "Mäntyharju", "Pieksämäki", "Savonlinna", "Varkaus",
                 "Mantajärvi (kuvitteellinen esimerkkikunta)", "Nimeämätön kunta (lähde 001)", "Nimeämätön kaupunki (lähde 002)"]:
        assert name in body
    assert "SPARQL" in body


def test_mikkeli_page_in_the_browser_and_through_to_koha(browser, server):
    body = visit(browser, server.url + "/id/491")
    assert "Mikkeli" in body and "LUMME-kirjastojen Koha-kirjastojärjestelmä" in body
    follow(browser, browser.find_element(By.LINK_TEXT, "LUMME-kirjastojen Koha-kirjastojärjestelmä"))
    body = browser.find_element(By.TAG_NAME, "body").text
    for name in ["Enonkoski", "Heinävesi", "Joroinen", "Mikkeli", "Mäntyharju", "Pieksämäki", "Savonlinna", "Varkaus"]:
        assert name in body
    assert "Koha" in body and "https://www.lumme-kirjastot.fi" in body


def test_language_switch_keeps_the_page(browser, server):
    visit(browser, server.url + "/id/491/authority/kirjasto")
    follow(browser, browser.find_element(By.LINK_TEXT, "English"))
    body = browser.find_element(By.TAG_NAME, "body").text
    assert browser.current_url.endswith("/id/491/authority/kirjasto?lang=en")
    assert "contact point" in body and "Virpi Launonen" in body and "+358447942460" in body
    follow(browser, browser.find_element(By.LINK_TEXT, "svenska"))
    assert "kontaktuppgifter" in browser.find_element(By.TAG_NAME, "body").text


def test_ontology_and_scheme_pages(browser, server):
    body = visit(browser, server.url + "/def?lang=en")
    assert "information resource" in body.lower() and "kg:SystemInstance" in body
    body = visit(browser, server.url + "/vocab/system-product?lang=en")
    for product in ["Koha", "Dynasty", "Primus", "Wilma", "Daisy", "Hellewi", "Eepos"]:
        assert product in body


def test_query_ui_runs_a_query_against_the_endpoint(browser, server):
    visit(browser, server.url + "/sparql?lang=en")
    wait = WebDriverWait(browser, 20)
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".yasqe .CodeMirror")))
    browser.find_element(By.XPATH, "//summary[contains(., 'Who owns a Koha system?')]").click()
    browser.find_element(By.CSS_SELECTOR, "button[data-example='example-koha']").click()
    browser.find_element(By.CSS_SELECTOR, ".yasqe_queryButton").click()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".yasr table")))
    wait.until(lambda d: "915" in d.find_element(By.CSS_SELECTOR, ".yasr").text)
    text = browser.find_element(By.CSS_SELECTOR, ".yasr").text
    for code in LUMME_CODES:
        assert code in text
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == [], errors


LUMME_NAMES = ["Enonkoski", "Heinävesi", "Joroinen", "Mikkeli", "Mäntyharju", "Pieksämäki", "Savonlinna", "Varkaus"]


def test_every_view_is_at_most_two_clicks_from_home(browser, server):
    views = {"Järjestelmätuotteet ja niitä käyttävät kunnat": "/compare/products", "Kunnat ja palvelualueet": "/compare/matrix",
             "Viitekirjaston kattavuus": "/compare/reference", "§28-kuvausten kattavuus": "/compare/compliance",
             "Kuntien vertailu rinnakkain": "/compare", "Mistä pyydän tietoja?": "/finder", "Haku": "/search"}
    for text, path in views.items():
        visit(browser, server.url + "/")
        follow(browser, browser.find_element(By.CSS_SELECTOR, "ul.views").find_element(By.LINK_TEXT, text))
        assert browser.current_url.split("?")[0] == server.url + path
        assert browser.find_element(By.TAG_NAME, "h1").text
        assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []


def test_products_view_koha_row_lists_the_eight_lumme_municipalities(browser, server):
    visit(browser, server.url + "/compare/products?lang=en")
    row = browser.find_element(By.CSS_SELECTOR, "tr[data-product='Koha']")
    cells = row.find_elements(By.TAG_NAME, "td")
    assert cells[0].text == "1" and cells[1].text == "8"
    assert [a.text for a in cells[2].find_elements(By.TAG_NAME, "a")] == LUMME_NAMES


def test_matrix_heatmap_and_click_through_to_the_items(browser, server):
    body = visit(browser, server.url + "/compare/matrix")
    assert "Hyvinvointipalvelut" in body
    row = browser.find_element(By.XPATH, "//tr[th/a[text()='Nimeämätön kaupunki (lähde 002)']]")
    assert "11" in row.text
    cell = row.find_element(By.XPATH, ".//a[text()='11']")
    assert "heat-5" in cell.find_element(By.XPATH, "..").get_attribute("class")
    follow(browser, cell)
    body = browser.find_element(By.TAG_NAME, "body").text
    assert "Lastensuojelun tietovaranto" in body and "11 tulosta" in body


def test_compliance_heatmap_shows_status_in_symbols_not_only_colour(browser, server):
    from test_views import complete_compliance

    complete_compliance(server)
    visit(browser, server.url + "/compare/compliance?lang=en")
    cell = browser.find_element(By.XPATH, "//tr[th/a[text()='Unnamed city (source 002)']]/td[@data-check='28.4']")
    assert cell.get_attribute("data-status") == "warn" and "!" in cell.text
    ok = browser.find_element(By.XPATH, "//tr[th/a[text()='Unnamed municipality (source 001)']]/td[@data-check='28.4']")
    assert ok.get_attribute("data-status") == "ok" and "✓" in ok.text


def test_side_by_side_with_the_form_and_the_merger_download(browser, server):
    visit(browser, server.url + "/compare?lang=en")
    for key in ["unnamed-001", "unnamed-002"]:
        browser.find_element(By.CSS_SELECTOR, f"input[value='{key}']").click()
    follow(browser, browser.find_element(By.CSS_SELECTOR, "form.choose button"))
    assert "m=unnamed-001" in browser.current_url and "m=unnamed-002" in browser.current_url
    body = browser.find_element(By.TAG_NAME, "body").text
    assert "Varhaiskasvatuksen tietovaranto" in body and "Shared" in body
    link = browser.find_element(By.PARTIAL_LINK_TEXT, "draft joint description")
    href = link.get_attribute("href")
    assert "/compare/merge.ttl?" in href and "m=unnamed-001" in href and "m=unnamed-002" in href


def test_municipality_page_scorecard(browser, server):
    from test_views import complete_compliance

    complete_compliance(server)
    body = visit(browser, server.url + "/id/unnamed-002?lang=en")
    assert "Lastensuojelun tietovaranto" in body and "Dynasty" in body
    cell = browser.find_element(By.CSS_SELECTOR, "table.scorecard td[data-check='28.2']")
    assert cell.get_attribute("data-status") == "warn"
    assert "names the authority that decides" in browser.find_element(By.CSS_SELECTOR, "table.scorecard").text


def test_search_facets_are_clickable(browser, server):
    visit(browser, server.url + "/search?q=kirjastossa")
    follow(browser, browser.find_element(By.CSS_SELECTOR, "aside.facets").find_element(By.PARTIAL_LINK_TEXT, "Mikkeli"))
    assert "kunta=491" in browser.current_url
    hits = browser.find_element(By.CSS_SELECTOR, "ol.hits").text
    assert "Kirjaston asiakas- ja kokoelmatiedot (LUMME-kirjastojen Koha)" in hits


def test_resident_finder_by_keyboard(browser, server):
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select

    visit(browser, server.url + "/finder")
    field = browser.find_element(By.ID, "q")
    field.send_keys("kirjaston asiakastiedot")
    Select(browser.find_element(By.ID, "kunta")).select_by_visible_text("Mikkeli")
    field.send_keys(Keys.ENTER)
    # The form's navigation may not have begun when send_keys returns: wait for the answer page itself.
    answer = WebDriverWait(browser, 20).until(EC.presence_of_element_located((By.CSS_SELECTOR, "article.answer")))
    text = answer.text
    assert "Kirjaston asiakas- ja kokoelmatiedot (LUMME-kirjastojen Koha)" in text and "Mikkeli" in text
    assert "Salassa pidettävä" in text and "Mikkelin kaupunginkirjasto" in text and "Virpi Launonen" in text
    request = answer.find_element(By.CSS_SELECTOR, "textarea.request").get_attribute("value")
    assert request.startswith("TIETOPYYNTÖ") and "13 §" in request
    assert answer.find_element(By.CSS_SELECTOR, "button.copy").is_displayed()  # the script ran, without errors
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []


AXE = __import__("pathlib").Path(__file__).resolve().parents[1] / ".cache/node_modules/axe-core/axe.min.js"
ACCESSIBLE = ["/", "/id/491", "/id/unnamed-002?lang=en", "/id/lumme/system/koha", "/def", "/vocab/service-area?lang=sv",
              "/compare/matrix", "/compare/products", "/compare/reference", "/compare/compliance",
              "/compare?m=491&m=unnamed-001", "/search?q=kirjasto", "/finder?q=kirjaston+asiakastiedot&kunta=491",
              "/sparql", "/id/no-such-thing"]


@pytest.mark.parametrize("path", ACCESSIBLE)
def test_pages_pass_axe_wcag_a_and_aa(browser, server, path):
    """axe-core (WCAG 2 A and AA: contrast, labels, landmarks, table headers, ...) inside Chromium."""
    if not AXE.exists():
        pytest.fail(f"axe-core is missing at {AXE}: `make test` installs it (make axe)")
    browser.get(server.url + path)
    if path == "/sparql":  # wait for the editor, which query.js gives labels
        WebDriverWait(browser, 20).until(EC.presence_of_element_located((By.CSS_SELECTOR, ".yasqe .CodeMirror")))
    browser.execute_script(AXE.read_text(encoding="utf-8"))
    # Excluded: the tab list of the vendored YASGUI editor, whose ARIA structure is its own (third party).
    result = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run({exclude: [['.tabsList']]}, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
        ".then(r => done(r.violations.map(v => [v.id, v.impact, v.nodes.length, v.nodes.slice(0, 2).map(n => n.target.join(' '))])))")
    assert result == [], result
