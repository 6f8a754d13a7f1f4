"""PDF rendering with fpdf2 and an embedded Cyrillic font (imported only where used)."""
