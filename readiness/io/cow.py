"""Correlates of War (COW) state codes as ISO 3166-1 alpha-3 member codes.

ATOP names alliance members by their COW country code (codebook v5.1, variable
``MEMBER`` and ``MEM1``..``MEM59``, question 4). Partnerships name members by ISO 3166-1
alpha-3 code, so :func:`member_code` translates:

- a COW state that is the same state as a current ISO 3166-1 country gets its alpha-3
  code (255 Germany, 260 the German Federal Republic -> ``DEU``; 365 Russia/USSR ->
  ``RUS``; 345 Serbia/Yugoslavia -> ``SRB``; 816 Vietnam -> ``VNM``; 679 Yemen ->
  ``YEM``);
- a historical state with no ISO 3166-1 code of its own keeps a stable COW-based code,
  ``COW-<code>`` (``COW-300`` Austria-Hungary, ``COW-245`` Bavaria, ``COW-265`` the
  German Democratic Republic, ``COW-315`` Czechoslovakia, ``COW-678`` North Yemen,
  ``COW-817`` the Republic of Vietnam), as does any code not in the COW list (ATOP 5.1
  uses 8152 for Annam).

Why a table here and not a library: the maintained converters that know COW codes
(``country_converter``, ``countrycode``) are GPL-3.0 licensed, which this package cannot
depend on. The table below is the COW State System Membership list (v2016) codes
matched to ISO 3166-1 alpha-3; ``tests/test_atop_cow.py`` checks its shape and known
pairs.
"""

from __future__ import annotations

__all__ = ["COW_TO_ISO3", "member_code"]

COW_TO_ISO3: dict[int, str] = {
    2: "USA", 20: "CAN", 31: "BHS", 40: "CUB", 41: "HTI", 42: "DOM", 51: "JAM", 52: "TTO",
    53: "BRB", 54: "DMA", 55: "GRD", 56: "LCA", 57: "VCT", 58: "ATG", 60: "KNA", 70: "MEX",
    80: "BLZ", 90: "GTM", 91: "HND", 92: "SLV", 93: "NIC", 94: "CRI", 95: "PAN", 100: "COL",
    101: "VEN", 110: "GUY", 115: "SUR", 130: "ECU", 135: "PER", 140: "BRA", 145: "BOL",
    150: "PRY", 155: "CHL", 160: "ARG", 165: "URY",
    200: "GBR", 205: "IRL", 210: "NLD", 211: "BEL", 212: "LUX", 220: "FRA", 221: "MCO",
    223: "LIE", 225: "CHE", 230: "ESP", 232: "AND", 235: "PRT", 255: "DEU", 260: "DEU",
    290: "POL", 305: "AUT", 310: "HUN", 316: "CZE", 317: "SVK", 325: "ITA", 331: "SMR",
    338: "MLT", 339: "ALB", 341: "MNE", 343: "MKD", 344: "HRV", 345: "SRB", 346: "BIH",
    349: "SVN", 350: "GRC", 352: "CYP", 355: "BGR", 359: "MDA", 360: "ROU", 365: "RUS",
    366: "EST", 367: "LVA", 368: "LTU", 369: "UKR", 370: "BLR", 371: "ARM", 372: "GEO",
    373: "AZE", 375: "FIN", 380: "SWE", 385: "NOR", 390: "DNK", 395: "ISL",
    402: "CPV", 403: "STP", 404: "GNB", 411: "GNQ", 420: "GMB", 432: "MLI", 433: "SEN",
    434: "BEN", 435: "MRT", 436: "NER", 437: "CIV", 438: "GIN", 439: "BFA", 450: "LBR",
    451: "SLE", 452: "GHA", 461: "TGO", 471: "CMR", 475: "NGA", 481: "GAB", 482: "CAF",
    483: "TCD", 484: "COG", 490: "COD", 500: "UGA", 501: "KEN", 510: "TZA", 516: "BDI",
    517: "RWA", 520: "SOM", 522: "DJI", 530: "ETH", 531: "ERI", 540: "AGO", 541: "MOZ",
    551: "ZMB", 552: "ZWE", 553: "MWI", 560: "ZAF", 565: "NAM", 570: "LSO", 571: "BWA",
    572: "SWZ", 580: "MDG", 581: "COM", 590: "MUS", 591: "SYC",
    600: "MAR", 615: "DZA", 616: "TUN", 620: "LBY", 625: "SDN", 626: "SSD", 630: "IRN",
    640: "TUR", 645: "IRQ", 651: "EGY", 652: "SYR", 660: "LBN", 663: "JOR", 666: "ISR",
    670: "SAU", 679: "YEM", 690: "KWT", 692: "BHR", 694: "QAT", 696: "ARE", 698: "OMN",
    700: "AFG", 701: "TKM", 702: "TJK", 703: "KGZ", 704: "UZB", 705: "KAZ", 710: "CHN",
    712: "MNG", 713: "TWN", 731: "PRK", 732: "KOR", 740: "JPN", 750: "IND", 760: "BTN",
    770: "PAK", 771: "BGD", 775: "MMR", 780: "LKA", 781: "MDV", 790: "NPL", 800: "THA",
    811: "KHM", 812: "LAO", 816: "VNM", 820: "MYS", 830: "SGP", 835: "BRN", 840: "PHL",
    850: "IDN", 860: "TLS",
    900: "AUS", 910: "PNG", 920: "NZL", 935: "VUT", 940: "SLB", 946: "KIR", 947: "TUV",
    950: "FJI", 955: "TON", 970: "NRU", 983: "MHL", 986: "PLW", 987: "FSM", 990: "WSM",
}  # fmt: skip
"""COW state code -> ISO 3166-1 alpha-3, for the COW states that are current ISO countries."""


def member_code(cow: int) -> str:
    """The member code of a COW state: its ISO 3166-1 alpha-3 code, else ``COW-<code>``.

    >>> member_code(2), member_code(300)
    ('USA', 'COW-300')
    """
    return COW_TO_ISO3.get(cow, f"COW-{cow}")
