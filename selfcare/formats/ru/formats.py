"""Russian: a day and month standing alone takes the genitive month in small letters ("1 января"); Django's own
Russian MONTH_DAY_FORMAT ("j F") gives "1 Январь". Everything else is Django's."""

MONTH_DAY_FORMAT = "j E"
