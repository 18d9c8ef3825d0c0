"""The governance app's writes: `committee` records meetings, material, opinions,
assignments, revision links and publication; `responses` takes a response through the
steps of `governance.transitions`."""
