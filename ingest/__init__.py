"""Reading, cleaning, structure detection and chunking of source documents."""

# Bump when cleaning, structure detection or chunking change what gets indexed: the index name
# hashes it, so an upgraded parser never leaves an index built by the old one answering.
PARSER_VERSION = 3
