#!/usr/bin/env python3
"""Generate terrain's bundled dataset: communes, EPCI, départements and régions.

The codes and names of the 18 régions and 101 départements are the official COG ones
(written from general knowledge).  Everything else -- commune names and codes, EPCI,
populations, areas and every indicator -- is synthetic: drawn from a pseudo-random
generator with a fixed seed so that two runs write byte-identical files.

    python3 datasets/generate.py            # writes the four CSV files next to this script
    python3 datasets/generate.py --out DIR  # writes them elsewhere

Python 3 standard library only.  Do not iterate over sets or rely on hash() anywhere:
the output must not depend on PYTHONHASHSEED.
"""

import argparse
import csv
import math
import os
import random
import sys
import unicodedata

SEED = 20240917

# EPCI partition: towns of at least POLE_MIN inhabitants anchor an agglomeration whose
# population is POLE_MULT times theirs; the rest is cut into communautés de communes of
# CC_LENGTH communes.
POLE_MIN = 9000
POLE_MULT = (1.5, 3.0)
POLE_BIG = 25000
POLE_MULT_BIG = (3.0, 5.0)
CC_LENGTH = (19, 33)

# --------------------------------------------------------------------------------------
# Official geography (COG): régions and départements.
# Per département: code, name, région, number of communes to generate (close to the real
# count), population target (thousands, rounded, order of magnitude of recent légales
# figures) and area target (km², rounded).  The targets only steer the synthetic draw.
# --------------------------------------------------------------------------------------

REGIONS = [
    ("01", "Guadeloupe"),
    ("02", "Martinique"),
    ("03", "Guyane"),
    ("04", "La Réunion"),
    ("06", "Mayotte"),
    ("11", "Île-de-France"),
    ("24", "Centre-Val de Loire"),
    ("27", "Bourgogne-Franche-Comté"),
    ("28", "Normandie"),
    ("32", "Hauts-de-France"),
    ("44", "Grand Est"),
    ("52", "Pays de la Loire"),
    ("53", "Bretagne"),
    ("75", "Nouvelle-Aquitaine"),
    ("76", "Occitanie"),
    ("84", "Auvergne-Rhône-Alpes"),
    ("93", "Provence-Alpes-Côte d'Azur"),
    ("94", "Corse"),
]

DEPARTEMENTS = [
    # code, name, region, communes, population (k), area (km²)
    ("01", "Ain", "84", 393, 660, 5762),
    ("02", "Aisne", "32", 798, 527, 7369),
    ("03", "Allier", "84", 317, 335, 7340),
    ("04", "Alpes-de-Haute-Provence", "93", 198, 166, 6925),
    ("05", "Hautes-Alpes", "93", 162, 141, 5549),
    ("06", "Alpes-Maritimes", "93", 163, 1100, 4299),
    ("07", "Ardèche", "84", 335, 330, 5529),
    ("08", "Ardennes", "44", 449, 268, 5229),
    ("09", "Ariège", "76", 327, 155, 4890),
    ("10", "Aube", "44", 431, 310, 6004),
    ("11", "Aude", "76", 433, 375, 6139),
    ("12", "Aveyron", "76", 285, 280, 8735),
    ("13", "Bouches-du-Rhône", "93", 119, 2050, 5087),
    ("14", "Calvados", "28", 528, 695, 5548),
    ("15", "Cantal", "84", 246, 144, 5726),
    ("16", "Charente", "75", 365, 352, 5956),
    ("17", "Charente-Maritime", "75", 463, 660, 6864),
    ("18", "Cher", "24", 287, 300, 7235),
    ("19", "Corrèze", "75", 279, 240, 5857),
    ("2A", "Corse-du-Sud", "94", 124, 162, 4014),
    ("2B", "Haute-Corse", "94", 236, 185, 4666),
    ("21", "Côte-d'Or", "27", 698, 535, 8763),
    ("22", "Côtes-d'Armor", "53", 348, 602, 6878),
    ("23", "Creuse", "75", 256, 116, 5565),
    ("24", "Dordogne", "75", 503, 413, 9060),
    ("25", "Doubs", "27", 571, 545, 5234),
    ("26", "Drôme", "84", 363, 520, 6530),
    ("27", "Eure", "28", 585, 600, 6040),
    ("28", "Eure-et-Loir", "24", 365, 430, 5880),
    ("29", "Finistère", "53", 277, 920, 6733),
    ("30", "Gard", "76", 351, 750, 5853),
    ("31", "Haute-Garonne", "76", 586, 1440, 6309),
    ("32", "Gers", "76", 461, 192, 6257),
    ("33", "Gironde", "75", 535, 1650, 9976),
    ("34", "Hérault", "76", 342, 1200, 6101),
    ("35", "Ille-et-Vilaine", "53", 333, 1100, 6775),
    ("36", "Indre", "24", 241, 218, 6791),
    ("37", "Indre-et-Loire", "24", 272, 612, 6127),
    ("38", "Isère", "84", 512, 1280, 7431),
    ("39", "Jura", "27", 494, 259, 4999),
    ("40", "Landes", "75", 327, 420, 9243),
    ("41", "Loir-et-Cher", "24", 267, 329, 6343),
    ("42", "Loire", "84", 323, 766, 4781),
    ("43", "Haute-Loire", "84", 257, 228, 4977),
    ("44", "Loire-Atlantique", "52", 207, 1450, 6815),
    ("45", "Loiret", "24", 325, 682, 6775),
    ("46", "Lot", "76", 313, 174, 5217),
    ("47", "Lot-et-Garonne", "75", 319, 332, 5361),
    ("48", "Lozère", "76", 152, 76, 5167),
    ("49", "Maine-et-Loire", "52", 177, 820, 7166),
    ("50", "Manche", "28", 446, 495, 5938),
    ("51", "Marne", "44", 613, 565, 8162),
    ("52", "Haute-Marne", "44", 426, 172, 6211),
    ("53", "Mayenne", "52", 240, 307, 5175),
    ("54", "Meurthe-et-Moselle", "44", 591, 733, 5246),
    ("55", "Meuse", "44", 499, 183, 6211),
    ("56", "Morbihan", "53", 249, 760, 6823),
    ("57", "Moselle", "44", 725, 1047, 6216),
    ("58", "Nièvre", "27", 309, 200, 6817),
    ("59", "Nord", "32", 647, 2610, 5743),
    ("60", "Oise", "32", 679, 830, 5860),
    ("61", "Orne", "28", 385, 278, 6103),
    ("62", "Pas-de-Calais", "32", 890, 1460, 6671),
    ("63", "Puy-de-Dôme", "84", 464, 665, 7970),
    ("64", "Pyrénées-Atlantiques", "75", 546, 690, 7645),
    ("65", "Hautes-Pyrénées", "76", 469, 230, 4464),
    ("66", "Pyrénées-Orientales", "76", 226, 480, 4116),
    ("67", "Bas-Rhin", "44", 514, 1150, 4755),
    ("68", "Haut-Rhin", "44", 366, 770, 3525),
    ("69", "Rhône", "84", 267, 1900, 3249),
    ("70", "Haute-Saône", "27", 539, 233, 5360),
    ("71", "Saône-et-Loire", "27", 565, 550, 8575),
    ("72", "Sarthe", "52", 354, 566, 6206),
    ("73", "Savoie", "84", 273, 439, 6028),
    ("74", "Haute-Savoie", "84", 279, 840, 4388),
    ("75", "Paris", "11", 20, 2130, 105),
    ("76", "Seine-Maritime", "28", 708, 1250, 6278),
    ("77", "Seine-et-Marne", "11", 507, 1430, 5915),
    ("78", "Yvelines", "11", 259, 1450, 2284),
    ("79", "Deux-Sèvres", "75", 256, 375, 5999),
    ("80", "Somme", "32", 772, 568, 6170),
    ("81", "Tarn", "76", 314, 390, 5758),
    ("82", "Tarn-et-Garonne", "76", 195, 262, 3718),
    ("83", "Var", "93", 153, 1080, 5973),
    ("84", "Vaucluse", "93", 151, 562, 3567),
    ("85", "Vendée", "52", 255, 690, 6720),
    ("86", "Vienne", "75", 266, 438, 6990),
    ("87", "Haute-Vienne", "75", 195, 372, 5520),
    ("88", "Vosges", "44", 507, 360, 5874),
    ("89", "Yonne", "27", 423, 334, 7427),
    ("90", "Territoire de Belfort", "27", 101, 141, 609),
    ("91", "Essonne", "11", 194, 1310, 1804),
    ("92", "Hauts-de-Seine", "11", 36, 1630, 176),
    ("93", "Seine-Saint-Denis", "11", 40, 1650, 236),
    ("94", "Val-de-Marne", "11", 47, 1410, 245),
    ("95", "Val-d'Oise", "11", 184, 1250, 1246),
    ("971", "Guadeloupe", "01", 32, 384, 1628),
    ("972", "Martinique", "02", 34, 360, 1128),
    ("973", "Guyane", "03", 22, 286, 83534),
    ("974", "La Réunion", "04", 24, 870, 2504),
    ("976", "Mayotte", "06", 17, 300, 374),
]

