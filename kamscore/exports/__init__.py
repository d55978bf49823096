"""What leaves kamscore as files: spreadsheet-safe cells for every CSV export."""
