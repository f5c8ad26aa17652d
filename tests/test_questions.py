"""The questions people bring (DOMAIN §6), answered by SPARQL on the data in data/ through the Python API.

The queries are the example queries of the query UI, so the examples people see are checked too.
"""

import json

import pytest

from conftest import LUMME_CODES

from kuntagraph.server.examples import EXAMPLES

QUERIES = {e["id"]: e["query"] for e in EXAMPLES}


def rows(store, example):
    body = store.execute(QUERIES[example], result_format="json").body
    return [{k: v["value"] for k, v in b.items()} for b in json.loads(body)["results"]["bindings"]]


def test_which_municipalities_use_system_product_koha(store):
    answer = rows(store, "koha")
    assert [r["code"] for r in answer] == LUMME_CODES
    assert {r["system"] for r in answer} == {"https://w3id.org/kuntagraph/id/lumme/system/koha"}  # one instance


def test_products_in_use_with_their_municipalities(store):
    # One row per product and municipality (no GROUP_CONCAT: Virtuoso fails answers longer than about 4 KB).
    answer = rows(store, "products")
    by_product = {r["product"]: r for r in answer}
    assert by_product["Koha"]["municipalities"] == "8"
    assert {r["name"] for r in answer if r["product"] == "Koha"} == {"Enonkoski", "Heinävesi", "Joroinen", "Mikkeli", "Mäntyharju", "Pieksämäki", "Savonlinna", "Varkaus"}
    assert by_product["Dynasty"]["municipalities"] == "1" and by_product["Primus"]["municipalities"] == "1"


def test_resources_searchable_by_personal_identity_code(store):
    answer = rows(store, "hetu")
    assert sorted(r["resource"] for r in answer) == ["Kirjastopalveluiden asiakasrekisteri", "Perusopetuksen tietovaranto", "Varhaiskasvatuksen tietovaranto"]
    assert {r["municipality"] for r in answer} == {"Nimeämätön kunta (lähde 001)"}


def test_who_states_no_open_interface_and_who_states_nothing(store):
    stated = {r["municipality"]: r["open_interface"] for r in rows(store, "open-interface")}
    assert stated.pop("Nimeämätön kunta (lähde 001)") == "Ei saatavilla avoimesti teknisen rajapinnan avulla"
    assert set(stated.values()) == {"ei kerrottu / not stated"} and len(stated) == 10


def test_coverage_of_each_service_area(store):
    city = {r["area"]: int(r["resources"]) for r in rows(store, "coverage") if r["municipality"] == "Nimeämätön kaupunki (lähde 002)"}
    assert city == {"Hallinto- ja tukipalvelut": 6, "Hyvinvointipalvelut": 11, "Kulttuuri- ja vapaa-ajanpalvelut": 6, "Tekniset palvelut": 4}
    library = {r["municipality"] for r in rows(store, "coverage") if r["area"] == "Kirjasto"}
    assert {"Mikkeli", "Varkaus", "Mantajärvi (kuvitteellinen esimerkkikunta)", "Nimeämätön kunta (lähde 001)"} <= library


def test_whom_to_ask_for_library_customer_data_in_mikkeli(store):
    mikkeli = [r for r in rows(store, "whom-to-ask") if r["municipality"] == "Mikkeli"]
    assert mikkeli == [{"municipality": "Mikkeli", "dataset": "Asiakkaita koskevat tiedot", "authority": "Mikkelin kaupunginkirjasto",
                        "person": "Virpi Launonen", "telephone": "tel:+358447942460"}]


def test_secret_data_groups_are_named_but_hold_no_content(store):
    groups = {r["group"] for r in rows(store, "secret-groups")}
    assert len(groups) == 11 and "Asiakkaan tiedot" in groups and "Kokoelmatiedot" not in groups
    assert not store.ask("ASK { ?g kg:publicity <https://w3id.org/kuntagraph/vocab/publicity/secret> ; dcat:distribution|dcat:downloadURL ?x }")


def test_reference_library_coverage(store):
    counts = {r["item"]: int(r["municipalities"]) for r in rows(store, "reference")}
    assert counts["Kirjastojen yhteinen asiakasrekisteri"] == 1  # Mantajärvi points to it
    assert counts["Kirjaamopalvelut"] == 0  # seed 003's reference processes: nobody describes them yet
