"""The sites 1PWR runs in Lesotho (SPEC §3): code, name, district, kind, loaded by a data migration; and the
country's ten districts, the one list every district choice offers."""

DISTRICTS = (
    "Berea",
    "Butha-Buthe",
    "Leribe",
    "Mafeteng",
    "Maseru",
    "Mohale's Hoek",
    "Mokhotlong",
    "Qacha's Nek",
    "Quthing",
    "Thaba-Tseka",
)


def district_choices(current=""):
    """The districts for a <select>; a ``current`` value from before the list (ACDB's free text) is kept as a
    choice of its own, so that editing another field, or opening this one, never changes it silently."""
    choices = [("", "Choose a district")] + [(name, name) for name in DISTRICTS]
    if current and current not in DISTRICTS:
        choices.append((current, f"{current} (as recorded; not one of the ten districts)"))
    return choices


SITES = [
    ("MAK", "Ha Makebe", "Maseru", "minigrid"),
    ("MAS", "Mashai", "Thaba-Tseka", "minigrid"),
    ("SHG", "Sehonghong", "Thaba-Tseka", "minigrid"),
    ("LEB", "Lebakeng", "Qacha's Nek", "minigrid"),
    ("SEH", "Sehlabathebe", "Qacha's Nek", "minigrid"),
    ("MAT", "Matsoaing", "Mokhotlong", "minigrid"),
    ("TLH", "Tlhanyaku", "Mokhotlong", "minigrid"),
    ("TOS", "Tosing", "Quthing", "minigrid"),
    ("SEB", "Sebapala", "Quthing", "minigrid"),
    ("RIB", "Ribaneng", "Mafeteng", "minigrid"),
    ("KET", "Ketane", "Mohale's Hoek", "minigrid"),
    ("NKU", "Ha Nkau", "Maseru", "clinic"),
    ("MET", "Methalaneng", "Thaba-Tseka", "clinic"),
    ("BOB", "Bobete", "Thaba-Tseka", "clinic"),
    ("MAN", "Manamaneng", "Thaba-Tseka", "clinic"),
]
