"""Parsers for the formats the newsroom brings in. Pure functions: no database writes."""
