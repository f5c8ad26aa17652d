"""The search index (kuntagraph.search) through the Python API, on the real data in data/."""

import time
from collections import Counter

import pytest

from kuntagraph.search import (BUILD_QUERIES, MAX_LIMIT, SNIPPET_CHARS, Hit, SearchIndex, SearchResult, fold_fi,
                               normalize)

ID = "https://w3id.org/kuntagraph/id/"
SA = "https://w3id.org/kuntagraph/vocab/service-area/"
MIKKELI = ID + "491"
MIKKELI_RESOURCE = ID + "491/resource/kirjaston-asiakas-ja-kokoelmatiedot"
LUMME_DATASET = ID + "lumme/dataset/asiakkaita-koskevat-tiedot"
LUMME_GROUP = ID + "lumme/data-group/asiakkaan-tiedot"
LUMME_MEMBERS = sorted(ID + c for c in ["046", "090", "171", "491", "507", "593", "740", "915"])
LIBRARY = SA + "library"


@pytest.fixture(scope="module")
def index(store):
    return SearchIndex.build(store)


def iris(result: SearchResult) -> set[str]:
    return {h.iri for h in result.hits}


def everything(index, text, **kw) -> SearchResult:
    r = index.search(text, limit=MAX_LIMIT, **kw)
    assert r.total < MAX_LIMIT, "the test needs every match among the hits"
    assert len(r.hits) == r.total
    return r


def hit(result: SearchResult, iri: str) -> Hit:
    return next(h for h in result.hits if h.iri == iri)


# --- words ---------------------------------------------------------------------------------------------

def test_normalisation_keeps_nordic_letters_and_folds_other_diacritics():
    assert normalize("KIRJASTOSSA") == "kirjastossa"
    assert normalize("Päätös") == "päätös"
    assert normalize("Ålands") == "ålands"
    assert normalize("Café Müller") == "cafe muller"


def test_gradation_folding():
    assert fold_fi("tiedo") == fold_fi("tieto")          # tiedot / tieto
    assert fold_fi("päätöks") == fold_fi("päätös")       # päätöksen / päätös
    assert fold_fi("hallino") == fold_fi("hallinto")     # hallinnon / hallinto
    assert fold_fi("kaupung") == fold_fi("kaupunk")      # kaupungin / kaupunki


# --- inflection and compounds --------------------------------------------------------------------------

def test_inflected_forms_find_the_same_items(index):
    found = [everything(index, q) for q in ("kirjasto", "kirjaston", "kirjastossa", "Kirjastoon")]
    assert found[0].total > 10
    assert MIKKELI_RESOURCE in iris(found[0])
    for r in found[1:]:
        assert iris(r) == iris(found[0])


def test_query_is_the_head_or_tail_of_a_compound(index):
    r = everything(index, "kirjasto")
    labels = {h.label for h in r.hits}
    assert "Kirjastopalveluiden asiakasrekisteri" in labels          # kirjasto + palveluiden
    assert "Kaupunginkirjaston varausrekisteri" in labels            # kaupungin + kirjaston
    assert "Kirjastonhallinnan tiedot" in labels                     # kirjaston + hallinnan
    # the unstemmed word as a modifier: the stem of "lapsi" ("lap") is too short, the word is not
    assert "Kirjastonhallinnan tiedot" in {h.label for h in index.search("lapsi").hits}   # field "lapsiasiakas"
    head = next(h for h in r.hits if h.label == "Kirjastopalveluiden asiakasrekisteri")
    exact = hit(r, MIKKELI_RESOURCE)                                 # "Kirjaston asiakas- ja ..."
    assert exact.score > head.score


def test_query_compound_split_over_two_words(index):
    r = everything(index, "kirjaston asiakastiedot")
    found = iris(r)
    assert {LUMME_DATASET, LUMME_GROUP, MIKKELI_RESOURCE} <= found
    assert hit(r, LUMME_DATASET).label == "Asiakkaita koskevat tiedot"
    assert hit(r, LUMME_GROUP).label == "Asiakkaan tiedot"
    assert hit(r, MIKKELI_RESOURCE).label == "Kirjaston asiakas- ja kokoelmatiedot (LUMME-kirjastojen Koha)"
    # the same inflected differently
    assert {LUMME_DATASET, LUMME_GROUP, MIKKELI_RESOURCE} <= iris(everything(index, "kirjastossa asiakastietoja"))


def test_every_query_word_must_match(index):
    assert index.search("kirjasto zqxwv").total == 0
    both = iris(everything(index, "kirjasto koha"))
    assert both and both <= iris(everything(index, "kirjasto")) & iris(everything(index, "koha"))


def test_query_without_nordic_letters_still_matches(index):
    exact = everything(index, "päätös")
    plain = everything(index, "paatos")
    assert exact.total > 5
    assert iris(exact) <= iris(plain)
    some = exact.hits[0].iri
    assert hit(plain, some).score < hit(exact, some).score


