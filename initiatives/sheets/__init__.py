"""Spreadsheets for people: bounded reading of uploads and safe cells (`io`), the
departments' results workbook and HQ's plan workbook."""
