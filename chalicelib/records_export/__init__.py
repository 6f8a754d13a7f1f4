"""«Мои данные»: a patient takes away everything the clinic holds about them, as one ZIP archive.

`service` (the API's side: ask, see the status, get a short-lived link), `collect` (the records, read through
the repositories), `archive` (data.json, about.txt and the files, written to `exports/` in the documents bucket by
the `data_exports` queue's worker).
"""
