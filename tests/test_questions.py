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
    assert by_product["Primus"]["municipalities"] == "1"
    # Savonlinna's early-education page (corpus) names "Dynasty-asianhallintajärjestelmä" among its systems.
    assert {r["name"] for r in answer if r["product"] == "Dynasty"} == {"Nimeämätön kaupunki (lähde 002)", "Savonlinna"}


def test_resources_searchable_by_personal_identity_code(store):
    answer = {(r["municipality"], r["resource"]) for r in rows(store, "hetu")}
    # Savonlinna's early-education page: "Hakutekijät, joilla tietoja voidaan hakea järjestelmästä: nimi, henkilötunnus, …"
    assert answer == {("Nimeämätön kunta (lähde 001)", "Kirjastopalveluiden asiakasrekisteri"),
                      ("Nimeämätön kunta (lähde 001)", "Perusopetuksen tietovaranto"),
                      ("Nimeämätön kunta (lähde 001)", "Varhaiskasvatuksen tietovaranto"),
                      ("Savonlinna", "Varhaiskasvatus")}


def test_who_states_no_open_interface_and_who_states_nothing(store):
    stated = {}
    for r in rows(store, "open-interface"):  # a row per statement: "not stated" only where no part of a description says
        stated[r["municipality"]] = stated.get(r["municipality"], set()) | {r["open_interface"]}
    stated = {m: " | ".join(sorted(s)) for m, s in stated.items()}
    assert stated.pop("Nimeämätön kunta (lähde 001)") == "Ei saatavilla avoimesti teknisen rajapinnan avulla"
    # Savonlinna: "tietoaineistot eivät pääsääntöisesti ole saatavilla avoimesti teknisen rajapinnan avulla";
    assert stated.pop("Savonlinna") == "Ei saatavilla avoimesti teknisen rajapinnan avulla"
    # Helsinki's main page: "Osa tiedoista on saatavissa suoraan viranomaisen tietojärjestelmästä avoimen rajapinnan
    # avulla."; its urban-environment page: "hri.fi-palvelusta löytää tietoa toimialan avoimista datoista ja rajapinnoista."
    assert stated.pop("Helsingin kaupunki") == "Osittain saatavilla avoimesti teknisen rajapinnan avulla | Saatavilla avoimesti teknisen rajapinnan avulla"
    described = store.select("SELECT DISTINCT ?m WHERE { ?d a kg:AccessDescription ; dcterms:publisher ?m . ?m a kg:Municipality }")
    assert set(stated.values()) == {"ei kerrottu / not stated"} and len(stated) == len(described) - 3 >= 10


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
