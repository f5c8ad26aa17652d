"""`kuntagraph validate`: exit codes, and one deliberately broken description per §28 item."""

import json
import shutil

import pytest

from conftest import DATA, run_cli, validate_json

MIKKELI = (DATA / "491.ttl").read_text(encoding="utf-8")
PREFIXES = """
@prefix kg: <https://w3id.org/kuntagraph/def#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix vocab: <https://w3id.org/kuntagraph/vocab/> .
@prefix m: <https://w3id.org/kuntagraph/id/491/> .
"""


def broken(tmp_path, name, text, extra=""):
    """Mikkeli's real description with one change; the file keeps Mikkeli's graph."""
    p = tmp_path / f"{name}.ttl"
    p.write_text(text + PREFIXES + extra, encoding="utf-8")
    return p


BROKEN = {
    # item 1: a system that holds nothing
    "28.1": (MIKKELI, """m:system\\/orphan a kg:SystemInstance ; skos:prefLabel "Irrallinen järjestelmä"@fi ;
              <http://www.w3.org/ns/prov#wasDerivedFrom> <https://w3id.org/kuntagraph/source/004_a3d8f9d0def281ae> ."""),
    # item 2: the deciding authority loses its only way to be reached
    "28.2": (MIKKELI.replace("vcard:hasTelephone <tel:+358447942460> ;", ""), ""),
    # item 3: a dataset placed in no resource, description or system
    "28.3": (MIKKELI, """m:dataset\\/irrallinen a kg:Dataset ; skos:prefLabel "Irrallinen aineisto"@fi ."""),
    # item 4: a search criterion that is not from the shared scheme
    "28.4": (MIKKELI, """m:resource\\/kirjaston-asiakas-ja-kokoelmatiedot kg:searchCriterion vocab:search-criterion\\/lempinimi ."""),
    # item 5: "yes" and "no" both said of the same description
    "28.5": (MIKKELI, """m:description\\/kirjasto kg:openInterface vocab:open-interface\\/yes, vocab:open-interface\\/no ."""),
    # 28 § 2 mom.: the secret customer data published as a download
    "28.2mom": (MIKKELI, """<https://w3id.org/kuntagraph/id/lumme/dataset/asiakkaita-koskevat-tiedot>
              dcat:distribution [ dcat:downloadURL <https://example.org/asiakkaat.csv> ] ."""),
    # hygiene: an official code that is not three digits
    "hygiene": (MIKKELI.replace('dcterms:identifier "491"', 'dcterms:identifier "49"'), ""),
}


@pytest.mark.parametrize("check", BROKEN)
def test_each_broken_item_is_a_violation_with_a_readable_message(tmp_path, check):
    text, extra = BROKEN[check]
    path = broken(tmp_path, "mikkeli-broken", text, extra)
    code, report, r = validate_json(path, lang="en")
    assert code == 1, r.stdout
    violations = [x for x in report["results"] if x["severity"] == "violation"]
    assert [x["check"] for x in violations] == [check], violations
    v = violations[0]
    assert v["file"] == str(path) and v["focus"].startswith("https://w3id.org/kuntagraph/id/")
    assert set(v["messages"]) == {"fi", "en"} and len(v["message"]) > 40
    # The text report names the file, the node and the path, in Finnish by default.
    text_run = run_cli("validate", path)
    assert text_run.returncode == 1
    assert f"{path}: VIRHE [{check}] <{v['focus']}>" in text_run.stdout
    assert v["messages"]["fi"] in text_run.stdout


def test_an_open_interface_without_its_address_is_a_warning_not_a_violation(tmp_path):
    """The act asks only whether the data is openly available through a technical interface (28 § 1 mom. 5 k.,
    DOMAIN §7): "yes" with no address is published, with a warning that asks for the address."""
    path = broken(tmp_path, "mikkeli-yes", MIKKELI, """m:description\\/kirjasto kg:openInterface vocab:open-interface\\/yes .""")
    code, report, r = validate_json(path, lang="en")
    assert code == 0, r.stdout
    warnings = [x for x in report["results"] if x["severity"] == "warning" and "dcat:endpointURL" in x["message"]]
    assert [x["check"] for x in warnings] == ["28.5"], report["results"]


