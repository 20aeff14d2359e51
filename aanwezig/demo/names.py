"""Names for demo people, per home language. Fictitious combinations of common names."""

from __future__ import annotations

#: Share of families per home language (sums to 1).
LANGUAGE_SHARES = [("nl", 0.78), ("tr", 0.06), ("ar", 0.06), ("pl", 0.04), ("uk", 0.03), ("en", 0.03)]

FIRST_NAMES: dict[str, dict[str, list[str]]] = {
    "nl": {
        "m": ["Daan", "Sem", "Lucas", "Levi", "Finn", "Milan", "Noah", "Luuk", "Bram", "Jesse",
              "Thijs", "Ruben", "Lars", "Julian", "Sven", "Tim", "Max", "Stijn", "Jens", "Teun",
              "Gijs", "Niels", "Floris", "Hugo", "Mees", "Jurre", "Olivier", "Siem", "Tijn", "Wout"],
        "f": ["Emma", "Julia", "Tess", "Sophie", "Zoë", "Mila", "Sara", "Anna", "Evi", "Lotte",
              "Noor", "Fleur", "Lieke", "Saar", "Femke", "Isa", "Roos", "Nina", "Eva", "Liv",
              "Fenna", "Jasmijn", "Maud", "Floor", "Sanne", "Lisa", "Ilse", "Vera", "Yara", "Elin"],
    },
    "tr": {
        "m": ["Emir", "Yusuf", "Mehmet", "Eymen", "Kerem", "Burak", "Ali", "Mustafa", "Ömer", "Efe"],
        "f": ["Elif", "Zeynep", "Ayşe", "Ecrin", "Defne", "Hira", "Esra", "Melek", "Büşra", "Nisa"],
    },
    "ar": {
        "m": ["Mohamed", "Adam", "Amir", "Ibrahim", "Ayoub", "Rayan", "Bilal", "Yassin", "Omar", "Karim"],
        "f": ["Nour", "Yasmina", "Fatima", "Salma", "Malak", "Aya", "Hiba", "Sara", "Imane", "Lina"],
    },
    "pl": {
        "m": ["Jakub", "Kacper", "Szymon", "Filip", "Antoni", "Mateusz", "Piotr", "Tomasz"],
        "f": ["Zuzanna", "Julia", "Maja", "Lena", "Hanna", "Oliwia", "Agnieszka", "Katarzyna"],
    },
    "uk": {
        "m": ["Oleksandr", "Maksym", "Artem", "Danylo", "Andrii", "Dmytro", "Bohdan", "Ivan"],
        "f": ["Sofiia", "Anastasiia", "Mariia", "Viktoriia", "Anna", "Oksana", "Yuliia", "Daryna"],
    },
    "en": {
        "m": ["Oliver", "Jack", "Harry", "George", "Thomas", "James", "Liam", "Ethan"],
        "f": ["Olivia", "Emily", "Amelia", "Isla", "Grace", "Charlotte", "Chloe", "Megan"],
    },
}