# Départements whose communes all belong to the Métropole du Grand Paris.
GRAND_PARIS = ("75", "92", "93", "94")
# Pairs of neighbouring départements (consecutive in code order) where one EPCI spans both.
SPANNING_PAIRS = (("04", "05"), ("16", "17"), ("54", "55"), ("64", "65"))
# Island communes that belong to no EPCI (as a handful of real ones do).
ISLANDS = ("22", "29", "29", "85")
# Départements with a sea coast (for "-sur-Mer" names).
COASTAL = ("06", "11", "13", "14", "17", "22", "29", "2A", "2B", "30", "33", "34", "35",
           "40", "44", "50", "56", "59", "62", "64", "66", "76", "80", "83", "85",
           "971", "972", "973", "974", "976")
# Agricultural emissions per km² of farmland (t CO2e), by région: livestock regions heavier.
AGRI_INTENSITY = {"01": 60, "02": 60, "03": 40, "04": 60, "06": 60, "11": 90, "24": 150,
                  "27": 200, "28": 300, "32": 190, "44": 160, "52": 320, "53": 420,
                  "75": 190, "76": 150, "84": 170, "93": 50, "94": 40}

# SIRENs quoted by the SPEC's examples, given to fitting synthetic EPCI.
SPEC_SIRENS = ("200046977", "200040566", "246900740", "200069177", "200040046")
GRAND_PARIS_SIREN = "200054781"

# --------------------------------------------------------------------------------------
# Name generation
# --------------------------------------------------------------------------------------

ONSETS = ["Ai", "Au", "Ba", "Be", "Bé", "Beau", "Bi", "Bla", "Blé", "Bo", "Bou", "Bra",
          "Bré", "Bri", "Bu", "Ca", "Cha", "Châ", "Che", "Ché", "Cho", "Cla", "Co", "Cou",
          "Cra", "Cré", "Da", "Do", "Dou", "É", "Fa", "Fé", "Flé", "Fo", "Fou", "Fra",
          "Ga", "Ge", "Gi", "Go", "Gou", "Gra", "Gré", "Hau", "Hé", "Jau", "Jo", "Jou",
          "La", "Lau", "Le", "Lé", "Li", "Lo", "Lou", "Lu", "Ma", "Mai", "Mau", "Mé", "Mi",
          "Mo", "Mou", "Na", "Né", "Neu", "No", "Pa", "Pe", "Pé", "Pi", "Pla", "Plé", "Po",
          "Pou", "Ra", "Ré", "Ri", "Ro", "Rou", "Sa", "Sai", "Sau", "Se", "Sé", "So", "Sou",
          "Ta", "Té", "Thi", "Tho", "Tou", "Tra", "Tré", "Va", "Vau", "Ve", "Vé", "Vi",
          "Vo", "Vou", "Ar", "Or", "Ur", "Es", "Is"]
MIDDLES = ["", "", "", "", "", "ba", "bi", "ca", "ci", "da", "di", "gi", "la", "li", "lo",
           "ma", "mi", "na", "ni", "no", "ra", "ri", "ro", "sa", "si", "ta", "ti", "va",
           "vi", "ve", "re", "le", "ne", "lan", "ver", "mar", "ter"]
LINKERS = ["r", "l", "n", "s", "v", "gn", "ch", "t", "m", "rn", "ss"]

