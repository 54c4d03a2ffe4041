"""The server's pieces, above the library: the REST API (:mod:`.rest`), the guard in front of every
request (:mod:`.guard`), keys and rate limits for both doors (:mod:`.admission`, :mod:`.keys`),
the page's file names (:mod:`.paths`), the process-wide work limit (:mod:`.work`), translated
files waiting for download (:mod:`.filestore`) and stored glossaries (:mod:`.glossaries`).
"""
