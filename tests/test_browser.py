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


def test_home_page_lists_every_municipality(browser, server):
    body = visit(browser, server.url + "/")
    for name in ["Enonkoski", "Heinävesi", "Joroinen", "Mikkeli", "Mäntyharju", "Pieksämäki", "Savonlinna", "Varkaus",
                 "Mantajärvi (kuvitteellinen esimerkkikunta)", "Nimeämätön kunta (lähde 001)", "Nimeämätön kaupunki (lähde 002)"]:
        assert name in body
    assert "SPARQL" in body


def test_mikkeli_page_in_the_browser_and_through_to_koha(browser, server):
    body = visit(browser, server.url + "/id/491")
    assert "Mikkeli" in body and "LUMME-kirjastojen Koha-kirjastojärjestelmä" in body
    browser.find_element(By.LINK_TEXT, "LUMME-kirjastojen Koha-kirjastojärjestelmä").click()
    body = browser.find_element(By.TAG_NAME, "body").text
    for name in ["Enonkoski", "Heinävesi", "Joroinen", "Mikkeli", "Mäntyharju", "Pieksämäki", "Savonlinna", "Varkaus"]:
        assert name in body
    assert "Koha" in body and "https://www.lumme-kirjastot.fi" in body


def test_language_switch_keeps_the_page(browser, server):
    visit(browser, server.url + "/id/491/authority/kirjasto")
    browser.find_element(By.LINK_TEXT, "English").click()
    body = browser.find_element(By.TAG_NAME, "body").text
    assert browser.current_url.endswith("/id/491/authority/kirjasto?lang=en")
    assert "contact point" in body and "Virpi Launonen" in body and "+358447942460" in body
    browser.find_element(By.LINK_TEXT, "svenska").click()
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
