"""Date formats that differ from Django's own for a language (FORMAT_MODULE_PATH).

Greek and Ukrainian write a day with its month in the genitive ("30 Νοεμβρίου", "30 листопада"):
Django's ``E`` is that form, ``F`` the month's name on its own ("Νοέμβριος").
"""
