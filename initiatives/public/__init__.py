"""What citizens read: the public pages, their filters, charts and the open-data files, all
built from the published copy only."""
