"""Contact channels and responsible bodies in a description's text: the registry named as the addressee, e-mail
addresses (also written kirjaamo(at)kunta.fi), telephone numbers, postal and visiting addresses (after their label,
after "osoitteeseen", or on lines of their own), web forms; "Vastuuhenkilönä toimii X", "X päättää tietojen
luovuttamisesta", "Den X som svarar för tjänsten fungerar som ansvarig". A part of the general reader (prose.py).
"""

from __future__ import annotations

import re

from . import terms, vocab
from .model import Contact, Party, clean_item, strip_bullet
from .morphology import swedish_head
from .phrases import FUNCTION_WORDS, LABELLED, noun_phrase, phrase_text, tokens_of
from .reading import Block

_EMAIL = re.compile(r"[\w.+-]+\s?(?:@|\(at\)|\[at\]|\(a\)|\[a\])\s?[\w-]+(?:\.[\w-]+)+", re.I)

_PHONE = re.compile(r"(?<![\w/])(?:\+358|\(?0\d{1,3}\)?)[\s-]?\d[\d\s-]{3,}\d")

_POSTCODE_PLACE = re.compile(r"\b(\d{5})\s+([A-ZÄÖÅ][\wäöå-]+(?:\s+[A-ZÄÖÅ][\wäöå-]+)?)")

_ADDRESS_LEAD = re.compile(r"\b(osoitteeseen|osoitteella|osoitteessa|osoite|postiosoite|käyntiosoite|kirjeitse|kirjeenä|"
                           r"till\s+adressen|adressen|adress|postadress|besöksadress|address)\b[:\s]*", re.I)

_SEND_VERB = re.compile(r"\b(osoitetaan|toimitetaan|lähetetään|osoittaa|toimittaa|lähettää|skickas|sänds|sändas|riktas|lämnas)\b", re.I)

_REQUEST = re.compile(r"\b(tietopyyn\w*|tiedustel\w*|pyynnö\w*|pyyntö\w*|begäran|förfrågning\w*)\b", re.I)


_PHONE_LEAD = re.compile(r"\b(?:puh(?:elin)?|tel(?:efon)?|tfn|p)\b\.?:?\s*(?=[+(0-9])", re.I)


def _at(address: str) -> str:
    """"kirjaamo(at)kunta.fi", "kirjaamo [at] kunta.fi", "kirjaamo @ kunta.fi" -> kirjaamo@kunta.fi."""
    return re.sub(r"\s*(\(at\)|\[at\]|\(a\)|\[a\]|@)\s*", "@", address, flags=re.I)


def is_contact_line(text: str) -> bool:
    """A line that is a contact channel: an e-mail address, a telephone number after its label, a postal code and
    place."""
    return bool(_EMAIL.search(text) or _POSTCODE_PLACE.search(text) or
                any(_PHONE.match(text, m.end()) for m in _PHONE_LEAD.finditer(text)))


