"""The committee's public pages and open data: published meetings, opinions and responses."""
