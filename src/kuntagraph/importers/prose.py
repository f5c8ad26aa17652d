"""The general reader: a published description as people write it, in Finnish or Swedish prose, headings,
bullets and "label: value" lines, read by meaning.

Every line is one of: boilerplate (the page address, skip links and navigation, the law quoted or paraphrased,
definitions, sentences about the description itself), an item, text placed as a description, or a note. Items
are recognised by the lemma of a phrase's head word (morphology.py) against the words of terms.py:

- headings: a resource ("Perusopetuksen tietovaranto", "Förvaltningens informationslager"), a group of
  resources ("Fyysiset tietovarannot"), a section of a resource's datasets or systems, the case register
  ("Kangasalan kaupungin asiarekisteri"), a systems heading, search criteria ("HAKUPERUSTEET");
- "label: value" lines and bullets under them, and lists a sentence announces ("…seuraaviin tietojärjestelmiin:");
- sentences: lists after a verb ("Kaupunkiympäristön tietovarantoihin kuuluvat A, B sekä C", "Hakutekijöinä
  voivat olla …"), the case register and systems named in own-voice sentences, the responsible or deciding
  body ("Vastuuhenkilönä toimii …", "… fungerar som ansvarig myndighet"), the registry and each contact
  channel, and open-interface statements about the organisation's own data.

A source that ends mid-word or mid-sentence is reported as cut off and its last fragment gives no item.
"""

from __future__ import annotations

import re
from functools import lru_cache

from . import vocab
from .contacts import ContactReading, is_contact_line
from .model import Description, Item, Note, Resource, Sector, capitalize, clean_item, strip_bullet
from .morphology import finnish, verb_lemma
from .phrases import (CONJUNCTION, COPULA_FI, COPULA_SV, FUNCTION_WORDS, LABELLED, NAVIGATION, IMAGE_TEXT, ORG_WORDS, PURPOSE_WORDS,
                      RELATIVE, URL_LINE, Lang, boilerplate_kind, is_swedish, lower_caps, noun_phrase, phrase_text,
                      sentences, specific, split_after_kind, split_items, split_top, system_items, tokens_of)
from .reading import Block


@lru_cache(maxsize=50_000)
def _key(label: str, sv: bool) -> str:
    """A label's words as lemmas: the same item however inflected ("asiakastiedot" / "asiakastiedoista")."""
    lang = Lang(sv)
    return " ".join(lang.word(w).lemma for w in tokens_of(label) if w.casefold() not in FUNCTION_WORDS)


_TITLE_WORDS = re.compile(r"asiakirjajulkisuu|kuvaus\s+asiakirjajulkisuudesta|handlingsoffentlighet|handlingars\s+offentlighet|"
                          r"document\s+publicity", re.I)
_OPENNESS = re.compile(r"avoi|saatavi|saatavil|julkais|öppe|tillgäng|\bopen|availab", re.I)
_POINTER = re.compile(r"^-(ala)?sivu|^-osio|^-sida|^-undersida", re.I)


