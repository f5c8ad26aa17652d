"""Example queries for the questions people bring (DOMAIN §6). Shown in the query UI; each is tested."""

import re

PROLOGUE = """PREFIX kg: <https://w3id.org/kuntagraph/def#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX vcard: <http://www.w3.org/2006/vcard/ns#>
"""

EXAMPLES = [
    {
        "id": "products",
        "title": {"fi": "Mitä järjestelmätuotteita kunnat käyttävät?", "sv": "Vilka systemprodukter använder kommunerna?",
                  "en": "Which system products do municipalities use?"},
        "query": PROLOGUE + """
SELECT DISTINCT ?product ?municipalities ?name WHERE {
  { SELECT ?p (COUNT(DISTINCT ?m) AS ?municipalities) WHERE { ?s kg:instanceOf ?p ; kg:owner ?m . ?m a kg:Municipality } GROUP BY ?p }
  ?p skos:prefLabel ?product FILTER(lang(?product) = "fi")
  ?system kg:instanceOf ?p ; kg:owner ?municipality .
  ?municipality a kg:Municipality .
  NAME(?municipality, ?name)
}
ORDER BY DESC(?municipalities) ?product ?name""",
    },
    {
        "id": "koha",
        "title": {"fi": "Ketkä omistavat Koha-järjestelmän?", "sv": "Vilka äger Koha-systemet?", "en": "Who owns a Koha system?"},
        "query": PROLOGUE + """
SELECT ?code ?municipality ?system WHERE {
  ?system kg:instanceOf <https://w3id.org/kuntagraph/vocab/system-product/koha> ; kg:owner ?m .
  ?m dcterms:identifier ?code .
  NAME(?m, ?municipality)
}
ORDER BY ?code""",
    },
    {
        "id": "hetu",
        "title": {"fi": "Mistä tietovarannoista voi hakea henkilötunnuksella?", "sv": "Vilka informationsresurser kan sökas med personbeteckning?",
                  "en": "Which information resources can be searched by personal identity code?"},
        "query": PROLOGUE + """
SELECT ?municipality ?resource WHERE {
  ?r a kg:InformationResource ; skos:prefLabel ?resource .
  { ?r kg:searchCriterion <https://w3id.org/kuntagraph/vocab/search-criterion/personal-identity-code> }
  UNION
  { ?description dcterms:hasPart ?r ;
                 kg:searchCriterion <https://w3id.org/kuntagraph/vocab/search-criterion/personal-identity-code> }
  ?d dcterms:hasPart ?r ; dcterms:publisher ?m .
  NAME(?m, ?municipality)
}
ORDER BY ?municipality ?resource""",
    },
    {
        "id": "open-interface",
        "title": {"fi": "Mitä kunnat kertovat avoimista rajapinnoista?", "sv": "Vad säger kommunerna om öppna gränssnitt?",
                  "en": "What do municipalities state about open interfaces?"},
        "query": PROLOGUE + """
# A description may come in parts (a page per resource or division): each statement any part makes, one row each;
# "not stated" only when no part says anything.
SELECT DISTINCT ?municipality ?open_interface WHERE {
  ?description a kg:AccessDescription ; dcterms:publisher ?m .
  ?m a kg:Municipality .
  NAME(?m, ?municipality)
  OPTIONAL { ?part a kg:AccessDescription ; dcterms:publisher ?m ; kg:openInterface/skos:prefLabel ?stated
             FILTER(lang(?stated) = "fi") }
  BIND(COALESCE(?stated, "ei kerrottu / not stated") AS ?open_interface)
}
ORDER BY ?municipality ?open_interface""",
    },
    {
        "id": "coverage",
        "title": {"fi": "Palvelualueiden kattavuus kunnittain", "sv": "Serviceområdenas täckning per kommun",
                  "en": "Coverage of each service area, per municipality"},
        "query": PROLOGUE + """
SELECT ?area ?municipality (COUNT(DISTINCT ?r) AS ?resources) WHERE {
  ?description dcterms:publisher ?m ; dcterms:hasPart ?r .
  ?r a kg:InformationResource ; kg:serviceArea/skos:prefLabel ?area FILTER(lang(?area) = "fi")
  NAME(?m, ?municipality)
}
GROUP BY ?area ?municipality ORDER BY ?area ?municipality""",
    },
    {
        "id": "whom-to-ask",
        "title": {"fi": "Keneltä pyydän kirjaston asiakastietoja?", "sv": "Av vem begär jag bibliotekets kunduppgifter?",
                  "en": "Whom do I ask for a library's customer data?"},
        "query": PROLOGUE + """
SELECT ?municipality ?dataset ?authority ?person ?telephone WHERE {
  ?dataset_iri skos:prefLabel ?dataset FILTER(CONTAINS(LCASE(?dataset), "asiak"))
  ?resource dcterms:hasPart ?dataset_iri .
  ?description dcterms:hasPart ?resource ; dcterms:publisher ?m .
  NAME(?m, ?municipality)
  ?description kg:decidingAuthority ?a .
  ?a skos:prefLabel ?authority ; dcat:contactPoint ?c .
  OPTIONAL { ?c vcard:fn ?person } OPTIONAL { ?c vcard:hasTelephone ?telephone }
}
ORDER BY ?municipality""",
    },
    {
        "id": "secret-groups",
        "title": {"fi": "Salassa pidettävät tietoryhmät (nimetty, sisältöä ei julkaista)", "sv": "Sekretessbelagda datagrupper (namngivna, innehållet publiceras inte)",
                  "en": "Secret data groups (named; their content is never published)"},
        "query": PROLOGUE + """
SELECT ?system ?group WHERE {
  ?g a kg:DataGroup ; skos:prefLabel ?group ;
     kg:publicity <https://w3id.org/kuntagraph/vocab/publicity/secret> .
  ?dataset kg:dataGroup ?g ; kg:heldIn/skos:prefLabel ?system .
}
ORDER BY ?system ?group""",
    },
    {
        "id": "reference",
        "title": {"fi": "Viitekirjaston sisällöt ja niitä kuvaavat kunnat", "sv": "Referensbibliotekets innehåll och kommunerna som beskriver dem",
                  "en": "Reference library items and the municipalities that describe them"},
        "query": PROLOGUE + """
SELECT ?item (COUNT(DISTINCT ?m) AS ?municipalities) WHERE {
  ?ref a kg:ReferenceItem ; skos:prefLabel ?item .
  OPTIONAL { ?x kg:reference ?ref . ?x ^dcterms:hasPart/dcterms:publisher|^dcterms:hasPart/^dcterms:hasPart/dcterms:publisher|kg:owner ?m }
}
GROUP BY ?item ORDER BY DESC(?municipalities) ?item""",
    },
]


def _names(query: str) -> str:
    """NAME(?x, ?label): ?x's Finnish name, or its Swedish one when it has none in Finnish (Jakobstad, Lappträsk:
    their pages name them in Swedish only). Written out in the query so that people can read and reuse it; two
    OPTIONALs and a COALESCE, the form every SPARQL server evaluates alike."""
    return re.sub(r"NAME\((\?\w+), \?(\w+)\)", lambda m: (
        f'OPTIONAL {{ {m[1]} skos:prefLabel ?{m[2]}_fi FILTER(lang(?{m[2]}_fi) = "fi") }}\n'
        f'  OPTIONAL {{ {m[1]} skos:prefLabel ?{m[2]}_sv FILTER(lang(?{m[2]}_sv) = "sv") }}\n'
        f'  BIND(COALESCE(?{m[2]}_fi, ?{m[2]}_sv) AS ?{m[2]})'), query)


for _example in EXAMPLES:
    _example["query"] = _names(_example["query"])
