"""Views by area: public pages, health; staff areas add their own modules."""