#: Last names as (prefix, name); Polish and Ukrainian names have a feminine form after "|".
LAST_NAMES: dict[str, list[tuple[str, str]]] = {
    "nl": [("de", "Jong"), ("", "Jansen"), ("de", "Vries"), ("van den", "Berg"), ("van", "Dijk"),
           ("", "Bakker"), ("", "Janssen"), ("", "Visser"), ("", "Smit"), ("", "Meijer"),
           ("de", "Boer"), ("", "Mulder"), ("de", "Groot"), ("", "Bos"), ("", "Vos"),
           ("", "Peters"), ("", "Hendriks"), ("van", "Leeuwen"), ("", "Dekker"), ("", "Brouwer"),
           ("de", "Wit"), ("", "Dijkstra"), ("", "Smits"), ("de", "Graaf"), ("van der", "Meer"),
           ("van der", "Linden"), ("", "Kok"), ("", "Jacobs"), ("de", "Haan"), ("", "Vermeulen"),
           ("van den", "Heuvel"), ("van der", "Veen"), ("van den", "Broek"), ("de", "Bruijn"),
           ("van der", "Heijden"), ("", "Schouten"), ("van", "Beek"), ("", "Willems"),
           ("van", "Vliet"), ("van de", "Ven"), ("", "Hoekstra"), ("", "Maas"), ("", "Verhoeven"),
           ("", "Koster"), ("van", "Dam"), ("van der", "Wal"), ("", "Prins"), ("", "Blom"),
           ("", "Huisman"), ("", "Postma"), ("", "Kuipers"), ("van", "Wijk"), ("", "Veenstra"),
           ("", "Kramer"), ("van den", "Bosch"), ("", "Wolters"), ("", "Timmermans"), ("", "Groen")],
    "tr": [("", "Yılmaz"), ("", "Kaya"), ("", "Demir"), ("", "Şahin"), ("", "Çelik"),
           ("", "Yıldız"), ("", "Öztürk"), ("", "Aydın"), ("", "Arslan"), ("", "Doğan"),
           ("", "Koç"), ("", "Kurt")],
    "ar": [("", "El Amrani"), ("", "Benali"), ("", "Bouzid"), ("", "El Idrissi"), ("", "Azzouz"),
           ("", "Haddad"), ("", "Al-Khatib"), ("", "Darwish"), ("", "Alhassan"), ("", "Ouali"),
           ("", "Ait Taleb"), ("", "Boukhari")],
    "pl": [("", "Kowalski|Kowalska"), ("", "Nowak"), ("", "Wiśniewski|Wiśniewska"),
           ("", "Wójcik"), ("", "Kamiński|Kamińska"), ("", "Lewandowski|Lewandowska"),
           ("", "Zieliński|Zielińska"), ("", "Mazur")],
    "uk": [("", "Shevchenko"), ("", "Bondarenko"), ("", "Kovalenko"), ("", "Tkachenko"),
           ("", "Kravchenko"), ("", "Melnyk"), ("", "Boiko"), ("", "Koval")],
    "en": [("", "Smith"), ("", "Jones"), ("", "Taylor"), ("", "Brown"), ("", "Williams"),
           ("", "Wilson"), ("", "Evans"), ("", "Walsh"), ("", "O'Brien"), ("", "Murphy")],
}

#: Extra first names used in full registered names (voornamen) of Dutch children.
MIDDLE_NAMES = {"m": ["Johannes", "Pieter", "Willem", "Jan", "Hendrik", "Cornelis"],
                "f": ["Maria", "Johanna", "Elisabeth", "Catharina", "Wilhelmina", "Anna"]}

TOWNS = ["Amersfoort", "Zwolle", "Deventer", "Apeldoorn", "Utrecht", "Nijmegen", "Arnhem",
         "Ede", "Harderwijk", "Veenendaal", "Leusden", "Barneveld", "Houten", "Zeist", "Doorn"]

STREETS = ["Schoolstraat", "Kerkstraat", "Dorpsstraat", "Stationsweg", "Julianalaan",
           "Beatrixlaan", "Molenweg", "Parklaan", "Lindelaan", "Wilhelminastraat"]

PO_NAMES = ["De Regenboog", "De Wegwijzer", "Het Kompas", "De Fontein", "De Vlinder",
            "De Zonnebloem", "Het Palet", "De Klimop", "De Springplank", "De Wereldwijzer",
            "De Zevensprong", "Het Mozaïek", "De Horizon", "De Boomgaard", "De Linde",
            "De Sterrenkijker", "Het Anker", "De Ontdekking", "De Bron", "De Eendracht"]
PO_KINDS = ["OBS", "CBS", "IKC", "Kindcentrum", "Basisschool"]
VO_NAMES = ["Het Samen Lyceum", "Stedelijk College", "Vathorst College", "Het Eemland College",
            "Christelijk Lyceum", "Het Nieuwe Gymnasium", "Montessori College", "Groen College",
            "Het Baken", "Veluwse Scholengemeenschap", "Het Rijnlands Lyceum", "De Heuvelrug"]
MBO_NAMES = ["Samen Leren College", "Vakcollege Midden", "ROC De Eemvallei", "Techniek College",
             "Zorgacademie Midden", "Horeca en Handel College", "ROC Veluwe-Vallei"]
