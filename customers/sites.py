"""The sites 1PWR runs in Lesotho (SPEC §3): code, name, district, kind. Loaded by a data migration."""

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