def test_a_case_register_typed_only_as_a_case_register_is_a_violation(tmp_path):
    # Uurainen's imported page (data/uurainen.ttl), with its case register written by hand as kg:CaseRegister only:
    # the store draws no inferences, so every page and query listing information resources would miss it.
    shipped = (DATA / "uurainen.ttl").read_text(encoding="utf-8")
    register = "<https://w3id.org/kuntagraph/id/uurainen/resource/uuraisten-kunnan-asiarekisteri>"
    assert f"{register} a kg:CaseRegister,\n        kg:InformationResource ;" in shipped
    path = tmp_path / "uurainen.ttl"
    path.write_text(shipped.replace(f"{register} a kg:CaseRegister,\n        kg:InformationResource ;", f"{register} a kg:CaseRegister ;"),
                    encoding="utf-8")
    code, report, r = validate_json(path, lang="en")
    assert code == 1, r.stdout
    violations = [x for x in report["results"] if x["severity"] == "violation"]
    assert [(x["check"], x["focus"]) for x in violations] == [("hygiene", register.strip("<>"))], violations
    assert "A case register is an information resource too" in violations[0]["message"]
    assert validate_json(DATA / "uurainen.ttl")[0] == 0


PARTIAL_SOURCE = """<https://w3id.org/kuntagraph/source/004_a3d8f9d0def281ae> kg:partial true ."""


@pytest.mark.parametrize("check", ["28.1", "28.2"])
def test_from_a_source_read_only_in_part_what_the_rest_could_complete_is_a_warning(tmp_path, check):
    """A source cut off (kg:partial) may hold a system's data or an authority's contact in the part not read: the
    same gaps as BROKEN's are warnings that say so, not violations; a gap no part could fill stays a violation."""
    text, extra = BROKEN[check]
    path = broken(tmp_path, f"mikkeli-partial-{check}", text, extra + "\n" + PARTIAL_SOURCE)
    code, report, r = validate_json(path, lang="en")
    assert code == 0, r.stdout
    cut = [x for x in report["results"] if x["check"] == check and "cut off" in x["message"]]
    assert cut and all(x["severity"] == "warning" for x in cut), report["results"]
    still = broken(tmp_path, "mikkeli-partial-28.3", BROKEN["28.3"][0], BROKEN["28.3"][1] + "\n" + PARTIAL_SOURCE)
    assert validate_json(still, lang="en")[0] == 1


def test_the_unbroken_original_conforms_so_each_case_above_is_caused_by_its_change(tmp_path):
    code, report, _ = validate_json(broken(tmp_path, "mikkeli", MIKKELI))
    assert code == 0 and report["violations"] == 0


def test_english_messages_and_warnings_listed(tmp_path):
    r = run_cli("validate", "data/491.ttl", "--lang", "en")
    assert r.returncode == 0
    assert "WARNING [28.4]" in r.stdout and "search criteria" in r.stdout
    assert "0 violation(s)" in r.stdout


def test_a_turtle_syntax_error_names_file_and_line_and_exits_2(tmp_path):
    p = tmp_path / "rikki.ttl"
    p.write_text('@prefix kg: <https://w3id.org/kuntagraph/def#> .\n\n<a> kg:b "ok" .\n<c> kg:d "no end .\n', encoding="utf-8")
    r = run_cli("validate", p)
    assert r.returncode == 2
    assert f"{p}, line 4" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.parametrize("content,suffix", [(b"\xff\xfe\x00garbage", ".ttl"), (b"<rdf:RDF", ".rdf"), (b"x", ".docx")])
def test_unreadable_inputs_exit_2_without_a_traceback(tmp_path, content, suffix):
    p = tmp_path / ("input" + suffix)
    p.write_bytes(content)
    r = run_cli("validate", p)
    assert r.returncode == 2 and str(p) in r.stderr and "Traceback" not in r.stderr


def test_a_missing_path_exits_2():
    r = run_cli("validate", "no/such/file.ttl")
    assert r.returncode == 2 and "no such file" in r.stderr


def test_json_report_is_machine_readable():
    r = run_cli("validate", "data/unnamed-002.ttl", "--format", "json")
    report = json.loads(r.stdout)
    assert r.returncode == 0 and report["conforms"]
    checks = {x["check"] for x in report["results"]}
    assert {"28.2", "28.4", "28.5", "5"} <= checks  # seed 002 names no authority, search criteria or interface
