# A day and its month, as the admin's date drill-down shows it: "30 Νοεμβρίου".
MONTH_DAY_FORMAT = "j E"
