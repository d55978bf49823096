"""What leaves kamscore as files: safe spreadsheet cells for every CSV export."""
