"""The documentation site's sources (Markdown, served by Material for MkDocs, mkdocs.yml) and the
code that builds what must not drift (``docs.tools``)."""