class Reader(ContactReading):
    def __init__(self, blocks: list[Block]):
        self.blocks = [b for b in blocks if b.text.strip()]
        self.lang = Lang(is_swedish(self.blocks))
        self.d = Description(shape="prose")
        self.resource: Resource | None = None
        self.group = False  # under a heading of several resources ("X:n tietovarannot")
        self.section: str | None = None  # datasets / systems / search / purpose / contact / description
        self.pending: str | None = None  # the kind a sentence ending with ":" announced
        self.purposes_heading = False
        self.seen_title = False
        self.cut: Block | None = None
        self.sector: Sector | None = None
        self.last_kind: str | None = None
        self.title_block: Block | None = None
        self.section_of: dict[int, int] = {}  # id(block) -> the number of headings before it: contacts under one are one
        self.continued_list: tuple | None = None  # (block, kind) of the last list read from a sentence  # the boilerplate kind of the sentence before
        self.pairs: set[int] = set()  # blocks that are "Resource: purpose" pairs (when there are several)

    # -- accounting
    def mark(self, b: Block, where: str):
        """Where a block of the source went; an item outranks description text, which outranks a note."""
        old = self.d.lines.get(id(b))
        rank = {"item": 3, "description": 2, "note": 1}
        if old is None or rank.get(where, 0) > rank.get(old[1], 0):
            self.d.lines[id(b)] = (b, where)

    def note(self, text: str, b: Block, why=("teksti, jota ei voitu liittää", "text that could not be placed")):
        holder = self.resource.notes if self.resource else self.d.notes
        holder.append(Note(text, b, why))
        self.mark(b, "note")

    # -- kinds of phrases
    def phrase_kind(self, text: str) -> tuple[str | None, list[str], int]:
        """The kind of a heading or label by its head word: the last word of its first part ("Hakutekijät,
        joilla …" -> search), or for Swedish its first or last word."""
        parts = split_top(text) if text else []
        first = parts[0] if parts else ""
        tokens = tokens_of(first)
        if not tokens:
            return None, tokens, -1
        if self.lang.sv:
            for i in (len(tokens) - 1, 0):
                k = self.lang.kind(tokens[i])
                if k:
                    return k, tokens, i
            return None, tokens, -1
        k = self.lang.kind(tokens[-1])
        return k, tokens, len(tokens) - 1

    def is_heading(self, b: Block) -> bool:
        text = b.text.strip()
        if b.heading:
            return True
        _, bulleted = strip_bullet(text)
        if bulleted or b.item or text.endswith((".", "!", "?", ",", ";")) or len(text) > 120 or len(text.split()) > 14:
            return False
        if is_contact_line(text):  # "Puh. 02 4393 511", "Vanhatie 5, 21290 Rusko": a contact, not a heading
            return False
        if text.endswith(":"):
            return self.phrase_kind(text.rstrip(":"))[0] in ("resource",)
        return not LABELLED.match(text) or bool(re.match(r"^\S+\s*\(.*:", text))

    def run(self) -> Description:
        blocks = self.blocks
        if blocks and URL_LINE.match(blocks[0].text.strip()) and blocks[0].line == 1:
            self.d.source_url = blocks[0].text.strip()
            self.mark(blocks[0], "boilerplate:source address")
            blocks = blocks[1:]
        self.cut = self._cut_off(blocks)
        if self.cut is not None:
            self.d.truncated.append((self.cut, "Lähde päättyy kesken (sana, lause tai otsikko ilman sisältöä); viimeisestä katkelmasta ei tehty kohdetta.",
                                     "The source ends unfinished (mid-word, mid-sentence, or a heading with nothing under it); its last fragment was not made an item."))
        pairs = {i for i, b in enumerate(blocks) if self._pair(b.text)}
        self.pairs = pairs if len(pairs) >= 2 else set()
        text_all = " ".join(b.text for b in blocks).casefold()
        self.d.about_section28 = bool(re.search(r"asiakirjajulkisuu|tiedonhallintala|handlingsoffentlighet|handlingars offentlighet|"
                                                r"informationshanteringslag|906/2019|document publicity|tietovarant|informationslager", text_all))
        n = 0
        for b in blocks:
            if self.is_heading(b) and not is_contact_line(b.text):
                n += 1
            self.section_of[id(b)] = n
        consumed = self._address_blocks(blocks)
        # the title: the first heading that names the description ("Asiakirjajulkisuuskuvaus"), not an image's text
        # or a menu's word before it; else the first heading
        self.title_block = next((b for i, b in enumerate(blocks[:8]) if self.is_heading(b) and _TITLE_WORDS.search(b.text)
                                 and not NAVIGATION.search(b.text.strip())
                                 and not (i + 1 < len(blocks) and self._breadcrumb(b.text.strip(), blocks[i + 1].text.strip()))),
                                None)
        for i, b in enumerate(blocks):
            text = b.text.strip()
            if i in consumed:
                continue
            if i + 1 < len(blocks) and self._breadcrumb(text, blocks[i + 1].text.strip()):
                self.mark(b, "boilerplate:navigation")
                continue
            if NAVIGATION.search(text):
                self.mark(b, "boilerplate:navigation")
                continue
            if IMAGE_TEXT.search(text) and not LABELLED.match(text) and len(text.split()) <= 10 and self.lang.kind(tokens_of(text)[-1] if tokens_of(text) else "") is None:
                self.mark(b, "boilerplate:image text")
                continue
            last = b is self.cut
            if self.is_heading(b):
                if last:
                    self.mark(b, "boilerplate:cut-off fragment")
                    continue
                self.heading(b, text, blocks, i)
                continue
            if i in self.pairs and not last:
                label, value = LABELLED.match(text).group("label", "value")
                r = self.new_resource(clean_item(label), b)
                r.purposes += [Item(capitalize(clean_item(p)), b) for p in value.split(";") if clean_item(p)]
                continue
            self.paragraph(b, text, last)
        self._finish()
        return self.d

    # -- cut-off
    def _cut_off(self, blocks: list[Block]) -> Block | None:
        content = [b for b in blocks if not NAVIGATION.search(b.text.strip())]
        if not content:
            return None
        b = content[-1]
        text = b.text.strip()
        item, bulleted = strip_bullet(text)
        words = tokens_of(item)
        if not words:
            return b
        if text.endswith((",", ";", ":", "-", "(", "–")):
            return b
        lastword = words[-1]
        if bulleted or b.item:
            if len(lastword) <= 2 and not lastword.isdigit():
                return b
            if not self.lang.sv and not text.endswith((".", "!", "?", ")")) and not self.lang.word(lastword).known and not lastword[:1].isupper():
                return b
            return None
        if self.is_heading(b) and len(content) > 1 and not self._pair(text):
            return b  # a heading with nothing under it: an unfinished section
        if not text.endswith((".", "!", "?", ")", "\"", "”", "»")):
            # unfinished, unless the document's lines of this kind end without a full stop anyway ("Rekisteri: purpose")
            peers = [p.text.strip() for p in content[:-1] if not self.is_heading(p) and not strip_bullet(p.text)[1]
                     and bool(LABELLED.match(p.text.strip())) == bool(LABELLED.match(text))]
            bare = sum(1 for p in peers if not p.endswith((".", "!", "?", ")", ":")))
            if len(peers) >= 2 and bare * 2 > len(peers) and len(lastword) > 2:
                return None
            return b
        return None

    # -- headings
    def heading(self, b: Block, text: str, blocks, i):
        lang = self.lang
        text = text.rstrip(":").strip()
        self.pending = None
        kind, tokens, h = self.phrase_kind(text)
        conj = self._coordinated(text)
        if kind is not None:
            self.purposes_heading = False
        if kind == "case_register" or any(self.phrase_kind(c)[0] == "case_register" for c in conj):
            for c in conj:
                ck, ct, ch = self.phrase_kind(c)
                if ck == "case_register" and not (lang.word(ct[ch]).plural and lang.bare(ct[ch], "case_register") and not lang.sv):
                    self.case_register(c, b)
                elif ck == "system" and specific(ct, 0, ch, "system", lang):
                    self.system(c, b, for_case_register=True)
            self.resource, self.section, self.group = None, "case_register", False
            self.mark(b, "item" if self.d.case_register else "note")
            return
        if kind == "resource" and len(conj) == 1:
            w = lang.word(tokens[h])
            plural_nominative = (not lang.sv and w.plural and w.case == "nimento") or (lang.sv and not specific(tokens, 0, h, "resource", lang))
            if plural_nominative or not specific(tokens, 0, h, "resource", lang) and len(tokens) == 1:
                self.group, self.resource, self.section = True, None, None
                self._title_or(b, text, "boilerplate:group heading")
                return
            self.new_resource(text, b)
            self.section = None
            return
        if kind in ("dataset", "system", "search") and h == len(tokens) - 1:
            # "Varhaiskasvatuksen ja esiopetuksen tietovarannon tietoaineistot": a section of that resource
            owner = [j for j, t in enumerate(tokens[:h]) if lang.kind(t) == "resource"]
            if owner and not lang.sv:
                label = self._nominative(phrase_text(tokens, 0, owner[-1] + 1, text), tokens[:owner[-1] + 1])
                self.resource = self.find_resource(label) or self.new_resource(label, b)
            self.section = {"dataset": "datasets", "system": "systems", "search": "search"}[kind]
            self.mark(b, "description")
            return
        if i + 1 in self.pairs:  # a sector heading over "Resource: purpose" pairs
            area = vocab.service_area(text)
            if area is None:
                self.d.warnings.append((b, f"Toimialaotsikko \"{text}\" ei vastaa yhteisen palvelualueluettelon aluetta.",
                                        f"The sector heading \"{text}\" matches no service area of the shared scheme."))
            self.sector = Sector(text, b, area.iri if area else None)
            self.d.sectors.append(self.sector)
            self.resource, self.section, self.group = None, None, False
            self.mark(b, "description")
            return
        # a heading followed by labelled datasets or systems names a resource ("Varhaiskasvatus")
        if self._fields_follow(blocks, i):
            self.new_resource(text, b)
            self.section = None
            return
        if PURPOSE_WORDS.search(text):
            self.purposes_heading = True
        area = vocab.service_area(text) if self.seen_title and len(tokens_of(text)) <= 4 else None
        if area is not None:  # a sector's heading ("Varhaiskasvatus", "Konsernipalvelut"): what follows is of it
            self.sector = Sector(text, b, area.iri)
            self.d.sectors.append(self.sector)
            self.resource, self.section, self.group = None, None, False
            self.mark(b, "description")
            return
        self.resource, self.section, self.group = None, ("contact" if re.search(r"yhteystie|kontakt|tietopyyn|begäran", text, re.I) else None), False
        self._title_or(b, text, "note")

    @staticmethod
    def _breadcrumb(text: str, following: str) -> bool:
        """"Om Pedersöre Pedersöres kommunikation Dataskydd Beskrivning av handlingsoffentligheten" before the page's
        title: a trail of links that ends with the title itself."""
        return (len(following) >= 8 and text != following and text.endswith(following) and len(text) - len(following) >= 8
                and not text.endswith((".", ":")) and len(text.split()) <= 20)


    def _pair(self, text: str) -> bool:
        """"Henkilöstörekisteri: palvelussuhteiden hoitaminen; palkanlaskenta": a register named before its
        purpose, on a line of its own."""
        m = LABELLED.match(text.strip())
        if not m or not m.group("value").strip() or ":" in m.group("value") or vocab.URL.search(text) or strip_bullet(text)[1]:
            return False
        label = clean_item(m.group("label"))
        if not label[:1].isupper() or len(label.split()) > 8 or label.endswith((".", "!", "?")):
            return False
        if self._contact_kind(label) or PURPOSE_WORDS.search(label) or re.search(r"vastuu|ansvar", label, re.I):
            return False
        kind = self.phrase_kind(label)[0]
        tokens = tokens_of(label)
        return kind in (None, "case_register", "resource") and bool(re.search(r"rekister|register|tietovarant|informationslager", label, re.I)) \
            and len(tokens) >= 1

    def _st(self):
        """Where a statement belongs: the resource being read, else its sector, else the whole description."""
        return self.resource.st if self.resource else self.sector.st if self.sector else self.d.st

    def _group_words(self, tokens: list[str], h: int) -> bool:
        """"Fyysiset tietovarannot": the kind word in the plural nominative, a group of resources."""
        w = self.lang.word(tokens[h])
        return not self.lang.sv and w.plural and w.case == "nimento"

    def _title_or(self, b: Block, text: str, where: str):
        if not self.seen_title and self.d.title is None and (self.title_block is None or b is self.title_block):
            self.d.title, self.d.title_where, self.seen_title = text, b, True
            self.mark(b, "description")
            return
        if where == "note":
            self.note(text, b, ("otsikko", "a heading"))
        else:
            self.mark(b, where)

    def _coordinated(self, text: str) -> list[str]:
        """Top-level conjuncts of a heading: "X asiarekisteri ja päätöksentekojärjestelmä" -> two; not between
        genitives ("Varhaiskasvatuksen ja esiopetuksen tietovaranto") nor in a suspended compound."""
        parts, start = [], 0
        for m in CONJUNCTION.finditer(text):
            left = text[start:m.start()]
            lw = tokens_of(left)
            if not lw or left.rstrip().endswith("-") or (self.lang.genitive(lw[-1]) and not self.lang.sv):
                continue
            parts.append(text[start:m.start()])
            start = m.end()
        parts.append(text[start:])
        return [p.strip() for p in parts if p.strip()]

    def _fields_follow(self, blocks, i) -> bool:
        for b in blocks[i + 1:i + 12]:
            t = b.text.strip()
            if self.is_heading(b) or b.item or strip_bullet(t)[1]:
                return False
            m = LABELLED.match(strip_bullet(t)[0])
            if m and m.group("value").strip() and self.phrase_kind(m.group("label"))[0] in ("dataset", "system"):
                return True
        return False

    # -- items
    def new_resource(self, label: str, b: Block) -> Resource:
        r = self.find_resource(label)
        if r is None:
            area = vocab.service_area(label)
            r = Resource(capitalize(clean_item(label)), b, sector=self.sector,
                         area=area.iri if area else (self.sector.area if self.sector else None))
            self.d.resources.append(r)
        self.resource, self.group = r, False
        self.mark(b, "item")
        return r

    def find_resource(self, label: str) -> Resource | None:
        key = self._key(label)
        return next((r for r in self.d.resources if self._key(r.label) == key), None)

    def _key(self, label: str) -> str:
        return _key(label, self.lang.sv)

    def case_register(self, label: str, b: Block):
        if self.d.case_register is None:
            tokens = tokens_of(label)
            self.d.case_register = Item(self._nominative(label, tokens), b)
        self.mark(b, "item")

    def _nominative(self, label: str, tokens: list[str]) -> str:
        """The phrase with its head in the base form: "Museoviraston kirjaamosta" -> "Museoviraston kirjaamo"."""
        if self.lang.sv or not tokens:
            return capitalize(clean_item(label))
        w = self.lang.word(tokens[-1])
        if not w.known or w.case in ("nimento", ""):
            return capitalize(clean_item(label))
        head = tokens[-1]
        lemma = w.lemma
        if "-" in head.strip("-"):  # "Tweb-asianhallintajärjestelmässä": only the part after the hyphen is inflected
            before, _, last = head.rpartition("-")
            lemma = before + "-" + finnish(last).lemma
        prefix = head[: len(head) - len(head.lstrip("-"))]
        base = prefix + (lemma[:1].upper() + lemma[1:] if head.lstrip("-")[:1].isupper() else lemma)
        idx = label.rfind(head)
        return capitalize(clean_item(label[:idx] + base))

    def system(self, label: str, b: Block, for_case_register: bool = False, whole: bool = False):
        label = clean_item(label)
        if not label:
            return
        tokens = tokens_of(label)
        name = label if whole else self._nominative(label, tokens)
        name = self._known_system(name)
        target = self.resource.systems if (self.resource and not for_case_register) else self.d.case_register_systems if for_case_register else None
        if target is None:
            from .model import SystemEntry
            if not any(self._key(e.label) == self._key(name) for e in self.d.systems) and \
                    not any(self._key(s.label) == self._key(name) for s in self.d.case_register_systems):
                self.d.systems.append(SystemEntry(name, b))
        elif not any(self._key(s.label) == self._key(name) for s in target):
            target.append(Item(name, b))
        self.mark(b, "item")

    def _system_key(self, label: str) -> frozenset[str]:
        return frozenset(k for k in self._key(label).split() if k not in ORG_WORDS)

    def _known_system(self, name: str) -> str:
        """The name this document already gave the same system: "asianhallintajärjestelmä" is
        "kaupungin asianhallintajärjestelmä" met earlier (once per document)."""
        key = self._system_key(name)
        entries = [*self.d.systems, *self.d.case_register_systems, *(s for r in self.d.resources for s in r.systems)]
        for e in entries:
            k = self._system_key(e.label)
            if k and key and key <= k:
                return e.label
            if k and key and k < key:  # the more specific name met later ("Tweb -asianhallintajärjestelmä") wins
                old = e.label
                for x in entries:
                    if x.label == old:
                        x.label = name
                return name
        return name

    def dataset(self, label: str, b: Block):
        r = self.resource
        if r is None:
            self.note(label, b, ("tietoaineisto, jolle ei löytynyt tietovarantoa", "a dataset listed under no information resource"))
            return
        label = capitalize(clean_item(label).rstrip(",."))
        if label and not any(self._key(x.label) == self._key(label) for x in r.datasets):
            r.datasets.append(Item(label, b))
        self.mark(b, "item")

    def criteria(self, items: list[str], b: Block):
        st = self._st()
        for it in items:
            it = clean_item(it)
            if not it:
                continue
            found = vocab.search_criteria(it)
            exact = [c for c in found if any(self._key(l) == self._key(it) for l in c.labels)]
            if exact:  # the shared scheme's concept when the source's words are its label
                if exact[0].iri not in st.search_criteria:
                    st.search_criteria.append(exact[0].iri)
            elif it not in st.search_notes:  # otherwise the source's words, one note per criterion
                st.search_notes.append(it)
        self.mark(b, "item")



    # -- paragraphs, bullets, labelled lines
    def paragraph(self, b: Block, text: str, last: bool):
        item, bulleted = strip_bullet(text)
        bulleted = bulleted or b.item
        parts = sentences(item)
        if last:
            parts = parts[:-1]
            self.mark(b, "boilerplate:cut-off fragment")
            if not parts:
                return
        if bulleted and self.pending and len(parts) <= 1:
            self.list_item(item, b, self.pending)
            return
        if bulleted and not LABELLED.match(item) and self.pending is None:
            k, tokens, h = self.phrase_kind(item)
            if k == "resource":
                if not self._group_words(tokens, h) and specific(tokens, 0, h, "resource", self.lang):
                    self.new_resource(clean_item(item.rstrip(",;.")), b)
                else:
                    self.group, self.resource = True, None
                    self.mark(b, "boilerplate:group heading")
                return
        if bulleted and not LABELLED.match(item):
            kind = self.pending or self.section or ("resources" if self.group else ("datasets" if self.resource else None))
            if kind:
                self.list_item(item, b, kind)
                return
        if not bulleted:
            self.pending = None
            if self.group and self.resource is not None and self.resource.where is not None and \
                    self.resource.where.item is False and strip_bullet(self.resource.where.text)[1]:
                self.resource = None  # a list of resources ended: what follows is not of its last one
        for s in parts:
            self.sentence(s, b, bulleted)

    def list_item(self, item: str, b: Block, kind: str):
        item = clean_item(item.rstrip(",;."))
        if not item:
            return
        if kind == "datasets":
            self.dataset(item, b)
        elif kind == "systems":
            for piece in system_items(item, self.lang):
                self.system(piece, b, whole=True)
        elif kind == "search":
            self.criteria([item], b)
        elif kind == "resources":
            self.new_resource(item, b)
            self.group = True
        elif kind == "contact":
            for s in sentences(item):
                self.sentence(s, b, True)
        else:
            self.note(item, b, ("luettelon kohta", "a list item"))

    def sentence(self, s: str, b: Block, bulleted: bool = False):
        lang = self.lang
        kind = boilerplate_kind(s, lang)
        if kind is None and self.last_kind == "about" and re.match(r"^(se|ne|sen|den|det|denna|it)\b", s, re.I):
            kind = "about"  # "Se kattaa tietojärjestelmät, …" after a sentence about the description: about it too
        self.last_kind = kind
        m = LABELLED.match(s)
        if m and kind is None and not vocab.URL.match(s):
            if self.labelled(m.group("label").strip(), m.group("value").strip(), b, s):
                return
        self.contacts_in(s, b)
        if kind is not None:
            self.mark(b, f"boilerplate:{ {'law': 'law quoted or paraphrased', 'definition': 'definition', 'about': 'about the description'}[kind]}")
            return
        if s.rstrip().endswith(":"):
            k = self.announced(s)
            if k:
                self.pending = k
                self.mark(b, "description")
                return
        if self.continued_list and self.continued_list[0] is b and not any(lang.verb(t) for t in tokens_of(s)) \
                and len(tokens_of(s)) <= 24:
            # "Keskeisiä tietoja ovat mm. A, B. C sekä D.": a sentence without a verb goes on with the list
            for it in split_items(s.rstrip("."), lang):
                self.list_item(it, b, self.continued_list[1])
            return
        if self.copula_list(s, b):
            return
        if self.parties_in(s, b):
            return
        if self.search_in(s, b):
            return
        self.mentions(s, b)
        interface = vocab.is_interface_statement(s) or re.search(r"rajapin\w*", s, re.I) and re.search(r"\blöyt|\btarjo", s, re.I)
        if interface and _OPENNESS.search(s):  # about open availability, not any interface ("rajapinta Kelaan")
            st = self._st()
            if st.open_interface is None:
                st.open_interface, st.open_interface_text, st.open_interface_where = vocab.open_interface(s), s, b
                st.interface_urls += [u for u in vocab.URL.findall(s) if u not in st.interface_urls]
                self.mark(b, "item")
                return
        if self.d.lines.get(id(b), (None, ""))[1] == "item":
            return
        if self.resource is not None and self.section in (None, "datasets", "description"):
            self.resource.descriptions.append(s)
            self.mark(b, "description")
        elif self.section == "case_register" or (self.resource is None and not self.d.resources):
            self.d.descriptions.append(s)
            self.mark(b, "description")
        else:
            self.note(s, b)

    def announced(self, s: str) -> str | None:
        """"… sisältyy mm. seuraaviin tietojärjestelmiin:" -> systems; "… seuraavilla hakuperusteilla:" -> search;
        "… saat Museoviraston kirjaamosta:" -> contact."""
        tokens = tokens_of(re.sub(r"\([^)]*\)", "", s))[-1:]
        for t in tokens:
            k = self.lang.kind(t)
            if k in ("system", "search", "dataset"):
                return {"system": "systems", "search": "search", "dataset": "datasets"}[k]
            if k == "resource":
                return "resources"
            if self._registry_word(t) or re.match(r"yhteystie|kontaktuppgift", t, re.I):
                return "contact"
        return None

    def labelled(self, label: str, value: str, b: Block, s: str) -> bool:
        lang = self.lang
        kind, tokens, h = self.phrase_kind(label)
        ck = self._contact_kind(label)
        if ck:
            if value:
                self.contact_value(ck, value, b)
            else:
                self.pending = "contact"
                self.mark(b, "description")
            return True
        if re.search(r"vastuuhenkilö|vastuuyksikkö|vastuutaho|ansvarig|ansvarsenhet|päättävä", label, re.I) and value:
            self.party(value, b, "unit" if re.search(r"yksikkö|enhet", label, re.I) else "responsible")
            return True
        if kind is None and PURPOSE_WORDS.search(label):
            if self.resource:
                self.resource.purposes.append(Item(capitalize(clean_item(value)), b))
                self.mark(b, "item")
            else:
                self.d.descriptions.append(value)
                self.mark(b, "description")
            return True
        if kind == "resource" and value and len(tokens) <= 8:
            r = self.new_resource(label, b)
            items = split_items(value, lang)
            if self.purposes_heading or len(items) < 2:
                r.purposes += [Item(capitalize(clean_item(value)), b)]
            else:
                for it in items:
                    self.dataset(it, b)
            self.section = None
            return True
        if kind in ("dataset", "system", "search"):
            if not value:
                self.pending = {"dataset": "datasets", "system": "systems", "search": "search"}[kind]
                self.mark(b, "description")
                return True
            items = split_items(value, lang)
            if kind == "dataset":
                for it in items:
                    self.dataset(it, b)
            elif kind == "system":
                for it in items:
                    for piece in split_after_kind(it, lang, "system"):
                        self.system(piece, b, whole=True)
            else:
                self.criteria(items, b)
            return True
        return False







    def copula_list(self, s: str, b: Block) -> bool:
        """"X:n tietovarantoihin kuuluvat A, B sekä C", "Hakutekijöinä voivat olla …", "… arkistot koostuvat A ja B",
        "Keskeisiä tietoja ovat mm. …" under a datasets heading."""
        lang = self.lang
        tokens = tokens_of(s)
        verb_at = None
        if lang.sv:
            m = COPULA_SV.search(s)
            if not m:
                return False
            before, after = s[:m.start()], s[m.end():]
        else:
            for i, t in enumerate(tokens[:12]):
                if t.casefold() in RELATIVE:
                    return False  # "tietojärjestelmät, jotka sisältävät …": the verb of a relative clause
                v = verb_lemma(lower_caps(t))
                if v in COPULA_FI:
                    verb_at = i
                    break
                if v and i + 1 < len(tokens) and lang.word(tokens[i + 1]).lemma == "olla":  # "voivat olla"
                    verb_at = i + 1
                    break
            if verb_at is None:
                return False
            idx = 0
            for t in tokens[:verb_at + 1]:
                idx = s.find(t, idx) + len(t)
            before, after = s[:idx - len(tokens[verb_at])], s[idx:]
        # the subject's kind: a kind word before the verb, not one in the genitive ("tietovarannon yhteydessä")
        subject_kinds = [None if (lang.genitive(t) and not lang.sv) else lang.kind(t) for t in tokens_of(before)]
        subject = next((k for k in reversed(subject_kinds) if k), None)
        after = re.split(r",\s*(?:jotka|joita|joiden|joissa|joista|joilla|jossa|joka|mikä|som)\b", after)[0]
        after = clean_item(after.rstrip("."))
        if not after:
            return False
        if subject == "resource":
            items = split_items(after, lang, kind="resource")
            items = [it for it in items if not (len(tokens_of(it)) == 1 and lang.bare(tokens_of(it)[0], "resource"))]
            items = [it for it in items if self._specific_resource(it)]
            if not items:
                return False
            holder, group = self.resource, self.group
            for it in items:
                self.new_resource(self._nominative(it, tokens_of(it)) if not lang.sv else it, b)
            self.resource, self.group = holder, group
            return True
        section = self.section if self.section in ("datasets", "systems", "search") else None
        kind = {"dataset": "datasets", "system": "systems", "search": "search"}.get(subject) or section
        if kind is None or (kind == "datasets" and self.resource is None):
            return False
        items = split_items(after, lang)
        if not items or any(len(tokens_of(it)) > 12 for it in items):
            return False
        if kind == "datasets" and subject == "dataset" and len(items) == 1 and lang.bare(tokens_of(items[0])[-1], "dataset"):
            return False
        for it in items:
            self.list_item(it, b, kind)
        self.continued_list = (b, kind)
        return True

    def search_in(self, s: str, b: Block) -> bool:
        """"Tietopyynnöissä voidaan käyttää hakutekijöinä esimerkiksi henkilön nimeä ja henkilötunnusta": the
        criteria after the search word in the essive ("as search criteria")."""
        if self.lang.sv:
            return False
        tokens = tokens_of(s)
        for i, t in enumerate(tokens[:-1]):
            w = self.lang.word(t)
            if self.lang.kind(t) == "search" and w.case == "olento":
                idx = 0
                for x in tokens[:i + 1]:
                    idx = s.find(x, idx) + len(x)
                rest = clean_item(s[idx:].rstrip("."))
                items = split_items(rest, self.lang)
                if items and all(len(tokens_of(it)) <= 6 for it in items):
                    self.criteria(items, b)
                    return True
        return False

    def _specific_resource(self, label: str) -> bool:
        tokens = tokens_of(label)
        heads = [i for i, t in enumerate(tokens) if self.lang.kind(t) == "resource"]
        return bool(heads) and specific(tokens, 0, heads[-1], "resource", self.lang)

    def mentions(self, s: str, b: Block):
        """The case register and specific systems named in an own-voice sentence."""
        lang = self.lang
        tokens = tokens_of(s)
        in_cr = False
        for i, t in enumerate(tokens):
            k = lang.kind(t)
            if any(_POINTER.match(x) for x in tokens[i + 1:i + 5]):
                continue  # "Asiarekisteri ja tietovarannot -alasivulla": a pointer to another page, not the item
            if k == "case_register":
                in_cr = True
                st, e = noun_phrase(tokens, i, lang)
                if self.d.case_register is None:
                    self.case_register(phrase_text(tokens, st, e, s), b)
                self.mark(b, "item")
            elif k == "system":
                st, e = noun_phrase(tokens, i, lang)
                if specific(tokens, st, i, "system", lang):
                    self.system(phrase_text(tokens, st, e, s), b, for_case_register=in_cr or self.section == "case_register")

    def _finish(self):
        d = self.d
        # a resource heading followed by nothing keeps its place only when it has something
        if self.cut is not None and d.resources:
            r = d.resources[-1]
            if r.where is self.cut:
                d.resources.pop()


def parse(blocks: list[Block]) -> Description:
    reader = Reader([_flatten(b) for b in blocks])
    d = reader.run()
    d.placed = [(b, d.lines.get(id(b), (b, "note"))[1]) for b in reader.blocks]  # every block, in the source's order
    return d


def _flatten(b: Block) -> Block:
    if b.is_row:
        return Block(b.line, " | ".join(c for c in b.cells if c), sheet=b.sheet)
    return b