SUFFIXES = {
    "general": ["gny", "ny", "y", "ay", "ey", "ville", "court", "mont", "ac", "at", "ières",
                "on", "ot", "euil", "eil", "ard", "ars", "aux", "ault", "ois", "é", "oux",
                "ière", "ette", "elles", "illé", "igné", "ans", "in", "ain", "ange", "ancourt",
                "eval", "ières", "ennes", "ingues", "erre", "ecy", "oir", "ise"],
    "nord": ["court", "ghem", "becque", "hem", "ville", "ecques", "inghem", "ercques", "ies",
             "y", "mont", "ancourt", "encourt", "ières", "eux", "in", "oy"],
    "normandie": ["ville", "tot", "beuf", "bec", "fleur", "y", "ey", "ières", "on", "anville",
                  "igny", "ouville", "mesnil", "ecourt", "ebec"],
    "sudouest": ["ac", "an", "ens", "os", "ous", "ès", "ux", "as", "at", "ague", "argues",
                 "eilh", "ède", "ignac", "agnac", "ost", "arrieu", "iac", "ouzet"],
    "provence": ["argues", "ans", "ès", "ane", "as", "ol", "an", "anne", "ieu", "ouls",
                 "ières", "ègue", "ayol", "aud", "osc", "ouvès"],
    "lorraine": ["ange", "ville", "court", "ey", "y", "ancourt", "eville", "ières", "ecourt",
                 "oncourt", "ay"],
    "alpes": ["oz", "az", "ex", "ier", "ieu", "ens", "ges", "in", "on", "y", "eyrieu", "ieux"],
    "centre": ["ay", "y", "ignac", "on", "at", "eil", "euil", "é", "ières", "ac", "oux",
               "ant", "igny", "ois"],
    "outremer": ["ac", "ou", "a", "ane", "ouli", "é", "ier", "ain", "ique", "ane"],
}
REGION_STYLE = {"32": "nord", "28": "normandie", "75": "sudouest", "76": "sudouest",
                "93": "provence", "44": "lorraine", "84": "alpes", "24": "centre",
                "27": "centre", "52": "general", "53": "general", "11": "general",
                "94": "corse", "01": "outremer", "02": "outremer", "03": "outremer",
                "04": "outremer", "06": "outremer"}
ALSACE = ("67", "68")
BRETON = ("22", "29", "35", "56")

ALSACE_ONSETS = ["Ober", "Nieder", "Hoch", "Kirch", "Berg", "Wal", "Sar", "Ell", "Ing",
                 "Mun", "Ros", "Eck", "Hun", "Wolf", "Ett", "Mar", "Dur", "Bisch", "Geis",
                 "Hatt", "Lem", "Mit", "Ratz", "Schaff", "Schwind", "Stein", "Uff", "Wint",
                 "Zell", "Alt", "Neu", "Gries", "Hilt", "Oster", "Lutz", "Reich", "Blotz"]
ALSACE_SUFFIXES = ["heim", "willer", "bach", "hoffen", "ingen", "dorf", "weiler", "bronn",
                   "stein", "hausen", "holtz", "feld", "matt", "wihr", "bourg"]
BRETON_PREFIXES = ["Plou", "Plo", "Tré", "Lan", "Ker", "Loc", "Guer", "Pleu", "Plé", "Pen",
                   "Gui", "Lez"]
BRETON_ROOTS = ["gonven", "nevez", "guen", "meur", "arzel", "vern", "guer", "dern", "hinec",
                "lédan", "morvan", "néour", "goat", "ven", "bihan", "dréan", "gastel",
                "rivin", "zévet", "bazlanec", "fragan", "givern", "mélar", "quidic",
                "énan", "ouenan", "riec", "sulien", "elleau", "tudy"]
CORSE_ONSETS = ["Pie", "Olme", "Cal", "Mon", "Ca", "Zi", "Vi", "Sor", "Lu", "Pe", "Ta",
                "Bo", "Co", "Gra", "Ro", "Bi", "Fo", "Sa", "Li", "Po", "Ve", "Ghi", "Ghe",
                "Mu", "Ne", "Ser", "Tol", "Ca", "Al", "Or"]
CORSE_SUFFIXES = ["acciu", "ellu", "ano", "eto", "ella", "ola", "ino", "aggio", "accia",
                  "ani", "inco", "one", "ogna", "ucciu", "ale", "ettu"]

SAINTS = ["Martin", "Laurent", "Germain", "Étienne", "Hilaire", "Georges", "André",
          "Denis", "Julien", "Aubin", "Brice", "Cyr", "Médard", "Rémy", "Sulpice",
          "Symphorien", "Vincent", "Amand", "Pierre", "Jean", "Paul", "Jacques", "Maurice",
          "Michel", "Nicolas", "Ouen", "Pardoux", "Privat", "Quentin", "Romain", "Sauveur",
          "Sever", "Thibault", "Vivien", "Yrieix", "Léger", "Loup", "Lubin", "Mamert",
          "Éloi", "Avit", "Benoît", "Clément", "Cloud", "Didier", "Front", "Gervais",
          "Gilles", "Honoré", "Just", "Lambert", "Marcel", "Priest", "Victor", "Urbain"]
SAINTES = ["Marie", "Colombe", "Foy", "Geneviève", "Anne", "Hélène", "Radegonde",
           "Eulalie", "Croix", "Cécile", "Agathe", "Christine", "Gemme", "Livrade",
           "Marguerite", "Menehould", "Odile", "Reine", "Sabine", "Soulle", "Thérèse"]
ARTICLE_BASES = ["Mesnil", "Chapelle", "Essarts", "Granges", "Plessis", "Pin", "Breuil",
                 "Bois", "Roche", "Ferté", "Houssaye", "Vernet", "Fresne", "Thuit",
                 "Bourg", "Chêne", "Pont", "Poët", "Vigan", "Mée", "Tremblay", "Cellier",
                 "Rouvray", "Vaudreuil", "Val", "Buisson", "Fay", "Haye", "Croix", "Lande",
                 "Rivière", "Salle", "Selle", "Motte", "Tour", "Baume", "Garde", "Bastide",
                 "Cadière", "Ville", "Neuville", "Forêt", "Hôpital", "Isle", "Étang",
                 "Ormes", "Aulnes", "Ulis", "Abergement", "Églisottes", "Hermitage"]
FEMININE = {"Chapelle", "Roche", "Ferté", "Houssaye", "Croix", "Lande", "Rivière", "Salle",
            "Selle", "Motte", "Tour", "Baume", "Garde", "Bastide", "Cadière", "Ville",
            "Neuville", "Forêt", "Haye", "Isle"}
PLURAL = {"Essarts", "Granges", "Bois", "Ormes", "Aulnes", "Ulis", "Églisottes"}
DESCRIPTORS = ["le-Château", "le-Grand", "le-Petit", "le-Vieux", "la-Forêt", "la-Ville",
               "les-Bains", "les-Vignes", "les-Bois", "des-Bois", "des-Champs", "des-Prés",
               "des-Vignes", "aux-Bois", "aux-Moines", "la-Montagne", "le-Haut", "le-Bas",
               "la-Campagne", "les-Églises", "des-Landes", "du-Lac", "l'Abbaye",
               "l'Église", "l'Évêque", "le-Comte", "la-Garenne", "des-Fontaines",
               "sous-Bois", "lès-Moulins", "de-Bretagne", "du-Val"]
