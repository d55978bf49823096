"""Word lists for the demo organisation: people's names, places, account and product names.

All invented. Stakeholders of some accounts answer surveys in Traditional Chinese, so a few
names are given in that script with a romanisation for their e-mail address.
"""

from __future__ import annotations


def email_local(given: str, family: str) -> str:
    """The local part of an e-mail address for a name: ``anna.de.vries`` style, ASCII only."""
    local = f"{given}.{family}".lower()
    return local.replace(" ", "").replace("'", "").replace("ø", "o")


FIRST_NAMES = (
    "Anna", "Ben", "Clara", "David", "Elena", "Felix", "Greta", "Hugo", "Ines", "Jonas",
    "Katrin", "Lukas", "Marta", "Nils", "Olivia", "Paul", "Rosa", "Simon", "Tara", "Ulrich",
    "Vera", "Wim", "Yara", "Zoe", "Amir", "Bianca", "Carlos", "Dora", "Emil", "Fatima",
    "Giulia", "Hannah", "Ivan", "Julia", "Karim", "Lena", "Marco", "Nora", "Oskar", "Priya",
    "Quentin", "Rania", "Sofia", "Tomas", "Ute", "Victor", "Wanda", "Xavier", "Yusuf", "Zara",
)

LAST_NAMES = (
    "Albrecht", "Bauer", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Hansen", "Ivanova",
    "Jansen", "Keller", "Lindqvist", "Moreau", "Novak", "Olsen", "Petrov", "Quinn", "Rossi",
    "Schmidt", "Tanaka", "Urban", "Vogel", "Weber", "Xu", "Young", "Zimmermann", "Achterberg",
    "Brandt", "Celik", "De Vries", "Engel", "Ferreira", "Gruber", "Horvath", "Iversen", "Jovanovic",
    "Kowalski", "Lorenz", "Meyer", "Nieminen", "O'Brien", "Peeters", "Ricci", "Sørensen",
    "Teixeira", "Umarov", "Varga", "Wagner", "Yilmaz", "Zeller",
)

#: (name in Traditional Chinese, romanised given name, romanised family name)
ZH_HANT_NAMES = (
    ("陳志明", "zhiming", "chen"), ("林美玲", "meiling", "lin"), ("黃建宏", "jianhong", "huang"),
    ("張淑芬", "shufen", "zhang"), ("李家豪", "jiahao", "li"), ("王雅婷", "yating", "wang"),
    ("吳俊傑", "junjie", "wu"), ("劉怡君", "yijun", "liu"), ("蔡宗翰", "zonghan", "cai"),
    ("楊佩珊", "peishan", "yang"), ("許文彥", "wenyan", "xu"), ("鄭惠如", "huiru", "zheng"),
)

CITIES = (
    "Northbridge", "Eastvale", "Westhaven", "Southport", "Riverton", "Lakeside", "Hillcrest",
    "Oakmont", "Brookfield", "Fairview", "Kingsbury", "Millbrook", "Ashford", "Beaconsfield",
    "Clearwater", "Dunmore", "Elmstead", "Foxborough", "Glenwood", "Harborview", "Ironbridge",
    "Juniper Falls", "Kestrel Bay", "Larchmont", "Maplewood", "Newhaven", "Old Mill", "Pinecrest",
    "Queensford", "Redcliff", "Stonebridge", "Thornbury", "Upton", "Valewood", "Whitmore",
    "Yarrow", "Zephyr Point", "Amberley", "Bramhall", "Castleton",
)

REGIONS = ("North", "East", "South", "West", "Central", "Coastal", "Highlands", "Metro")

#: Name patterns per account type; "{city}" is filled in.
ACCOUNT_PATTERNS = {
    "hospital": (
        "{city} University Hospital", "{city} General Hospital", "St. Luke's {city}",
        "{city} Children's Hospital", "{city} Cancer Centre", "{city} Heart Institute",
    ),
    "idn": ("{city} Health System", "{city} Care Network", "{city} Integrated Health"),
    "payer": ("{city} Health Insurance", "{city} Regional Sickness Fund", "{city} Care Plan"),
    "gpo": (
        "{city} Purchasing Alliance", "{city} Hospital Buying Group", "{city} Procurement Co-op",
    ),
}
