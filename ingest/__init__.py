"""Reading, cleaning, structure detection and chunking of source documents (imports only the base layer)."""

from assistant.config import PARSER_VERSION

__all__ = ["PARSER_VERSION"]
