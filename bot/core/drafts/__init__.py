"""Drafts of meeting records from news articles: extraction, and the import-format rendering.

extract_drafts(article, session=) reads an Article (text, title, publication date, link) and
returns one Draft per meeting it reports; drafts_to_yaml / drafts_to_json render them in the
import format with the unsure fields marked. Nothing here writes to the database.
"""

from bot.core.drafts.extract import extract_drafts
from bot.core.drafts.model import Article, Draft
from bot.core.drafts.render import drafts_to_json, drafts_to_yaml

__all__ = ["Article", "Draft", "drafts_to_json", "drafts_to_yaml", "extract_drafts"]
