"""Synthetic customers: names, companies, countries, IP addresses, domains and notes.

Text is stored the way WHMCS stores what customers type: HTML-entity encoded
(``Smith &amp; Sons``, ``O&#039;Brien``) and full of non-ASCII letters, so the
toolkit's unescaping and encoding paths get exercised by every demo.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass

#: country -> (currency id, preferred TLDs, first octets typical of its ISPs)
COUNTRIES = {
    "US": (1, (".com", ".net", ".org", ".io"), (24, 67, 73, 98)),
    "CA": (1, (".com", ".net"), (99, 142)),
    "DE": (2, (".de", ".com", ".eu"), (84, 91, 217)),
    "FR": (2, (".fr", ".com", ".eu"), (86, 90)),
    "ES": (2, (".es", ".com"), (83, 88)),
    "PL": (2, (".eu", ".com"), (83, 89)),
    "IE": (2, (".ie", ".com"), (86, 109)),
    "NL": (2, (".nl", ".com", ".eu"), (77, 145)),
    "GB": (3, (".co.uk", ".com"), (81, 86, 151)),
}
_COUNTRY_WEIGHTS = {"US": 40, "CA": 5, "DE": 14, "FR": 7, "ES": 5, "PL": 4, "IE": 3,
                    "NL": 5, "GB": 17}
#: Where fraudulent orders tend to come from, for mismatching IP geolocation.
FRAUD_COUNTRIES = ("NG", "RU", "VN", "BR", "ID", "UA")

_FIRST = {
    "US": ("James", "Olivia", "Priya", "Marcus", "Emily", "Hiroshi", "Fatima", "Noah"),
    "CA": ("Chloé", "Liam", "Amélie", "Ethan"),
    "DE": ("Jürgen", "Zoë", "Björn", "Käthe", "Lukas", "Anja"),
    "FR": ("François", "Émile", "Chloé", "Hélène", "Noé"),
    "ES": ("José", "María", "Íñigo", "Lucía"),
    "PL": ("Łukasz", "Agnieszka", "Paweł", "Zofia"),
    "IE": ("Siobhán", "Aoife", "Seán", "Niamh"),
    "NL": ("Daan", "Fenna", "Sanne", "Joëlle"),
    "GB": ("Oliver", "Harriet", "Amelia", "George", "Isla"),
}
_LAST = {
    "US": ("Smith", "Johnson", "Nguyen", "Patel", "Garcia", "Tanaka", "Williams"),
    "CA": ("Tremblay", "Gagnon", "Roy", "Côté"),
    "DE": ("Müller", "Schröder", "Weiß", "Becker", "Groß"),
    "FR": ("Dubois", "Lefèvre", "Moreau", "Girard"),
    "ES": ("Núñez", "García", "Peña", "Muñoz"),
    "PL": ("Wiśniewski", "Kowalski", "Wójcik", "Łęcka"),
    "IE": ("O&#039;Brien", "Ó Súilleabháin", "Murphy", "Kelly"),
    "NL": ("de Vries", "van Dijk", "Jansen"),
    "GB": ("Clarke", "Taylor", "O&#039;Neill", "Hughes", "Brown"),
}
_COMPANY_PATTERNS = ("{last} &amp; Sons", "{last} GmbH", "{last} Consulting", "{last} Ltd",
                     "{last} &amp; Partners", "Studio {last}", "{last} Web &amp; Design")
_WORDS = ("bluefox", "pixel", "north", "cedar", "harbor", "nimbus", "atlas", "copper",
          "lumen", "orbit", "maple", "quartz", "sable", "tidal", "vertex", "willow",
          "bäckerei", "café", "zoë", "kraków", "büro")
_NOTES = (
    "Customer asked for migration &amp; setup help",
    "Please call before provisioning &mdash; thanks!",
    "Ref: PO #4471",
    "Renewal discount agreed by phone (see ticket #20931)",
    "Client&#039;s accountant will pay by bank transfer",
    "Needs invoice addressed to Müller &amp; Töchter GmbH",
    "Wants cPanel &amp; WHM access",
)

_TRANSLIT = str.maketrans({"Ł": "L", "ł": "l", "ø": "o", "Ø": "O", "ß": "ss", "'": ""})


@dataclass
class Client:
    """A WHMCS client record as stored (text entity-encoded)."""

    id: int
    firstname: str
    lastname: str
    companyname: str
    email: str
    country: str
    currency: int
    status: str
    ip: str


def ascii_slug(text: str) -> str:
    """Lower-case ASCII letters and digits only, for e-mail local parts."""
    plain = text.replace("&#039;", "").translate(_TRANSLIT)
    plain = unicodedata.normalize("NFKD", plain).encode("ascii", "ignore").decode("ascii")
    return "".join(ch for ch in plain.lower() if ch.isalnum())


def random_ip(rng: random.Random, country: str | None = None) -> str:
    """An IPv4 address (sometimes IPv6) plausibly from ``country``."""
    if rng.random() < 0.08:
        return (f"2a02:{rng.randrange(0x1000, 0xffff):x}:{rng.randrange(0xffff):x}::"
                f"{rng.randrange(1, 0xffff):x}")
    octets = COUNTRIES[country][2] if country in COUNTRIES else (5, 41, 102, 185, 197)
    return f"{rng.choice(octets)}.{rng.randrange(256)}.{rng.randrange(256)}." \
           f"{rng.randrange(1, 255)}"


_FIXED = (
    ("Zoë", "Müller", "Müller &amp; Töchter GmbH", "DE", "Active"),
    ("José", "Núñez", "", "ES", "Active"),
    ("Łukasz", "Wiśniewski", "Wiśniewski IT", "PL", "Active"),
    ("Siobhán", "O&#039;Brien", "O&#039;Brien Consulting", "IE", "Active"),
    ("John", "Smith", "Smith &amp; Sons", "US", "Active"),
    ("Harriet", "Clarke", "", "GB", "Closed"),
)

def make_clients(rng: random.Random, count: int) -> list[Client]:
    """``count`` clients (at least the six fixed ones), deterministic for ``rng``."""
    clients = []
    countries = list(_COUNTRY_WEIGHTS)
    weights = list(_COUNTRY_WEIGHTS.values())
    for cid in range(1, max(count, len(_FIXED)) + 1):
        if cid <= len(_FIXED):
            first, last, company, country, status = _FIXED[cid - 1]
        else:
            country = rng.choices(countries, weights)[0]
            first, last = rng.choice(_FIRST[country]), rng.choice(_LAST[country])
            company = rng.choice(_COMPANY_PATTERNS).format(last=last) \
                if rng.random() < 0.3 else ""
            status = "Inactive" if rng.random() < 0.04 else "Active"
        email = f"{ascii_slug(first)}.{ascii_slug(last)}{cid}@example.{country.lower()}"
        clients.append(Client(cid, first, last, company, email, country,
                              COUNTRIES[country][0], status, random_ip(rng, country)))
    return clients


def random_domain(rng: random.Random, country: str) -> str:
    """A domain name with a TLD that suits the customer's country."""
    name = rng.choice(_WORDS)
    if rng.random() < 0.7:
        name += ("-" if rng.random() < 0.3 else "") + rng.choice(_WORDS)
    if rng.random() < 0.4:
        name += str(rng.randrange(2, 99))
    return name + rng.choice(COUNTRIES[country][1])


def random_note(rng: random.Random) -> str:
    """An admin note for some orders (empty for most)."""
    return rng.choice(_NOTES) if rng.random() < 0.08 else ""