def test_label_matches_outrank_description_matches(index):
    r = everything(index, "kirjasto")
    assert [h.score for h in r.hits] == sorted((h.score for h in r.hits), reverse=True)
    assert r.hits[0].iri == LIBRARY  # label "Kirjasto": exact, and the shortest label
    label_hit = hit(r, MIKKELI_RESOURCE)
    # the Helle database is found by its label only as a compound part, Koha's product concept by its definition
    koha = hit(r, "https://w3id.org/kuntagraph/vocab/system-product/koha")
    assert label_hit.score > koha.score


# --- languages -----------------------------------------------------------------------------------------

def test_swedish_and_english(index):
    sv = index.search("bibliotek", lang="sv")
    assert LIBRARY in {h.iri for h in sv.hits[:3]}
    assert hit(sv, LIBRARY).label == "Bibliotek"
    en = index.search("libraries", lang="en")
    assert LIBRARY in {h.iri for h in en.hits[:3]}
    assert hit(en, LIBRARY).label == "Library"
    assert hit(index.search("library", lang="fi"), LIBRARY).label == "Kirjasto"


def test_label_falls_back_to_finnish(index):
    r = index.search("kirjaston asiakastiedot", lang="en", municipality=MIKKELI)
    assert hit(r, LUMME_DATASET).label == "Asiakkaita koskevat tiedot"  # Finnish only


# --- municipalities, areas, filters --------------------------------------------------------------------

def test_municipality_filter(index):
    r = everything(index, "kirjaston asiakastiedot", municipality=MIKKELI)
    assert {LUMME_DATASET, LUMME_GROUP, MIKKELI_RESOURCE} <= iris(r)
    assert r.hits[0].iri == MIKKELI_RESOURCE
    for h in r.hits:
        assert MIKKELI in h.municipalities
        assert h.iri.startswith((ID + "491/", ID + "lumme/"))
    assert iris(index.search("kirjaston asiakastiedot", municipality="491")) == iris(r)
    assert index.search("kirjaston asiakastiedot").total > r.total


def test_which_municipality_an_item_belongs_to(index):
    r = everything(index, "kirjasto")
    assert hit(r, MIKKELI_RESOURCE).municipalities == [MIKKELI]
    assert hit(r, ID + "lumme/system/koha").municipalities == LUMME_MEMBERS   # consortium graph: its members
    assert hit(r, ID + "lumme").municipalities == LUMME_MEMBERS
    assert hit(r, LIBRARY).municipalities == []                             # concept
    ref = [h for h in r.hits if h.kind == "ReferenceItem"]
    assert ref and all(h.municipalities == [] for h in ref)
    g = everything(index, "asiakkaan tiedot")
    assert hit(g, LUMME_DATASET).municipalities == LUMME_MEMBERS            # via the members' resources
    assert hit(g, LUMME_GROUP).municipalities == LUMME_MEMBERS              # via the dataset
    assert hit(g, ID + "unnamed-001/dataset/kirjaston-asiakkaan-tiedot").municipalities == [ID + "unnamed-001"]


def test_kinds_and_areas_of_hits(index):
    r = everything(index, "kirjaston asiakastiedot", municipality=MIKKELI)
    assert hit(r, MIKKELI_RESOURCE).kind == "InformationResource"
    assert hit(r, LUMME_DATASET).kind == "Dataset"
    assert hit(r, LUMME_GROUP).kind == "DataGroup"
    assert hit(r, LUMME_GROUP).areas == [LIBRARY]      # none of its own: its dataset's
    assert hit(r, MIKKELI_RESOURCE).areas == [LIBRARY]
    kinds = {h.kind for h in everything(index, "kirjasto").hits}
    assert {"Concept", "ReferenceItem", "Authority", "SystemInstance", "Purpose", "Process"} <= kinds


def test_kind_filters(index):
    r = everything(index, "kirjasto", kind="Dataset")
    assert r.total > 0 and {h.kind for h in r.hits} == {"Dataset"}
    both = everything(index, "kirjasto", kinds={"Dataset", "DataGroup"})
    assert {h.kind for h in both.hits} == {"Dataset", "DataGroup"}
    assert everything(index, "kirjasto", kind="Dataset", kinds={"DataGroup"}).total == 0


def test_area_filter_includes_narrower_areas(index):
    edu = everything(index, "kirjasto", area=SA + "education-and-culture")
    leisure = everything(index, "kirjasto", area=SA + "culture-and-leisure")
    library = everything(index, "kirjasto", area=LIBRARY)
    for r in (edu, leisure):
        assert MIKKELI_RESOURCE in iris(r)       # area library, narrower than both
        assert iris(library) <= iris(r)
    assert all(LIBRARY in h.areas for h in library.hits)
    assert MIKKELI_RESOURCE not in iris(everything(index, "kirjasto", area=SA + "welfare"))
    assert index.search("kirjasto", area=SA + "no-such-area").total == 0