RIVERS = ["Loire", "Seine", "Marne", "Oise", "Aisne", "Meuse", "Moselle", "Saône", "Rhône",
          "Garonne", "Dordogne", "Lot", "Tarn", "Aveyron", "Vienne", "Creuse", "Cher",
          "Indre", "Allier", "Sarthe", "Mayenne", "Orne", "Vire", "Touques", "Somme",
          "Authie", "Canche", "Lys", "Escaut", "Aube", "Yonne", "Armançon", "Ouche", "Doubs",
          "Ain", "Isère", "Drôme", "Durance", "Var", "Hérault", "Orb", "Aude", "Têt",
          "Adour", "Gave", "Charente", "Boutonne", "Sèvre", "Vendée", "Vilaine", "Oust",
          "Blavet", "Aulne", "Rance", "Eure", "Loir", "Huisne", "Epte", "Ource", "Sauldre",
          "Brenne", "Azergues", "Ardèche", "Gardon", "Vézère", "Célé", "Baïse", "Gers",
          "Save", "Ariège", "Salat", "Viaur", "Agout", "Lez", "Cèze", "Ouvèze", "Verdon",
          "Arve", "Bienne", "Loue", "Ognon", "Veyle", "Reyssouze", "Andelle", "Ellé",
          "Essonne", "Yerres", "Orge", "Ourcq", "Thérain", "Avre", "Iton", "Risle"]
VOWELS = "AEIOUYÀÂÉÈÊËÎÏÔÖÙÛÜŒ"


def strip_accents(s):
    return "".join(c for c in unicodedata.normalize("NFD", s) if unicodedata.category(c) != "Mn")


def sort_key(name):
    """Alphabetical order as INSEE codes roughly follow: accents and leading articles ignored."""
    s = name
    for art in ("Le ", "La ", "Les ", "L'"):
        if s.startswith(art):
            s = s[len(art):]
            break
    return (strip_accents(s).lower(), name)


def starts_with_vowel(word):
    return word[:1].upper() in VOWELS


def de(name):
    """'de X' with French elision and contraction: d'Alès, du Mesnil, des Essarts, de La Motte."""
    if name.startswith("Le "):
        return "du " + name[3:]
    if name.startswith("Les "):
        return "des " + name[4:]
    if name.startswith("L'") or name.startswith("La "):
        return "de " + name
    if starts_with_vowel(name):
        return "d'" + name
    return "de " + name


def capitalize(word):
    return word[:1].upper() + word[1:]


class Namer:
    def __init__(self, rng, dep, region):
        self.rng = rng
        self.dep = dep
        style = REGION_STYLE[region]
        if dep in ALSACE:
            style = "alsace"
        elif dep in BRETON:
            style = "breton"
        elif dep in ("57",):
            style = "lorraine"
        self.style = style
        self.suffixes = SUFFIXES.get(style, SUFFIXES["general"])
        self.rivers = rng.sample(RIVERS, 5)
        if dep in COASTAL:
            self.rivers.append("Mer")
        self.pays = [self.base() for _ in range(4)]

    def base(self):
        r = self.rng
        if self.style == "alsace" and r.random() < 0.7:
            return r.choice(ALSACE_ONSETS) + r.choice(ALSACE_SUFFIXES)
        if self.style == "breton" and r.random() < 0.55:
            return r.choice(BRETON_PREFIXES) + r.choice(BRETON_ROOTS)
        if self.style == "corse" and r.random() < 0.75:
            return r.choice(CORSE_ONSETS) + r.choice(["", "", "r", "n", "l", "s"]) + r.choice(CORSE_SUFFIXES)
        suffixes = self.suffixes if r.random() < 0.8 else SUFFIXES["general"]
        word = r.choice(ONSETS) + r.choice(MIDDLES)
        suffix = r.choice(suffixes)
        if starts_with_vowel(suffix) and word[-1:].lower() in "aeiouyéèêâîôû":
            word += r.choice(LINKERS)
        if not starts_with_vowel(suffix) and word[-1:].lower() not in "aeiouyéèêâîôû":
            word += r.choice("aeio")
        return word + suffix

    def place(self):
        """A commune name."""
        r = self.rng
        x = r.random()
        if self.style == "corse" and x < 0.15:
            saint = r.choice(["San-", "Santa-", "Sant'"])
            return saint + r.choice(["Gavino", "Lorenzo", "Andréa", "Maria", "Reparata",
                                     "Giuliano", "Nicolao", "Damiano", "Lucia"]) + "-di-" + self.base()
        if x < 0.36:
            return self.base()
        if x < 0.50:
            if r.random() < 0.72:
                name = "Saint-" + r.choice(SAINTS)
            else:
                name = "Sainte-" + r.choice(SAINTES)
            y = r.random()
            if y < 0.35:
                return name + "-" + r.choice(DESCRIPTORS)
            if y < 0.65:
                return name + "-" + self.joiner(self.base())
            if y < 0.85:
                return name + "-sur-" + r.choice(self.rivers)
            return name
        if x < 0.64:
            return self.base() + "-sur-" + r.choice(self.rivers)
        if x < 0.76:
            return self.base() + "-" + r.choice(DESCRIPTORS)
        if x < 0.86:
            word = r.choice(ARTICLE_BASES)
            if starts_with_vowel(word) or word.startswith("Hô") or word.startswith("Herm"):
                article = "Les " if word in PLURAL else "L'"
            elif word in PLURAL:
                article = "Les "
            elif word in FEMININE:
                article = "La "
            else:
                article = "Le "
            name = article + word
            y = r.random()
            if y < 0.5:
                return name + "-" + self.joiner(self.base())
            if y < 0.7:
                return name + "-sur-" + r.choice(self.rivers)
            if y < 0.85:
                return name + "-en-" + r.choice(self.pays)
            return name
        if x < 0.93:
            return self.base() + "-et-" + self.base()
        if x < 0.97:
            return self.base() + "-en-" + r.choice(self.pays)
        return self.base() + "-" + self.joiner(r.choice(self.rivers))

    def joiner(self, word):
        return ("d'" if starts_with_vowel(word) else "de-") + word


# --------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------

def luhn_complete(digits8):
    """Append the Luhn check digit that makes a 9-digit SIREN valid."""
    for check in range(10):
        s = digits8 + str(check)
        total = 0
        for i, c in enumerate(reversed(s)):
            d = int(c)
            if i % 2 == 1:
                d *= 2
                if d > 9:
                    d -= 9
            total += d
        if total % 10 == 0:
            return s
    raise AssertionError("unreachable")


