"""Official Kennzahlen figures of the statistics office (issue 14): reading, series, reconciliation.

The statistics office (BA-Statistik) publishes the § 48a SGB II Kennzahlen monthly for every Jobcenter,
after a waiting period of three months. This package holds the parts without database or web:

- :mod:`.figures` – one published cell (:class:`OfficialRow`) and its checks;
- :mod:`.reader` – reading a published table (CSV in both dialects, Excel) through a declarative header
  mapping (:data:`.reader.LAYOUTS`), with ``datei:zeile:spalte`` errors;
- :mod:`.series` – official figures as the indicator output's long table, and as the actual series of an
  agreement monitored on the official series (``reihe = "amtlich"``);
- :mod:`.reconcile` – own figures beside official ones, with the explanation category of a difference.

The store access (load, replace a month, status) is :mod:`zielwerk.store.official`.
"""

#: the official table's file name in a dataset folder (written by ``zielwerk generate``, read by the demo)
FILE_NAME = "amtliche-kennzahlen.csv"