# --- facets --------------------------------------------------------------------------------------------

def facet_counts(result, name):
    return {f.value: f.count for f in result.facets[name]}


def test_facets_count_every_match(index):
    r = everything(index, "kirjasto")
    assert set(r.facets) == {"municipality", "area", "kind"}
    # single-valued: sums to the total
    assert sum(facet_counts(r, "kind").values()) == r.total
    assert facet_counts(r, "kind") == Counter(h.kind for h in r.hits)
    # multi-valued: each hit counts once under each of its values
    assert facet_counts(r, "municipality") == Counter(m for h in r.hits for m in h.municipalities)
    assert facet_counts(r, "area") == Counter(a for h in r.hits for a in h.areas)
    assert len(r.facets["municipality"]) >= 5
    # not only the hits shown
    small = index.search("kirjasto", limit=3)
    assert len(small.hits) == 3 and small.total == r.total and small.facets == r.facets
    # labelled and sorted
    mikkeli = next(f for f in r.facets["municipality"] if f.value == MIKKELI)
    assert mikkeli.label == "Mikkeli"
    assert next(f for f in r.facets["area"] if f.value == LIBRARY).label == "Kirjasto"
    assert next(f for f in r.facets["kind"] if f.value == "Dataset").label
    counts = [f.count for f in r.facets["municipality"]]
    assert counts == sorted(counts, reverse=True)


def test_facets_honour_the_other_filters_but_not_their_own(index):
    plain = everything(index, "kirjasto")
    datasets = everything(index, "kirjasto", kind="Dataset")
    assert facet_counts(datasets, "kind") == facet_counts(plain, "kind")      # own filter ignored
    assert facet_counts(datasets, "municipality") == Counter(m for h in datasets.hits for m in h.municipalities)
    mikkeli = everything(index, "kirjasto", municipality=MIKKELI)
    assert facet_counts(mikkeli, "municipality") == facet_counts(plain, "municipality")
    assert facet_counts(mikkeli, "kind") == Counter(h.kind for h in mikkeli.hits)
    assert sum(facet_counts(mikkeli, "kind").values()) == mikkeli.total


# --- edge cases and bounds -----------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["", "   ", "\n\t", "?!-–…"])
def test_empty_query_gives_facets_over_everything(index, text):
    r = index.search(text)
    assert r.hits == [] and r.total == 0
    assert sum(f.count for f in r.facets["kind"]) == len(index)
    assert MIKKELI in facet_counts(r, "municipality")
    assert LIBRARY in facet_counts(r, "area")
    filtered = index.search(text, municipality=MIKKELI)
    assert 0 < sum(f.count for f in filtered.facets["kind"]) < len(index)


@pytest.mark.parametrize("text", ["kirjasto " * 1300, "x" * 10_000, "asiakastiedot" * 800, "ä-" * 5000,
                                  " ".join(f"sana{i}" for i in range(2000))])
def test_huge_query_is_bounded(index, text):
    assert len(text) >= 10_000
    t = time.perf_counter()
    r = index.search(text)
    assert time.perf_counter() - t < 2
    assert len(r.query) <= 200
    assert r.total <= len(index)


def test_huge_query_uses_its_beginning(index):
    assert iris(index.search("kirjasto " * 1300)) == iris(index.search("kirjasto"))


def test_limit(index):
    assert len(index.search("kirjasto", limit=0).hits) == 0
    assert len(index.search("kirjasto", limit=5).hits) == 5
    big = index.search("kirjasto", limit=10**9)
    assert len(big.hits) == min(big.total, MAX_LIMIT)
    assert index.search("kirjasto", limit=-1).hits == []


def test_snippets_are_short_plain_text_from_the_description(index):
    r = everything(index, "kirjasto")
    assert any(h.snippet for h in r.hits)
    for h in r.hits:
        if h.snippet is not None:
            assert len(h.snippet) <= SNIPPET_CHARS
            assert "\n" not in h.snippet and "<" not in h.snippet
    assert "kirjast" in hit(r, MIKKELI_RESOURCE).snippet.lower()
    fields = hit(everything(index, "syntymäaika"), LUMME_GROUP).snippet  # a data-group field
    assert "syntymäaika" in fields
    assert hit(everything(index, "Mikkeli"), MIKKELI).snippet is None      # label only


# --- the build -----------------------------------------------------------------------------------------