def lognormal(rng, median, sigma):
    return median * math.exp(rng.gauss(0.0, sigma))


def fixed(value, decimals):
    """Format an integer count of 10^-decimals units, e.g. fixed(1234, 2) -> '12.34'."""
    if value is None:
        return None
    assert value >= 0
    unit = 10 ** decimals
    return "%d.%0*d" % (value // unit, decimals, value % unit)


# --------------------------------------------------------------------------------------
# Generation
# --------------------------------------------------------------------------------------

class Commune:
    __slots__ = ("code", "nom", "dep", "region", "epci", "population", "area", "island",
                 "locaux", "locaux_ftth", "elec", "gaz", "ges_res", "ges_tra", "ges_agr",
                 "ges_ind", "ges_tot", "enr", "ve", "pos")

    def __init__(self):
        self.epci = None
        self.island = False


class Epci:
    __slots__ = ("siren", "nom", "nature", "dep", "region", "communes", "seat", "progress")


def generate_populations(rng, dep, n, target):
    """Heavy-tailed populations: a log-normal base of villages plus a Zipf set of towns."""
    pops = []
    if dep == "75":
        weights = [rng.uniform(0.15, 2.2) for _ in range(n)]
        s = sum(weights)
        return [int(round(target * w / s)) for w in weights]
    median = max(380.0, min(target / n * 0.22, 12000.0))
    for _ in range(n):
        if rng.random() < 0.012:
            pops.append(rng.randint(5, 49))
        else:
            pops.append(max(8, int(round(lognormal(rng, median, 0.95)))))
    base = sum(pops)
    if base > 0.72 * target:
        f = 0.72 * target / base
        pops = [max(5, int(round(p * f))) for p in pops]
        base = sum(pops)
    rest = target - base
    if rest <= 0:
        return pops
    a = 1.05
    smallest = 2500.0 * rng.uniform(0.8, 1.2)
    cap = 500000.0 * rng.uniform(0.95, 1.04)
    k = 1
    while True:
        h = sum(1.0 / (i ** a) for i in range(1, k + 1))
        largest = rest / h
        if (largest / (k ** a) < smallest and largest <= cap) or k >= n // 3:
            break
        k += 1
    h = sum(1.0 / (i ** a) for i in range(1, k + 1))
    towns = [rest / h / (i ** a) for i in range(1, k + 1)]
    chosen = rng.sample(range(n), k)
    for idx, extra in zip(chosen, towns):
        pops[idx] += int(round(extra * rng.uniform(0.85, 1.15)))
    return pops


def build_communes(rng):
    communes_by_dep = {}
    for dep, dep_name, region, n, pop_k, area in DEPARTEMENTS:
        namer = Namer(rng, dep, region)
        pops = generate_populations(rng, dep, n, pop_k * 1000)
        # Names, unique within the département.
        names = []
        seen = set()
        n_islands = ISLANDS.count(dep)
        if dep == "75":
            for i in range(1, n + 1):
                names.append("Paris %s Arrondissement" % ("1er" if i == 1 else "%de" % i))
        else:
            while len(names) < n:
                if len(names) < n_islands:
                    nm = "L'Île-" + namer.joiner(namer.base())
                else:
                    nm = namer.place()
                if nm not in seen:
                    seen.add(nm)
                    names.append(nm)
        # Areas: log-normal weights, slightly larger for more populous communes.
        weights = [lognormal(rng, 1.0, 0.55) * (p + 50) ** 0.18 for p in pops]
        if dep == "973":
            weights = [lognormal(rng, 1.0, 1.3) for _ in pops]
        wsum = sum(weights)
        areas = [max(5, int(round(area * 100 * w / wsum))) for w in weights]
        # Shuffle populations/areas against names, then give codes in alphabetical order.
        order = list(range(n))
        rng.shuffle(order)
        rows = []
        for i in range(n):
            c = Commune()
            c.nom = names[i]
            c.island = i < n_islands
            c.population = pops[order[i]]
            c.area = areas[order[i]]
            c.dep = dep
            c.region = region
            rows.append(c)
        if dep != "75":
            rows.sort(key=lambda c: sort_key(c.nom))
        # Codes: 3 digits (2 for overseas), with gaps left by past mergers.
        width = 2 if len(dep) == 3 else 3
        limit = 10 ** width - 1
        spare = limit - n
        number = 100 if dep == "75" else 0
        for i, c in enumerate(rows):
            number += 1
            if spare > 0 and dep != "75" and rng.random() < 0.25:
                skip = min(spare, rng.randint(1, 2))
                number += skip
                spare -= skip
            c.code = dep + "%0*d" % (width, number)
            c.pos = i
        communes_by_dep[dep] = rows
    # A few villages destroyed in 1916 and never rebuilt keep a commune with no inhabitant.
    meuse = [c for c in communes_by_dep["55"] if c.population < 2000]
    for c in rng.sample(meuse, 6):
        c.population = 0
    # A few names in the old INSEE article-last spelling, with a comma.
    for dep in ("27", "61", "72", "89", "51"):
        candidates = [c for c in communes_by_dep[dep]
                      if c.nom.startswith(("Le ", "La ", "Les ")) and " " not in c.nom.split(" ", 1)[1]]
        if candidates:
            c = rng.choice(candidates)
            article, rest = c.nom.split(" ", 1)
            new = rest + ", " + article
            if all(o.nom != new for o in communes_by_dep[dep]):
                c.nom = new
    return communes_by_dep


def partition_departement(rng, rows):
    """Split a département's communes (code order) into contiguous EPCI segments."""
    seq = [c for c in rows if not c.island]
    n = len(seq)
    owner = [None] * n
    segments = []
    poles = sorted(range(n), key=lambda i: (-seq[i].population, i))
    poles = [i for i in poles if seq[i].population >= POLE_MIN]
    for p in poles:
        if owner[p] is not None:
            continue
        pop = seq[p].population
        if pop >= 150000:
            target = pop * rng.uniform(1.7, 2.8)
            max_count = rng.randint(40, 90)
        elif pop >= POLE_BIG:
            target = pop * rng.uniform(*POLE_MULT_BIG)
            max_count = rng.randint(30, 70)
        else:
            target = pop * rng.uniform(*POLE_MULT)
            max_count = rng.randint(20, 45)
        min_count = rng.randint(8, 25)
        lo = hi = p
        owner[p] = len(segments)
        total = pop
        while (total < target or hi - lo + 1 < min_count) and hi - lo + 1 < max_count:
            left_ok = lo - 1 >= 0 and owner[lo - 1] is None
            right_ok = hi + 1 < n and owner[hi + 1] is None
            if not left_ok and not right_ok:
                break
            go_left = left_ok and (not right_ok or rng.random() < 0.5)
            if go_left:
                lo -= 1
                owner[lo] = len(segments)
                total += seq[lo].population
            else:
                hi += 1
                owner[hi] = len(segments)
                total += seq[hi].population
        segments.append([lo, hi])
    # Split the gaps into communautés de communes.
    i = 0
    while i < n:
        if owner[i] is not None:
            i += 1
            continue
        j = i
        while j < n and owner[j] is None:
            j += 1
        length = j - i
        if length < 6 and (i > 0 or j < n):
            # Too short for its own EPCI: join a neighbouring one.
            if i > 0 and (j >= n or rng.random() < 0.5):
                seg = owner[i - 1]
                segments[seg][1] = j - 1
            else:
                seg = owner[j]
                segments[seg][0] = i
            for k in range(i, j):
                owner[k] = seg
        else:
            pieces = max(1, int(round(length / rng.uniform(*CC_LENGTH))))
            cuts = sorted(rng.sample(range(1, length), pieces - 1)) if pieces > 1 else []
            bounds = [0] + cuts + [length]
            # Merge pieces shorter than 4 communes into the previous one.
            merged = [bounds[0]]
            for b in bounds[1:-1]:
                if b - merged[-1] >= 4:
                    merged.append(b)
            if length - merged[-1] < 4 and len(merged) > 1:
                merged.pop()
            merged.append(length)
            for a, b in zip(merged[:-1], merged[1:]):
                seg = len(segments)
                segments.append([i + a, i + b - 1])
                for k in range(i + a, i + b):
                    owner[k] = seg
        i = j
    segments.sort()
    return [[seq[k] for k in range(lo, hi + 1)] for lo, hi in segments]


def build_epci(rng, communes_by_dep):
    groups = []  # lists of communes
    first_last = {}
    for dep, *_ in DEPARTEMENTS:
        if dep in GRAND_PARIS:
            continue
        parts = partition_departement(rng, communes_by_dep[dep])
        first_last[dep] = (len(groups), len(groups) + len(parts) - 1)
        groups.extend(parts)
    # One EPCI over two neighbouring départements: last of the first + first of the second.
    drop = []
    for a, b in SPANNING_PAIRS:
        ia = first_last[a][1]
        ib = first_last[b][0]
        groups[ia] = groups[ia] + groups[ib]
        drop.append(ib)
    groups = [g for k, g in enumerate(groups) if k not in drop]
    grand_paris = [c for dep in GRAND_PARIS for c in communes_by_dep[dep]]
    groups.append(grand_paris)

    epcis = []
    for g in groups:
        e = Epci()
        e.communes = g
        # The seat is the most populous commune (Paris for the Métropole du Grand Paris).
        seat_pool = [c for c in g if c.dep == "75"] or g
        e.seat = max(seat_pool, key=lambda c: (c.population, -c.pos))
        e.dep = e.seat.dep
        e.region = e.seat.region
        epcis.append(e)
    return epcis


def assign_natures(rng, epcis):
    for e in epcis:
        pop = sum(c.population for c in e.communes)
        seat = e.seat.population
        if pop > 400000:
            nature = "METRO" if rng.random() < 0.85 else "CU"
        elif pop >= 250000:
            nature = "CU" if rng.random() < 0.45 else "CA"
        elif pop >= 50000:
            if seat >= 15000:
                nature = "CA" if rng.random() < 0.96 else "CU"
            else:
                nature = "CA" if rng.random() < 0.25 else "CC"
        elif pop >= 30000 and seat >= 12000:
            nature = "CA" if rng.random() < 0.5 else "CC"
        else:
            nature = "CC"
        e.nature = nature


def epci_names(rng, epcis):
    used = set()
    namers = {}
    for dep, _, region, *_ in DEPARTEMENTS:
        namers[dep] = Namer(random.Random(SEED + len(namers)), dep, region)
    for e in epcis:
        if e.communes[0].dep == "75":
            e.nom = "Métropole du Grand Paris"
            used.add(e.nom)
            continue
        x = e.seat.nom.split(",")[0]
        dex = de(x)
        namer = namers[e.dep]
        river = rng.choice(namer.rivers[:5])
        pays = namer.base()
        plain = not x.startswith(("Le ", "La ", "Les ", "L'"))
        if e.nature == "METRO":
            options = ["Métropole %s" % x, "%s Métropole" % x, "Métropole %s" % dex]
            if plain:
                options.append("Métropole du Grand %s" % x)
        elif e.nature == "CU":
            options = ["CU %s" % dex, "CU %s Métropole" % x]
            if plain:
                options.append("CU du Grand %s" % x)
        elif e.nature == "CA":
            options = ["CA du Pays %s" % dex, "CA %s Agglomération" % x, "CA %s" % dex,
                       "CA %s Agglo" % x]
            if plain:
                options.append("CA du Grand %s" % x)
        else:
            options = ["CC du Pays %s" % dex, "CC %s" % dex, "CC des Portes %s" % dex,
                       "CC de la Vallée %s" % de(river), "CC du Val %s" % de(river),
                       "CC des Coteaux %s" % de(river), "CC du Pays %s" % de(pays),
                       "CC Cœur %s" % de(pays), "CC des Monts %s" % dex,
                       "CC du Canton %s" % dex, "CC %s Communauté" % x,
                       "CC %s et %s" % (pays, namer.base())]
        rng.shuffle(options)
        for nm in options:
            if nm not in used:
                break
        else:
            nm = options[0] + " " + rng.choice(["Nord", "Sud", "Est", "Ouest", "Centre"])
            while nm in used:
                nm += "-" + namer.base()
        e.nom = nm
        used.add(nm)


def assign_sirens(rng, epcis):
    used = {GRAND_PARIS_SIREN}
    used.update(SPEC_SIRENS)
    for e in epcis:
        if e.communes[0].dep == "75":
            e.siren = GRAND_PARIS_SIREN
            continue
        while True:
            if len(e.dep) == 2 and rng.random() < 0.3:
                dd = "20" if e.dep in ("2A", "2B") else e.dep
                s = luhn_complete("24" + dd + "%04d" % rng.randint(0, 999))
            else:
                s = luhn_complete("2000%04d" % rng.randint(0, 9999))
            if s not in used:
                break
        used.add(s)
        e.siren = s


def epci_pop(e):
    return sum(c.population for c in e.communes)


def place_spec_examples(rng, epcis):
    """Give the SIRENs and names the SPEC's examples quote to fitting synthetic EPCI."""
    pilots = [e for e in epcis if 50000 <= epci_pop(e) <= 150000]
    taken = set()

    def pick(candidates):
        candidates = [e for e in candidates if id(e) not in taken]
        e = candidates[0]
        taken.add(id(e))
        return e

    rhone = sorted([e for e in epcis if e.dep == "69"], key=lambda e: -epci_pop(e))
    pick(rhone).siren = "200046977"
    pick(rhone[1:]).siren = "200040566"
    pick([e for e in rhone if e in pilots]).siren = "246900740"
    agglos = [e for e in pilots if e.nature == "CA"]
    pick([e for e in agglos if e.dep == "06"] + agglos).siren = "200069177"
    pick([e for e in agglos if e.dep == "74"] + agglos).siren = "200040046"
    # The SPEC sketch's "CA Alès Agglomération" (Gard) and "CA du Grand Dax" (Landes).
    for dep, seat_name, nom in (("30", "Alès", "CA Alès Agglomération"),
                                ("40", "Dax", "CA du Grand Dax")):
        e = pick(sorted([e for e in pilots if e.dep == dep and e.seat.population >= 15000],
                        key=lambda e: -epci_pop(e)))
        e.nature = "CA"
        e.nom = nom
        e.seat.nom = seat_name
    names = [e.nom for e in epcis]
    assert len(set(names)) == len(names), "duplicate EPCI name"


def indicators(rng, epcis, communes):
    for e in epcis:
        e.progress = rng.uniform(0.55, 1.0)
    for e in epcis:
        for c in e.communes:
            c.epci = e
    for c in communes:
        pop = c.population
        area_km2 = c.area / 100.0
        density = pop / area_km2
        urban = pop >= 10000 or density >= 400
        overseas = len(c.dep) == 3
        progress = c.epci.progress if c.epci is not None else 0.6
        # Premises.
        if pop == 0:
            c.locaux = 0
        else:
            ratio = rng.uniform(0.55, 0.75)
            if pop < 5000 and rng.random() < 0.02:
                ratio = rng.uniform(1.0, 2.2)  # resort: many second homes
            c.locaux = max(1, int(round(pop * ratio)))
        # FTTH eligibility.
        if pop >= 20000 or density >= 1500:
            rate = 1.0 if rng.random() < 0.3 else rng.uniform(0.9, 1.0)
        elif urban:
            rate = min(1.0, rng.uniform(0.75, 1.05))
        else:
            p_zero = 0.22 * (1.0 - progress) / 0.45 * (1.0 if pop < 500 else 0.5)
            if rng.random() < p_zero:
                rate = 0.0
            else:
                rate = min(1.0, progress * rng.uniform(0.75, 1.12))
        c.locaux_ftth = min(c.locaux, int(c.locaux * rate))
        # Electricity (MWh): households, services, and now and then an industrial site.
        elec = pop * 2.4 * lognormal(rng, 1.0, 0.2) + c.locaux * 3.2 * lognormal(rng, 1.0, 0.35)
        industrial = rng.random() < (0.1 if pop >= 10000 else 0.025)
        if industrial:
            elec += lognormal(rng, 15000.0, 1.2)
        if pop == 0:
            elec = rng.uniform(5, 40)
        c.elec = int(round(elec * 10))
        # Gas (MWh): null where the commune has no distribution network.
        p_gas = 0.12 + 0.88 / (1.0 + math.exp(-(math.log(max(pop, 1)) - math.log(650.0)) / 0.7))
        if overseas or pop == 0 or c.dep in ("2A", "2B") or rng.random() >= p_gas:
            c.gaz = None
        else:
            gaz = pop * 6.0 * lognormal(rng, 1.0, 0.35)
            if industrial:
                gaz += lognormal(rng, 10000.0, 1.2)
            c.gaz = int(round(gaz * 10))
        # Greenhouse-gas emissions (t CO2e).
        rural = not urban
        res = pop * 1.0 * (1.25 if (rural and c.gaz is None) else 0.9) * lognormal(rng, 1.0, 0.2)
        tra = pop * 1.6 * (1.35 if rural else 0.85) * lognormal(rng, 1.0, 0.25)
        if rng.random() < 0.08:
            tra += rng.uniform(3000, 25000)  # a motorway crosses the commune
        farmland = rng.uniform(0.4, 0.85) if rural else rng.uniform(0.0, 0.3)
        if c.dep == "973":
            farmland *= 0.02  # Amazonian forest
        agr = area_km2 * farmland * AGRI_INTENSITY[c.region] * lognormal(rng, 1.0, 0.3)
        ind = pop * 0.15 * lognormal(rng, 1.0, 0.8)
        heavy = rng.random() < (0.1 if pop >= 20000 else 0.015)
        if heavy:
            ind += lognormal(rng, 45000.0, 1.3)
        other = pop * 0.75 * lognormal(rng, 1.0, 0.3)
        c.ges_res = int(round(res * 10))
        c.ges_tra = int(round(tra * 10))
        c.ges_agr = int(round(agr * 10))
        ind10 = int(round(ind * 10))
        other10 = int(round(other * 10))
        c.ges_tot = c.ges_res + c.ges_tra + c.ges_agr + ind10 + other10
        secret = rng.random() < (0.4 if heavy else 0.008)
        c.ges_ind = None if secret else ind10
        # Renewable production (MWh): rooftop solar everywhere, big plants here and there.
        enr = c.locaux * rng.uniform(0.05, 0.6)
        big = 0
        if rural and rng.random() < 0.05:
            enr += rng.uniform(10000, 70000)  # wind farm
            big += 1
        if rng.random() < 0.012:
            enr += lognormal(rng, 50000.0, 1.2)  # hydro
            big += 1
        if rng.random() < 0.03:
            enr += rng.uniform(2000, 15000)  # biomass, biogas
            big += 1
        if rural and rng.random() < 0.03:
            enr += rng.uniform(3000, 60000)  # ground-mounted solar
            big += 1
        c.enr = int(round(enr * 10))
        if big == 1 and rng.random() < 0.2:
            c.enr = None  # a single producer: statistical secret
        # Battery-electric cars.
        rate = 0.012 * (1.6 if 2000 <= pop <= 30000 else 1.0) * lognormal(rng, 1.0, 0.35)
        if overseas:
            rate *= 0.4
        c.ve = int(round(pop * rate))


SUM_FIELDS = ("population", "area", "locaux", "locaux_ftth", "elec", "gaz", "ges_res",
              "ges_tra", "ges_agr", "ges_ind", "ges_tot", "enr", "ve")
NULLABLE = ("gaz", "ges_ind", "enr")


def sums(communes):
    """Sums of the commune figures; a nullable indicator sums its non-null values and is
    null only when every commune is null (as terrain's sum() does)."""
    out = {}
    for f in SUM_FIELDS:
        values = [getattr(c, f) for c in communes if getattr(c, f) is not None]
        out[f] = sum(values) if values else None
    return out


def share_ftth(s):
    if not s["locaux"]:
        return None
    # Percent, 2 decimals, rounded half up, from exact integers.
    num = s["locaux_ftth"] * 100 * 100 * 2 + s["locaux"]
    return fixed(num // (2 * s["locaux"]), 2)


def indicator_cells(s):
    return [s["locaux"], s["locaux_ftth"], fixed(s["elec"], 1), fixed(s["gaz"], 1),
            fixed(s["ges_res"], 1), fixed(s["ges_tra"], 1), fixed(s["ges_agr"], 1),
            fixed(s["ges_ind"], 1), fixed(s["ges_tot"], 1), fixed(s["enr"], 1), s["ve"]]


INDICATOR_COLUMNS = ["locaux", "locaux_ftth", "conso_elec_mwh", "conso_gaz_mwh",
                     "ges_residentiel", "ges_transport", "ges_agriculture", "ges_industrie",
                     "ges_teqco2", "enr_mwh", "voitures_electriques"]


def write_csv(path, header, rows):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter=",", quotechar='"', quoting=csv.QUOTE_MINIMAL,
                       lineterminator="\n")
        w.writerow(header)
        for r in rows:
            w.writerow(["" if v is None else v for v in r])
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)))
    args = ap.parse_args()
    rng = random.Random(SEED)

    communes_by_dep = build_communes(rng)
    communes = [c for dep, *_ in DEPARTEMENTS for c in communes_by_dep[dep]]
    epcis = build_epci(rng, communes_by_dep)
    assign_natures(rng, epcis)
    epci_names(rng, epcis)
    assign_sirens(rng, epcis)
    place_spec_examples(rng, epcis)
    indicators(rng, epcis, communes)
    epcis.sort(key=lambda e: e.siren)

    # Checks.
    codes = [c.code for c in communes]
    assert len(set(codes)) == len(codes)
    for dep, rows in communes_by_dep.items():
        names = [c.nom for c in rows]
        assert len(set(names)) == len(names), dep
    assert len({e.siren for e in epcis}) == len(epcis)
    assert len({e.nom for e in epcis}) == len(epcis)
    assert all(c.locaux_ftth <= c.locaux for c in communes)
    assert any("," in c.nom for c in communes)
    assert sum(len(e.communes) for e in epcis) == sum(1 for c in communes if c.epci is not None)

    # communes.csv
    rows = []
    for c in communes:
        rows.append([c.code, c.nom, c.dep, c.region, c.epci.siren if c.epci else None,
                     c.population, fixed(c.area, 2)] +
                    indicator_cells({f: getattr(c, f) for f in SUM_FIELDS}))
    write_csv(os.path.join(args.out, "communes.csv"),
              ["code_insee", "nom", "code_departement", "code_region", "epci", "population",
               "superficie"] + INDICATOR_COLUMNS, rows)

    # epci.csv
    rows = []
    for e in epcis:
        s = sums(e.communes)
        rows.append([e.siren, e.nom, e.nature, e.dep, e.region, len(e.communes),
                     s["population"], fixed(s["area"], 2)] + indicator_cells(s) +
                    [share_ftth(s)])
    write_csv(os.path.join(args.out, "epci.csv"),
              ["siren", "nom", "nature", "dep", "code_region", "nb_communes", "population",
               "superficie"] + INDICATOR_COLUMNS + ["share_ftth"], rows)

    # departements.csv
    rows = []
    dep_pop = {}
    for dep, name, region, *_ in DEPARTEMENTS:
        members = communes_by_dep[dep]
        s = sums(members)
        dep_pop[dep] = s["population"]
        rows.append([dep, name, region, len(members), s["population"], fixed(s["area"], 2)] +
                    indicator_cells(s) + [share_ftth(s)])
    write_csv(os.path.join(args.out, "departements.csv"),
              ["code_departement", "nom", "code_region", "nb_communes", "population",
               "superficie"] + INDICATOR_COLUMNS + ["share_ftth"], rows)

    # regions.csv
    rows = []
    for region, name in REGIONS:
        members = [c for c in communes if c.region == region]
        s = sums(members)
        n_dep = sum(1 for d in DEPARTEMENTS if d[2] == region)
        rows.append([region, name, n_dep, len(members), s["population"], fixed(s["area"], 2)] +
                    indicator_cells(s) + [share_ftth(s)])
    write_csv(os.path.join(args.out, "regions.csv"),
              ["code_region", "nom", "nb_departements", "nb_communes", "population",
               "superficie"] + INDICATOR_COLUMNS + ["share_ftth"], rows)

    # Summary.
    total = sum(c.population for c in communes)
    pops = [epci_pop(e) for e in epcis]
    pilots = sum(1 for p in pops if 50000 <= p <= 150000)
    natures = {}
    for e in epcis:
        natures[e.nature] = natures.get(e.nature, 0) + 1
    spanning = sum(1 for e in epcis if len({c.dep for c in e.communes}) > 1)
    sorted_pops = sorted(c.population for c in communes)
    lines = [
        "régions: %d rows" % len(REGIONS),
        "départements: %d rows" % len(DEPARTEMENTS),
        "epci: %d rows (%s), %d spanning several départements" % (
            len(epcis), ", ".join("%s %d" % (k, natures.get(k, 0)) for k in ("METRO", "CU", "CA", "CC")),
            spanning),
        "communes: %d rows (%d in no EPCI)" % (len(communes), sum(1 for c in communes if c.epci is None)),
        "total population: %d" % total,
        "commune population: median %d, max %d; %d communes between 100 and 2,000" % (
            sorted_pops[len(sorted_pops) // 2], sorted_pops[-1],
            sum(1 for p in sorted_pops if 100 <= p <= 2000)),
        "EPCI with 50,000 to 150,000 inhabitants: %d" % pilots,
        "nulls: conso_gaz_mwh %d, ges_industrie %d, enr_mwh %d, epci %d" % (
            sum(1 for c in communes if c.gaz is None), sum(1 for c in communes if c.ges_ind is None),
            sum(1 for c in communes if c.enr is None), sum(1 for c in communes if c.epci is None)),
    ]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
