"""Language resources as data: the English→Chinese glossary, word lists, attribute names.

Every list lives in lexicon/data/ as a file whose header says what it is for; the modules here only
load them. Nothing here depends on the documents that happen to be ingested.
"""