class ContactReading:
    """What the reader (prose.Reader) finds of contacts and authorities; it holds `d`, `lang`, `resource`, `cut`,
    `mark` and `_nominative`."""

    def _address_blocks(self, blocks: list[Block]) -> set[int]:
        """An address written on lines of its own ("Mustasaaren kunta" / "Kirjaamo" / "Keskustie 4" / "65610
        Mustasaari"): one address; its lines are used up."""
        used: set[int] = set()
        for i, b in enumerate(blocks):
            m = re.fullmatch(r"(?:PL\s+\d+,?\s*)?\d{5}\s+[A-ZÄÖÅ][\wäöå-]+(?:\s+[A-ZÄÖÅ][\wäöå-]+)?", b.text.strip())
            if not m or b is self.cut:
                continue
            start = i
            while start > 0 and i - start < 4:
                prev = blocks[start - 1]
                t = prev.text.strip()
                if prev.line is None or b.line is None or b.line - prev.line > 2 * (i - start + 1) or len(t.split()) > 6 \
                        or t.endswith((".", ":", ",", "!", "?")) or strip_bullet(t)[1] or LABELLED.match(t):
                    break
                start -= 1
            if start == i:
                continue
            parts = [blocks[j].text.strip() for j in range(start, i)]
            value = ", ".join([*parts, b.text.strip()])
            self.address(value, b)
            for j in range(start, i + 1):
                used.add(j)
                self.mark(blocks[j], "item")
        return used

    def contact(self, kind: str, value: str, b: Block, parts=None):
        value = clean_item(value)
        if not value:
            return
        if not any(c.kind == kind and c.value.casefold() == value.casefold() for c in self.d.contacts):
            self.d.contacts.append(Contact(kind, value, b, parts or {}, self.section_of.get(id(b), 0)))
        self.mark(b, "item")

    def contact_value(self, kind: str, value: str, b: Block):
        if kind == "email":
            for m in _EMAIL.finditer(value):
                self.contact("email", _at(m.group(0)), b)
        elif kind == "phone":
            for m in _PHONE.finditer(value):
                self.contact("phone", m.group(0).strip(), b)
        elif kind == "address":
            self.address(value, b)
        elif kind == "url":
            for u in vocab.URL.findall(value):
                self.contact("url", u, b)

    def address(self, value: str, b: Block):
        m = _POSTCODE_PLACE.search(value)
        if not m:
            return
        street = clean_item(value[:m.start()].rstrip(", "))
        self.contact("address", clean_item(value[:m.end()]), b,
                     {"street": street, "postal_code": m.group(1), "locality": m.group(2)})

    def _registry_word(self, t: str) -> bool:
        if self.lang.sv:
            return bool(swedish_head(t, terms.swedish("registry")))
        return self.lang.word(t).lemma.endswith(tuple(terms.heads("registry")))

    def contacts_in(self, s: str, b: Block):
        """The registry named as the addressee, e-mail addresses, and addresses after "osoitteeseen"."""
        tokens = tokens_of(s)
        for i, t in enumerate(tokens):
            if self._registry_word(t) and not (i > 0 and tokens[i - 1].endswith(",")):
                st, e = noun_phrase(tokens, i, self.lang)
                label = self._nominative(phrase_text(tokens, st, e, s), tokens[st:e])
                if not any(c.kind == "registry" for c in self.d.contacts):
                    self.contact("registry", label, b)
                break
        else:
            if _SEND_VERB.search(s) and _REQUEST.search(s) and not self.lang.sv:
                v = _SEND_VERB.search(s)
                after = tokens_of(s[v.end():])
                for i, t in enumerate(after[:4]):
                    w = self.lang.word(t)
                    if w.case in ("ulkotulento", "sisatulento") and w.pos == "nimisana" and not re.search(
                            r"(minen|ly|lu|ntä|nta|taho|käsittely|osoite)$", w.lemma):
                        st, e = noun_phrase(after, i, self.lang)
                        self.contact("registry", self._nominative(phrase_text(after, st, e, s), after[st:e]), b)
                        break
        for lead in _PHONE_LEAD.finditer(s):  # "Puh. 02 4393 511", "tfn 06 ..."
            m = _PHONE.match(s, lead.end())
            if m:
                self.contact("phone", m.group(0).strip(), b)
        for m in _EMAIL.finditer(s):
            self.contact("email", _at(m.group(0)), b)
        code = _POSTCODE_PLACE.search(s)
        leads = [m for m in _ADDRESS_LEAD.finditer(s) if code and m.end() <= code.start()]
        if leads:  # the address begins after the last "osoitteeseen" / "adressen" before its postal code
            self.address(s[leads[-1].end():], b)

    def parties_in(self, s: str, b: Block) -> bool:
        """"Vastuuhenkilönä toimii X", "vastaava viranomainen on X", "X päättää tietojen luovuttamisesta",
        "Den X som svarar för tjänsten fungerar som ansvarig"."""
        lang = self.lang
        if lang.sv:
            m = re.search(r"^(?:.*\boch\s+)?(?P<x>.+?)\s+fungerar\s+(?:alltid\s+)?som\s+ansvarig", s, re.I)
            if m:
                self.party(m.group("x"), b, "responsible")
                return True
            m = re.search(r"(?P<x>[^,]+?)\s+beslutar\s+om\s+utlämnande", s, re.I)
            if m:
                self.party(m.group("x"), b, "deciding")
                return True
            return False
        tokens = tokens_of(s)
        lemmas = [lang.word(t).lemma for t in tokens]
        for i, t in enumerate(tokens):
            if lemmas[i] in terms.heads("responsible") and lang.word(t).case == "olento" and i + 1 < len(tokens) and lemmas[i + 1] in ("toimia", "olla"):
                self.party(phrase_text(tokens, i + 2, len(tokens), s), b, "responsible")
                return True
        for phrase in terms.words("responsible").fi_phrases:
            n = len(phrase)
            for i in range(len(tokens) - n):
                if tuple(lemmas[i:i + n]) == phrase and lemmas[i + n] == "olla":
                    self.party(phrase_text(tokens, i + n + 1, len(tokens), s), b, "responsible")
                    return True
        for i, t in enumerate(tokens):
            if lemmas[i] == "päättää" and any(l.startswith("luovutta") or l == "luovutus" for l in lemmas[i + 1:i + 4]):
                st = max([j + 1 for j in range(i) if tokens[j].casefold() in FUNCTION_WORDS or tokens[j].endswith(",")] or [0])
                self.party(phrase_text(tokens, st, i, s), b, "deciding")
                return True
        return False

    def party(self, label: str, b: Block, role: str):
        label = clean_item(re.sub(r"^(den|det|de)\s+", "", label.strip(), flags=re.I))
        if not label or len(label.split()) > 14:
            return
        holder = self.resource.parties if self.resource else self.d.parties
        if not any(p.label.casefold() == label.casefold() for p in holder):
            holder.append(Party(label, b, role))
        self.mark(b, "item")

    def _contact_kind(self, label: str) -> str | None:
        t = label.strip().casefold()
        for k in ("email", "phone", "address", "url"):
            w = terms.words(k)
            if t in w.sv or t in w.en or (not self.lang.sv and len(t.split()) <= 2 and
                                           self.lang.word(tokens_of(t)[-1] if tokens_of(t) else t).lemma in w.fi):
                return k
        return None