class CountingStore:
    """A store that counts the queries it is asked."""

    def __init__(self, store):
        self._store, self.calls = store, Counter()

    def __getattr__(self, name):
        attr = getattr(self._store, name)
        if name in ("select", "statements", "ask", "execute", "dump"):
            def counted(*a, **kw):
                self.calls[name] += 1
                return attr(*a, **kw)
            return counted
        return attr


def test_the_embedded_stores_direct_reads_give_the_rows_of_the_sparql_reads(store):
    """Store.statements: the embedded store reads its indexes; a remote store runs the base class's SELECT."""
    from kuntagraph.store import Store

    kg, skos, dcterms = store.iris.term(""), "http://www.w3.org/2004/02/skos/core#", "http://purl.org/dc/terms/"
    for args in [([skos + "prefLabel", dcterms + "description", kg + "includesField"], True, None),
                 ([dcterms + "hasPart", kg + "serviceArea", kg + "instanceOf"], False, None),
                 (["http://www.w3.org/1999/02/22-rdf-syntax-ns#type"], False, [kg + "Dataset", skos + "Concept"])]:
        direct, by_sparql = sorted(store.statements(*args)), sorted(Store.statements(store, *args))
        assert direct == by_sparql and len(direct) > 100
    assert any(lang == "sv" for _, _, _, lang, _ in store.statements([skos + "prefLabel"], literals=True))


def test_build_issues_a_small_constant_number_of_queries(store):
    counting = CountingStore(store)
    index = SearchIndex.build(counting)
    assert dict(counting.calls) == {"statements": BUILD_QUERIES}
    assert BUILD_QUERIES == 3
    assert len(index) > 300
    counting.calls.clear()
    index.search("kirjasto", municipality=MIKKELI, area=LIBRARY)
    assert not counting.calls  # searching never touches the store


def test_build_is_deterministic(store, index):
    again = SearchIndex.build(store)
    assert again.search("kirjaston asiakastiedot") == index.search("kirjaston asiakastiedot")


def test_an_on_disk_stores_index_built_in_its_own_process_answers_the_same(store, index, tmp_path):
    """server/find.build builds a big on-disk store's index in a spawned process and brings it back pickled: every
    search, facet, snippet and label must come back as the in-process index of the same data gives them."""
    from kuntagraph.server.find import build
    from kuntagraph.store import open_store

    on_disk = open_store(tmp_path / "store")
    on_disk.load_defaults()
    built = build(on_disk, own_process=True)  # data/ is below the size that gets a process of its own
    assert len(built) == len(index) > 300
    for text, kw in [("kirjaston asiakastiedot", {}), ("asiakas", {"municipality": "491"}), ("", {"area": LIBRARY}),
                     ("bibliotek", {"lang": "sv"}), ("paatos", {"lang": "en", "kind": "Dataset"}), ("", {})]:
        assert built.search(text, limit=MAX_LIMIT, **kw) == index.search(text, limit=MAX_LIMIT, **kw), (text, kw)
    for iri in (MIKKELI, LIBRARY, LUMME_DATASET, ID + "no-such-thing"):
        assert [built.label(iri, lang) for lang in ("fi", "sv", "en")] == [index.label(iri, lang) for lang in ("fi", "sv", "en")]


def test_labels_and_descriptions_keep_every_character(tmp_path):
    """The index keeps texts packed (kuntagraph.packed): a label with control characters, non-ASCII IRIs sorted
    among ASCII ones, and a description beyond the Basic Multilingual Plane come back as they were stated (a
    description's whitespace, the control character \x1e among it, is made single spaces, as always)."""
    from kuntagraph.store import open_store

    kg, skos, dcterms = "https://w3id.org/kuntagraph/def#", "http://www.w3.org/2004/02/skos/core#", "http://purl.org/dc/terms/"
    odd = ID + "x/resource/äänitteet"
    plain = ID + "x/resource/aanitteet"
    ttl = f'''
<{odd}> a <{kg}InformationResource> ; <{skos}prefLabel> "Ää\\u001f12\\u001fnitteet"@fi , "Ljud 𝄞"@sv ;
    <{dcterms}description> "Äänitteiden 𝄞 kokoelma\\u001e"@fi .
<{plain}> a <{kg}InformationResource> ; <{skos}prefLabel> "Aanitteet"@fi .
'''
    (tmp_path / "x.ttl").write_text(ttl, encoding="utf-8")
    store = open_store()
    store.load_file(tmp_path / "x.ttl", graph=ID.replace("/id/", "/graph/") + "x")
    index = SearchIndex.build(store)
    assert index.label(odd, "fi") == "Ää\x1f12\x1fnitteet"
    assert index.label(odd, "sv") == "Ljud 𝄞"
    assert index.label(plain, "fi") == "Aanitteet"
    hit = next(h for h in index.search("kokoelma", limit=10).hits if h.iri == odd)
    assert hit.snippet == "Äänitteiden 𝄞 kokoelma"
