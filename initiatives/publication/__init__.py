"""Publication: the editions (公表・訂正) of each fiscal year's results.

An edition is the unit of publication. Everything public about a year (its pages' counts and
dates, its report files) is a function of the year's latest edition.
"""
