"""Results: the yearly 実施結果 of each initiative, its transition table, the writes
(services), reads (selectors), permissions and notifications of the workflow."""
