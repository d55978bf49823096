"""Marshmallow schemas of the JSON API: what each resource looks like, and its list filters.

Related objects appear by their natural key (``"manager": "E1001"``), as in the CSV files.
"""
